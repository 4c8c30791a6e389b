import { defineCheck, eachAccount, needsAccounts } from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-ACC-02",
  title: "Every emergency account is enabled",
  severity: "high",
  sources: ["001"],
  needs: ["users"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings)) {
      const evidence = { accountEnabled: user.accountEnabled ?? null };
      if (user.accountEnabled === true) {
        findings.push({ status: "pass", subject, message: `${label} is enabled`, evidence });
      } else if (user.accountEnabled === false) {
        findings.push({
          status: "fail",
          subject,
          message: `${label} is disabled (accountEnabled = false): it cannot sign in when it is needed`,
          evidence,
          remediation: {
            summary: "Enable the account, then find out who disabled it and why (audit log: Update user)",
            portal:
              "Microsoft Entra admin center > Identity > Users > All users > select the user > Edit properties > Settings > Account enabled",
            graph: `PATCH https://graph.microsoft.com/v1.0/users/${account.id} {"accountEnabled":true}`,
            powershell: `Update-MgUser -UserId ${account.id} -AccountEnabled:$true`,
            command: "breakglass apply --target accounts",
          },
        });
      } else {
        // accountEnabled is returned only when selected: its absence says nothing about the account.
        findings.push({
          status: "unknown",
          subject,
          message: `${label}: accountEnabled was not in the snapshot`,
          evidence,
        });
      }
    }
    return findings;
  },
});
