/** EA-CA-01, EA-CA-05, EA-CA-06: pass, fail, not applicable (skip), data unavailable (unknown). */
import { describe, expect, it } from "vitest";
import { check as ca01 } from "../../src/checks/ea-ca-01-no-other-policy.js";
import { check as ca05 } from "../../src/checks/ea-ca-05-lockout-proof.js";
import { check as ca06 } from "../../src/checks/ea-ca-06-dormant-policies.js";
import { runCheck } from "../../src/checks/runner.js";
import { block, checkContext, GA, policy, SECADMIN, strengthGrant, tenant } from "./fixtures.js";

const PR = "00000000-0000-0000-0000-000000000004";
const dedicated = policy({
  id: "dedicated",
  name: "Emergency access",
  users: { includeUsers: [], includeGroups: ["gEmergency"] },
  grant: strengthGrant(PR),
});
const mfaAllExceptEmergency = policy({
  id: "mfa",
  name: "MFA for everyone",
  users: { excludeGroups: ["gEmergency"] },
});

const ctxOf = checkContext;

const good = () => tenant({ conditionalAccessPolicies: [dedicated, mfaAllExceptEmergency] });
const noP1 = () => tenant({ subscribedSkus: [], conditionalAccessPolicies: [dedicated] });
const caUnreadable = () =>
  tenant({
    conditionalAccessPolicies: undefined,
    unavailable: { conditionalAccessPolicies: "403 Forbidden: Policy.Read.All not granted" },
  });

describe("EA-CA-01 no other policy", () => {
  it("passes when only the dedicated policy reaches the accounts", () => {
    const r = runCheck(ca01, ctxOf(good()));
    expect(r.status).toBe("pass");
  });
  it("fails on a policy reaching an account through a nested group, and names the path", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        dedicated,
        policy({
          id: "nested",
          name: "Block outer",
          users: { includeUsers: [], includeGroups: ["gOuter"] },
          grant: block,
        }),
      ],
    });
    const r = runCheck(ca01, ctxOf(snap));
    expect(r.status).toBe("fail");
    const f = r.findings.find((x) => x.status === "fail")!;
    expect(f.message).toContain('"Block outer"');
    expect(f.message).toContain("via group Outer, nested in Inner");
    expect(f.message).toContain("bg2");
  });
  it("fails on a role-targeted policy and says the role is active", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        dedicated,
        policy({ id: "admins", name: "Admins MFA", users: { includeUsers: [], includeRoles: [GA] } }),
      ],
    });
    const r = runCheck(ca01, ctxOf(snap));
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain("via role Global Administrator, active");
  });
  it("tries every activation combination: a role exclusion cannot hide another role's inclusion", () => {
    const snap = tenant({
      roleEligibilitySchedules: [
        { id: "e1", principalId: "bob", roleDefinitionId: GA, directoryScopeId: "/", status: "Provisioned" },
        {
          id: "e2",
          principalId: "bob",
          roleDefinitionId: SECADMIN,
          directoryScopeId: "/",
          status: "Provisioned",
        },
      ],
      conditionalAccessPolicies: [
        policy({
          id: "ga",
          name: "GA not SecAdmin",
          users: { includeUsers: [], includeRoles: [GA], excludeRoles: [SECADMIN] },
        }),
      ],
    });
    const ctx = ctxOf(snap);
    ctx.accounts = { ...ctx.accounts, resolved: [{ id: "bob", userPrincipalName: "bob@contoso.com" }] };
    const r = runCheck(ca01, ctx);
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain("once an eligible role is activated");
  });
  it("accepts policies listed in allowedPolicyIds", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        dedicated,
        policy({ id: "admins", users: { includeUsers: [], includeRoles: [GA] } }),
      ],
    });
    expect(runCheck(ca01, ctxOf(snap, { allowedPolicyIds: ["admins"] })).status).toBe("pass");
  });
  it("is skipped without Entra ID P1", () => {
    const r = runCheck(ca01, ctxOf(noP1()));
    expect(r.status).toBe("skip");
    expect(r.reason).toContain("P1");
  });
  it("is skipped with security defaults on", () => {
    const r = runCheck(ca01, ctxOf(tenant({ securityDefaults: { isEnabled: true } })));
    expect(r.status).toBe("skip");
  });
  it("is unknown when the policies could not be read", () => {
    const r = runCheck(ca01, ctxOf(caUnreadable()));
    expect(r.status).toBe("unknown");
    expect(r.reason).toContain("403");
  });
});

