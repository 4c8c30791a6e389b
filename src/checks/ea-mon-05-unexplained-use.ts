import {
  accessRecordsOf,
  accountLabel,
  daysBetween,
  defineCheck,
  isFinding,
  memo,
  needsAccounts,
  sortedAccounts,
  userSubject,
} from "./lib/index.js";
import { durationSeconds } from "../monitor/alerts.js";
import { type AccessWindow, windowExplaining, windowsOf } from "../records/windows.js";
import { unavailableReason } from "../snapshot/availability.js";
import { norm } from "../snapshot/directory.js";
import type { CheckContext, Finding } from "./types.js";

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

/** An Azure Monitor alert as the alerts API returns it (`azure.alerts`: those of the sign-in rules). */
interface Alert {
  id?: string | null;
  name?: string | null;
  properties?: { essentials?: { alertRule?: string | null; startDateTime?: string | null } | null } | null;
}

const DEFAULT_MAX_DELAY_S = 15 * 60;

/**
 * The sign-in rules' alert for an unexplained sign-in: one that started within `alert.maxDelay`
 * after it (a minute before allowed for clock skew). Says whether anybody was paged; it never
 * changes the verdict, which the sign-in alone decides.
 */
function alertEvidence(
  ctx: CheckContext,
  s: SignIn,
): { alert: Record<string, unknown> | null | string; note: string } {
  const reason = unavailableReason(ctx.snapshot, "azure.alerts");
  if (reason !== undefined) return { alert: `not read: ${reason}`, note: "" };
  const at = Date.parse(s.createdDateTime!);
  const delay = (durationSeconds(ctx.config.profile.alert.maxDelay) ?? DEFAULT_MAX_DELAY_S) * 1000;
  const fired = ((ctx.snapshot.azure?.alerts ?? []) as Alert[])
    .map((a) => ({ a, t: Date.parse(a.properties?.essentials?.startDateTime ?? "") }))
    .filter(({ t }) => t >= at - 60_000 && t <= at + delay)
    .sort((x, y) => x.t - y.t)[0];
  if (!fired)
    return {
      alert: null,
      note: `; no sign-in alert fired within ${Math.round(delay / 60_000)} minutes of it, so nobody was paged`,
    };
  const e = fired.a.properties!.essentials!;
  return {
    alert: { id: fired.a.id ?? null, rule: e.alertRule ?? null, startDateTime: e.startDateTime },
    note: `; the sign-in alert fired at ${e.startDateTime}`,
  };
}

/**
 * The lookback's sign-ins of the emergency accounts and the windows that explain them, once per
 * run: `evaluate` grades them and `needsFor` asks for the alerts only when one is unexplained.
 */
function graded(ctx: CheckContext) {
  return memo(ctx, "EA-MON-05", () => {
    const lookback = ctx.config.profile.signInLookbackDays;
    const ids = new Set(ctx.accounts.resolved.map((a) => norm(a.id)));
    const all = ((ctx.snapshot.signIns ?? []) as SignIn[]).filter((s) => ids.has(norm(s.userId)));
    const signIns = all.filter(
      (s) => s.createdDateTime && daysBetween(new Date(s.createdDateTime), ctx.now) <= lookback,
    );
    const records = ctx.records ? accessRecordsOf(ctx) : undefined;
    const windows: AccessWindow[] = records && !isFinding(records) ? windowsOf(records) : [];
    const explaining = (s: SignIn) => {
      const account = ctx.accounts.resolved.find((a) => norm(a.id) === norm(s.userId))!;
      return windowExplaining(windows, account, Date.parse(s.createdDateTime!));
    };
    const unexplained = ctx.records ? signIns.filter((s) => !explaining(s)) : [];
    return { lookback, all, signIns, unexplained: new Set(unexplained) };
  });
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
  // whether the alert fired is said of each unexplained sign-in (docs: azure.alerts)
  needsFor: (ctx) => (graded(ctx).unexplained.size ? ["azure.alerts"] : []),
  appliesTo: needsAccounts,
  evaluate(ctx) {
    // No records read (no configuration file): nothing could explain a sign-in, and "no sign-in"
    // alone is not what this check grades. Unknown, never pass.
    const records = accessRecordsOf(ctx);
    if (!ctx.records) return [records as Finding];
    const { lookback, all, signIns, unexplained } = graded(ctx);
    // Records read but none kept (no drill, use or enrollment yet) and nothing to explain: nothing
    // says the records are kept at all, so "no sign-in unexplained" is not a pass (docs/drills.md).
    if (!ctx.records.hasAccessRecords && signIns.length === 0) return [records as Finding];
    // A sign-in without a time cannot be placed in a window or the lookback: unknown, never ignored.
    const undated: Finding[] = all
      .filter((s) => !s.createdDateTime)
      .map((s) => ({
        status: "unknown",
        message: `sign-in ${s.id} of an emergency account has no createdDateTime: whether a window explains it cannot be told`,
        evidence: detailsOf(s),
      }));
    const findings: Finding[] = [...undated];
    for (const account of sortedAccounts(ctx)) {
      const subject = userSubject(account);
      const label = accountLabel(account);
      const own = signIns
        .filter((s) => norm(s.userId) === norm(account.id))
        .sort((a, b) => a.createdDateTime!.localeCompare(b.createdDateTime!));
      for (const s of own.filter((x) => unexplained.has(x))) {
        const success = (s.status?.errorCode ?? 0) === 0;
        const { alert, note } = alertEvidence(ctx, s);
        findings.push({
          status: success ? "fail" : "warn",
          subject,
          message: success
            ? `${label} signed in at ${s.createdDateTime} from ${s.ipAddress ?? "an unknown address"} with no drill, use or enrollment recorded: treat it as a possible compromise until explained${note}`
            : `${label}: a failed sign-in at ${s.createdDateTime} from ${s.ipAddress ?? "an unknown address"} (error ${s.status?.errorCode}): someone is trying the account${note}`,
          evidence: { ...detailsOf(s), alert },
          remediation: success
            ? {
                summary:
                  "Find out who signed in. If it was a real emergency, record it (breakglass use record); if nobody can explain it, follow the compromise steps of the runbook: revoke sessions, check the audit log of the window, re-enroll the keys",
                command: `breakglass use record ${account.userPrincipalName ?? account.id} --reason <why>`,
              }
            : { summary: "Review the failed sign-ins (IP, location, app) and the account's lockout state" },
        });
      }
      if (!own.some((x) => unexplained.has(x)))
        findings.push({
          status: "pass",
          subject,
          message: own.length
            ? `${label}: all ${own.length} sign-in(s) of the last ${lookback} days fall in a drill, use or enrollment window`
            : `${label}: no sign-in in the last ${lookback} days`,
          evidence: { lookbackDays: lookback, signIns: own.length },
        });
    }
    return findings;
  },
});
