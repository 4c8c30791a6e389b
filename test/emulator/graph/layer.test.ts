import { describe, expect, it } from "vitest";
import {
  ADMINS_GROUP,
  AU,
  BASE,
  BG1,
  BG2,
  EVENTUAL,
  follow,
  GA,
  get,
  GUEST,
  M365_GROUP,
  makeLayer,
  NESTED_GROUP,
  request,
  resolveOk,
  TENANT,
} from "./fixture.js";

const layer = makeLayer();

describe("users", () => {
  it("returns only Graph's default property set without $select, never relationships", () => {
    const r = get(layer, "/users", { query: "$top=3" });
    expect(r.status).toBe(200);
    expect(r.json["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#users`);
    const u = r.json.value[0];
    expect(Object.keys(u).sort()).toEqual(
      [
        "businessPhones",
        "displayName",
        "givenName",
        "id",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
      ].sort(),
    );
    expect(u.businessPhones).toEqual([]);
    expect(u.jobTitle).toBeNull();
    expect(u).not.toHaveProperty("accountEnabled");
    expect(u).not.toHaveProperty("authenticationMethods");
    expect(u).not.toHaveProperty("signInActivity");
  });

  it("$select returns the selected properties plus id, unset ones as null, and echoes the selection", () => {
    const r = get(layer, "/users", {
      query: "$select=displayName,accountEnabled,onPremisesImmutableId,otherMails&$top=1",
    });
    expect(r.json["@odata.context"]).toBe(
      `${BASE}/v1.0/$metadata#users(displayName,accountEnabled,onPremisesImmutableId,otherMails)`,
    );
    expect(r.json.value[0]).toEqual({
      id: BG1,
      displayName: "Break Glass 1",
      accountEnabled: true,
      onPremisesImmutableId: null,
      otherMails: [],
    });
  });

  it("a property Graph returns only for a single user is 501 on the list", () => {
    expect(get(layer, "/users", { query: "$select=id,aboutMe" }).status).toBe(501);
    expect(get(layer, `/users/${BG1}`, { query: "$select=aboutMe" }).json).toEqual({
      "@odata.context": `${BASE}/v1.0/$metadata#users(aboutMe)/$entity`,
      id: BG1,
      aboutMe: null,
    });
  });

  it("rejects $select of a property users do not have", () => {
    const r = get(layer, "/users", { query: "$select=displayName,perUserMfaState" });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/perUserMfaState/);
  });

  it("signInActivity only when selected, needs AuditLog.Read.All too, and caps pages at 120", () => {
    const plain = resolveOk(layer, request("/users"));
    expect(plain.permissions).toEqual([
      ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    ]);
    expect(plain.section).toBe("users");
    const req = request("/users", { query: "$select=id,signInActivity&$top=999" });
    const res = resolveOk(layer, req);
    expect(res.permissions).toEqual([plain.permissions[0], ["AuditLog.Read.All"]]);
    expect(res.section).toBe("users.signInActivity");
    const body = res.handle().body as any;
    expect(body.value).toHaveLength(120);
    expect(body.value[0].signInActivity.lastSignInDateTime).toBe("2026-10-01T00:00:00Z");
    expect(body.value[1].signInActivity).toBeNull();
  });

  it("pages with absolute nextLinks carrying $skiptoken and the original query, through every page", () => {
    let r = get(layer, "/users", { query: "$select=id,displayName&$filter=accountEnabled eq true&$top=100" });
    const ids: string[] = [];
    let pages = 0;
    for (;;) {
      expect(r.status).toBe(200);
      pages++;
      ids.push(...r.json.value.map((u: any) => u.id));
      const next = r.json["@odata.nextLink"];
      if (!next) break;
      expect(next.startsWith(`${BASE}/v1.0/users?`)).toBe(true);
      const u = new URL(next);
      expect(u.searchParams.get("$select")).toBe("id,displayName");
      expect(u.searchParams.get("$filter")).toBe("accountEnabled eq true");
      expect(u.searchParams.get("$skiptoken")).toBeTruthy();
      r = follow(layer, next);
    }
    // 253 users, BG2 and every tenth filler disabled
    expect(ids).toHaveLength(253 - 1 - 25);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(3);
  });

  it("default page is 100 and $top above 999 is rejected", () => {
    expect(get(layer, "/users").json.value).toHaveLength(100);
    const r = get(layer, "/users", { query: "$top=1000" });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/page size/);
  });

  it("rejects a skiptoken replayed with a different query", () => {
    const first = get(layer, "/users", { query: "$top=5" });
    const tok = new URL(first.json["@odata.nextLink"]).searchParams.get("$skiptoken")!;
    const r = get(layer, "/users", { query: `$top=5&$filter=accountEnabled eq true&$skiptoken=${tok}` });
    expect(r.status).toBe(400);
  });

  it("gets a user by id or by UPN (case-insensitive, # in guest UPNs)", () => {
    expect(get(layer, `/users/${BG1.toUpperCase()}`).json.id).toBe(BG1);
    const g = get(layer, "/users/ext_user_fabrikam.com#EXT#@contoso.onmicrosoft.com", {
      query: "$select=userType",
    });
    expect(g.json).toMatchObject({ id: GUEST, userType: "Guest" });
    expect(g.json["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#users(userType)/$entity`);
    const missing = get(layer, "/users/00000000-0000-0000-0000-00000000dead");
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("Request_ResourceNotFound");
  });

  it("/users/$count is text/plain and needs ConsistencyLevel: eventual", () => {
    const r = get(layer, "/users/$count", { headers: EVENTUAL });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/plain/);
    expect(r.body).toBe("253");
    expect(
      get(layer, "/users/$count", { headers: EVENTUAL, query: "$filter=userType eq 'Guest'" }).body,
    ).toBe("1");
    expect(get(layer, "/users/$count").status).toBe(400);
  });

  it("$count=true adds @odata.count only with the eventual header", () => {
    const r = get(layer, "/users", { query: "$count=true&$top=1", headers: EVENTUAL });
    expect(r.json["@odata.count"]).toBe(253);
    expect(get(layer, "/users", { query: "$count=true" }).status).toBe(400);
  });
});

describe("$filter on users", () => {
  const ids = (r: any): string[] => r.json.value.map((u: any) => u.id);

  it("supports eq, in, startsWith, ge/le on dates, eq null, lambdas with unquoted GUIDs", () => {
    expect(ids(get(layer, "/users", { query: `$filter=id eq '${BG2}'` }))).toEqual([BG2]);
    expect(ids(get(layer, "/users", { query: `$filter=id in ('${BG1}','${BG2}')` }))).toEqual([BG1, BG2]);
    expect(ids(get(layer, "/users", { query: "$filter=startsWith(userPrincipalName,'BG')" }))).toEqual([
      BG1,
      BG2,
    ]);
    expect(ids(get(layer, "/users", { query: "$filter=createdDateTime ge 2024-01-01T00:00:00Z" }))).toEqual([
      BG1,
      BG2,
    ]);
    expect(
      ids(
        get(layer, "/users", {
          query: "$filter=assignedLicenses/any(x:x/skuId eq eec0eb4f-6444-4f95-aba0-50c24d67f998)",
        }),
      ),
    ).toEqual([BG1]);
    expect(
      ids(
        get(layer, "/users", {
          query:
            "$filter=passwordPolicies eq null and userType eq 'Member' and startsWith(displayName,'Break')",
        }),
      ),
    ).toEqual([BG2]);
    expect(
      ids(get(layer, "/users", { query: "$filter=userType eq 'Guest' or displayName eq 'Break Glass 1'" })),
    ).toEqual([BG1, GUEST]);
  });

  it("filters on signInActivity with unquoted datetimes, not combined with other properties", () => {
    const r = get(layer, "/users", {
      query: "$filter=signInActivity/lastSignInDateTime ge 2026-01-01T00:00:00Z&$select=id,signInActivity",
    });
    expect(ids(r)).toEqual([BG1]);
    const bad = get(layer, "/users", {
      query: "$filter=signInActivity/lastSignInDateTime ge 2026-01-01T00:00:00Z and accountEnabled eq true",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("Request_UnsupportedQuery");
  });

  it("needs an advanced query for ne, not and endsWith", () => {
    for (const f of [
      "accountEnabled ne true",
      "not(accountEnabled eq true)",
      "endsWith(userPrincipalName,'onmicrosoft.com')",
    ]) {
      const plain = get(layer, "/users", { query: `$filter=${f}` });
      expect(plain.status, f).toBe(400);
      expect(plain.json.error.code).toBe("Request_UnsupportedQuery");
      const adv = get(layer, "/users", { query: `$filter=${f}&$count=true`, headers: EVENTUAL });
      expect(adv.status, f).toBe(200);
    }
    const r = get(layer, "/users", {
      query: "$filter=endsWith(userPrincipalName,'onmicrosoft.com')&$count=true",
      headers: EVENTUAL,
    });
    expect(ids(r)).toEqual([BG1, BG2, GUEST]);
    expect(r.json["@odata.count"]).toBe(3);
  });

  it("rejects operators Graph does not allow on a property", () => {
    // passwordPolicies supports only ne, not and eq null
    const r = get(layer, "/users", { query: "$filter=passwordPolicies eq 'DisablePasswordExpiration'" });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("Request_UnsupportedQuery");
    expect(r.json.error.message).toMatch(/passwordPolicies/);
    expect(get(layer, "/users", { query: "$filter=accountEnabled ge true" }).status).toBe(400);
    expect(get(layer, "/users", { query: "$filter=contains(displayName,'Glass')" }).status).toBe(400);
    expect(get(layer, "/users", { query: "$filter=favouriteColour eq 'red'" }).status).toBe(400);
  });

  it("allows at most 15 in/or child clauses on directory objects", () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `'u${i}'`).join(",");
    expect(get(layer, "/users", { query: `$filter=id in (${list(15)})` }).status).toBe(200);
    const r = get(layer, "/users", { query: `$filter=id in (${list(16)})` });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/Max allowed: 15/);
    const ors = Array.from({ length: 16 }, (_, i) => `id eq 'u${i}'`).join(" or ");
    expect(get(layer, "/users", { query: `$filter=${ors}` }).status).toBe(400);
  });

  it("reports a syntax error as BadRequest", () => {
    const r = get(layer, "/users", { query: "$filter=displayName eq" });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("BadRequest");
    expect(r.json.error.message).toMatch(/Invalid filter clause/);
  });

  it("$search needs the eventual header", () => {
    expect(get(layer, "/users", { query: '$search="displayName:glass"' }).status).toBe(400);
    const r = get(layer, "/users", { query: '$search="displayName:glass"', headers: EVENTUAL });
    expect(ids(r)).toEqual([BG1, BG2]);
  });

  it("$orderby, and with $filter only as an advanced query", () => {
    const r = get(layer, "/users", { query: "$orderby=displayName desc&$top=1" });
    expect(r.json.value[0].displayName).toBe("User 249");
    expect(get(layer, "/users", { query: "$orderby=displayName&$filter=userType eq 'Member'" }).status).toBe(
      400,
    );
    expect(
      get(layer, "/users", {
        query: "$orderby=displayName&$filter=userType eq 'Member'&$count=true",
        headers: EVENTUAL,
      }).status,
    ).toBe(200);
  });
});

