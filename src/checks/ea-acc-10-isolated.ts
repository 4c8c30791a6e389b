import { isAvailable, objectPath } from "../snapshot/availability.js";
import { GLOBAL_ADMINISTRATOR, norm } from "../snapshot/directory.js";
import {
  defineCheck,
  eachAccount,
  needsAccounts,
  perAccountNeeds,
  roleDataNeeds,
  sortedUnique,
} from "./lib/index.js";
import type { Finding } from "./types.js";

const OWNABLE = /\.(application|serviceprincipal|group)$/i;

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-10",
  title: "The emergency accounts are isolated from everyday identity",
  severity: "medium",
  sources: ["004"],
  needs: ["users", "groups", "groups.owners", "administrativeUnits", "administrativeUnits.members"],
  needsFor: (ctx) => [...roleDataNeeds(ctx), ...perAccountNeeds(ctx, "ownedObjects")],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const dir = ctx.directory;
    const emergencyGroup = ctx.accounts.group ? norm(ctx.accounts.group.id) : undefined;
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      const problems: string[] = [];
      const evidence: Record<string, unknown> = {};

      const otherGroups = [...dir.transitiveGroupsOf(account.id)]
        .filter((g) => g !== emergencyGroup)
        .map((g) => dir.groups.get(g)?.displayName ?? g)
        .sort();
      if (otherGroups.length) {
        problems.push(
          `member of ${otherGroups.length} other group${otherGroups.length === 1 ? "" : "s"} (${otherGroups.join(", ")})`,
        );
        evidence.otherGroups = otherGroups;
      }

      // Administrative units: the restricted one that protects the setup is expected; an ordinary AU
      // hands the account to whoever administers that unit.
      const aus = (ctx.snapshot.administrativeUnits ?? [])
        .filter((au) => (au.members ?? []).some((m) => norm(m.id) === norm(account.id)))
        .filter((au) => au.isMemberManagementRestricted !== true)
        .map((au) => au.displayName ?? au.id)
        .sort();
      if (aus.length) {
        problems.push(
          `in administrative unit${aus.length === 1 ? "" : "s"} without restricted management (${aus.join(", ")})`,
        );
        evidence.unrestrictedAdministrativeUnits = aus;
      }

      const owned = new Set<string>();
      const ownedReadable = isAvailable(ctx.snapshot, objectPath("users", account.id, "ownedObjects"));
      if (ownedReadable)
        for (const o of user.ownedObjects ?? [])
          if (OWNABLE.test(o["@odata.type"] ?? ""))
            owned.add(`${(o["@odata.type"] ?? "").replace(/^#microsoft\.graph\./, "")} ${o.id}`);
      // Group owners are also visible from the groups, whether or not ownedObjects was read.
      for (const g of ctx.snapshot.groups ?? [])
        if ((g.owners ?? []).some((o) => norm(o.id) === norm(account.id))) owned.add(`group ${g.id}`);
      if (owned.size) {
        const list = sortedUnique(owned);
        problems.push(`owns ${list.join(", ")}`);
        evidence.owns = list;
      }

      const otherRoles = sortedUnique(
        dir
          .holdingsOf(account.id)
          .filter((h) => h.roleTemplateId !== GLOBAL_ADMINISTRATOR)
          .map(
            (h) =>
              `${dir.roleName(h.roleTemplateId)} (${h.kind}${h.directoryScopeId !== "/" ? ` at ${h.directoryScopeId}` : ""})`,
          ),
      );
      if (otherRoles.length) {
        problems.push(`holds other roles: ${otherRoles.join(", ")}`);
        evidence.otherRoles = otherRoles;
      }

      findings.push(
        problems.length
          ? {
              status: "fail",
              subject,
              message: `${label} is tied to everyday identity: ${problems.join("; ")}. Each tie is a way to reach or break the account outside an emergency`,
              evidence,
              remediation: {
                summary:
                  "Remove the other group memberships, ownerships and roles; keep only the emergency group and Global Administrator",
                portal:
                  "Microsoft Entra admin center > Identity > Users > All users > select the user > Groups / Assigned roles / Owned objects",
                graph: `GET https://graph.microsoft.com/v1.0/users/${account.id}/memberOf, …/ownedObjects; DELETE https://graph.microsoft.com/v1.0/groups/{group-id}/members/${account.id}/$ref`,
                powershell: `Get-MgUserMemberOf -UserId ${account.id}; Remove-MgGroupMemberByRef -GroupId <group-id> -DirectoryObjectId ${account.id}`,
              },
            }
          : user.ownedObjects === undefined && ownedReadable
            ? {
                status: "unknown",
                subject,
                message: `${label}: its owned objects were not collected, so ownership cannot be ruled out`,
              }
            : { status: "pass", subject, message: `${label} holds nothing but its emergency role and group` },
      );
    }
    return findings;
  },
});
