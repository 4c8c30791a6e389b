import { GLOBAL_ADMINISTRATOR, norm } from "../snapshot/directory.js";
import {
  defineCheck,
  eachAccount,
  gradeFinding,
  needsAccounts,
  roleDataComplete,
  roleDataNeeds,
  globalAdminHoldings,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ROLE-01",
  title: "Every emergency account holds Global Administrator",
  severity: "critical",
  sources: ["000", "001", "002", "003", "004"],
  needs: ["users"],
  needsFor: roleDataNeeds,
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const mode = ctx.config.profile.roleAssignment;
    const emergencyGroup = ctx.accounts.group ? norm(ctx.accounts.group.id) : undefined;
    const complete = roleDataComplete(ctx);
    const findings: Finding[] = [];
    for (const { account, subject, label } of eachAccount(ctx, findings)) {
      const holdings = globalAdminHoldings(ctx, account.id);
      const forms = holdings.map((h) => ({
        kind: h.kind,
        via: h.via,
        group: h.groupId ? (ctx.directory.groups.get(h.groupId)?.displayName ?? h.groupId) : null,
      }));
      const evidence = { holdings: forms, roleAssignment: mode };
      const fits = holdings.filter((h) =>
        mode === "direct"
          ? h.via === "direct"
          : mode === "group"
            ? h.via === "group" && (!emergencyGroup || h.groupId === emergencyGroup)
            : true,
      );
      const remediation = {
        summary:
          mode === "group"
            ? "Assign Global Administrator to the emergency group (role-assignable) and make the account a member"
            : "Assign Global Administrator to the account, active and permanent, at directory scope",
        portal:
          "Microsoft Entra admin center > Identity > Roles & admins > Global Administrator > Add assignments (Assignment type: Active, Permanently assigned)",
        graph: `POST https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments {"principalId":"${mode === "group" && ctx.accounts.group ? ctx.accounts.group.id : account.id}","roleDefinitionId":"${GLOBAL_ADMINISTRATOR}","directoryScopeId":"/"}`,
        powershell: `New-MgRoleManagementDirectoryRoleAssignment -PrincipalId ${mode === "group" && ctx.accounts.group ? ctx.accounts.group.id : account.id} -RoleDefinitionId ${GLOBAL_ADMINISTRATOR} -DirectoryScopeId "/"`,
        command: "breakglass apply --target role",
      };
      findings.push(
        gradeFinding(
          { subject, evidence, remediation },
          [
            fits.length > 0 && {
              status: "pass",
              message: `${label} holds Global Administrator (${fits.map((h) => `${h.kind}, ${h.via}`).join("; ")})`,
            },
            holdings.length > 0 && {
              status: "fail",
              message: `${label} holds Global Administrator only ${holdings[0]!.via === "group" ? `through group ${forms[0]!.group}` : "directly"}, but the profile requires roleAssignment: ${mode}${mode === "group" && emergencyGroup ? " (through the emergency group)" : ""}`,
            },
            !complete && {
              status: "unknown",
              message: `${label}: no Global Administrator found in the role data that was read; the rest could not be read`,
            },
          ],
          {
            status: "fail",
            message: `${label} does not hold Global Administrator at directory scope in any form: it cannot recover the tenant`,
          },
        ),
      );
    }
    return findings;
  },
});
