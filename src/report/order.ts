/**
 * Presentation order shared by the console, HTML and Markdown reports: checks most severe first,
 * the "fix first" list, and how many subjects a check names. Ordering and counting only: every
 * status and the verdict come from the report as the runner and `decideVerdict` left them.
 */
import { CHECK_SEVERITIES, type Severity } from "../config/schema.js";
import { STATUS_ORDER, type Status } from "../checks/types.js";
import type { Report, ReportCheck, ReportFinding } from "./model.js";

const severityRank = (s: Severity): number => CHECK_SEVERITIES.indexOf(s);
const statusRank = (s: Status): number => STATUS_ORDER.indexOf(s);

/**
 * Checks by severity (critical first), then status (error, fail, unknown, warn, pass, skip), then
 * catalogue order: a reader meets the critical lockout check before a medium naming rule.
 */
export function bySeverity<T extends Pick<ReportCheck, "severity" | "status">>(checks: readonly T[]): T[] {
  return checks
    .map((check, index) => ({ check, index }))
    .sort(
      (a, b) =>
        severityRank(a.check.severity) - severityRank(b.check.severity) ||
        statusRank(a.check.status) - statusRank(b.check.status) ||
        a.index - b.index,
    )
    .map((x) => x.check);
}

/** The statuses the fix-first list holds: what is broken, and what could not be shown to work. */
export const FIX_FIRST_STATUSES: readonly Status[] = ["error", "fail", "unknown"];

/** The findings a reader acts on (everything but pass), in the order the check gave them. */
export const openFindings = (check: ReportCheck): ReportFinding[] =>
  check.findings.filter((f) => f.status !== "pass");

export interface FixFirstEntry {
  check: ReportCheck;
  /** "2 users", "4 policies", "3 subjects"; undefined when no finding names a subject. */
  subjects: string | undefined;
  /** the one thing to run or open: a command, else a portal path, else a Graph request, else the summary. */
  fix: { kind: "command" | "portal" | "graph" | "summary"; text: string } | undefined;
  /** true when the check's findings name more than one distinct fix (the detail lists them all). */
  moreFixes: boolean;
}

/** Every failing, erroring and unknown check, most severe first, with its subjects and its fix. */
export function fixFirst(report: Report): FixFirstEntry[] {
  return bySeverity(report.checks.filter((c) => FIX_FIRST_STATUSES.includes(c.status))).map((check) => {
    const open = openFindings(check);
    const fixes = open.map((f) => oneFix(f)).filter((f) => f !== undefined);
    return {
      check,
      subjects: subjectCount(open),
      fix: fixes[0],
      moreFixes: new Set(fixes.map((f) => f.text)).size > 1,
    };
  });
}

/** A finding's one fix: a command beats a portal path beats a Graph request beats the prose. */
export function oneFix(f: ReportFinding): FixFirstEntry["fix"] {
  const r = f.remediation;
  if (!r) return undefined;
  if (r.command) return { kind: "command", text: r.command };
  if (r.portal) return { kind: "portal", text: r.portal };
  if (r.graph) return { kind: "graph", text: r.graph };
  return { kind: "summary", text: r.summary };
}

const PLURAL: Record<string, string> = { policy: "policies", authenticationStrength: "strengths" };
const plural = (type: string, n: number) =>
  n === 1 ? (type === "authenticationStrength" ? "strength" : type) : (PLURAL[type] ?? `${type}s`);

/** "2 users" when every subject is of one type, else "3 subjects"; distinct subject ids counted once. */
export function subjectCount(findings: readonly ReportFinding[]): string | undefined {
  const byId = new Map<string, string>();
  for (const f of findings) if (f.subject) byId.set(`${f.subject.type}\u0000${f.subject.id}`, f.subject.type);
  if (byId.size === 0) return undefined;
  const types = new Set(byId.values());
  const type = types.size === 1 ? [...types][0]! : "subject";
  return `${byId.size} ${plural(type, byId.size)}`;
}

/** How many checks the verdict names at each severity: "3 critical, 6 high". */
export function blockingBySeverity(report: Report): string {
  const severityOf = new Map(report.checks.map((c) => [c.id, c.severity]));
  const counts = new Map<Severity, number>();
  for (const id of report.verdict.blocking) {
    const s = severityOf.get(id);
    if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return CHECK_SEVERITIES.filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(", ");
}
