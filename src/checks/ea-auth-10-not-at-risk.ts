import { norm } from "../snapshot/directory.js";
import { defineCheck, eachAccount, lacksLicence, needsAccounts } from "./lib/index.js";
import type { Finding } from "./types.js";

/** Risk states that mean the risk was dealt with (riskyUser.riskState). */
const SETTLED = new Set(["none", "remediated", "dismissed"]);

export const check = defineCheck(import.meta.url, {
  id: "EA-AUTH-10",
  title: "No emergency account is currently at risk",
  severity: "critical",
  sources: ["beyond seeds"],
  needs: ["users", "riskyUsers"],
  // Microsoft Graph: "Using the riskyUsers API requires a Microsoft Entra ID P2 license."
  appliesTo: (ctx) =>
    lacksLicence(ctx, "p2", "Identity Protection user risk (riskyUsers)") ?? needsAccounts(ctx),
  evaluate(ctx) {
    const risky = new Map((ctx.snapshot.riskyUsers ?? []).map((r) => [norm(r.id), r]));
    const findings: Finding[] = [];
    for (const { account, subject, label } of eachAccount(ctx, findings)) {
      const r = risky.get(norm(account.id));
      const level = (r?.riskLevel ?? "none").toLowerCase();
      const state = (r?.riskState ?? "none").toLowerCase();
      const evidence = {
        riskLevel: r?.riskLevel ?? null,
        riskState: r?.riskState ?? null,
        riskLastUpdatedDateTime: r?.riskLastUpdatedDateTime ?? null,
      };
      if (!r || level === "none" || SETTLED.has(state)) {
        findings.push({ status: "pass", subject, message: `${label}: not at risk`, evidence });
        continue;
      }
      findings.push({
        status: "fail",
        subject,
        message: `${label} is at risk (riskLevel ${r.riskLevel}, riskState ${r.riskState}${r.riskLastUpdatedDateTime ? ` since ${r.riskLastUpdatedDateTime}` : ""}): a possible compromise, and a lockout wherever a user-risk policy applies`,
        evidence,
        remediation: {
          summary:
            "Investigate the risk detections and sign-ins; if benign dismiss the risk, if not rotate every credential and revoke sessions",
          portal:
            "Microsoft Entra admin center > Protection > Identity Protection > Risky users > select the user",
          graph: `POST https://graph.microsoft.com/v1.0/identityProtection/riskyUsers/dismiss {"userIds":["${account.id}"]}`,
          powershell: `Invoke-MgDismissRiskyUser -UserIds @("${account.id}")`,
        },
      });
    }
    return findings;
  },
});
