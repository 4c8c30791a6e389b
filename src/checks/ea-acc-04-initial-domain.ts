import { norm } from "../snapshot/directory.js";
import { accountLabel, accountUsers, defineCheck, needsAccounts, userSubject } from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-04",
  title: "Every emergency account uses the tenant's initial *.onmicrosoft.com domain",
  severity: "high",
  sources: ["000", "001", "002", "003", "004"],
  needs: ["users", "domains"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const domains = ctx.snapshot.domains ?? [];
    const initial = domains.find((d) => d.isInitial === true);
    if (!initial) {
      return [
        {
          status: "unknown",
          message:
            "The snapshot's domains have no initial (isInitial) domain, so the accounts' domain cannot be graded",
          evidence: { domains: domains.map((d) => d.id) },
        },
      ];
    }
    const findings: Finding[] = [];
    for (const { account, user } of accountUsers(ctx)) {
      const upn = user?.userPrincipalName ?? account.userPrincipalName;
      if (!upn) continue;
      const subject = userSubject(account);
      const domainName = upn.slice(upn.lastIndexOf("@") + 1);
      const domain = domains.find((d) => norm(d.id) === norm(domainName));
      const evidence = {
        userPrincipalName: upn,
        domain: domainName,
        authenticationType: domain?.authenticationType ?? null,
        initialDomain: initial.id,
      };
      if (norm(domainName) === norm(initial.id)) {
        findings.push({ status: "pass", subject, message: `${upn} is on the initial domain`, evidence });
        continue;
      }
      const federated = domain?.authenticationType === "Federated";
      findings.push({
        status: "fail",
        ...(federated ? { severity: "critical" as const } : {}),
        subject,
        message: federated
          ? `${accountLabel(account)} is on ${domainName}, a federated domain: sign-in depends on the federation service, and whoever runs it can sign in as this account`
          : `${accountLabel(account)} is on ${domainName}, not on the initial domain ${initial.id}: a custom domain can be federated, removed or expire`,
        evidence,
        remediation: {
          summary: `Change the account's UPN to the initial domain ${initial.id}`,
          portal:
            "Microsoft Entra admin center > Identity > Users > All users > select the user > Edit properties > User principal name",
          graph: `PATCH https://graph.microsoft.com/v1.0/users/${account.id} {"userPrincipalName":"<name>@${initial.id}"}`,
          powershell: `Update-MgUser -UserId ${account.id} -UserPrincipalName "<name>@${initial.id}"`,
          command: "breakglass apply --target accounts",
        },
      });
    }
    return findings;
  },
});
