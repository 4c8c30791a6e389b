import { describe, expect, it } from "vitest";
import { DEFAULT_APP_PERMISSIONS } from "../../../emulator/graph/permissions.js";
import { buildRoutes } from "../../../emulator/graph/routes/index.js";
import {
  ADMINS_GROUP,
  BASE,
  BG1,
  BG2,
  EVENTUAL,
  follow,
  GA,
  get,
  makeLayer,
  NESTED_GROUP,
  request,
  resolveOk,
  TENANT,
  tenant,
} from "./fixture.js";

const layer = makeLayer();

/** a concrete request path for a route pattern */
const concrete = (pattern: string): string =>
  pattern.replace("{cast}", "microsoft.graph.user").replace("{methodId}", "m").replace("{id}", BG1);

describe("route table", () => {
  const routes = buildRoutes();

  it("every read route's permission lists are met by the default least-privileged app", () => {
    const granted = new Set<string>(DEFAULT_APP_PERMISSIONS);
    // writes need write permissions the default app deliberately lacks (test/emulator/writes)
    const reads = routes.filter((r) => r.method === "GET" || r.pattern.endsWith("/evaluate"));
    for (const r of reads) {
      for (const version of r.versions) {
        const query = r.pattern.endsWith("roleManagementPolicyAssignments")
          ? "$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'"
          : "";
        const res = resolveOk(layer, request(concrete(r.pattern), { version, query, method: r.method }));
        for (const anyOf of res.permissions) {
          expect(
            anyOf.some((p) => granted.has(p)),
            `${r.pattern}: ${anyOf.join(",")}`,
          ).toBe(true);
        }
      }
    }
  });

  it("lists least privileged first and keeps the Directory/ReadWrite permissions Graph also accepts", () => {
    const perms = (path: string, version: "v1.0" | "beta" = "v1.0", query = "") =>
      resolveOk(layer, request(path, { version, query })).permissions;
    expect(perms("/groups")[0]).toEqual([
      "GroupMember.Read.All",
      "Group.Read.All",
      "Directory.Read.All",
      "Group.ReadWrite.All",
      "Directory.ReadWrite.All",
    ]);
    expect(perms("/roleManagement/directory/roleAssignmentSchedules")[0]!.slice(0, 2)).toEqual([
      "RoleAssignmentSchedule.Read.Directory",
      "RoleManagement.Read.Directory",
    ]);
    expect(perms("/roleManagement/directory/roleEligibilityScheduleInstances")[0]!.slice(0, 2)).toEqual([
      "RoleEligibilitySchedule.Read.Directory",
      "RoleManagement.Read.Directory",
    ]);
    expect(perms("/identityGovernance/privilegedAccess/group/eligibilitySchedules")[0]!.slice(0, 2)).toEqual([
      "PrivilegedEligibilitySchedule.Read.AzureADGroup",
      "PrivilegedAccess.Read.AzureADGroup",
    ]);
    expect(perms("/auditLogs/signIns")).toEqual([["AuditLog.Read.All"]]);
    expect(perms("/policies/authenticationMethodsPolicy")).toEqual([
      ["Policy.Read.AuthenticationMethod", "Policy.ReadWrite.AuthenticationMethod"],
    ]);
    expect(
      perms(
        "/policies/roleManagementPolicyAssignments",
        "v1.0",
        "$filter=scopeId eq 'g' and scopeType eq 'Group'",
      )[0]![0],
    ).toBe("RoleManagementPolicy.Read.AzureADGroup");
  });

  it("assigns throttling families and sections", () => {
    const r = (path: string, version: "v1.0" | "beta" = "v1.0") =>
      resolveOk(layer, request(path, { version }));
    expect([
      r("/auditLogs/signIns").family,
      r("/auditLogs/directoryAudits").family,
      r(`/users/${BG1}/authentication/fido2Methods`).family,
    ]).toEqual(["reports", "reports", "reports"]);
    expect([
      r("/identity/conditionalAccess/policies").family,
      r("/identity/conditionalAccess/namedLocations").family,
    ]).toEqual(["conditionalAccess", "conditionalAccess"]);
    expect(r("/identityProtection/riskyUsers").family).toBe("identityProtection");
    expect(r("/groups").family).toBe("directory");
    expect(r(`/users/${BG1}/ownedObjects`)).toMatchObject({
      section: "users.ownedObjects",
      objectId: BG1,
      endpoint: "GET /users/{id}/ownedObjects",
    });
    expect(r("/identity/conditionalAccess/policies").section).toBe("conditionalAccessPolicies");
    expect(r("/roleManagement/directory/roleAssignmentScheduleInstances").section).toBe(
      "roleAssignmentSchedules",
    );
    expect(r("/policies/identitySecurityDefaultsEnforcementPolicy").section).toBe("securityDefaults");
    expect(r("/directory/deletedItems/microsoft.graph.user").section).toBe("deletedUsers");
  });

  it("resolution is pure: it does not run the handler", () => {
    let ran = false;
    const res = resolveOk(layer, request("/users"));
    const orig = res.handle;
    res.handle = () => {
      ran = true;
      return orig();
    };
    expect(ran).toBe(false);
  });
});

