/** EA-CA-07: policies exclude the emergency accounts through the group, not per user or per role. */
import { norm } from "../snapshot/directory.js";
import {
  CA_NEEDS,
  conditionalAccessGate,
  dedicatedPolicies,
  defineCheck,
  malformedFindings,
  policySubject,
  roleDataNeeds,
  sortedAccounts,
  userLists,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-CA-07",
  title: "Conditional Access exclusions go through the emergency group",
  severity: "medium",
  sources: ["000", "002", "003"],
  needs: CA_NEEDS,
  needsFor: roleDataNeeds,
  appliesTo(ctx) {
    const reason = conditionalAccessGate(ctx);
    if (reason) return reason;
    if (!ctx.accounts.group)
      return ctx.accounts.unresolvedGroup
        ? `the configured emergency group ${ctx.accounts.unresolvedGroup} was not found (see EA-ROLE-03)`
        : "no emergency group is configured";
    return undefined;
  },
  evaluate(ctx) {
    const policies = ctx.snapshot.conditionalAccessPolicies;
    if (!policies || !ctx.accounts.group) return [];
    const groupId = norm(ctx.accounts.group.id);
    const accounts = sortedAccounts(ctx);
    const dedicated = dedicatedPolicies(ctx).ids;
    const findings: Finding[] = malformedFindings(
      ctx,
      "how it excludes the emergency accounts",
      (p) => !dedicated.has(p.id),
    );
    const malformed = new Set(findings.map((f) => norm(f.subject?.id)));
    for (const p of [...policies].sort((a, b) => norm(a.id).localeCompare(norm(b.id)))) {
      if (dedicated.has(norm(p.id)) || malformed.has(norm(p.id))) continue;
      const u = userLists(p.conditions?.users);
      const excludedUsers = new Set(u.excludeUsers.map(norm));
      const excludesGroup = u.excludeGroups.some((g) => norm(g) === groupId);
      const direct = accounts.filter((a) => excludedUsers.has(norm(a.id)));
      // Another excluded group holding an account spares it, but a new account would not be in it
      // (unless that group holds the emergency group itself).
      const otherGroups = excludesGroup
        ? []
        : u.excludeGroups
            .map(norm)
            .filter((g) => g !== groupId && !ctx.directory.transitiveGroupsOf(groupId).has(g))
            .sort();
      const viaOtherGroup = accounts.filter((a) => {
        const groups = ctx.directory.transitiveGroupsOf(a.id);
        return otherGroups.some((g) => groups.has(g));
      });
      const nestedEmergency = u.excludeGroups.some((g) =>
        ctx.directory.transitiveGroupsOf(groupId).has(norm(g)),
      );
      const excludedRoles = new Set(u.excludeRoles.map(norm));
      const byRole =
        excludesGroup || nestedEmergency
          ? []
          : accounts.filter((a) =>
              [...ctx.directory.activeRoleTemplates(a.id)].some((r) => excludedRoles.has(r)),
            );
      if (direct.length === 0 && byRole.length === 0 && viaOtherGroup.length === 0) {
        if (excludesGroup || nestedEmergency)
          findings.push({
            status: "pass",
            subject: policySubject(p),
            message: `"${p.displayName ?? p.id}" excludes the emergency group.`,
            evidence: { excludeGroups: u.excludeGroups },
          });
        continue;
      }
      const parts: string[] = [];
      if (direct.length)
        parts.push(`excludes ${direct.map((a) => a.userPrincipalName ?? a.id).join(", ")} one by one`);
      if (viaOtherGroup.length)
        parts.push(
          `spares ${viaOtherGroup.map((a) => a.userPrincipalName ?? a.id).join(", ")} through group(s) ${otherGroups.join(", ")}`,
        );
      if (byRole.length)
        parts.push(
          `spares ${byRole.map((a) => a.userPrincipalName ?? a.id).join(", ")} only by excluding a role they hold`,
        );
      findings.push({
        status: "fail",
        subject: policySubject(p),
        message: `"${p.displayName ?? p.id}" ${parts.join(" and ")}${excludesGroup || nestedEmergency ? "" : ", not through the emergency group"}: a new emergency account would not be covered.`,
        evidence: {
          state: p.state,
          excludeUsers: u.excludeUsers,
          excludeGroups: u.excludeGroups,
          excludeRoles: u.excludeRoles,
          emergencyGroup: ctx.accounts.group.id,
        },
        remediation: {
          summary: "Exclude the emergency group instead of individual accounts or roles.",
          portal: `Microsoft Entra admin center > Protection > Conditional Access > "${p.displayName ?? p.id}" > Users > Exclude: select the emergency group; remove the accounts`,
          graph: `PATCH https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/${p.id} {"conditions":{"users":{"excludeGroups":["${ctx.accounts.group.id}"]}}} (keep the other members of the lists)`,
          powershell: `Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId ${p.id} -BodyParameter $conditions`,
          command: "breakglass apply --target exclusions",
        },
      });
    }
    return findings;
  },
});
