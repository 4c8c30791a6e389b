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
  /** ISO 8601; absent while the window is still open (a drill started, not finished): see OPEN_WINDOW_MAX_MS */
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
    return at >= Date.parse(w.start) && at <= windowEnd(w);
  });
}

/**
 * How long a window explains sign-ins after it opened while it is still open (a drill started and
 * not finished, an enrollment killed before its cleanup), and a real use's window at most, closed
 * or not: a drill takes minutes and an enrollment at most its `--timeout`; an open window that
 * explained every later sign-in would hide a compromise for good (docs/drills.md "Windows").
 */
export const OPEN_WINDOW_HOURS = 24;
export const OPEN_WINDOW_MAX_MS = OPEN_WINDOW_HOURS * 3_600_000;

/** Where a window stops explaining: its end, or for one still open its start plus OPEN_WINDOW_MAX_MS. */
export const windowEnd = (w: AccessWindow): number =>
  w.end === undefined ? Date.parse(w.start) + OPEN_WINDOW_MAX_MS : Date.parse(w.end);

/** The end of a record's window: its finish, capped as OPEN_WINDOW_HOURS says. */
function recordWindowEnd(kind: AccessWindow["kind"], start: string, finishedAt: string | undefined): string {
  const cap = Date.parse(start) + OPEN_WINDOW_MAX_MS;
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
    end: recordWindowEnd(r.kind, r.startedAt, r.finishedAt),
  }));
