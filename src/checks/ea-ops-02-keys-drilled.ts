import { EVIDENCE } from "../records/vocabulary.js";
import {
  accessRecordsOf,
  accountIdOf,
  custodyOf,
  daysBetween,
  defineCheck,
  isFinding,
  needsAccounts,
  successfulDrills,
  userSubject,
} from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-OPS-02",
  title: "Every key in custody was proven in a successful drill within the key drill interval",
  severity: "high",
  sources: ["000", "004"],
  needs: ["users"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const custody = custodyOf(ctx);
    if (isFinding(custody)) return [custody];
    const records = accessRecordsOf(ctx);
    if (isFinding(records)) return [records];
    const interval = ctx.config.profile.keyDrillIntervalDays;
    const findings: Finding[] = [];
    // An account with no key in the registry has no key anyone drilled: never a vacuous pass.
    for (const account of ctx.accounts.resolved)
      if (!custody.keys.some((k) => accountIdOf(ctx, k.account) === account.id))
        findings.push({
          status: "fail",
          subject: userSubject(account),
          message: `${account.userPrincipalName ?? account.id} has no key in the custody registry, so none was proven in a drill`,
          evidence: { keys: 0 },
          remediation: { summary: "Register the account's keys in custody.yaml, then drill each" },
        });
    for (const key of [...custody.keys].sort((a, b) => a.label.localeCompare(b.label))) {
      const accountId = accountIdOf(ctx, key.account);
      if (!accountId) continue; // a key of another account: EA-OPS-03 reports registry entries that match no account
      const account = ctx.accounts.resolved.find((a) => a.id === accountId)!;
      const subject = userSubject(account);
      // The key is proven only where the drill's evidence proved it (its last use moved in the window).
      const proof = successfulDrills(records, accountId).find(
        (d) => d.key === key.label && d.evidence?.some((e) => e.item === EVIDENCE.key && e.status === "pass"),
      );
      const age = proof ? daysBetween(new Date(proof.finishedAt!), ctx.now) : undefined;
      const evidence = {
        key: key.label,
        drill: proof?.id ?? null,
        ageDays: age ?? null,
        intervalDays: interval,
      };
      if (proof && age! <= interval) {
        findings.push({
          status: "pass",
          subject,
          message: `key ${key.label} was proven in drill ${proof.id}, ${age} days ago`,
          evidence,
        });
        continue;
      }
      findings.push({
        status: "fail",
        subject,
        message: proof
          ? `key ${key.label} was last proven ${age} days ago (${proof.id}); each key is drilled every ${interval} days`
          : `key ${key.label} has never been proven in a drill: nobody knows it still works with its PIN`,
        evidence,
        remediation: {
          summary: "Drill the account with this key; the drill proves the key from its last use",
          command: `breakglass drill start ${account.userPrincipalName ?? account.id} --key ${key.label}`,
        },
      });
    }
    return findings;
  },
});
