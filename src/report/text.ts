/**
 * Wording shared by the renderers: labels for statuses, subjects and the verdict line. Pure
 * formatting of what the report says; the verdict itself is `report.verdict`.
 */
import type { Status } from "../checks/types.js";
import { clip } from "./escape.js";
import { blockingBySeverity } from "./order.js";
import type { Report, ReportAccounts, ReportFinding } from "./model.js";

export const STATUS_LABEL: Record<Status, string> = {
  error: "ERROR",
  fail: "FAIL",
  unknown: "UNKNOWN",
  warn: "WARN",
  accepted: "ACCEPTED",
  pass: "PASS",
  skip: "SKIP",
};

/** The longest tenant string a table or a terminal line shows before cutting it (with its length said). */
export const MAX_NAME = 120;

/** The one-line verdict every format starts with. Returns raw text: each renderer escapes it. */
export function verdictLine(report: Report): string {
  const v = report.verdict;
  const scope = `at or above ${v.failOn}${v.allowUnknown ? " (unknown allowed)" : ""}`;
  if (v.failed) {
    const n = v.blocking.length;
    return `FAIL: ${n} check${n === 1 ? "" : "s"} ${scope} not met: ${v.blocking.join(", ")}`;
  }
  const warned = report.summary.warn + report.summary.fail + report.summary.unknown + report.summary.error;
  return warned > 0
    ? `PASS: no check ${scope} failed; ${warned} below the threshold to look at`
    : `PASS: every check ${scope} met`;
}

/**
 * The verdict as a headline, for reports that list the blocking checks right below it (fix first):
 * their number by severity instead of their ids. Raw text.
 */
export function verdictHeadline(report: Report): string {
  const v = report.verdict;
  if (!v.failed) return verdictLine(report);
  const n = v.blocking.length;
  const scope = `at or above ${v.failOn}${v.allowUnknown ? " (unknown allowed)" : ""}`;
  return `FAIL: ${n} check${n === 1 ? "" : "s"} ${scope} not met (${blockingBySeverity(report)})`;
}

/** "breakglass.yaml" or what happened when there was none; raw text. */
export const configLine = (report: Report): string =>
  report.configFile ?? "none found (./breakglass.yaml, ./breakglass.json): every default applies";

export const METHOD_LABEL: Record<ReportAccounts["method"], string> = {
  config: "listed in the configuration (accounts)",
  "config+group": "listed in the configuration (accounts), checked against the emergency group",
  group: "members of the emergency group named in the configuration",
  discovered: "DISCOVERED by heuristics: no accounts or group configured; name them in breakglass.yaml",
};

/**
 * "user Display Name (id)" for a finding's subject; raw text (each renderer escapes it). The name and
 * id are cut to `max` characters each when given, so a long name cannot push the id out of view.
 */
export function subjectLabel(subject: ReportFinding["subject"], max?: number): string | undefined {
  if (!subject) return undefined;
  const cut = (s: string) => (max === undefined ? s : clip(s, max));
  return subject.displayName
    ? `${subject.type} ${cut(subject.displayName)} (${cut(subject.id)})`
    : `${subject.type} ${cut(subject.id)}`;
}

/**
 * What an acceptance says beside its finding: "accepted until 2027-01-31: <reason>", or, once the
 * date has passed, "acceptance expired on 2027-01-31 (<reason>)". Raw text.
 */
export function acceptanceNote(f: ReportFinding): string | undefined {
  const a = f.acceptance;
  if (!a) return undefined;
  return a.expired
    ? `acceptance expired on ${a.expires} (accept[${a.entry}]: ${a.reason}): counts again`
    : `accepted until ${a.expires} (was ${a.findingStatus}): ${a.reason}`;
}

/** A finding's message with its acceptance note, if any. Raw text. */
export const messageWithAcceptance = (f: ReportFinding): string => {
  const note = acceptanceNote(f);
  return note ? `${f.message} [${note}]` : f.message;
};

/** Evidence as one line of JSON (for consoles and tables). */
export const evidenceLine = (evidence: Record<string, unknown>): string => JSON.stringify(evidence);
