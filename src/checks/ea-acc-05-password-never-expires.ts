import { norm } from "../snapshot/directory.js";
import { isAvailable } from "../snapshot/availability.js";
import { accountUsers, defineCheck, eachAccount, needsAccounts } from "./lib/index.js";
import type { Finding, Need } from "./types.js";

/** Graph's "never expires" value of domain.passwordValidityPeriodInDays. */
export const NEVER_EXPIRES_DAYS = 2147483647;

const hasNeverExpires = (policies: string | null | undefined): boolean =>
  (policies ?? "")
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .includes("disablepasswordexpiration");

const domainOf = (upn: string | null | undefined): string =>
  norm((upn ?? "").slice((upn ?? "").lastIndexOf("@") + 1));

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-05",
  title: "The emergency accounts' passwords never expire",
  severity: "medium",
  sources: ["000", "004"],
  needs: ["users"],
  // The domain's validity period is only needed for accounts whose own policy does not settle it.
  needsFor: (ctx): Need[] =>
    accountUsers(ctx).some(({ user }) => user && !hasNeverExpires(user.passwordPolicies)) ? ["domains"] : [],
  appliesTo(ctx) {
    if (ctx.config.profile.passwords === "discarded")
      return "profile passwords: discarded (the accounts are passwordless; no password to expire)";
    return needsAccounts(ctx);
  },
  evaluate(ctx) {
    const domainsRead = isAvailable(ctx.snapshot, "domains");
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      if (hasNeverExpires(user.passwordPolicies)) {
        findings.push({
          status: "pass",
          subject,
          message: `${label}: the password never expires (user passwordPolicies)`,
          evidence: { source: "user", passwordPolicies: user.passwordPolicies },
        });
        continue;
      }
      if (!domainsRead) continue; // the need on domains makes this unknown
      const domainName = domainOf(user.userPrincipalName);
      const domain = (ctx.snapshot.domains ?? []).find((d) => norm(d.id) === domainName);
      const validity = domain?.passwordValidityPeriodInDays ?? null;
      const evidence = {
        source: "domain",
        passwordPolicies: user.passwordPolicies ?? null,
        domain: domainName,
        passwordValidityPeriodInDays: validity,
      };
      if (validity === NEVER_EXPIRES_DAYS) {
        findings.push({
          status: "pass",
          subject,
          message: `${label}: the password never expires (domain ${domainName} passwordValidityPeriodInDays = ${NEVER_EXPIRES_DAYS})`,
          evidence,
        });
      } else {
        findings.push({
          status: "fail",
          subject,
          message: `${label}: the password expires after ${validity ?? 90} days (no DisablePasswordExpiration on the user, domain ${domainName} validity ${validity ?? "unset: 90"} days); an expired password blocks the emergency sign-in`,
          evidence,
          remediation: {
            summary: "Set DisablePasswordExpiration on the account (keep DisableStrongPassword off)",
            portal:
              "No portal setting: use Graph or PowerShell (the Microsoft 365 admin center's password expiration policy is tenant-wide)",
            graph: `PATCH https://graph.microsoft.com/v1.0/users/${account.id} {"passwordPolicies":"DisablePasswordExpiration"}`,
            powershell: `Update-MgUser -UserId ${account.id} -PasswordPolicies DisablePasswordExpiration`,
            command: "breakglass apply --target accounts",
          },
        });
      }
    }
    return findings;
  },
});
