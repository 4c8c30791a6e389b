import { afterEach, describe, expect, it } from "vitest";
import { goodSnapshot, startWriteHarness, type WriteHarness } from "./support.js";

const CA = "/v1.0/identity/conditionalAccess/policies";
const policy = (extra: Record<string, unknown> = {}) => ({
  displayName: "CA900 3318",
  state: "enabledForReportingButNotEnforced",
  conditions: {
    users: { includeGroups: ["ab45a805-0899-4c20-823e-676c53a97511"] },
    applications: { includeApplications: ["All"] },
    clientAppTypes: ["all"],
  },
  grantControls: { operator: "OR", builtInControls: ["mfa"] },
  ...extra,
});

describe("policy writes", () => {
  let h: WriteHarness;
  afterEach(async () => h?.close());

  it("strengths: server ids, computed requirements, invalid combination 400 badRequest, combinations only through the action", async () => {
    h = await startWriteHarness();
    const res = await h.graph("POST", "/v1.0/policies/authenticationStrengthPolicies", {
      displayName: "fin-3318",
      allowedCombinations: ["fido2"],
      combinationConfigurations: [
        {
          "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
          id: "client-chosen",
          appliesToCombinations: ["fido2"],
          allowedAAGUIDs: ["2fc0579f-8113-47ea-b116-bb5a8db9202a"],
        },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      policyType: "custom",
      requirementsSatisfied: "mfa",
      allowedCombinations: ["fido2"],
    });
    expect(res.body.combinationConfigurations[0].id).not.toBe("client-chosen");
    const bad = await h.graph("POST", "/v1.0/policies/authenticationStrengthPolicies", {
      displayName: "x",
      allowedCombinations: ["microsoftAuthenticatorPush"],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("badRequest");
    expect(bad.body.error.message).toBe(
      "Invalid authentication method mode combination(s): MicrosoftAuthenticatorPush",
    );
    const id = res.body.id;
    expect(
      (
        await h.graph("PATCH", `/v1.0/policies/authenticationStrengthPolicies/${id}`, {
          allowedCombinations: ["password"],
        })
      ).status,
    ).toBe(400);
    const upd = await h.graph(
      "POST",
      `/v1.0/policies/authenticationStrengthPolicies/${id}/updateAllowedCombinations`,
      {
        allowedCombinations: ["fido2", "windowsHelloForBusiness"],
      },
    );
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({
      previousCombinations: ["fido2"],
      currentCombinations: ["fido2", "windowsHelloForBusiness"],
      conditionalAccessReferences: [],
    });
    const cfg = res.body.combinationConfigurations[0].id;
    const aaguids = ["2fc0579f-8113-47ea-b116-bb5a8db9202a", "fcc0118f-cd45-435b-8da1-9782b2da0715"];
    expect(
      (
        await h.graph(
          "PATCH",
          `/v1.0/policies/authenticationStrengthPolicies/${id}/combinationConfigurations/${cfg}`,
          { allowedAAGUIDs: aaguids },
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await h.graph(
          "PATCH",
          `/v1.0/policies/authenticationStrengthPolicies/${id}/combinationConfigurations/${cfg}`,
          { "@odata.type": "#microsoft.graph.fido2CombinationConfiguration", allowedAAGUIDs: aaguids },
        )
      ).status,
    ).toBe(204);
    const read = await h.graph(
      "GET",
      `/v1.0/policies/authenticationStrengthPolicies/${id}`,
      undefined,
      h.reader,
    );
    expect(read.body.combinationConfigurations[0].allowedAAGUIDs).toEqual(aaguids);
    // a strength without a configuration gets one through the other path to the same objects
    const bare = (
      await h.graph("POST", "/v1.0/policies/authenticationStrengthPolicies", {
        displayName: "bare",
        allowedCombinations: ["fido2"],
      })
    ).body;
    const base = `/v1.0/identity/conditionalAccess/authenticationStrength/policies/${bare.id}/combinationConfigurations`;
    const config = {
      "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
      appliesToCombinations: ["fido2"],
      allowedAAGUIDs: aaguids,
    };
    const made = await h.graph("POST", base, config);
    expect(made.status).toBe(201);
    expect((await h.graph("POST", base, config)).status).toBe(400);
    const listed = await h.graph(
      "GET",
      `/v1.0/policies/authenticationStrengthPolicies/${bare.id}/combinationConfigurations`,
      undefined,
      h.reader,
    );
    expect(listed.body.value.map((c: any) => c.id)).toEqual([made.body.id]);
  });

  it("Conditional Access: 201 full policy; strength written by id and read back expanded; no users 400; unknown strength 400; schema 1007", async () => {
    h = await startWriteHarness();
    const strength = (
      await h.graph("POST", "/v1.0/policies/authenticationStrengthPolicies", {
        displayName: "s",
        allowedCombinations: ["fido2"],
      })
    ).body;
    const res = await h.graph(
      "POST",
      CA,
      policy({ grantControls: { operator: "OR", authenticationStrength: { id: strength.id } } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.id).toBeTruthy();
    const read = await h.graph("GET", `${CA}/${res.body.id}`, undefined, h.reader);
    expect(read.body.grantControls.authenticationStrength).toMatchObject({
      id: strength.id,
      allowedCombinations: ["fido2"],
    });
    const noUsers = await h.graph(
      "POST",
      CA,
      policy({ conditions: { users: { includeUsers: [] }, applications: { includeApplications: ["All"] } } }),
    );
    expect(noUsers.status).toBe(400);
    expect(noUsers.body.error.code).toBe("BadRequest");
    const noStrength = await h.graph(
      "POST",
      CA,
      policy({
        grantControls: {
          operator: "OR",
          authenticationStrength: { id: "00000000-0000-0000-0000-0000000000aa" },
        },
      }),
    );
    expect(noStrength.status).toBe(400);
    const schema = await h.graph("POST", CA, { ...policy(), excludeUserActions: [] });
    expect(schema.status).toBe(400);
    expect(schema.body.error.message).toMatch(/^1007: /);
    // the strength cannot go while a policy uses it
    expect(
      (await h.graph("DELETE", `/v1.0/policies/authenticationStrengthPolicies/${strength.id}`)).status,
    ).toBe(400);
  });

  it("PATCH merges objects and replaces arrays whole; DELETE 204; writes need Application.Read.All too", async () => {
    h = await startWriteHarness();
    const created = (
      await h.graph(
        "POST",
        CA,
        policy({
          conditions: {
            users: { includeUsers: ["All"], excludeGroups: ["g1", "g2"], excludeUsers: ["u1"] },
            applications: { includeApplications: ["All"] },
          },
        }),
      )
    ).body;
    expect(
      (await h.graph("PATCH", `${CA}/${created.id}`, { conditions: { users: { excludeGroups: ["g3"] } } }))
        .status,
    ).toBe(204);
    const read = await h.graph("GET", `${CA}/${created.id}`, undefined, h.reader);
    expect(read.body.conditions.users).toMatchObject({
      includeUsers: ["All"],
      excludeGroups: ["g3"],
      excludeUsers: ["u1"],
    });
    expect(read.body.conditions.applications.includeApplications).toEqual(["All"]);
    expect(read.body.modifiedDateTime).toBe("2026-12-02T09:00:00.000Z");
    const { tokenFor } = await import("../support.js");
    const app = h.emu.registerApp({
      secret: "s3cret-ca-app-000000000000000000000",
      graphPermissions: ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"],
    });
    const token = await tokenFor(h.emu, h.agent, app.clientId, app.secrets[0]!);
    expect((await h.graph("PATCH", `${CA}/${created.id}`, { state: "disabled" }, token)).status).toBe(403);
    expect((await h.graph("DELETE", `${CA}/${created.id}`, undefined, token)).status).toBe(204);
    expect((await h.graph("GET", `${CA}/${created.id}`, undefined, h.reader)).status).toBe(404);
  });

  it("the 195-policy limit counts every state", async () => {
    const { goodSnapshot } = await import("./support.js");
    const snapshot = goodSnapshot();
    const base = snapshot.conditionalAccessPolicies![0]!;
    snapshot.conditionalAccessPolicies = Array.from({ length: 194 }, (_, i) => ({
      ...base,
      id: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      state: i % 2 ? "disabled" : "enabledForReportingButNotEnforced",
    }));
    h = await startWriteHarness({ snapshot });
    expect((await h.graph("POST", CA, policy())).status).toBe(201);
    const over = await h.graph("POST", CA, policy());
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain("195");
  });

  it("Conditional Access writes are throttled with reads: 1 request/s per tenant, 429 without Retry-After", async () => {
    h = await startWriteHarness({ throttle: true });
    expect((await h.graph("POST", CA, policy())).status).toBe(201);
    const second = await h.graph("POST", CA, policy());
    expect(second.status).toBe(429);
    expect(second.headers["retry-after"]).toBeUndefined();
    expect(h.emu.counters().throttled.bySection).toEqual({ conditionalAccessPolicies: 1 });
  });

  it("method configurations: @odata.type required, includeTargets replaced whole, unknown fields kept", async () => {
    h = await startWriteHarness();
    const path = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2";
    const before = (await h.graph("GET", path, undefined, h.reader)).body;
    expect((await h.graph("PATCH", path, { state: "enabled" })).status).toBe(400);
    const targets = [
      { targetType: "group", id: "ab45a805-0899-4c20-823e-676c53a97511", isRegistrationRequired: false },
    ];
    const res = await h.graph("PATCH", path, {
      "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
      includeTargets: targets,
      passkeyProfiles: [{ id: "00000000-0000-0000-0000-000000000001", name: "Default" }],
    });
    expect(res.status).toBe(204);
    const after = (await h.graph("GET", path, undefined, h.reader)).body;
    expect(after.includeTargets).toEqual(targets);
    expect(after.passkeyProfiles).toHaveLength(1);
    expect(after.keyRestrictions).toEqual(before.keyRestrictions);
    // the methods policy needs its own permission: Policy.ReadWrite.ConditionalAccess is not it
    const { tokenFor } = await import("../support.js");
    const app = h.emu.registerApp({
      secret: "s3cret-mp-app-000000000000000000000",
      graphPermissions: ["Policy.ReadWrite.ConditionalAccess"],
    });
    const token = await tokenFor(h.emu, h.agent, app.clientId, app.secrets[0]!);
    expect(
      (
        await h.graph(
          "PATCH",
          path,
          { "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", state: "disabled" },
          token,
        )
      ).status,
    ).toBe(403);
  });

  it("authorization policy: allowedToUseSSPR written and read back, a non-Boolean 400, read-only fields 400, Policy.ReadWrite.Authorization needed, counted", async () => {
    h = await startWriteHarness({
      snapshot: {
        ...goodSnapshot(),
        authorizationPolicy: { ...goodSnapshot().authorizationPolicy, allowedToUseSSPR: true },
      },
    });
    const path = "/v1.0/policies/authorizationPolicy";
    expect((await h.graph("PATCH", path, { allowedToUseSSPR: "no" })).status).toBe(400);
    expect((await h.graph("PATCH", path, { displayName: "mine" })).status).toBe(400);
    expect((await h.graph("PATCH", path, { allowedToUseSSPR: false }, h.reader)).status).toBe(403);
    expect((await h.graph("GET", path, undefined, h.reader)).body.allowedToUseSSPR).toBe(true);
    const res = await h.graph("PATCH", path, { allowedToUseSSPR: false });
    expect(res.status).toBe(204);
    const after = (await h.graph("GET", "/beta/policies/authorizationPolicy", undefined, h.reader)).body;
    expect(after.allowedToUseSSPR).toBe(false);
    // the other settings are kept: a PATCH changes only what it names
    expect(after.allowInvitesFrom).toBe(goodSnapshot().authorizationPolicy!.allowInvitesFrom);
    expect(h.emu.counters().requests.byEndpoint["PATCH /policies/authorizationPolicy"]).toEqual({
      "204": 1,
      "400": 2,
      "403": 1,
    });
  });
});
