import { GLOBAL_ADMINISTRATOR, norm, ROLE_TEMPLATES } from "../snapshot/directory.js";
import type { RoleApprover } from "../snapshot/schema.js";
import { defineCheck, lacksLicence } from "./lib/index.js";
import type { CheckContext, Finding } from "./types.js";

const GUARDED_ROLES: Readonly<Record<string, string>> = {
  [GLOBAL_ADMINISTRATOR]: "Global Administrator",
  [ROLE_TEMPLATES["Privileged Role Administrator"]]: "Privileged Role Administrator",
};

/** Whether an approver resolves to an existing, enabled principal: true, false, or undefined (cannot tell). */
function resolveApprover(ctx: CheckContext, a: RoleApprover): { ok: boolean | undefined; what: string } {
  const type = String(a["@odata.type"] ?? "").replace(/^#microsoft\.graph\./, "");
  if (type === "singleUser") {
    const user = ctx.directory.users.get(norm(a.userId));
    const name = user?.userPrincipalName ?? a.userId;
    if (!user) return { ok: false, what: `user ${a.userId} (does not exist)` };
    if (user.accountEnabled === false) return { ok: false, what: `user ${name} (disabled)` };
    return { ok: user.accountEnabled === true ? true : undefined, what: `user ${name}` };
  }
  if (type === "groupMembers") {
    const group = ctx.directory.groups.get(norm(a.groupId));
    if (!group) return { ok: false, what: `group ${a.groupId} (does not exist)` };
    const enabled = [...ctx.directory.transitiveUserMembers(group.id).keys()].filter(
      (id) => ctx.directory.users.get(id)?.accountEnabled === true,
    );
    return {
      ok: enabled.length > 0,
      what: `group ${group.displayName ?? group.id} (${enabled.length} enabled members)`,
    };
  }
  // requestorManager, sponsors: who that is depends on the requestor and is not in the snapshot.
  return { ok: undefined, what: type || "an approver of unknown type" };
}

export const check = defineCheck(import.meta.url, {
  id: "EA-ROLE-06",
  title: "PIM approval for Global or Privileged Role Administrator cannot lock admins out",
  severity: "high",
  sources: ["003"],
  needs: ["roleManagementPolicyAssignments", "users", "groups"],
  appliesTo: (ctx) => lacksLicence(ctx, "p2", "PIM activation approval"),
  evaluate(ctx) {
    const findings: Finding[] = [];
    const assignments = [...(ctx.snapshot.roleManagementPolicyAssignments ?? [])].sort((a, b) =>
      `${norm(a.roleDefinitionId)}${a.id}`.localeCompare(`${norm(b.roleDefinitionId)}${b.id}`),
    );
    for (const assignment of assignments) {
      const role = GUARDED_ROLES[ctx.directory.roleTemplate(assignment.roleDefinitionId ?? "")];
      if (!role || (assignment.scopeId ?? "/") !== "/") continue;
      const rule = (assignment.policy?.rules ?? []).find(
        (r) => /ApprovalRule$/.test(String(r["@odata.type"] ?? "")) || r.id === "Approval_EndUser_Assignment",
      );
      const setting = rule?.setting ?? {};
      if (setting.isApprovalRequired !== true) continue;
      const subject = { type: "role" as const, id: assignment.roleDefinitionId ?? "", displayName: role };
      const stages = setting.approvalStages ?? [];
      if (!stages.length) {
        findings.push({
          status: "fail",
          subject,
          message: `${role} activation requires approval but defines no approval stage: no request can be approved`,
          evidence: { policyId: assignment.policyId ?? null, isApprovalRequired: true, approvalStages: [] },
        });
        continue;
      }
      stages.forEach((stage, i) => {
        const approvers = stage.primaryApprovers ?? [];
        const resolved = approvers.map((a) => resolveApprover(ctx, a));
        const evidence = {
          policyId: assignment.policyId ?? null,
          stage: i + 1,
          approvers: resolved.map((r) => r.what),
        };
        const remediation = {
          summary:
            "Name approvers who exist and are enabled (a group of several admins is safest), or drop the approval requirement",
          portal: `Microsoft Entra admin center > Identity Governance > Privileged Identity Management > Microsoft Entra roles > Settings > ${role} > Edit > Require approval to activate > Select approvers`,
          graph: `PATCH https://graph.microsoft.com/v1.0/policies/roleManagementPolicies/${assignment.policyId ?? "{policy-id}"}/rules/Approval_EndUser_Assignment`,
          powershell: `Update-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId ${assignment.policyId ?? "<policy-id>"} -UnifiedRoleManagementPolicyRuleId Approval_EndUser_Assignment -BodyParameter <rule>`,
        };
        if (resolved.some((r) => r.ok === true)) {
          findings.push({
            status: "pass",
            subject,
            message: `${role} approval stage ${i + 1} has a live approver`,
            evidence,
          });
        } else if (resolved.some((r) => r.ok === undefined)) {
          findings.push({
            status: "warn",
            subject,
            message: `${role} activation approval stage ${i + 1}: no approver is provably an existing, enabled principal (${resolved.map((r) => r.what).join(", ")}); check it can approve`,
            evidence,
            remediation,
          });
        } else {
          findings.push({
            status: "fail",
            subject,
            message: `${role} activation needs approval, but stage ${i + 1} has no approver who can act (${resolved.map((r) => r.what).join(", ") || "none named"}): activations wait forever`,
            evidence,
            remediation,
          });
        }
      });
    }
    return findings;
  },
});
