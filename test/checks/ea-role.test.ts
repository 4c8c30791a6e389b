import { describe, expect, it } from "vitest";
import { check as role01 } from "../../src/checks/ea-role-01-global-admin.js";
import { check as role02 } from "../../src/checks/ea-role-02-permanent-active.js";
import { check as role03 } from "../../src/checks/ea-role-03-protected-group.js";
import { check as role04 } from "../../src/checks/ea-role-04-restricted-au.js";
import { check as role05 } from "../../src/checks/ea-role-05-other-global-admins.js";
import { check as role06 } from "../../src/checks/ea-role-06-pim-approvers.js";
import { GA, goodTenant, type Json } from "../support/tenant.js";

/** Moves an account's direct GA to the emergency group. */
function gaThroughGroup(t: ReturnType<typeof goodTenant>["t"], userIds: string[], groupId: string) {
  t.doc.roleAssignments = t.doc.roleAssignments.filter((a: Json) => !userIds.includes(a.principalId));
  t.doc.roleAssignmentSchedules = t.doc.roleAssignmentSchedules.filter(
    (a: Json) => !userIds.includes(a.principalId),
  );
  t.assignRole(groupId, GA);
}

describe("EA-ROLE-01 Global Administrator", () => {
  it("passes accounts holding GA, directly or through the group", () => {
    const { t, bg1, bg2, group } = goodTenant();
    expect(t.run(role01).status).toBe("pass");
    gaThroughGroup(t, [bg1.id, bg2.id], group.id);
    expect(t.run(role01).status).toBe("pass");
  });
  it("fails an account without GA, and a form the roleAssignment knob forbids", () => {
    const { t, bg2, group, bg1 } = goodTenant();
    t.doc.roleAssignments = t.doc.roleAssignments.filter((a: Json) => a.principalId !== bg2.id);
    t.doc.roleAssignmentSchedules = t.doc.roleAssignmentSchedules.filter(
      (a: Json) => a.principalId !== bg2.id,
    );
    expect(t.run(role01).status).toBe("fail");
    const g = goodTenant();
    g.t.config = { ...g.t.config, profile: { roleAssignment: "group" } };
    expect(g.t.run(role01).status).toBe("fail");
    gaThroughGroup(g.t, [g.bg1.id, g.bg2.id], g.group.id);
    expect(g.t.run(role01).status).toBe("pass");
    g.t.config = { ...g.t.config, profile: { roleAssignment: "direct" } };
    expect(g.t.run(role01).status).toBe("fail");
    void group;
    void bg1;
  });
  it("skips without accounts", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(role01).status).toBe("skip");
  });
  it("is unknown, not failed, when the role data that could hold GA was unreadable", () => {
    const { t, bg2 } = goodTenant();
    t.doc.roleAssignments = t.doc.roleAssignments.filter((a: Json) => a.principalId !== bg2.id);
    t.doc.roleAssignmentSchedules = t.doc.roleAssignmentSchedules.filter(
      (a: Json) => a.principalId !== bg2.id,
    );
    t.unavailable("roleEligibilitySchedules", "403 Forbidden");
    const r = t.run(role01);
    expect(r.status).toBe("unknown");
    expect(r.findings.find((f) => f.subject?.id === bg2.id)?.status).toBe("unknown");
  });
});

