import { GLOBAL_ADMINISTRATOR, norm } from "../snapshot/directory.js";
import {
  defineCheck,
  eachAccount,
  gradeFinding,
  hasP2,
  needsAccounts,
  roleDataComplete,
  roleDataNeeds,
  globalAdminHoldings,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ROLE-02",
  title: "The emergency accounts' Global Administrator is active and permanent",
  severity: "critical",
  sources: ["000", "001", "003", "004"],
  needs: ["users"],
  needsFor: roleDataNeeds,
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const p2 = hasP2(ctx);
    const complete = roleDataComplete(ctx);
    const schedules = new Map(
      [...(ctx.snapshot.roleAssignmentSchedules ?? []), ...(ctx.snapshot.roleEligibilitySchedules ?? [])].map(
        (s) => [norm(s.id), s],
      ),
    );
    const findings: Finding[] = [];
    for (const { account, subject, label } of eachAccount(ctx, findings)) {
      const holdings = globalAdminHoldings(ctx, account.id);
      const describe = holdings.map((h) => ({
        kind: h.kind,
        via: h.via,
        group: h.groupId ?? null,
        membership: h.membership ?? null,
        permanent: h.permanent ?? null,
        expiration: schedules.get(norm(h.sourceId))?.scheduleInfo?.expiration ?? null,
      }));
      const evidence = { holdings: describe, p2: p2 ?? null };
      const active = holdings.filter((h) => h.kind === "active");
      const permanent = active.filter((h) => h.permanent === true);
      // Without P2 there is no PIM: an active assignment cannot carry an end date.
      const byConstruction = active.filter(
        (h) => h.permanent === undefined && p2 === false && h.membership !== "pimActive",
      );
      const remediation = {
        summary: "Make the Global Administrator assignment active and permanent (no end date, not eligible)",
        portal:
          "Microsoft Entra admin center > Identity Governance > Privileged Identity Management > Microsoft Entra roles > Roles > Global Administrator > Add assignments > Assignment type: Active, Permanently assigned",
        graph: `POST https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignmentScheduleRequests {"action":"adminAssign","principalId":"${account.id}","roleDefinitionId":"${GLOBAL_ADMINISTRATOR}","directoryScopeId":"/","justification":"emergency access","scheduleInfo":{"startDateTime":"<now>","expiration":{"type":"noExpiration"}}}`,
        powershell: `New-MgRoleManagementDirectoryRoleAssignmentScheduleRequest -Action adminAssign -PrincipalId ${account.id} -RoleDefinitionId ${GLOBAL_ADMINISTRATOR} -DirectoryScopeId "/" -Justification "emergency access" -ScheduleInfo @{StartDateTime=(Get-Date);Expiration=@{Type="noExpiration"}}`,
        command: "breakglass apply --target role",
      };
      findings.push(
        gradeFinding(
          { subject, evidence, remediation },
          [
            permanent.length > 0 && {
              status: "pass",
              message: `${label}: Global Administrator is active and permanent`,
            },
            byConstruction.length > 0 && {
              status: "pass",
              message: `${label}: Global Administrator is active; the tenant has no Entra ID P2, so an active assignment is permanent by construction`,
            },
            active.some((h) => h.permanent === undefined) && {
              status: "unknown",
              message: `${label}: Global Administrator is active, but the schedule that says whether it ends could not be read`,
            },
            active.length > 0 && {
              status: "fail",
              message: `${label}: Global Administrator is active but time-bound (${describe
                .filter((d) => d.kind === "active")
                .map((d) =>
                  d.membership === "pimActive"
                    ? "a PIM-for-Groups membership"
                    : `ends ${d.expiration?.endDateTime ?? "(end date set)"}`,
                )
                .join("; ")}): it lapses silently`,
            },
            holdings.length > 0 && {
              status: "fail",
              message: `${label}: Global Administrator is eligible only: using it needs a PIM activation, which can itself be what is broken in an emergency`,
            },
            !complete && {
              status: "unknown",
              message: `${label}: no Global Administrator in the role data that was read`,
            },
          ],
          { status: "fail", message: `${label} does not hold Global Administrator (see EA-ROLE-01)` },
        ),
      );
    }
    return findings;
  },
});
