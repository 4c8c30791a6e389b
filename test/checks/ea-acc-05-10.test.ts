import { describe, expect, it } from "vitest";
import { check as acc05 } from "../../src/checks/ea-acc-05-password-never-expires.js";
import { check as acc06 } from "../../src/checks/ea-acc-06-password-rotated.js";
import { check as acc07 } from "../../src/checks/ea-acc-07-licences.js";
import { check as acc08 } from "../../src/checks/ea-acc-08-naming.js";
import { check as acc09 } from "../../src/checks/ea-acc-09-no-automated-cleanup.js";
import { check as acc10 } from "../../src/checks/ea-acc-10-isolated.js";
import { evaluateSubjectRule } from "../../src/checks/subject-rule.js";
import { GA, goodTenant, ROLE_TEMPLATES, SKUS } from "../support/tenant.js";

const noAccounts = (t: ReturnType<typeof goodTenant>["t"]) => {
  t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
  return t;
};

describe("EA-ACC-05 password never expires", () => {
  it("passes on the user's policy, or on the domain's never-expires validity", () => {
    const { t, bg1 } = goodTenant();
    expect(t.run(acc05).status).toBe("pass");
    t.user(bg1.id).passwordPolicies = null;
    t.doc.domains[0].passwordValidityPeriodInDays = 2147483647;
    const r = t.run(acc05);
    expect(r.status).toBe("pass");
    expect(r.findings.find((f) => f.subject?.id === bg1.id)?.evidence).toMatchObject({ source: "domain" });
  });
  it("reads the comma-separated list with spaces", () => {
    const { t, bg1 } = goodTenant();
    t.user(bg1.id).passwordPolicies = "DisableStrongPassword, DisablePasswordExpiration";
    expect(t.run(acc05).status).toBe("pass");
  });
  it("fails an account whose password expires", () => {
    const { t, bg2 } = goodTenant();
    t.user(bg2.id).passwordPolicies = "DisableStrongPassword";
    const r = t.run(acc05);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")?.remediation?.powershell).toContain(
      "DisablePasswordExpiration",
    );
  });
  it("skips when passwords are discarded", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, profile: { passwords: "discarded" } };
    expect(t.run(acc05)).toMatchObject({ status: "skip" });
    expect(noAccounts(goodTenant().t).run(acc05).status).toBe("skip");
  });
  it("is unknown when the domain is needed but unreadable, and when users are unreadable", () => {
    const { t, bg1 } = goodTenant();
    t.user(bg1.id).passwordPolicies = null;
    t.unavailable("domains");
    expect(t.run(acc05).status).toBe("unknown");
    const { t: t2 } = goodTenant();
    t2.unavailable("users");
    expect(t2.run(acc05).status).toBe("unknown");
  });
});

describe("EA-ACC-06 password rotation", () => {
  const passwordSignIn = (userId: string, at: string) => ({
    id: `si-${at}`,
    userId,
    createdDateTime: at,
    status: { errorCode: 0 },
    authenticationDetails: [{ authenticationMethod: "Password", succeeded: true }],
  });
  it("passes a recent password not used since", () => expect(goodTenant().t.run(acc06).status).toBe("pass"));
  it("fails a password older than passwordMaxAgeDays, and the knob moves the line", () => {
    const { t, bg1 } = goodTenant();
    t.user(bg1.id).lastPasswordChangeDateTime = "2025-06-01T00:00:00Z";
    expect(t.run(acc06).status).toBe("fail");
    t.config = { ...t.config, profile: { passwordMaxAgeDays: 800 } };
    expect(t.run(acc06).status).toBe("pass");
  });
  it("fails a password used after its last change", () => {
    const { t, bg2 } = goodTenant();
    t.doc.signIns.push(passwordSignIn(bg2.id, "2026-09-01T10:00:00Z"));
    const r = t.run(acc06);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")?.message).toContain("2026-09-01");
  });
  it("skips when passwords are discarded", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, profile: { passwords: "discarded" } };
    expect(t.run(acc06).status).toBe("skip");
  });
  it("is unknown without sign-ins, but an old password still fails", () => {
    const { t, bg1 } = goodTenant();
    t.unavailable("signIns", "403 Forbidden: AuditLog.Read.All");
    expect(t.run(acc06).status).toBe("unknown");
    t.user(bg1.id).lastPasswordChangeDateTime = "2024-01-01T00:00:00Z";
    expect(t.run(acc06).status).toBe("fail");
  });
});