describe("EA-ROLE-02 active and permanent", () => {
  it("passes permanent active GA, and active GA without P2 by construction", () => {
    expect(goodTenant().t.run(role02).status).toBe("pass");
    const { t } = goodTenant({ licence: "P1" });
    t.doc.roleAssignmentSchedules = [];
    t.unavailable("roleAssignmentSchedules", "403 Forbidden: no P2");
    const r = t.run(role02);
    expect(r.status).toBe("pass");
    expect(r.findings[0]!.message).toContain("by construction");
  });
  it("fails eligible-only and time-bound GA", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.doc.roleAssignments = t.doc.roleAssignments.filter((a: Json) => a.principalId !== bg1.id);
    t.doc.roleAssignmentSchedules = t.doc.roleAssignmentSchedules.filter(
      (a: Json) => a.principalId !== bg1.id,
    );
    t.assignRole(bg1.id, GA, { eligible: true });
    const sched = t.doc.roleAssignmentSchedules.find((a: Json) => a.principalId === bg2.id);
    sched.scheduleInfo.expiration = {
      type: "afterDateTime",
      endDateTime: "2027-02-01T00:00:00Z",
      duration: null,
    };
    const r = t.run(role02);
    expect(r.findings.filter((f) => f.status === "fail")).toHaveLength(2);
    expect(r.findings.find((f) => f.subject?.id === bg2.id)?.message).toContain("2027-02-01");
    expect(r.findings.find((f) => f.subject?.id === bg1.id)?.message).toContain("eligible only");
  });
  it("fails GA through a PIM-for-Groups membership", () => {
    const { t, bg1, bg2, group } = goodTenant();
    gaThroughGroup(t, [bg1.id, bg2.id], group.id);
    t.doc.privilegedAccessGroupAssignmentSchedules.push({
      id: "pag-1",
      principalId: bg1.id,
      groupId: group.id,
      accessId: "member",
      status: "Provisioned",
      memberType: "Direct",
      scheduleInfo: {
        startDateTime: "2026-10-01T00:00:00Z",
        expiration: { type: "afterDuration", duration: "PT8H" },
      },
    });
    expect(t.run(role02).findings.find((f) => f.subject?.id === bg1.id)?.status).toBe("fail");
  });
  it("skips without accounts", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(role02).status).toBe("skip");
  });
  it("is unknown when P2 schedules are unreadable, though a proven eligible-only still fails", () => {
    const { t, bg1 } = goodTenant();
    t.unavailable("roleAssignmentSchedules", "403 Forbidden");
    t.doc.roleAssignmentSchedules = [];
    expect(t.run(role02).status).toBe("unknown");
    t.doc.roleAssignments = t.doc.roleAssignments.filter((a: Json) => a.principalId !== bg1.id);
    t.assignRole(bg1.id, GA, { eligible: true });
    expect(t.run(role02).status).toBe("fail");
  });
});

describe("EA-ROLE-03 protected group", () => {
  it("passes a role-assignable, ownerless group holding exactly the accounts", () =>
    expect(goodTenant().t.run(role03).status).toBe("pass"));
  it("fails a group that is not role-assignable or has owners", () => {
    const { t, group, admin } = goodTenant();
    t.group(group.id).isAssignableToRole = false;
    t.group(group.id).owners = [{ "@odata.type": "#microsoft.graph.user", id: admin.id }];
    expect(t.run(role03).findings.filter((f) => f.status === "fail")).toHaveLength(2);
  });
  it("fails a config+group mismatch both ways", () => {
    const { t, bg1, bg2, group, admin } = goodTenant();
    t.group(group.id).members = [{ "@odata.type": "#microsoft.graph.user", id: bg1.id }];
    t.addMember(group.id, admin.id);
    const r = t.run(role03);
    expect(r.status).toBe("fail");
    const subjects = r.findings.filter((f) => f.status === "fail").map((f) => f.subject?.id);
    expect(subjects).toEqual(expect.arrayContaining([bg2.id, admin.id]));
  });
  it("skips when no group is configured", () => {
    const { t, bg1, bg2 } = goodTenant();
    t.config = { accounts: [bg1.id, bg2.id] };
    expect(t.run(role03)).toMatchObject({
      status: "skip",
      reason: expect.stringContaining("no emergency group"),
    });
  });
  it("is unknown when the group's owners are unreadable; a proven fail stands", () => {
    const { t, group } = goodTenant();
    t.unavailable(`groups[${group.id}].owners`, "429 after 6 retries");
    expect(t.run(role03).status).toBe("unknown");
    t.group(group.id).isAssignableToRole = false;
    expect(t.run(role03).status).toBe("fail");
  });
});

