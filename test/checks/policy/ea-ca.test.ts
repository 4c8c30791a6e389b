import { describe, expect, it } from "vitest";
import { check as ca02 } from "../../../src/checks/ea-ca-02-dedicated-policy.js";
import { check as ca03 } from "../../../src/checks/ea-ca-03-authentication-strength.js";
import { check as ca04 } from "../../../src/checks/ea-ca-04-session-controls.js";
import { check as ca07 } from "../../../src/checks/ea-ca-07-group-exclusions.js";
import { check as ca08 } from "../../../src/checks/ea-ca-08-security-defaults.js";
import { A, B, DEDICATED, GROUP, STRENGTH, goodTenant, run, withoutP1 } from "../monitoring/tenant.js";

const GA = "62e90394-69f5-4237-9190-012177145e10";
const dedicated = (t: any) => t.conditionalAccessPolicies[0];

describe("applicability of the Conditional Access checks", () => {
  it("skips without P1 and with security defaults on, giving the reason", () => {
    for (const c of [ca02, ca03, ca04, ca07]) {
      const noP1 = run(c, withoutP1(goodTenant()));
      expect([c.id, noP1.status]).toEqual([c.id, "skip"]);
      expect(noP1.reason).toMatch(/P1/);
      const t = goodTenant();
      t.securityDefaults.isEnabled = true;
      const sd = run(c, t);
      expect([c.id, sd.status]).toEqual([c.id, "skip"]);
      expect(sd.reason).toMatch(/security defaults/);
    }
  });
  it("is unknown when the policies could not be read", () => {
    for (const c of [ca02, ca03, ca04, ca07]) {
      const t = goodTenant();
      delete t.conditionalAccessPolicies;
      t.unavailable = { conditionalAccessPolicies: "403 Forbidden: Policy.Read.All" };
      const r = run(c, t);
      expect([c.id, r.status]).toEqual([c.id, "unknown"]);
      expect(r.reason).toContain("Policy.Read.All");
    }
  });
});

describe("EA-CA-02 dedicated policy", () => {
  it("passes the good tenant's policy", () => {
    expect(run(ca02, goodTenant()).status).toBe("pass");
  });
  it("fails a report-only dedicated policy", () => {
    const t = goodTenant();
    dedicated(t).state = "enabledForReportingButNotEnforced";
    const r = run(ca02, t);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain("report-only");
  });
  it("fails when none exists (a policy with other users is not dedicated), and names the configured id that is missing", () => {
    const t = goodTenant();
    dedicated(t).conditions.users.includeUsers = ["All"];
    const r = run(ca02, t);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain("No Conditional Access policy targets only");
    const r2 = run(ca02, goodTenant(), {
      config: { dedicatedPolicyIds: ["ffffffff-0000-4000-8000-000000000000"] },
    });
    expect(r2.status).toBe("fail");
    expect(r2.findings[0]!.message).toContain("does not exist");
  });
  it("fails exclusions, missing strength, partial resources; warns on location conditions", () => {
    const cases: Array<[(t: any) => void, string]> = [
      [
        (t) =>
          (dedicated(t).conditions.applications.excludeApplications = [
            "797f4846-ba00-4fd7-ba43-dac1f8f63013",
          ]),
        "fail",
      ],
      [(t) => (dedicated(t).conditions.applications.includeApplications = ["MicrosoftAdminPortals"]), "fail"],
      [(t) => (dedicated(t).grantControls = { operator: "OR", builtInControls: ["mfa"] }), "fail"],
      [(t) => (dedicated(t).grantControls.builtInControls = ["mfa"]), "fail"],
      [
        (t) => Object.assign(dedicated(t).grantControls, { operator: "AND", builtInControls: ["mfa"] }),
        "pass",
      ],
      [(t) => (dedicated(t).grantControls.builtInControls = ["mfa"]), "fail"],
      [
        (t) => Object.assign(dedicated(t).grantControls, { operator: "AND", builtInControls: ["mfa"] }),
        "pass",
      ],
      [
        (t) =>
          (dedicated(t).conditions.locations = {
            includeLocations: ["All"],
            excludeLocations: ["AllTrusted"],
          }),
        "warn",
      ],
      [
        (t) => (dedicated(t).conditions.platforms = { includePlatforms: ["windows"], excludePlatforms: [] }),
        "warn",
      ],
    ];
    for (const [i, [mutate, expected]] of cases.entries()) {
      const t = goodTenant();
      mutate(t);
      expect([i, run(ca02, t).status]).toEqual([i, expected]);
    }
  });
  it("keeps a proven fail beside unreadable licences", () => {
    const t = goodTenant();
    dedicated(t).state = "disabled";
    delete t.subscribedSkus;
    t.unavailable = { subscribedSkus: "403" };
    expect(run(ca02, t).status).toBe("fail");
    expect(
      run(ca02, { ...goodTenant(), subscribedSkus: undefined, unavailable: { subscribedSkus: "403" } })
        .status,
    ).toBe("unknown");
  });
  it("skips when the profile makes the dedicated policy optional and there is none", () => {
    const t = goodTenant();
    t.conditionalAccessPolicies.shift();
    const r = run(ca02, t, { config: { profile: { dedicatedPolicy: "optional" } } });
    expect(r.status).toBe("skip");
  });
});

