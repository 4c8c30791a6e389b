import {
  defineCheck,
  eachAccount,
  methodKind,
  methodsOf,
  methodsPath,
  needsAccounts,
  unreadableFinding,
  tenantSubject,
} from "./lib/index.js";
import type { Finding, Need } from "./types.js";

/**
 * Methods an administrator can use for self-service password reset. Administrators always get the
 * two-gate policy with mobile phone, office phone, email and the Authenticator app (notification or
 * code), whatever the methods policy says; FIDO2 keys are not an SSPR method.
 */
const SSPR_KINDS = new Set(["phone", "email", "microsoftAuthenticator", "softwareOath"]);

const ssprAllowed = (ctx: { snapshot: { authorizationPolicy?: { allowedToUseSSPR?: boolean | null } } }) =>
  ctx.snapshot.authorizationPolicy?.allowedToUseSSPR !== false;

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-07",
  title: "Self-service password reset cannot take over the emergency accounts",
  severity: "high",
  sources: ["000"],
  needs: ["authorizationPolicy"],
  // Only when administrators may use SSPR does it matter what the accounts could reset with.
  needsFor: (ctx): Need[] =>
    ssprAllowed(ctx) ? ["users", ...ctx.accounts.resolved.map((a) => methodsPath(a.id))] : [],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    if (!ctx.snapshot.authorizationPolicy) return [];
    const allowed = ctx.snapshot.authorizationPolicy.allowedToUseSSPR;
    if (allowed === false)
      return [
        {
          status: "pass",
          subject: tenantSubject(ctx.snapshot),
          message: "Administrators cannot use self-service password reset (allowedToUseSSPR = false)",
          evidence: { allowedToUseSSPR: false },
        },
      ];
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      const usable: string[] = [];
      if (user.mobilePhone) usable.push("mobilePhone");
      if ((user.otherMails ?? []).length) usable.push("otherMails");
      const methods = methodsOf(ctx, account.id);
      for (const m of methods ?? []) if (SSPR_KINDS.has(methodKind(m))) usable.push(methodKind(m));
      const evidence = { allowedToUseSSPR: allowed ?? null, ssprUsable: [...new Set(usable)].sort() };
      if (usable.length)
        findings.push({
          status: "fail",
          subject,
          message: `${label}: administrators may use SSPR and the account has SSPR-usable data (${[...new Set(usable)].sort().join(", ")}): whoever controls them can reset its password (seed 000's takeover)`,
          evidence,
          remediation: {
            summary:
              "Turn SSPR off for administrators (takes up to 60 minutes), and remove the phone/email/app methods from the accounts",
            portal: "No portal switch for administrators: use Graph or PowerShell",
            graph:
              'PATCH https://graph.microsoft.com/v1.0/policies/authorizationPolicy {"allowedToUseSSPR":false}',
            powershell: "Update-MgPolicyAuthorizationPolicy -AllowedToUseSspr:$false",
            command: "breakglass apply --target methods",
          },
        });
      else if (!methods) findings.push(unreadableFinding(ctx, account, methodsPath(account.id)));
      else
        findings.push({
          status: "pass",
          subject,
          message: `${label}: SSPR is allowed for administrators, but the account has no method SSPR could use`,
          evidence,
        });
    }
    return findings;
  },
});