describe("EA-ROLE-04 restricted administrative unit", () => {
  it("passes accounts and group in a restricted AU", () =>
    expect(goodTenant().t.run(role04).status).toBe("pass"));
  it("fails when the AU is not restricted", () => {
    const { t } = goodTenant();
    t.doc.administrativeUnits[0].isMemberManagementRestricted = false;
    expect(t.run(role04).findings.filter((f) => f.status === "fail")).toHaveLength(3);
  });
  it("skips without P1", () => {
    const { t } = goodTenant({ licence: "free" });
    expect(t.run(role04).reason).toContain("P1");
  });
  it("is unknown when the restricted AU's members are unreadable", () => {
    const { t, au } = goodTenant();
    t.unavailable(`administrativeUnits[${au.id}].members`, "403 Forbidden");
    expect(t.run(role04).status).toBe("unknown");
  });
});

describe("EA-ROLE-05 other Global Administrators", () => {
  it("passes with another GA and a count within gaCount", () =>
    expect(goodTenant().t.run(role05).status).toBe("pass"));
  it("fails when only the emergency accounts hold GA, and when the count exceeds gaCount.max", () => {
    const { t, admin } = goodTenant();
    t.doc.roleEligibilitySchedules = t.doc.roleEligibilitySchedules.filter(
      (a: Json) => a.principalId !== admin.id,
    );
    expect(t.run(role05).status).toBe("fail");
    const g = goodTenant();
    g.t.config = { ...g.t.config, profile: { gaCount: { min: 2, max: 2 } } };
    expect(g.t.run(role05).status).toBe("fail");
  });
  it("skips without accounts", () => {
    const { t } = goodTenant();
    t.config = { accounts: ["nobody@contoso.onmicrosoft.com"] };
    expect(t.run(role05).status).toBe("skip");
  });
  it("is unknown when eligibility is unreadable and no other GA is seen", () => {
    const { t, admin } = goodTenant();
    t.doc.roleEligibilitySchedules = t.doc.roleEligibilitySchedules.filter(
      (a: Json) => a.principalId !== admin.id,
    );
    t.unavailable("roleEligibilitySchedules", "403 Forbidden");
    expect(t.run(role05).status).toBe("unknown");
  });
});

describe("EA-ROLE-06 PIM approvers", () => {
  const requireApproval = (t: ReturnType<typeof goodTenant>["t"], approvers: Json[]) => {
    const rule = t.doc.roleManagementPolicyAssignments[0].policy.rules[0];
    rule.setting = {
      isApprovalRequired: true,
      approvalMode: "SingleStage",
      approvalStages: [{ approvalStageTimeOutInDays: 1, primaryApprovers: approvers }],
    };
  };
  it("passes without approval, or with a live approver", () => {
    const { t, admin } = goodTenant();
    expect(t.run(role06).status).toBe("pass");
    requireApproval(t, [{ "@odata.type": "#microsoft.graph.singleUser", userId: admin.id }]);
    expect(t.run(role06).status).toBe("pass");
  });
  it("fails when every approver is deleted or disabled", () => {
    const { t, admin } = goodTenant();
    t.user(admin.id).accountEnabled = false;
    requireApproval(t, [
      { "@odata.type": "#microsoft.graph.singleUser", userId: admin.id },
      { "@odata.type": "#microsoft.graph.singleUser", userId: "deadbeef-0000-4000-8000-000000000000" },
    ]);
    expect(t.run(role06).status).toBe("fail");
  });
  it("warns when the approver is the requestor's manager (not verifiable)", () => {
    const { t } = goodTenant();
    requireApproval(t, [{ "@odata.type": "#microsoft.graph.requestorManager", managerLevel: 1 }]);
    expect(t.run(role06).status).toBe("warn");
  });
  it("skips without P2", () => expect(goodTenant({ licence: "P1" }).t.run(role06).status).toBe("skip"));
  it("is unknown when the PIM policies are unreadable", () => {
    const { t } = goodTenant();
    t.unavailable("roleManagementPolicyAssignments", "403 Forbidden");
    expect(t.run(role06).status).toBe("unknown");
  });
});

describe("EA-ROLE-03 and EA-ACC-10 with relationships not collected", () => {
  it("is unknown, not a mismatch, when the group's members were not collected", () => {
    const { t, group } = goodTenant();
    delete t.group(group.id).members;
    expect(t.run(role03).status).toBe("unknown");
  });
});