describe("EA-CA-05 lockout proof", () => {
  it("passes when every account gets in over the envelope", () => {
    const r = runCheck(ca05, ctxOf(good()));
    expect(r.status).toBe("pass");
    expect(r.findings[0]!.message).toMatch(/What If would need \d+ calls/);
  });
  it("fails with a counter-example when the dedicated strength admits no key the accounts hold", () => {
    const x509 = {
      id: "s-x509",
      displayName: "Certs",
      policyType: "custom",
      allowedCombinations: ["x509CertificateMultiFactor"],
      combinationConfigurations: [],
    };
    const snap = tenant({
      authenticationStrengthPolicies: [x509],
      conditionalAccessPolicies: [
        policy({
          id: "dedicated",
          name: "Emergency access",
          users: { includeUsers: [], includeGroups: ["gEmergency"] },
          grant: strengthGrant("s-x509"),
        }),
      ],
    });
    const r = runCheck(ca05, ctxOf(snap));
    expect(r.status).toBe("fail");
    const f = r.findings.find((x) => x.status === "fail")!;
    expect(f.message).toContain("Emergency access");
    expect((f.evidence as any).counterExamples[0].whatIfRequest.signInIdentity.userId).toBe("bg1");
  });
  it("fails on a location block that reaches the accounts (unknown country)", () => {
    const snap = tenant({
      namedLocations: [
        {
          "@odata.type": "#microsoft.graph.countryNamedLocation",
          id: "home",
          countriesAndRegions: ["US"],
          includeUnknownCountriesAndRegions: false,
        },
      ],
      conditionalAccessPolicies: [
        dedicated,
        policy({
          id: "geo",
          name: "Block abroad",
          locations: { includeLocations: ["All"], excludeLocations: ["home"] },
          grant: block,
        }),
      ],
    });
    const r = runCheck(ca05, ctxOf(snap));
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain('blocked by "Block abroad"');
  });
  it("is skipped without Entra ID P1", () => {
    expect(runCheck(ca05, ctxOf(noP1())).status).toBe("skip");
  });
  it("is unknown when the policies could not be read", () => {
    expect(runCheck(ca05, ctxOf(caUnreadable())).status).toBe("unknown");
  });
  it("is unknown when an account's methods could not be read", () => {
    const snap = good();
    snap.unavailable = { "users[bg2].authenticationMethods": "429 after 6 retries" };
    const r = runCheck(ca05, ctxOf(snap));
    expect(r.status).toBe("unknown");
  });
});

describe("EA-CA-06 dormant policies", () => {
  it("passes when no report-only or disabled policy would apply", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        dedicated,
        mfaAllExceptEmergency,
        policy({
          id: "ro",
          state: "enabledForReportingButNotEnforced",
          users: { excludeGroups: ["gEmergency"] },
        }),
      ],
    });
    expect(runCheck(ca06, ctxOf(snap)).status).toBe("pass");
  });
  it("fails on a report-only block that would lock the accounts out, marked Microsoft-managed", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        dedicated,
        policy({
          id: "mm",
          name: "Microsoft-managed: Block legacy and everything",
          state: "enabledForReportingButNotEnforced",
          grant: block,
        }),
      ],
    });
    const r = runCheck(ca06, ctxOf(snap));
    expect(r.status).toBe("fail");
    expect(r.findings[0]!.message).toContain("Microsoft-managed");
    expect(r.findings[0]!.message).toContain("would lock it out");
  });
  it("warns on a disabled policy that would only add a satisfiable requirement", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        dedicated,
        policy({ id: "off", state: "disabled", grant: strengthGrant(PR) }),
      ],
    });
    const r = runCheck(ca06, ctxOf(snap));
    expect(r.status).toBe("warn");
  });
  it("is skipped without Entra ID P1", () => {
    expect(runCheck(ca06, ctxOf(noP1())).status).toBe("skip");
  });
  it("is unknown when the policies could not be read", () => {
    expect(runCheck(ca06, ctxOf(caUnreadable())).status).toBe("unknown");
  });
  it("ships its documentation beside it", () => {
    for (const c of [ca01, ca05, ca06]) {
      expect(c.docs).toContain(c.id);
      expect(c.docs).toMatch(/## How to fix/);
    }
  });
});
