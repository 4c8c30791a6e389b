/**
 * Builds the report object (docs/report.md) from the check results and their context. Nothing here
 * decides a check's status: that came from the runner. The report is plain JSON data, so that every
 * renderer works from exactly what `--format json` prints.
 */
import type { AccountResolution, CheckResult, Finding } from "../checks/types.js";
import type { Severity } from "../config/schema.js";
import { STATUS_ORDER } from "../checks/types.js";
import { REPORT_SCHEMA, type Report, type ReportAccounts, type ReportFinding } from "./model.js";
import { decideVerdict } from "./verdict.js";

export interface ReportInput {
  results: readonly CheckResult[];
  accounts: AccountResolution;
  tenant: { id: string; displayName?: string | null };
  /** the snapshot's capturedAt (or --now): "now" for every check. */
  asOf: string | Date;
  /** the wall clock of the run. */
  generatedAt: Date;
  /** "live" or "snapshot:<file name>". */
  source: string;
  /** the configuration file read, for display; null when the defaults applied. */
  configFile?: string | null;
  toolVersion: string;
  failOn: Severity;
  allowUnknown: boolean;
}

export function buildReport(input: ReportInput): Report {
  const checks = input.results.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    reason: r.reason ?? null,
    findings: r.findings.map(toReportFinding),
  }));
  const summary = Object.fromEntries(STATUS_ORDER.map((s) => [s, 0])) as Report["summary"];
  for (const check of checks) summary[check.status] += 1;
  return {
    schema: REPORT_SCHEMA,
    tool: { name: "breakglass", version: input.toolVersion },
    tenant: { id: input.tenant.id, displayName: input.tenant.displayName ?? null },
    generatedAt: isoSeconds(input.generatedAt),
    asOf: isoSeconds(new Date(input.asOf)),
    source: input.source,
    configFile: input.configFile ?? null,
    accounts: toReportAccounts(input.accounts),
    checks,
    summary,
    verdict: decideVerdict(checks, { failOn: input.failOn, allowUnknown: input.allowUnknown }),
  };
}

/** 2026-11-01T10:00:00Z: milliseconds only when there are some. */
function isoSeconds(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("not a valid date");
  return date.toISOString().replace(/\.000Z$/, "Z");
}

function toReportAccounts(a: AccountResolution): ReportAccounts {
  return {
    method: a.method,
    resolved: a.resolved.map((r) => ({
      id: r.id,
      ...(r.userPrincipalName !== undefined ? { userPrincipalName: r.userPrincipalName } : {}),
      ...(r.displayName !== undefined ? { displayName: r.displayName } : {}),
    })),
    unresolved: a.unresolved.map((u) => ({
      ref: u.ref,
      ...(u.deleted !== undefined ? { deleted: u.deleted } : {}),
      ...(u.restorableUntil !== undefined ? { restorableUntil: u.restorableUntil } : {}),
    })),
    candidates: (a.candidates ?? []).map((c) => ({
      id: c.id,
      ...(c.userPrincipalName !== undefined ? { userPrincipalName: c.userPrincipalName } : {}),
      score: c.score,
      reasons: [...c.reasons],
    })),
    ...(a.group ? { group: { id: a.group.id, displayName: a.group.displayName ?? null } } : {}),
    ...(a.unresolvedGroup !== undefined ? { unresolvedGroup: a.unresolvedGroup } : {}),
  };
}

function toReportFinding(f: Finding): ReportFinding {
  const out: ReportFinding = { status: f.status, message: f.message };
  if (f.severity) out.severity = f.severity;
  if (f.subject) {
    out.subject = { type: f.subject.type, id: f.subject.id };
    if (f.subject.displayName !== undefined) out.subject.displayName = f.subject.displayName;
  }
  if (f.evidence) out.evidence = toJsonValue(f.evidence, new Set()) as Record<string, unknown>;
  if (f.remediation) {
    const { summary, portal, graph, powershell, command } = f.remediation;
    out.remediation = { summary };
    if (portal !== undefined) out.remediation.portal = portal;
    if (graph !== undefined) out.remediation.graph = graph;
    if (powershell !== undefined) out.remediation.powershell = powershell;
    if (command !== undefined) out.remediation.command = command;
  }
  return out;
}

/**
 * Evidence is whatever a check read; make it plain JSON (dates as ISO strings, big integers and
 * non-finite numbers as strings, cycles cut) so that every format shows the same values.
 */
function toJsonValue(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== "object") return value === undefined ? null : String(value);
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => toJsonValue(v, seen));
    if (value instanceof Map) return toJsonValue(Object.fromEntries(value), seen);
    if (value instanceof Set) return toJsonValue([...value], seen);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}
