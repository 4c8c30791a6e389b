import { EVIDENCE } from "../records/vocabulary.js";
import {
  accessRecordsOf,
  accountLabel,
  daysBetween,
  defineCheck,
  isFinding,
  needsAccounts,
  sortedAccounts,
  successfulDrills,
  userSubject,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-OPS-01",
  title: "Every emergency account was drilled successfully within the drill interval",
  severity: "high",
  sources: ["001", "004"],
  needs: ["users"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const records = accessRecordsOf(ctx);
    if (isFinding(records)) return [records];
    const interval = ctx.config.profile.drillIntervalDays;
    const findings: Finding[] = [];
    for (const account of sortedAccounts(ctx)) {
      const label = accountLabel(account);
      const subject = userSubject(account);
      const last = successfulDrills(records, account.id).find((d) =>
        d.evidence?.some((e) => e.item === EVIDENCE.signIn && e.status === "pass"),
      );
      const age = last ? daysBetween(new Date(last.finishedAt!), ctx.now) : undefined;
      const evidence = {
        lastDrill: last?.id ?? null,
        finishedAt: last?.finishedAt ?? null,
        ageDays: age ?? null,
        intervalDays: interval,
      };
      if (last && age! <= interval) {
        findings.push({
          status: "pass",
          subject,
          message: `${label} was drilled ${age} days ago (${last.id})`,
          evidence,
        });
        continue;
      }
      findings.push({
        status: "fail",
        subject,
        message: last
          ? `${label}: the last successful drill was ${age} days ago (${last.id}); drills are due every ${interval} days`
          : `${label} has no successful drill on record: nobody has shown it can sign in`,
        evidence,
        remediation: {
          summary: "Drill the account with one of its keys: sign in, check the alert, record the evidence",
          command: `breakglass drill start ${account.userPrincipalName ?? account.id} --key <label>`,
        },
      });
    }
    return findings;
  },
});