describe("EA-ACC-07 licences", () => {
  it("passes unlicensed accounts by default", () => expect(goodTenant().t.run(acc07).status).toBe("pass"));
  it("fails a licensed account under licenses: none", () => {
    const { t, bg1 } = goodTenant();
    t.user(bg1.id).assignedLicenses = [{ skuId: SKUS.E3.skuId, disabledPlans: [] }];
    expect(t.run(acc07).status).toBe("fail");
  });
  it("requires P2 under licenses: P2", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.config = { ...t.config, profile: { licenses: "P2" } };
    expect(t.run(acc07).status).toBe("fail");
    for (const u of [bg1, bg2]) t.user(u.id).assignedLicenses = [{ skuId: SKUS.P2.skuId, disabledPlans: [] }];
    expect(t.run(acc07).status).toBe("pass");
    // a disabled P2 plan is no P2
    t.user(bg1.id).assignedLicenses = [
      { skuId: SKUS.P2.skuId, disabledPlans: ["eec0eb4f-6444-4f95-aba0-50c24d67f998"] },
    ];
    expect(t.run(acc07).status).toBe("fail");
  });
  it("skips under licenses: any", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, profile: { licenses: "any" } };
    expect(t.run(acc07)).toMatchObject({ status: "skip" });
  });
  it("is unknown when users, or the SKUs P2 needs, are unreadable", () => {
    const { t } = goodTenant();
    t.unavailable("users");
    expect(t.run(acc07).status).toBe("unknown");
    const { t: t2 } = goodTenant();
    t2.config = { ...t2.config, profile: { licenses: "P2" } };
    t2.unavailable("subscribedSkus");
    expect(t2.run(acc07).status).toBe("unknown");
  });
});

describe("EA-ACC-08 naming", () => {
  it("passes obscure names", () => expect(goodTenant().t.run(acc08).status).toBe("pass"));
  it("fails a revealing account or group name under obscure", () => {
    const { t, bg1, group } = goodTenant();
    t.user(bg1.id).displayName = "Break Glass 1";
    const r = t.run(acc08);
    expect(r.status).toBe("fail");
    expect(r.findings.find((f) => f.status === "fail")?.evidence).toMatchObject({
      displayName: "Break Glass 1",
    });
    const g2 = goodTenant();
    g2.t.group(g2.group.id).description = "Emergency access accounts";
    expect(g2.t.run(acc08).findings.find((f) => f.status === "fail")?.subject?.type).toBe("group");
    void group;
  });
  it("grades against namingPattern under descriptive", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, profile: { naming: "descriptive", namingPattern: "^bg-adm-\\d+@" } };
    expect(t.run(acc08).status).toBe("fail");
    t.config = { ...t.config, profile: { naming: "descriptive", namingPattern: "^[a-z0-9]{5}@" } };
    expect(t.run(acc08).status).toBe("pass");
  });
  it("skips under naming any, or descriptive without a pattern", () => {
    const { t } = goodTenant();
    t.config = { ...t.config, profile: { naming: "any" } };
    expect(t.run(acc08).status).toBe("skip");
    t.config = { ...t.config, profile: { naming: "descriptive" } };
    expect(t.run(acc08).reason).toContain("namingPattern");
  });
  it("is unknown when users are unreadable", () => {
    const { t } = goodTenant();
    t.unavailable("users");
    expect(t.run(acc08).status).toBe("unknown");
  });
});

