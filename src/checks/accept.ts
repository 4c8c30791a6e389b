/**
 * Accepted findings (docs/config.md "accept"): an entry names a check and a finding of it (by
 * subject id or by fingerprint), why, and until when. A matching fail, warn or unknown finding is
 * `accepted` through the expiry date (UTC), then counts again with the acceptance marked expired.
 * Pure: the time comes from the context.
 */
import type { AcceptEntry } from "../config/schema.js";
import { FINGERPRINTED, Fingerprinter } from "./fingerprint.js";
import type { CheckResult, Finding, Status } from "./types.js";

/** The statuses an acceptance can turn into `accepted`: never an error (a bug) nor a pass. */
const ACCEPTABLE: readonly Status[] = ["fail", "warn", "unknown"];

/** The first instant after the expiry day: 2027-01-31 holds until 2027-02-01T00:00:00Z. */
export function expiryInstant(expires: string): Date {
  const day = new Date(`${expires}T00:00:00Z`);
  return new Date(day.getTime() + 24 * 60 * 60 * 1000);
}

export const isExpired = (entry: Pick<AcceptEntry, "expires">, at: Date): boolean =>
  at.getTime() >= expiryInstant(entry.expires).getTime();

/**
 * The findings of one check with their fingerprints, and the acceptances applied: each finding
 * is matched by the first entry that names it.
 */
export function applyAcceptances(
  checkId: string,
  findings: readonly Finding[],
  entries: readonly AcceptEntry[],
  tenantId: string,
  at: Date,
): Finding[] {
  const fingerprints = new Fingerprinter(checkId);
  const mine = entries.map((entry, index) => ({ entry, index })).filter((e) => e.entry.check === checkId);
  return findings.map((finding) => {
    if (!FINGERPRINTED.includes(finding.status)) return finding;
    const subject = finding.subject ?? { type: "tenant", id: tenantId };
    const fingerprint = fingerprints.next(subject);
    const match = ACCEPTABLE.includes(finding.status)
      ? mine.find(({ entry }) =>
          entry.fingerprint !== undefined ? entry.fingerprint === fingerprint : entry.subject === subject.id,
        )
      : undefined;
    if (!match) return { ...finding, fingerprint };
    const expired = isExpired(match.entry, at);
    return {
      ...finding,
      status: expired ? finding.status : "accepted",
      fingerprint,
      acceptance: {
        entry: match.index,
        reason: match.entry.reason,
        expires: match.entry.expires,
        expired,
        findingStatus: finding.status,
      },
    };
  });
}

/** "accept[2] (EA-ACC-07, subject 1f2e...)": how a warning names an entry. */
export const entryLabel = (entry: AcceptEntry, index: number): string =>
  `accept[${index}] (${entry.check}, ${entry.fingerprint !== undefined ? `fingerprint ${entry.fingerprint}` : `subject ${entry.subject}`})`;

/**
 * What to tell the reader about the configured acceptances after a run: the ones that matched no
 * finding (fixed, or misnamed) and the ones that expired (their findings count again). Warnings,
 * not errors: the run itself is sound.
 */
export function acceptanceWarnings(
  entries: readonly AcceptEntry[],
  results: readonly CheckResult[],
  at: Date,
): string[] {
  const matched = new Set<number>();
  const ran = new Set<string>();
  for (const result of results) {
    ran.add(result.id);
    for (const f of result.findings) if (f.acceptance) matched.add(f.acceptance.entry);
  }
  const warnings: string[] = [];
  entries.forEach((entry, index) => {
    const label = entryLabel(entry, index);
    if (isExpired(entry, at))
      warnings.push(
        `${label}: expired on ${entry.expires}${matched.has(index) ? "; its finding counts again" : ""}: renew it or remove it`,
      );
    else if (!matched.has(index))
      warnings.push(
        ran.has(entry.check)
          ? `${label}: matches no fail, warn or unknown finding (fixed, or a wrong subject or fingerprint): remove it`
          : `${label}: the check did not run: remove the entry or enable the check`,
      );
  });
  return warnings;
}

/** The entries naming a check the build does not have, as configuration problems (exit 2). */
export function unknownAcceptedChecks(entries: readonly AcceptEntry[], known: readonly string[]): string[] {
  const ids = new Set(known);
  return entries.flatMap((entry, index) =>
    ids.has(entry.check)
      ? []
      : [
          `accept[${index}].check: unknown check ${JSON.stringify(entry.check)}; known checks: ${known.join(", ")}`,
        ],
  );
}
