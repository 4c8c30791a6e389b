import { isAvailable } from "../snapshot/availability.js";
import { defineCheck, tenantSubject } from "./lib/index.js";
import type { Finding } from "./types.js";

const CREATE = {
  summary:
    "Create cloud-only emergency accounts on the initial *.onmicrosoft.com domain and name them in the config",
  portal: "Microsoft Entra admin center > Identity > Users > All users > New user > Create new user",
  graph:
    'POST https://graph.microsoft.com/v1.0/users {"accountEnabled":true,"displayName":"…","mailNickname":"…","userPrincipalName":"…@<tenant>.onmicrosoft.com","passwordProfile":{"password":"<40+ random characters>","forceChangePasswordNextSignIn":false},"passwordPolicies":"DisablePasswordExpiration"}',
  powershell:
    'New-MgUser -AccountEnabled -DisplayName "…" -MailNickname "…" -UserPrincipalName "…@<tenant>.onmicrosoft.com" -PasswordProfile @{Password="<40+ random characters>";ForceChangePasswordNextSignIn=$false} -PasswordPolicies DisablePasswordExpiration',
  command: "breakglass apply --target accounts",
};

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-01",
  title: "Enough emergency accounts exist, and every configured one resolves",
  severity: "critical",
  sources: ["000", "001", "002", "003", "004"],
  needs: ["users"],
  needsFor: (ctx) => (ctx.config.group ? ["groups"] : []),
  evaluate(ctx) {
    // Nothing can be said about the accounts without the users section: the need makes this unknown.
    if (!isAvailable(ctx.snapshot, "users")) return [];
    const groupsRead = isAvailable(ctx.snapshot, "groups");
    // The accounts are the group's members: without the groups their number is not known.
    if (ctx.accounts.method === "group" && !groupsRead) return [];
    const { min, max } = ctx.config.profile.accountCount;
    const { accounts } = ctx;
    const findings: Finding[] = [];
    const count = accounts.resolved.length;
    const evidence = {
      method: accounts.method,
      count,
      accounts: accounts.resolved.map((a) => a.userPrincipalName ?? a.id),
      accountCount: { min, max },
    };

    for (const u of accounts.unresolved) {
      const where = u.deleted
        ? `it is in the recycle bin (deleted users)${u.restorableUntil ? ` and can be restored until ${u.restorableUntil}` : ""}`
        : u.deleted === false
          ? "no such user exists, and it is not in the recycle bin"
          : "no such user exists (the recycle bin could not be read)";
      findings.push({
        status: "fail",
        subject: { type: "account-ref", id: u.ref },
        message: `Configured emergency account ${u.ref} does not resolve: ${where}`,
        evidence: {
          ref: u.ref,
          deleted: u.deleted ?? null,
          restorableUntil: u.restorableUntil ?? null,
          deletedId: u.id ?? null,
        },
        remediation: u.deleted
          ? {
              summary: `Restore the deleted account before ${u.restorableUntil ?? "the 30-day recycle-bin window ends"}`,
              portal:
                "Microsoft Entra admin center > Identity > Users > Deleted users > select the user > Restore users",
              graph: `POST https://graph.microsoft.com/v1.0/directory/deletedItems/${u.id ?? "{id}"}/restore`,
              powershell: `Restore-MgDirectoryDeletedItem -DirectoryObjectId ${u.id ?? "<id>"}`,
            }
          : { ...CREATE, summary: `Fix the reference "${u.ref}" in the config, or create the account` },
      });
    }
    if (accounts.unresolvedGroup && groupsRead) {
      findings.push({
        status: "fail",
        subject: { type: "account-ref", id: accounts.unresolvedGroup },
        message: `Configured emergency group ${accounts.unresolvedGroup} does not resolve (no group with that id, or no single group with that name)`,
        evidence: { group: accounts.unresolvedGroup },
        remediation: {
          summary:
            "Name the emergency group by object id in the config, or create it as a role-assignable security group",
          portal: "Microsoft Entra admin center > Identity > Groups > All groups",
          graph:
            "GET https://graph.microsoft.com/v1.0/groups?$filter=isAssignableToRole eq true&$select=id,displayName",
          powershell: "Get-MgGroup -Filter 'isAssignableToRole eq true' | Select-Object Id, DisplayName",
        },
      });
    }

    const how =
      accounts.method === "discovered"
        ? " (found by discovery: name them in the config to make this certain)"
        : accounts.method === "group"
          ? " (members of the emergency group)"
          : "";
    // Discovery reads Conditional Access exclusions, roles and alert rules: when those could not be
    // read, finding too few candidates proves nothing about the tenant.
    const discoveryBlind =
      accounts.method === "discovered" &&
      ["conditionalAccessPolicies", "roleAssignments"].some((s) => !isAvailable(ctx.snapshot, s));
    if (count < min && discoveryBlind) {
      findings.push({
        status: "unknown",
        subject: tenantSubject(ctx.snapshot),
        message: `Discovery found ${count} emergency account${count === 1 ? "" : "s"}, but the data it ranks by (Conditional Access policies, role assignments) could not all be read: name the accounts in the config`,
        evidence,
      });
    } else if (count < min) {
      findings.push({
        status: "fail",
        subject: tenantSubject(ctx.snapshot),
        message: `${count} emergency account${count === 1 ? "" : "s"}${how}; at least ${min} are needed, so that losing one does not lose emergency access`,
        evidence,
        remediation: CREATE,
      });
    } else if (count > max) {
      findings.push({
        status: "warn",
        subject: tenantSubject(ctx.snapshot),
        message: `${count} emergency accounts${how}, more than the ${max} the profile allows: every extra permanent Global Administrator is one more target`,
        evidence,
        remediation: {
          summary:
            "Remove emergency accounts that are not needed, or raise profile.accountCount.max if the runbook needs them",
          portal: "Microsoft Entra admin center > Identity > Users > All users > select the user > Delete",
          graph: "DELETE https://graph.microsoft.com/v1.0/users/{id}",
          powershell: "Remove-MgUser -UserId <id>",
        },
      });
    } else {
      findings.push({
        status: "pass",
        subject: tenantSubject(ctx.snapshot),
        message: `${count} emergency accounts${how}, within ${min}..${max}`,
        evidence,
      });
    }
    return findings;
  },
});
