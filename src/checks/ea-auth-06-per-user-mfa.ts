import { defineCheck, eachAccount, needsAccounts, perAccountNeeds } from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-06",
  title: "Per-user (legacy) MFA is disabled on every emergency account",
  severity: "medium",
  sources: ["000", "003"],
  needs: ["users"],
  needsFor: (ctx) => perAccountNeeds(ctx, "perUserMfaState"),
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const { account, user, subject, label } of eachAccount(ctx, findings, "perUserMfaState")) {
      const state = user.perUserMfaState;
      const evidence = { perUserMfaState: state };
      if (state === "disabled")
        findings.push({ status: "pass", subject, message: `${label}: per-user MFA is disabled`, evidence });
      else
        findings.push({
          status: "fail",
          subject,
          message: `${label}: per-user MFA is ${state}: legacy MFA applies outside Conditional Access and the methods policy, and can demand a method the account does not have`,
          evidence,
          remediation: {
            summary:
              "Disable per-user MFA on the account; control its methods with the authentication methods policy",
            portal:
              "Microsoft Entra admin center > Identity > Users > All users > Per-user MFA > select the user > Disable MFA",
            graph: `PATCH https://graph.microsoft.com/beta/users/${account.id}/authentication/requirements {"perUserMfaState":"disabled"}`,
            powershell: `Invoke-MgGraphRequest -Method PATCH -Uri "https://graph.microsoft.com/beta/users/${account.id}/authentication/requirements" -Body @{perUserMfaState="disabled"}`,
            command: "breakglass apply --target methods",
          },
        });
    }
    return findings;
  },
});
