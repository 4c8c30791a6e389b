/**
 * Access windows: the spans of time in which a sign-in of an emergency account is expected, and so
 * explained (EA-MON-05 and `logs scan`). Drill, use and enrollment records produce them; `logs scan`
 * and EA-MON-05 only read them, so they stay independent of how the records are kept.
 */

export interface AccessWindow {
  kind: "drill" | "use" | "enrollment";
  /** the record's id */
  id: string;
  /** the account's object id or userPrincipalName, as its record names it */
  account: string;
  /** ISO 8601 */
  start: string;
  /** ISO 8601; absent while the window is still open (a drill started, not finished) */
  end?: string;
}

/** The first window of `account` (id or UPN, either matching, case-insensitively) that holds `at`. */
export function windowExplaining(
  windows: readonly AccessWindow[],
  account: { id?: string | null; userPrincipalName?: string | null },
  at: number,
): AccessWindow | undefined {
  const names = [account.id, account.userPrincipalName]
    .filter((n): n is string => typeof n === "string" && n !== "")
    .map((n) => n.toLowerCase());
  return windows.find((w) => {
    if (!names.includes(w.account.toLowerCase())) return false;
    const start = Date.parse(w.start);
    const end = w.end === undefined ? Number.POSITIVE_INFINITY : Date.parse(w.end);
    return at >= start && at <= end;
  });
}

/**
 * How long a window explains sign-ins after it opened while it is still open, and a real use's
 * window at most, closed or not: a drill never finished or a use never closed must not explain
 * the account's sign-ins forever (docs/drills.md "Windows").
 */
export const OPEN_WINDOW_HOURS = 24;
const OPEN_WINDOW_MS = OPEN_WINDOW_HOURS * 3_600_000;

/** The end of a window opened at `start`: its record's finish, capped as OPEN_WINDOW_HOURS says. */
function windowEnd(kind: AccessWindow["kind"], start: string, finishedAt: string | undefined): string {
  const cap = Date.parse(start) + OPEN_WINDOW_MS;
  if (finishedAt === undefined) return new Date(cap).toISOString();
  return kind === "use" && Date.parse(finishedAt) > cap ? new Date(cap).toISOString() : finishedAt;
}

/** The windows drill, use and enrollment records open (src/records/access.ts), one per record. */
export const windowsOf = (
  records: ReadonlyArray<{
    kind: AccessWindow["kind"];
    id: string;
    account: { id: string };
    startedAt: string;
    finishedAt?: string;
  }>,
): AccessWindow[] =>
  records.map((r) => ({
    kind: r.kind,
    id: r.id,
    account: r.account.id,
    start: r.startedAt,
    end: windowEnd(r.kind, r.startedAt, r.finishedAt),
  }));