describe("sign-ins: v1.0 vs beta", () => {
  it("v1.0 returns interactive sign-ins only, newest first, without beta-only properties", () => {
    const r = get(layer, "/auditLogs/signIns").json;
    expect(r.value.map((s: any) => s.id)).toEqual(["s1", "s3"]);
    expect(r.value[0]).not.toHaveProperty("authenticationDetails");
    expect(r.value[0]).not.toHaveProperty("signInEventTypes");
    expect(r.value[0].isInteractive).toBe(true);
    expect(get(layer, "/auditLogs/signIns/s2").status).toBe(404);
    // beta-only filter property is rejected on v1.0
    expect(
      get(layer, "/auditLogs/signIns", {
        query: "$filter=signInEventTypes/any(t: t eq 'nonInteractiveUser')",
      }).status,
    ).toBe(400);
  });

  it("beta keeps authenticationDetails and returns non-interactive sign-ins when filtered by event type", () => {
    const interactive = get(layer, "/auditLogs/signIns", { version: "beta" }).json.value;
    expect(interactive.map((s: any) => s.id)).toEqual(["s1", "s3"]);
    expect(interactive[0].authenticationDetails[0].authenticationMethod).toBe("FIDO2 security key");
    const all = get(layer, "/auditLogs/signIns", {
      version: "beta",
      query: "$filter=signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')",
    }).json.value;
    expect(all.map((s: any) => s.id)).toEqual(["s2", "s1", "s3"]);
    const nonInt = get(layer, "/auditLogs/signIns", {
      version: "beta",
      query: "$filter=signInEventTypes/any(t: t eq 'nonInteractiveUser')",
    }).json.value;
    expect(nonInt.map((s: any) => s.id)).toEqual(["s2"]);
  });

  it("filters by user and date, pages at $top, and rejects unsupported operators", () => {
    const r = get(layer, "/auditLogs/signIns", {
      query: `$filter=userId eq '${BG1}' and createdDateTime ge 2026-10-01T00:00:00Z`,
    }).json;
    expect(r.value.map((s: any) => s.id)).toEqual(["s1"]);
    const p1 = get(layer, "/auditLogs/signIns", { query: "$top=1" }).json;
    expect(p1.value).toHaveLength(1);
    const p2 = follow(layer, p1["@odata.nextLink"]).json;
    expect(p2.value.map((s: any) => s.id)).toEqual(["s3"]);
    expect(p2["@odata.nextLink"]).toBeUndefined();
    const bad = get(layer, "/auditLogs/signIns", { query: "$filter=endsWith(userPrincipalName,'.com')" });
    expect(bad.status).toBe(400);
    expect(get(layer, "/auditLogs/signIns", { query: "$count=true" }).status).toBe(400);
    expect(get(layer, "/auditLogs/signIns", { query: "$select=id,status" }).json.value[0]).toEqual({
      id: "s1",
      status: { errorCode: 0 },
    });
    expect(get(layer, "/auditLogs/signIns", { query: "$select=id,authenticationDetails" }).status).toBe(400);
    expect(
      get(layer, "/auditLogs/signIns", { version: "beta", query: "$select=id,authenticationDetails" }).status,
    ).toBe(200);
  });

  it("directory audits newest first with lambda filters on targetResources", () => {
    const r = get(layer, "/auditLogs/directoryAudits").json.value.map((a: any) => a.id);
    expect(r).toEqual(["Directory_2", "Directory_1"]);
    const f = get(layer, "/auditLogs/directoryAudits", {
      query: `$filter=targetResources/any(t: t/id eq '${BG1}')`,
    }).json.value;
    expect(f.map((a: any) => a.id)).toEqual(["Directory_1"]);
  });
});