describe("EA-CA-03 authentication strength", () => {
  it("passes a custom FIDO2 strength restricted to the accounts' key model", () => {
    expect(run(ca03, goodTenant()).status).toBe("pass");
  });
  it("fails a built-in strength, a phishable combination, a shared strength", () => {
    const builtIn = goodTenant();
    builtIn.authenticationStrengthPolicies[0].policyType = "builtIn";
    expect(run(ca03, builtIn).status).toBe("fail");
    const phishable = goodTenant();
    phishable.authenticationStrengthPolicies[0].allowedCombinations = ["fido2", "password,sms"];
    expect(run(ca03, phishable).findings.find((f) => f.status === "fail")!.message).toContain("password,sms");
    const shared = goodTenant();
    shared.conditionalAccessPolicies[1].grantControls = {
      operator: "OR",
      authenticationStrength: { id: STRENGTH },
    };
    expect(run(ca03, shared).findings.find((f) => f.status === "fail")!.message).toContain(
      "MFA for everyone",
    );
  });
  it("fails the account whose keys the AAGUID restriction does not admit", () => {
    const t = goodTenant();
    t.users[1].authenticationMethods[0].aaGuid = "ee882879-721c-4913-9775-3dfcce97072a";
    const r = run(ca03, t);
    expect(r.status).toBe("fail");
    const f = r.findings.find((x) => x.subject?.id === B.id)!;
    expect(f.status).toBe("fail");
    expect(r.findings.find((x) => x.subject?.id === A.id)!.status).toBe("pass");
  });
  it("compares AAGUIDs case-insensitively and admits any key without a restriction", () => {
    const t = goodTenant();
    t.users[0].authenticationMethods[0].aaGuid = t.users[0].authenticationMethods[0].aaGuid.toUpperCase();
    expect(run(ca03, t).status).toBe("pass");
    t.authenticationStrengthPolicies[0].combinationConfigurations = [];
    t.users[1].authenticationMethods[0].aaGuid = "ee882879-721c-4913-9775-3dfcce97072a";
    expect(run(ca03, t).status).toBe("pass");
  });
  it("skips when there is no dedicated policy", () => {
    const t = goodTenant();
    t.conditionalAccessPolicies.shift();
    const r = run(ca03, t);
    expect(r.status).toBe("skip");
    expect(r.reason).toContain("no dedicated policy");
  });
  it("is unknown when an account's methods are unreadable, but a fail on another stands", () => {
    const t = goodTenant();
    t.unavailable = { [`users[${A.id}].authenticationMethods`]: "429 after 6 retries" };
    delete t.users[0].authenticationMethods;
    expect(run(ca03, t).status).toBe("unknown");
    t.users[1].authenticationMethods = [];
    expect(run(ca03, t).status).toBe("fail");
  });
});

describe("EA-CA-04 session controls", () => {
  it("passes every-time sign-in frequency and never-persistent browser", () => {
    expect(run(ca04, goodTenant()).status).toBe("pass");
  });
  it("fails a time-based frequency against the default, passes it against a 1-hour profile", () => {
    const t = goodTenant();
    dedicated(t).sessionControls.signInFrequency = {
      isEnabled: true,
      type: "hours",
      value: 1,
      frequencyInterval: "timeBased",
    };
    expect(run(ca04, t).status).toBe("fail");
    expect(run(ca04, t, { config: { profile: { signInFrequency: { hours: 1 } } } }).status).toBe("pass");
    dedicated(t).sessionControls.signInFrequency = {
      isEnabled: true,
      type: "days",
      value: 1,
      frequencyInterval: "timeBased",
    };
    expect(run(ca04, t, { config: { profile: { signInFrequency: { hours: 4 } } } }).status).toBe("fail");
  });
  it("fails a persistent browser session that is not 'never'", () => {
    const t = goodTenant();
    dedicated(t).sessionControls.persistentBrowser = { isEnabled: true, mode: "always" };
    expect(run(ca04, t).status).toBe("fail");
    dedicated(t).sessionControls = null;
    expect(run(ca04, t).findings[0]!.message).toContain("sign-in frequency is not set");
  });
  it("skips without a dedicated policy", () => {
    const t = goodTenant();
    t.conditionalAccessPolicies.shift();
    expect(run(ca04, t).status).toBe("skip");
  });
  it("keeps a proven fail beside unreadable licences", () => {
    const t = goodTenant();
    dedicated(t).sessionControls.persistentBrowser = { isEnabled: false, mode: null };
    delete t.subscribedSkus;
    t.unavailable = { subscribedSkus: "403" };
    expect(run(ca04, t).status).toBe("fail");
  });
});

