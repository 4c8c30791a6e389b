import {
  accessRecordsOf,
  accountLabel,
  daysBetween,
  defineCheck,
  isFinding,
  needsAccounts,
  sortedAccounts,
  userSubject,
} from "./lib/index.js";
import { windowExplaining, windowsOf } from "../records/windows.js";
import { norm } from "../snapshot/directory.js";
import type { Finding } from "./types.js";

interface SignIn {
  id: string;
  userId?: string | null;
  createdDateTime?: string | null;
  status?: { errorCode?: number | null; failureReason?: string | null } | null;
  ipAddress?: string | null;
  appDisplayName?: string | null;
  clientAppUsed?: string | null;
  location?: { city?: string | null; countryOrRegion?: string | null } | null;
}

const detailsOf = (s: SignIn) => ({
  id: s.id,
  at: s.createdDateTime ?? null,
  ip: s.ipAddress ?? null,
  app: s.appDisplayName ?? null,
  client: s.clientAppUsed ?? null,
  location: [s.location?.city, s.location?.countryOrRegion].filter(Boolean).join(", ") || null,
  errorCode: s.status?.errorCode ?? null,
});

export const check = defineCheck(import.meta.url, {
  id: "EA-MON-05",
  title: "Every emergency sign-in is explained by a drill, a recorded use or an enrollment",
  severity: "critical",
  sources: ["001"],
  needs: ["users", "signIns"],
  appliesTo: needsAccounts,
  evaluate(ctx) {
    // No records read (no configuration file): nothing could explain a sign-in, and "no sign-in"
    // alone is not what this check grades. Unknown, never pass.
    const records = accessRecordsOf(ctx);
    if (!ctx.records) return [records as Finding];
    const lookback = ctx.config.profile.signInLookbackDays;
    const ids = new Set(ctx.accounts.resolved.map((a) => norm(a.id)));
    const signIns = ((ctx.snapshot.signIns ?? []) as SignIn[]).filter(
      (s) =>
        ids.has(norm(s.userId)) &&
        s.createdDateTime &&
        daysBetween(new Date(s.createdDateTime), ctx.now) <= lookback,
    );
    // A sign-in without a time cannot be placed in a window or the lookback: unknown, never ignored.
    const undated: Finding[] = ((ctx.snapshot.signIns ?? []) as SignIn[])
      .filter((s) => ids.has(norm(s.userId)) && !s.createdDateTime)
      .map((s) => ({
        status: "unknown",
        message: `sign-in ${s.id} of an emergency account has no createdDateTime: whether a window explains it cannot be told`,
        evidence: detailsOf(s),
      }));
    if (signIns.length === 0)
      return [
        ...undated,
        ...sortedAccounts(ctx).map((a) => ({
          status: "pass" as const,
          subject: userSubject(a),
          message: `${accountLabel(a)}: no sign-in in the last ${lookback} days`,
          evidence: { lookbackDays: lookback, signIns: 0 },
        })),
      ];
    // There are sign-ins: only the records' windows explain them (no drill, use or enrollment
    // recorded: none is explained).
    const windows = isFinding(records) ? undefined : windowsOf(records);
    const findings: Finding[] = [...undated];
    for (const account of sortedAccounts(ctx)) {
      const subject = userSubject(account);
      const label = accountLabel(account);
      const own = signIns
        .filter((s) => norm(s.userId) === norm(account.id))
        .sort((a, b) => a.createdDateTime!.localeCompare(b.createdDateTime!));
      let explained = 0;
      for (const s of own) {
        const window = windows
          ? windowExplaining(windows, account, Date.parse(s.createdDateTime!))
          : undefined;
        if (window) {
          explained++;
          continue;
        }
        const success = (s.status?.errorCode ?? 0) === 0;
        findings.push({
          status: success ? "fail" : "warn",
          subject,
          message: success
            ? `${label} signed in at ${s.createdDateTime} from ${s.ipAddress ?? "an unknown address"} with no drill, use or enrollment recorded: treat it as a possible compromise until explained`
            : `${label}: a failed sign-in at ${s.createdDateTime} from ${s.ipAddress ?? "an unknown address"} (error ${s.status?.errorCode}): someone is trying the account`,
          evidence: detailsOf(s),
          remediation: success
            ? {
                summary:
                  "Find out who signed in. If it was a real emergency, record it (breakglass use record); if nobody can explain it, follow the compromise steps of the runbook: revoke sessions, check the audit log of the window, re-enroll the keys",
                command: `breakglass use record ${account.userPrincipalName ?? account.id} --reason <why>`,
              }
            : { summary: "Review the failed sign-ins (IP, location, app) and the account's lockout state" },
        });
      }
      if (own.length && explained === own.length)
        findings.push({
          status: "pass",
          subject,
          message: `${label}: all ${own.length} sign-in(s) of the last ${lookback} days fall in a drill, use or enrollment window`,
          evidence: { lookbackDays: lookback, signIns: own.length },
        });
      else if (!own.length)
        findings.push({
          status: "pass",
          subject,
          message: `${label}: no sign-in in the last ${lookback} days`,
          evidence: { lookbackDays: lookback, signIns: 0 },
        });
    }
    return findings;
  },
});