describe("role management", () => {
  it("derives schedule instances active at capturedAt", () => {
    const a = get(layer, "/roleManagement/directory/roleAssignmentScheduleInstances").json.value;
    // ra-expired ended 2026-01-01, before capturedAt
    expect(a).toEqual([
      {
        id: "ra-bg1",
        principalId: BG1,
        roleDefinitionId: GA,
        directoryScopeId: "/",
        appScopeId: null,
        startDateTime: null,
        endDateTime: null,
        memberType: "Direct",
        assignmentType: "Assigned",
        roleAssignmentOriginId: "ra-bg1",
        roleAssignmentScheduleId: "ra-bg1",
      },
    ]);
    const e = get(layer, "/roleManagement/directory/roleEligibilityScheduleInstances").json.value;
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({
      id: "el-bg2-e",
      roleEligibilityScheduleId: "el-bg2",
      startDateTime: "2026-10-01T00:00:00Z",
      endDateTime: "2027-10-01T00:00:00.000Z",
    });
    expect(e[0]).not.toHaveProperty("assignmentType");
    const schedules = get(layer, "/roleManagement/directory/roleAssignmentSchedules", {
      query: `$filter=principalId eq '${BG2}'`,
    }).json.value;
    expect(schedules.map((s: any) => s.id)).toEqual(["ra-expired"]);
  });

  it("transitiveRoleAssignments is beta only, 404 without ConsistencyLevel, includes group-held roles", () => {
    const q = `$count=true&$filter=principalId eq '${BG2}'`;
    expect(get(layer, "/roleManagement/directory/transitiveRoleAssignments", { query: q }).status).toBe(400);
    expect(
      get(layer, "/roleManagement/directory/transitiveRoleAssignments", { version: "beta", query: q }).status,
    ).toBe(404);
    expect(
      get(layer, "/roleManagement/directory/transitiveRoleAssignments", {
        version: "beta",
        query: `$filter=principalId eq '${BG2}'`,
        headers: EVENTUAL,
      }).status,
    ).toBe(400);
    const r = get(layer, "/roleManagement/directory/transitiveRoleAssignments", {
      version: "beta",
      query: q,
      headers: EVENTUAL,
    }).json;
    expect(r.value.map((a: any) => a.principalId)).toEqual([NESTED_GROUP]);
    expect(r["@odata.count"]).toBe(1);
    const bg1 = get(layer, "/roleManagement/directory/transitiveRoleAssignments", {
      version: "beta",
      query: `$count=true&$filter=principalId eq '${BG1}' and roleDefinitionId eq '${GA}'`,
      headers: EVENTUAL,
    }).json;
    expect(bg1.value.map((a: any) => a.id)).toEqual(["ra-bg1"]);
  });

  it("roleManagementPolicyAssignments needs the scope filter and expands policy($expand=rules)", () => {
    const path = "/policies/roleManagementPolicyAssignments";
    expect(get(layer, path).status).toBe(400);
    expect(get(layer, path, { query: "$filter=roleDefinitionId eq 'x'" }).status).toBe(400);
    const scope = "$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'";
    const plain = get(layer, path, { query: scope }).json.value[0];
    expect(plain).not.toHaveProperty("policy");
    const withPolicy = get(layer, path, { query: `${scope}&$expand=policy` }).json.value[0];
    expect(withPolicy.policy).not.toHaveProperty("rules");
    const full = get(layer, path, {
      query: `${scope} and roleDefinitionId eq '${GA}'&$expand=policy($expand=rules)`,
    }).json;
    expect(full["@odata.context"]).toBe(
      `${BASE}/v1.0/$metadata#policies/roleManagementPolicyAssignments(policy(rules()))`,
    );
    expect(full.value[0].policy.rules[0].id).toBe("Expiration_Admin_Assignment");
  });

  it("PIM for groups schedules require a groupId or principalId filter", () => {
    const path = "/identityGovernance/privilegedAccess/group/assignmentSchedules";
    expect(get(layer, path).status).toBe(400);
    expect(get(layer, path, { query: "$filter=accessId eq 'member'" }).status).toBe(400);
    const r = get(layer, path, { query: `$filter=groupId eq '${ADMINS_GROUP}'&$expand=principal` }).json
      .value;
    expect(r).toHaveLength(1);
    expect(r[0].principal.id).toBe(BG1);
    const e = get(layer, "/identityGovernance/privilegedAccess/group/eligibilitySchedules", {
      query: `$filter=principalId eq '${BG2}'`,
    }).json.value;
    expect(e.map((x: any) => x.accessId)).toEqual(["owner"]);
  });
});