describe("EA-CA-07 exclusions through the group", () => {
  it("passes when policies exclude the emergency group", () => {
    expect(run(ca07, goodTenant()).status).toBe("pass");
  });
  it("fails a policy excluding an account directly", () => {
    const t = goodTenant();
    t.conditionalAccessPolicies[1].conditions.users.excludeUsers = [A.id.toUpperCase()];
    const r = run(ca07, t);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain(A.upn);
  });
  it("fails a policy sparing the accounts only by a role they hold", () => {
    const t = goodTenant();
    t.roleAssignments = [{ id: "ra1", principalId: A.id, roleDefinitionId: GA, directoryScopeId: "/" }];
    t.conditionalAccessPolicies[1].conditions.users.excludeGroups = [];
    t.conditionalAccessPolicies[1].conditions.users.excludeRoles = [GA];
    expect(run(ca07, t).status).toBe("fail");
    t.conditionalAccessPolicies[1].conditions.users.excludeGroups = [GROUP];
    expect(run(ca07, t).status).toBe("pass");
  });
  it("fails another group holding the accounts, passes a group that holds the emergency group", () => {
    const t = goodTenant();
    const other = "0f0f0f0f-0000-4000-8000-000000000099";
    t.groups.push({
      id: other,
      displayName: "admins",
      members: [{ "@odata.type": "#microsoft.graph.user", id: A.id }],
    });
    t.conditionalAccessPolicies[1].conditions.users.excludeGroups = [other];
    const r = run(ca07, t);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain("through group(s)");
    t.groups[1].members = [{ "@odata.type": "#microsoft.graph.group", id: GROUP }];
    expect(run(ca07, t).status).toBe("pass");
  });
  it("skips without an emergency group", () => {
    const r = run(ca07, goodTenant(), { accounts: { group: undefined }, config: { group: undefined } });
    expect(r.status).toBe("skip");
    expect(r.reason).toContain("no emergency group");
  });
  it("keeps a direct-exclusion fail beside unreadable role assignments", () => {
    const t = goodTenant();
    t.conditionalAccessPolicies[1].conditions.users.excludeUsers = [B.id];
    delete t.roleAssignments;
    t.unavailable = { roleAssignments: "403" };
    expect(run(ca07, t).status).toBe("fail");
    expect(
      run(ca07, { ...goodTenant(), roleAssignments: undefined, unavailable: { roleAssignments: "403" } })
        .status,
    ).toBe("unknown");
  });
});

describe("EA-CA-08 security defaults", () => {
  it("passes when off, fails when on, skips without P1, unknown when unreadable", () => {
    expect(run(ca08, goodTenant()).status).toBe("pass");
    const on = goodTenant();
    on.securityDefaults.isEnabled = true;
    const r = run(ca08, on);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.remediation?.graph).toContain("identitySecurityDefaultsEnforcementPolicy");
    expect(run(ca08, withoutP1(goodTenant())).status).toBe("skip");
    const unreadable = goodTenant();
    delete unreadable.securityDefaults;
    unreadable.unavailable = { securityDefaults: "403" };
    expect(run(ca08, unreadable).status).toBe("unknown");
  });
  it("keeps the fail when the licences are unreadable", () => {
    const t = goodTenant();
    t.securityDefaults.isEnabled = true;
    delete t.subscribedSkus;
    t.unavailable = { subscribedSkus: "403" };
    expect(run(ca08, t).status).toBe("fail");
  });
});

it("grades dedicated policies regardless of the order Graph returned them in", () => {
  const t = goodTenant();
  const forward = run(ca02, t);
  t.conditionalAccessPolicies.reverse();
  expect(run(ca02, t)).toEqual(forward);
  expect(forward.findings.map((f) => f.subject?.id)).toEqual([DEDICATED]);
});

it("is unknown, not fail or skip, when no emergency account or group is known", () => {
  for (const c of [ca02, ca03, ca04]) {
    const r = run(c, goodTenant(), { accounts: { resolved: [], group: undefined } });
    expect([c.id, r.status]).toEqual([c.id, "unknown"]);
  }
});