describe("user relationships", () => {
  it("serves authentication methods with @odata.type, and typed collections without it", () => {
    const res = resolveOk(layer, request(`/users/${BG1}/authentication/methods`));
    expect(res.permissions).toEqual([
      ["UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"],
    ]);
    expect(res.family).toBe("reports");
    expect(res.section).toBe("users.authenticationMethods");
    expect(res.objectId).toBe(BG1);
    expect(res.endpoint).toBe("GET /users/{id}/authentication/methods");
    const body = res.handle().body as any;
    expect(body["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#users('${BG1}')/authentication/methods`);
    expect(body.value.map((m: any) => m["@odata.type"])).toEqual([
      "#microsoft.graph.passwordAuthenticationMethod",
      "#microsoft.graph.fido2AuthenticationMethod",
    ]);
    const fido = get(layer, `/users/${BG1}/authentication/fido2Methods`).json;
    expect(fido.value).toEqual([
      {
        id: "f1d0f1d0-0000-0000-0000-000000000001",
        displayName: "YubiKey 5",
        aaGuid: "cb69481e-8ff7-4039-93ec-0a2729a154a8",
        attestationLevel: "attested",
      },
    ]);
    expect(get(layer, `/users/${BG2}/authentication/phoneMethods`).json.value[0].phoneType).toBe("mobile");
    expect(get(layer, `/users/${BG1}/authentication/methods`, { query: "$top=1" }).status).toBe(400);
    expect(get(layer, `/users/nobody/authentication/methods`).status).toBe(404);
  });

  it("objectId is the canonical id even when the path names the user by UPN", () => {
    const r = resolveOk(layer, request("/users/BG1@contoso.onmicrosoft.com/authentication/methods"));
    expect(r.objectId).toBe(BG1);
    expect((r.handle().body as any).value).toHaveLength(2);
  });

  it("per-user MFA state is beta only", () => {
    const beta = get(layer, `/users/${BG2}/authentication/requirements`, { version: "beta" });
    expect(beta.json).toEqual({ perUserMfaState: "enforced" });
    const r = resolveOk(layer, request(`/users/${BG2}/authentication/requirements`, { version: "beta" }));
    expect(r.section).toBe("users.perUserMfaState");
    expect(r.permissions[0]![0]).toBe("Policy.Read.All");
    const v1 = get(layer, `/users/${BG2}/authentication/requirements`);
    expect(v1.status).toBe(400);
    expect(v1.json.error.message).toBe("Resource not found for the segment 'requirements'.");
  });

  it("ownedObjects, memberOf and transitiveMemberOf", () => {
    const owned = get(layer, `/users/${BG1}/ownedObjects`).json;
    expect(owned.value[0]).toMatchObject({
      "@odata.type": "#microsoft.graph.group",
      id: ADMINS_GROUP,
      displayName: "Emergency Admins",
    });
    expect(owned.value[0]).not.toHaveProperty("members");
    const memberOf = get(layer, `/users/${BG2}/memberOf`).json.value.map((x: any) => x.id);
    expect(memberOf).toEqual([NESTED_GROUP]);
    const trans = get(layer, `/users/${BG2}/transitiveMemberOf`).json.value.map((x: any) => x.id);
    expect(trans.sort()).toEqual([ADMINS_GROUP, NESTED_GROUP].sort());
    const bg1 = get(layer, `/users/${BG1}/memberOf`).json.value.map((x: any) => x["@odata.type"]);
    expect(bg1).toEqual(["#microsoft.graph.group", "#microsoft.graph.administrativeUnit"]);
  });
});

describe("groups", () => {
  it("strips members/owners from group entities and serves them from their endpoints", () => {
    const g = get(layer, "/groups", { query: "$filter=isAssignableToRole eq true" }).json.value;
    expect(g).toHaveLength(1);
    expect(g[0]).not.toHaveProperty("members");
    expect(g[0]).not.toHaveProperty("owners");
    const m = resolveOk(layer, request(`/groups/${ADMINS_GROUP}/members`));
    expect(m.section).toBe("groups.members");
    expect(m.objectId).toBe(ADMINS_GROUP);
    expect(m.permissions[0]![0]).toBe("GroupMember.Read.All");
    const members = (m.handle().body as any).value;
    expect(members.map((x: any) => x["@odata.type"])).toEqual([
      "#microsoft.graph.user",
      "#microsoft.graph.group",
    ]);
    // a user member has the user default property set
    expect(members[0]).toHaveProperty("userPrincipalName", "bg1@contoso.onmicrosoft.com");
    expect(members[0]).not.toHaveProperty("accountEnabled");
    const owners = resolveOk(layer, request(`/groups/${ADMINS_GROUP}/owners`));
    expect(owners.section).toBe("groups.owners");
    expect((owners.handle().body as any).value.map((x: any) => x.id)).toEqual([BG2]);
  });

  it("transitiveMembers flattens nesting; casts need an advanced query", () => {
    const t = get(layer, `/groups/${ADMINS_GROUP}/transitiveMembers`).json.value.map((x: any) => x.id);
    expect(t).toEqual([BG1, NESTED_GROUP, BG2, "ffffffff-0000-0000-0000-000000000001"]);
    expect(get(layer, `/groups/${ADMINS_GROUP}/transitiveMembers/microsoft.graph.user`).status).toBe(400);
    const users = get(layer, `/groups/${ADMINS_GROUP}/transitiveMembers/microsoft.graph.user`, {
      query: "$count=true",
      headers: EVENTUAL,
    }).json;
    expect(users.value.map((x: any) => x.id)).toEqual([BG1, BG2]);
    expect(users["@odata.count"]).toBe(2);
    expect(users["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#users`);
    const m365 = get(layer, `/groups/${M365_GROUP}/members/microsoft.graph.group`, {
      query: "$count=true",
      headers: EVENTUAL,
    });
    expect(m365.status).toBe(400);
    expect(m365.json.error.code).toBe("Request_UnsupportedQuery");
  });

  it("$expand=members on groups inlines up to 20 members, with a nested $select", () => {
    const r = get(layer, "/groups", {
      query: `$filter=id eq '${ADMINS_GROUP}'&$expand=members($select=id,displayName)`,
    }).json;
    expect(r["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#groups(members())`);
    expect(r.value[0].members).toEqual([
      { "@odata.type": "#microsoft.graph.user", id: BG1, displayName: "Break Glass 1" },
      { "@odata.type": "#microsoft.graph.group", id: NESTED_GROUP, displayName: "Nested" },
    ]);
    const one = get(layer, `/groups/${ADMINS_GROUP}`, { query: "$expand=owners" }).json;
    expect(one.owners.map((o: any) => o.id)).toEqual([BG2]);
    expect(get(layer, "/groups", { query: "$expand=manager" }).status).toBe(400);
  });

  it("/groups/$count counts with the same filter rules", () => {
    expect(get(layer, "/groups/$count", { headers: EVENTUAL }).body).toBe("3");
    expect(
      get(layer, "/groups/$count", { headers: EVENTUAL, query: "$filter=securityEnabled eq true" }).body,
    ).toBe("2");
    expect(get(layer, "/groups/$count").status).toBe(400);
  });

  it("groupTypes lambda filter", () => {
    const r = get(layer, "/groups", { query: "$filter=groupTypes/any(c:c eq 'DynamicMembership')" }).json
      .value;
    expect(r.map((g: any) => g.id)).toEqual([M365_GROUP]);
  });
});

describe("administrative units", () => {
  it("is /directory/administrativeUnits on v1.0 and /administrativeUnits on beta", () => {
    expect(get(layer, "/directory/administrativeUnits").json.value[0]).toEqual({
      id: AU,
      displayName: "Break-glass RMAU",
      isMemberManagementRestricted: true,
    });
    expect(get(layer, "/administrativeUnits", { version: "beta" }).json.value).toHaveLength(1);
    const v1 = get(layer, "/administrativeUnits");
    expect(v1.status).toBe(400);
    expect(v1.json.error.message).toBe("Resource not found for the segment 'administrativeUnits'.");
    const m = resolveOk(layer, request(`/directory/administrativeUnits/${AU}/members`));
    expect(m.section).toBe("administrativeUnits.members");
    expect((m.handle().body as any).value[0].id).toBe(BG1);
  });
});

describe("unknown paths and methods", () => {
  it("names the first unknown segment, and 405s a wrong method", () => {
    const r = layer.resolve(request("/users/x/fooBar"));
    expect("error" in r && r.error.status).toBe(400);
    expect("error" in r && (r.error.body as any).error.message).toBe(
      "Resource not found for the segment 'fooBar'.",
    );
    expect("error" in r && (r.error.body as any).error.innerError.date).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/,
    );
    const p = layer.resolve(request("/users", { method: "DELETE" }));
    expect("error" in p && p.error.status).toBe(405);
    const me = layer.resolve(request("/me/authentication/methods"));
    expect("error" in me && (me.error.body as any).error.message).toMatch(/delegated authentication flow/);
    const t = layer.resolve(request("/roleManagement/directory/transitiveRoleAssignments"));
    expect("error" in t && (t.error.body as any).error.message).toMatch(/transitiveRoleAssignments/);
  });
});

describe("tenant objects", () => {
  it("organization, domains by FQDN, subscribedSkus rejects $top", () => {
    expect(get(layer, "/organization").json.value[0].id).toBe(TENANT);
    expect(get(layer, "/domains/CONTOSO.com").json).toMatchObject({
      id: "contoso.com",
      authenticationType: "Federated",
    });
    expect(get(layer, "/subscribedSkus").json.value[0].skuPartNumber).toBe("AAD_PREMIUM_P2");
    const top = get(layer, "/subscribedSkus", { query: "$top=1" });
    expect(top.status).toBe(400);
    expect(top.json.error.code).toBe("Request_UnsupportedQuery");
  });

  it("role assignments with $expand=principal,roleDefinition", () => {
    const r = get(layer, "/roleManagement/directory/roleAssignments", {
      query: `$filter=roleDefinitionId eq '${GA}'&$expand=principal`,
    }).json;
    expect(r["@odata.context"]).toBe(
      `${BASE}/v1.0/$metadata#roleManagement/directory/roleAssignments(principal())`,
    );
    expect(r.value[0].principal).toMatchObject({
      "@odata.type": "#microsoft.graph.user",
      id: BG1,
      accountEnabled: true,
    });
    expect(r.value[0].principal).not.toHaveProperty("authenticationMethods");
    expect(r.value[1].principal["@odata.type"]).toBe("#microsoft.graph.group");
    const both = get(layer, "/roleManagement/directory/roleAssignments", {
      query: "$expand=principal,roleDefinition",
    }).json;
    expect(both.value[0].roleDefinition.displayName).toBe("Global Administrator");
  });
});