describe("conditional access and authentication policies", () => {
  it("inlines the authentication strength in grantControls", () => {
    const p = get(layer, "/identity/conditionalAccess/policies/ca1").json;
    expect(p["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#identity/conditionalAccess/policies/$entity`);
    expect(p.grantControls.authenticationStrength).toMatchObject({
      id: "00000000-0000-0000-0000-000000000004",
      policyType: "builtIn",
      allowedCombinations: ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
    });
    expect(p.grantControls["authenticationStrength@odata.context"]).toMatch(
      /policies\('ca1'\)\/grantControls\/authenticationStrength\/\$entity$/,
    );
    const list = get(layer, "/identity/conditionalAccess/policies", {
      query: "$filter=state eq 'enabledForReportingButNotEnforced'",
    }).json.value;
    expect(list.map((x: any) => x.id)).toEqual(["ca2"]);
  });

  it("named locations are polymorphic and filterable by isof and cast lambdas", () => {
    const all = get(layer, "/identity/conditionalAccess/namedLocations").json.value;
    expect(all.map((l: any) => l["@odata.type"])).toEqual([
      "#microsoft.graph.ipNamedLocation",
      "#microsoft.graph.countryNamedLocation",
    ]);
    expect(
      get(layer, "/identity/conditionalAccess/namedLocations", {
        query: "$filter=isof('microsoft.graph.ipNamedLocation')",
      }).json.value.map((l: any) => l.id),
    ).toEqual(["nl1"]);
    expect(
      get(layer, "/identity/conditionalAccess/namedLocations", {
        query: "$filter=microsoft.graph.countryNamedLocation/countriesAndRegions/any(c: c eq 'CA')",
      }).json.value.map((l: any) => l.id),
    ).toEqual(["nl2"]);
  });

  it("authentication strengths: combinationConfigurations inline and separately; usage from CA policies", () => {
    const list = get(layer, "/policies/authenticationStrengthPolicies", {
      query: "$filter=policyType eq 'custom'",
    }).json.value;
    expect(list).toHaveLength(1);
    expect(list[0].combinationConfigurations[0].allowedAAGUIDs).toEqual([
      "cb69481e-8ff7-4039-93ec-0a2729a154a8",
    ]);
    expect(list[0]["combinationConfigurations@odata.context"]).toMatch(
      /authenticationStrengthPolicies\('custom-1'\)\/combinationConfigurations$/,
    );
    const cc = get(layer, "/policies/authenticationStrengthPolicies/custom-1/combinationConfigurations").json
      .value;
    expect(cc[0]["@odata.type"]).toBe("#microsoft.graph.fido2CombinationConfiguration");
    const usage = get(
      layer,
      "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004/usage",
    ).json;
    expect(usage.mfa.map((p: any) => p.id)).toEqual(["ca1"]);
    expect(usage.none).toEqual([]);
    expect(get(layer, "/policies/authenticationStrengthPolicies/custom-1/usage").json.mfa).toEqual([]);
  });

  it("tenant singletons", () => {
    const amp = get(layer, "/policies/authenticationMethodsPolicy").json;
    expect(amp["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#authenticationMethodsPolicy`);
    expect(amp.authenticationMethodConfigurations[0].id).toBe("Fido2");
    expect(
      get(layer, "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2").json.state,
    ).toBe("enabled");
    expect(
      get(layer, "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Sms").status,
    ).toBe(404);
    const az = get(layer, "/policies/authorizationPolicy").json;
    expect(az).toMatchObject({ id: "authorizationPolicy", allowedToUseSSPR: false });
    expect(az["@odata.context"]).toBe(`${BASE}/v1.0/$metadata#policies/authorizationPolicy/$entity`);
    expect(get(layer, "/policies/identitySecurityDefaultsEnforcementPolicy").json).toMatchObject({
      id: "00000000-0000-0000-0000-000000000005",
      isEnabled: false,
    });
  });
});

describe("version and Prefer differences", () => {
  it("isPrivileged on role definitions is beta only", () => {
    expect(get(layer, "/roleManagement/directory/roleDefinitions").json.value[0]).not.toHaveProperty(
      "isPrivileged",
    );
    expect(
      get(layer, "/roleManagement/directory/roleDefinitions", { version: "beta" }).json.value[0].isPrivileged,
    ).toBe(true);
    expect(
      get(layer, "/roleManagement/directory/roleDefinitions", { query: "$filter=isPrivileged eq true" })
        .status,
    ).toBe(400);
    expect(
      get(layer, "/roleManagement/directory/roleDefinitions", {
        version: "beta",
        query: "$filter=isPrivileged eq true",
      }).json.value,
    ).toHaveLength(1);
  });

  it("evolvable enum members need Prefer: include-unknown-enum-members", () => {
    const snap = tenant();
    snap.lifecycleWorkflows = [{ id: "wf2", category: "mover" }];
    snap.conditionalAccessPolicies = [
      {
        id: "ca3",
        state: "enabled",
        grantControls: { operator: "AND", builtInControls: ["mfa", "riskRemediation"] },
      },
    ];
    const l = makeLayer(snap);
    expect(get(l, "/identityGovernance/lifecycleWorkflows/workflows").json.value[0].category).toBe(
      "unknownFutureValue",
    );
    const prefer = { prefer: "include-unknown-enum-members" };
    expect(
      get(l, "/identityGovernance/lifecycleWorkflows/workflows", { headers: prefer }).json.value[0].category,
    ).toBe("mover");
    expect(get(l, "/identity/conditionalAccess/policies/ca3").json.grantControls.builtInControls).toEqual([
      "mfa",
      "unknownFutureValue",
    ]);
    expect(
      get(l, "/identity/conditionalAccess/policies/ca3", { headers: prefer }).json.grantControls
        .builtInControls,
    ).toEqual(["mfa", "riskRemediation"]);
  });
});

describe("other sections", () => {
  it("deleted users, risky users, access reviews, workflows", () => {
    expect(get(layer, "/directory/deletedItems/microsoft.graph.user").json.value[0].userPrincipalName).toBe(
      "gone@contoso.com",
    );
    expect(
      get(layer, "/identityProtection/riskyUsers", { query: "$filter=riskLevel eq 'high'" }).json.value[0].id,
    ).toBe(BG2);
    expect(get(layer, "/identityGovernance/accessReviews/definitions").json.value[0].id).toBe("ar1");
    expect(
      get(layer, "/identityGovernance/lifecycleWorkflows/workflows", {
        query: "$filter=category eq 'leaver'",
      }).json.value[0].id,
    ).toBe("wf1");
    expect(get(layer, `/organization/${TENANT}`).json.displayName).toBe("Contoso");
  });

  it("$skip where Graph has it (CA policies), rejected on directory objects; nextLink drops the consumed $skip", () => {
    const snap = tenant();
    snap.conditionalAccessPolicies = Array.from({ length: 5 }, (_, i) => ({
      id: `p${i}`,
      displayName: `P${i}`,
      state: "enabled",
    }));
    const l = makeLayer(snap);
    const r = get(l, "/identity/conditionalAccess/policies", { query: "$skip=1&$top=2" }).json;
    expect(r.value.map((p: any) => p.id)).toEqual(["p1", "p2"]);
    const next = new URL(r["@odata.nextLink"]);
    expect(next.searchParams.has("$skip")).toBe(false);
    const r2 = follow(l, r["@odata.nextLink"]).json;
    expect(r2.value.map((p: any) => p.id)).toEqual(["p3", "p4"]);
    expect(r2["@odata.nextLink"]).toBeUndefined();
    expect(get(l, "/users", { query: "$skip=1" }).status).toBe(400);
  });

  it("a missing list section is served as an empty collection", () => {
    const bare = makeLayer({
      schema: "breakglass.snapshot/v1",
      tenant: { id: TENANT, capturedAt: "2026-11-01T10:00:00Z" },
    });
    expect(get(bare, "/users").json.value).toEqual([]);
    expect(get(bare, "/policies/authorizationPolicy").status).toBe(404);
  });
});
