import { GLOBAL_ADMINISTRATOR, norm } from "../snapshot/directory.js";
import {
  defineCheck,
  needsAccounts,
  roleDataComplete,
  roleDataNeeds,
  sortedUnique,
  tenantSubject,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ROLE-05",
  title: "Everyday administration does not lean on the emergency accounts",
  severity: "medium",
  sources: ["004"],
  needs: ["users"],
  needsFor: roleDataNeeds,
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const { min, max } = ctx.config.profile.gaCount;
    const complete = roleDataComplete(ctx);
    const accountIds = new Set(ctx.accounts.resolved.map((a) => norm(a.id)));
    const gaUsers = sortedUnique(ctx.directory.holdersOf(GLOBAL_ADMINISTRATOR, "/").map((h) => h.userId));
    const others = gaUsers.filter((id) => !accountIds.has(id));
    const label = (id: string) => ctx.directory.users.get(id)?.userPrincipalName ?? id;
    const tenant = tenantSubject(ctx.snapshot);
    const evidence = {
      globalAdministrators: gaUsers.map(label),
      count: gaUsers.length,
      others: others.length,
      gaCount: { min, max },
    };
    const findings: Finding[] = [];
    // More role data can only add holders: "too many" is proven on partial data, "too few" is not.
    if (others.length === 0) {
      findings.push({
        status: complete ? "fail" : "unknown",
        subject: tenant,
        message: complete
          ? "No Global Administrator other than the emergency accounts: everyday administration must be using them"
          : "No other Global Administrator in the role data that was read; the rest could not be read",
        evidence,
        remediation: {
          summary:
            "Give named administrators Global Administrator (eligible through PIM where licensed) and stop using the emergency accounts day to day",
          portal:
            "Microsoft Entra admin center > Identity Governance > Privileged Identity Management > Microsoft Entra roles > Global Administrator > Add assignments (Eligible)",
          graph: `POST https://graph.microsoft.com/v1.0/roleManagement/directory/roleEligibilityScheduleRequests {"action":"adminAssign","principalId":"{admin-id}","roleDefinitionId":"${GLOBAL_ADMINISTRATOR}","directoryScopeId":"/",…}`,
          powershell: `New-MgRoleManagementDirectoryRoleEligibilityScheduleRequest -Action adminAssign -PrincipalId <admin-id> -RoleDefinitionId ${GLOBAL_ADMINISTRATOR} -DirectoryScopeId "/" …`,
        },
      });
    }
    if (gaUsers.length > max) {
      findings.push({
        status: "fail",
        subject: tenant,
        message: `${gaUsers.length} Global Administrators (active and eligible, groups expanded, emergency accounts included), more than the ${max} the profile allows`,
        evidence,
        remediation: {
          summary:
            "Move administrators to least-privileged roles and remove Global Administrator where it is not needed",
          portal:
            "Microsoft Entra admin center > Identity > Roles & admins > Global Administrator > Assignments",
          graph: `GET https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${GLOBAL_ADMINISTRATOR}'`,
          powershell: `Get-MgRoleManagementDirectoryRoleAssignment -Filter "roleDefinitionId eq '${GLOBAL_ADMINISTRATOR}'"`,
        },
      });
    } else if (gaUsers.length < min && others.length > 0) {
      findings.push({
        status: complete ? "fail" : "unknown",
        subject: tenant,
        message: `${gaUsers.length} Global Administrators, fewer than the ${min} the profile asks for`,
        evidence,
      });
    }
    if (!findings.length)
      findings.push({
        status: "pass",
        subject: tenant,
        message: `${gaUsers.length} Global Administrators, ${others.length} besides the emergency accounts, within ${min}..${max}`,
        evidence,
      });
    return findings;
  },
});
