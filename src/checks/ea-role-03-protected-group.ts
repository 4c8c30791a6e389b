import { isAvailable, objectPath } from "../snapshot/availability.js";
import { norm } from "../snapshot/directory.js";
import { accountLabel, defineCheck } from "./lib/index.js";
import type { Finding, Need, Subject } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ROLE-03",
  title: "The emergency group is protected and holds exactly the emergency accounts",
  severity: "high",
  sources: ["000", "002", "003"],
  needs: ["users", "groups"],
  needsFor: (ctx): Need[] =>
    ctx.accounts.group
      ? [
          objectPath("groups", ctx.accounts.group.id, "members"),
          objectPath("groups", ctx.accounts.group.id, "owners"),
        ]
      : [],
  appliesTo(ctx) {
    // the group apply built (names.group) counts once it exists (checks/accounts.ts)
    if (!ctx.config.group && !ctx.accounts.group) return "no emergency group is configured (config group:)";
    return undefined;
  },
  evaluate(ctx) {
    if (!isAvailable(ctx.snapshot, "groups")) return [];
    const ref = ctx.accounts.group;
    if (!ref) {
      return [
        {
          status: "fail",
          subject: { type: "account-ref", id: ctx.config.group! },
          message: `The configured emergency group ${ctx.config.group} does not exist (or its name is not unique)`,
          evidence: { group: ctx.config.group },
        },
      ];
    }
    const group = ctx.directory.groups.get(norm(ref.id))!;
    const subject: Subject = { type: "group", id: group.id, displayName: group.displayName ?? null };
    const findings: Finding[] = [];
    const fail = (
      message: string,
      evidence: Record<string, unknown>,
      remediation: Finding["remediation"],
      s = subject,
    ) => findings.push({ status: "fail", subject: s, message, evidence, remediation });

    if (group.isAssignableToRole !== true)
      fail(
        "The emergency group is not role-assignable: Groups Administrators, owners and User Administrators can change its members, i.e. hand out Global Administrator",
        { isAssignableToRole: group.isAssignableToRole ?? null },
        {
          summary:
            "isAssignableToRole can only be set at creation: create a new role-assignable security group, move members and the role to it",
          portal:
            "Microsoft Entra admin center > Identity > Groups > New group > Microsoft Entra roles can be assigned to the group: Yes",
          graph:
            'POST https://graph.microsoft.com/v1.0/groups {"displayName":"…","mailEnabled":false,"mailNickname":"…","securityEnabled":true,"isAssignableToRole":true}',
          powershell:
            'New-MgGroup -DisplayName "…" -MailEnabled:$false -MailNickname "…" -SecurityEnabled -IsAssignableToRole',
          command: "breakglass apply --target group",
        },
      );
    if (group.securityEnabled !== true)
      fail(
        "The emergency group is not a security group (securityEnabled is not true)",
        { securityEnabled: group.securityEnabled ?? null },
        {
          summary: "Recreate it as a role-assignable security group",
          portal: "Microsoft Entra admin center > Identity > Groups > New group > Group type: Security",
          graph:
            'POST https://graph.microsoft.com/v1.0/groups {"securityEnabled":true,"isAssignableToRole":true,…}',
          powershell: "New-MgGroup -SecurityEnabled -IsAssignableToRole …",
        },
      );
    if ((group.groupTypes ?? []).includes("DynamicMembership") || group.membershipRule)
      fail(
        "The emergency group has dynamic membership: a change of user attributes changes who holds Global Administrator",
        {
          groupTypes: group.groupTypes ?? [],
          membershipRule: group.membershipRule ?? null,
        },
        {
          summary: "Use a static (assigned) role-assignable group",
          portal:
            "Microsoft Entra admin center > Identity > Groups > select the group > Properties > Membership type: Assigned",
          graph: `PATCH https://graph.microsoft.com/v1.0/groups/${group.id} {"groupTypes":[],"membershipRuleProcessingState":"Paused"}`,
          powershell: `Update-MgGroup -GroupId ${group.id} -GroupTypes @()`,
        },
      );

    // A relationship the export did not collect is absent, not empty: never read it as "none".
    const notCollected = (["members", "owners"] as const).filter((r) => group[r] === undefined);
    if (notCollected.length)
      findings.push({
        status: "unknown",
        subject,
        message: `The emergency group's ${notCollected.join(" and ")} were not collected`,
      });
    if (group.owners !== undefined && isAvailable(ctx.snapshot, objectPath("groups", group.id, "owners"))) {
      const owners = (group.owners ?? []).map((o) => o.id).sort();
      if (owners.length)
        fail(
          `The emergency group has ${owners.length} owner${owners.length === 1 ? "" : "s"}: an owner can add members, and so grant Global Administrator`,
          { owners },
          {
            summary: "Remove every owner of the emergency group",
            portal: "Microsoft Entra admin center > Identity > Groups > select the group > Owners > Remove",
            graph: `DELETE https://graph.microsoft.com/v1.0/groups/${group.id}/owners/{owner-id}/$ref`,
            powershell: `Remove-MgGroupOwnerDirectoryObjectByRef -GroupId ${group.id} -DirectoryObjectId <owner-id>`,
            command: "breakglass apply --target group",
          },
        );
    }

    if (group.members !== undefined && isAvailable(ctx.snapshot, objectPath("groups", group.id, "members"))) {
      const members = [...(group.members ?? [])].sort((a, b) => norm(a.id).localeCompare(norm(b.id)));
      const nonUsers = members.filter(
        (m) =>
          !(m["@odata.type"] ?? "").toLowerCase().endsWith(".user") && !ctx.directory.users.has(norm(m.id)),
      );
      for (const m of nonUsers)
        fail(
          `The emergency group has a member that is not a user (${(m["@odata.type"] ?? "unknown type").replace(/^#microsoft\.graph\./, "")} ${m.id}): membership is not exactly the accounts`,
          { member: m },
          {
            summary: "Remove it: the group should hold the emergency accounts directly and nothing else",
            portal: "Microsoft Entra admin center > Identity > Groups > select the group > Members > Remove",
            graph: `DELETE https://graph.microsoft.com/v1.0/groups/${group.id}/members/${m.id}/$ref`,
            powershell: `Remove-MgGroupMemberDirectoryObjectByRef -GroupId ${group.id} -DirectoryObjectId ${m.id}`,
            command: "breakglass apply --target group",
          },
        );
      if (ctx.accounts.method === "config+group") {
        const memberIds = new Set(members.map((m) => norm(m.id)));
        const accountIds = new Set(ctx.accounts.resolved.map((a) => norm(a.id)));
        for (const a of ctx.accounts.resolved)
          if (!memberIds.has(norm(a.id)))
            fail(
              `${accountLabel(a)} is a configured emergency account but not a member of the emergency group: every exclusion made through the group misses it`,
              { account: a.id, group: group.id },
              {
                summary: "Add the account to the emergency group",
                portal:
                  "Microsoft Entra admin center > Identity > Groups > select the group > Members > Add members",
                graph: `POST https://graph.microsoft.com/v1.0/groups/${group.id}/members/$ref {"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/${a.id}"}`,
                powershell: `New-MgGroupMember -GroupId ${group.id} -DirectoryObjectId ${a.id}`,
                command: "breakglass apply --target group",
              },
              { type: "user", id: a.id, displayName: a.displayName ?? null },
            );
        for (const m of members)
          if (ctx.directory.users.has(norm(m.id)) && !accountIds.has(norm(m.id))) {
            const u = ctx.directory.users.get(norm(m.id))!;
            fail(
              `${u.userPrincipalName ?? u.id} is in the emergency group but is not a configured emergency account: it is excluded wherever the accounts are, and may hold their role`,
              { member: u.id, userPrincipalName: u.userPrincipalName ?? null },
              {
                summary:
                  "Remove the user from the group, or add it to accounts: in the config if it is an emergency account",
                portal:
                  "Microsoft Entra admin center > Identity > Groups > select the group > Members > Remove",
                graph: `DELETE https://graph.microsoft.com/v1.0/groups/${group.id}/members/${u.id}/$ref`,
                powershell: `Remove-MgGroupMemberDirectoryObjectByRef -GroupId ${group.id} -DirectoryObjectId ${u.id}`,
                command: "breakglass apply --target group",
              },
              { type: "user", id: u.id, displayName: u.displayName ?? null },
            );
          }
      }
    }
    if (!findings.length)
      findings.push({
        status: "pass",
        subject,
        message: "The emergency group is role-assignable, static, ownerless and holds exactly the accounts",
      });
    return findings;
  },
});