describe("EA-ACC-09 automated clean-up", () => {
  const denyReview = (query: string) => ({
    id: "rev-1",
    displayName: "Quarterly GA review",
    status: "InProgress",
    scope: { "@odata.type": "#microsoft.graph.accessReviewQueryScope", query, queryType: "MicrosoftGraph" },
    settings: { autoApplyDecisionsEnabled: true, defaultDecisionEnabled: true, defaultDecision: "Deny" },
  });
  const inactiveWorkflow = (rule: string) => ({
    id: "wf-1",
    displayName: "Disable inactive",
    category: "leaver",
    isEnabled: true,
    isSchedulingEnabled: true,
    executionConditions: {
      "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
      scope: { "@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", rule },
      trigger: {
        "@odata.type": "#microsoft.graph.identityGovernance.userInactivityTrigger",
        inactivityPeriodInDays: 90,
      },
    },
    tasks: [
      { taskDefinitionId: "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950", isEnabled: true, displayName: "Disable" },
    ],
  });
  it("passes with no review or workflow that can remove the accounts", () => {
    const { t } = goodTenant();
    t.doc.accessReviewDefinitions.push({ ...denyReview(`/groups/${t.newId()}/transitiveMembers`) });
    expect(t.run(acc09).status).toBe("pass");
  });
  it("fails an auto-applied deny review over Global Administrator", () => {
    const { t } = goodTenant();
    t.doc.accessReviewDefinitions.push(
      denyReview(
        `/roleManagement/directory/roleAssignmentScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '${GA}')`,
      ),
    );
    expect(t.run(acc09).status).toBe("fail");
  });
  it("fails a review of the emergency group with a recommendation default", () => {
    const { t, group } = goodTenant();
    const r = denyReview(`/groups/${group.id}/transitiveMembers`);
    r.settings.defaultDecision = "Recommendation";
    t.doc.accessReviewDefinitions.push(r);
    expect(t.run(acc09).status).toBe("fail");
  });
  it("fails an inactive-users workflow whose rule takes an account in, warns when it cannot tell", () => {
    const { t, bg1 } = goodTenant();
    t.doc.lifecycleWorkflows.push(inactiveWorkflow("(userType eq 'Member')"));
    expect(t.run(acc09).status).toBe("fail");
    const { t: t2 } = goodTenant();
    t2.doc.lifecycleWorkflows.push(inactiveWorkflow("(companyName eq 'Contoso')"));
    expect(t2.run(acc09).status).toBe("warn");
    const { t: t3 } = goodTenant();
    t3.doc.lifecycleWorkflows.push(inactiveWorkflow("(department eq 'Sales')"));
    t3.user(bg1.id).department = "IT";
    t3.user(t3.doc.users[1].id).department = null;
    expect(t3.run(acc09).status).toBe("pass");
  });
  it("skips without accounts", () => expect(noAccounts(goodTenant().t).run(acc09).status).toBe("skip"));
  it("is unknown when reviews or workflows are unreadable", () => {
    const { t } = goodTenant();
    t.unavailable("lifecycleWorkflows", "403 Forbidden: no Entra ID Governance licence");
    expect(t.run(acc09).status).toBe("unknown");
  });
  it("evaluates scope rules three-valued", () => {
    const u = { department: "IT", userType: "Member" };
    expect(evaluateSubjectRule("department eq 'it'", u)).toBe(true);
    expect(evaluateSubjectRule("(department eq 'Sales') or (userType ne 'Guest')", u)).toBe(true);
    expect(evaluateSubjectRule("department in ('Sales','HR')", u)).toBe(false);
    expect(evaluateSubjectRule("country eq 'FI'", u)).toBeUndefined();
    expect(evaluateSubjectRule("country eq 'FI' and department eq 'Sales'", u)).toBe(false);
    expect(evaluateSubjectRule("startswith(department,'I')", u)).toBe(true);
    expect(evaluateSubjectRule("department gt 'A'", u)).toBeUndefined();
  });
});

describe("EA-ACC-10 isolation", () => {
  it("passes accounts that hold only the emergency group, a restricted AU and GA", () =>
    expect(goodTenant().t.run(acc10).status).toBe("pass"));
  it("fails other memberships, ownership and roles", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.addGroup("All staff", {}, [bg1.id]);
    t.user(bg2.id).ownedObjects = [{ "@odata.type": "#microsoft.graph.application", id: "app-1" }];
    t.assignRole(bg2.id, ROLE_TEMPLATES["Exchange Administrator"], { eligible: true });
    const r = t.run(acc10);
    expect(r.findings.filter((f) => f.status === "fail")).toHaveLength(2);
    expect(r.findings.find((f) => f.subject?.id === bg2.id)?.evidence).toMatchObject({
      owns: ["application app-1"],
      otherRoles: ["Exchange Administrator (eligible)"],
    });
  });
  it("lets a fail on readable data stand beside an account whose ownedObjects are unreadable", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.addGroup("All staff", {}, [bg1.id]);
    t.unavailable(`users[${bg2.id}].ownedObjects`, "429 after 6 retries");
    expect(t.run(acc10).status).toBe("fail");
    const { t: t2, bg2: b2 } = goodTenant();
    t2.unavailable(`users[${b2.id}].ownedObjects`, "429 after 6 retries");
    expect(t2.run(acc10).status).toBe("unknown");
  });
  it("does not need PIM schedules where the tenant has no P2", () => {
    const { t } = goodTenant({ licence: "P1" });
    t.unavailable("roleEligibilitySchedules", "403 Forbidden: no P2");
    expect(t.run(acc10).status).toBe("pass");
    const { t: t2 } = goodTenant();
    t2.unavailable("roleEligibilitySchedules", "403 Forbidden");
    expect(t2.run(acc10).status).toBe("unknown");
  });
  it("skips without accounts", () => expect(noAccounts(goodTenant().t).run(acc10).status).toBe("skip"));
});

describe("EA-ACC-10 with ownedObjects not collected", () => {
  it("is unknown rather than pass", () => {
    const { t, bg1 } = goodTenant();
    delete t.user(bg1.id).ownedObjects;
    expect(t.run(acc10).status).toBe("unknown");
  });
});

describe("EA-ACC-06 without P1", () => {
  it("grades only the age when sign-in logs cannot exist", () => {
    const { t } = goodTenant({ licence: "free" });
    t.unavailable("signIns", "403 Forbidden: tenant has no Entra ID P1");
    expect(t.run(acc06).status).toBe("pass");
  });
});
