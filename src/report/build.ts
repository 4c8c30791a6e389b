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
  const out: ReportFinding = { status: f.status, message: boundString(f.message) };
  if (f.severity) out.severity = f.severity;
  if (f.subject) {
    out.subject = { type: f.subject.type, id: boundString(f.subject.id) };
    if (f.subject.displayName !== undefined)
      out.subject.displayName = f.subject.displayName === null ? null : boundString(f.subject.displayName);
  }
  if (f.evidence) out.evidence = toJsonValue(f.evidence, new Set()) as Record<string, unknown>;
  if (f.fingerprint !== undefined) out.fingerprint = f.fingerprint;
  if (f.acceptance) {
    const { entry, reason, expires, expired, findingStatus } = f.acceptance;
    out.acceptance = { entry, reason: boundString(reason), expires, expired, findingStatus };
  }
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
 * How much tenant data a report carries per finding. Evidence is whatever a check read, and tenant
 * data is hostile: without these bounds, 10,000-deep nesting overflows a renderer's stack and a
 * 50 MB display name makes every format 50 MB. Each cut leaves a marker saying what was cut.
 */
export const EVIDENCE_LIMITS = {
  /** levels of nesting below the evidence object. */
  depth: 32,
  /** characters of one string (messages, names, evidence values and keys). */
  string: 4096,
  /** items of one list, keys of one object. */
  items: 1000,
} as const;

/** A string of at most EVIDENCE_LIMITS.string characters, with the full length said when cut. */
export function boundString(text: string): string {
  if (text.length <= EVIDENCE_LIMITS.string) return text;
  // Do not split a surrogate pair at the cut.
  let end = EVIDENCE_LIMITS.string;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}...[cut: ${text.length} characters]`;
}

/**
 * Evidence as plain JSON (dates as ISO strings, big integers and non-finite numbers as strings,
 * cycles cut) within EVIDENCE_LIMITS, so that every format shows the same bounded values.
 */
function toJsonValue(value: unknown, seen: Set<object>, depth = 0): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "string") return boundString(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== "object") return value === undefined ? null : boundString(String(value));
  if (seen.has(value)) return "[circular]";
  if (depth >= EVIDENCE_LIMITS.depth) return `[cut: nested deeper than ${EVIDENCE_LIMITS.depth} levels]`;
  seen.add(value);
  try {
    if (value instanceof Map) return toJsonValue(Object.fromEntries(value), seen, depth);
    if (value instanceof Set) return toJsonValue([...value], seen, depth);
    if (Array.isArray(value)) {
      const kept = value.slice(0, EVIDENCE_LIMITS.items).map((v) => toJsonValue(v, seen, depth + 1));
      if (value.length > kept.length) kept.push(`[cut: ${value.length - kept.length} more items]`);
      return kept;
    }
    const out: Record<string, unknown> = {};
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    for (const [k, v] of entries.slice(0, EVIDENCE_LIMITS.items))
      out[boundString(k)] = toJsonValue(v, seen, depth + 1);
    if (entries.length > EVIDENCE_LIMITS.items)
      out["[cut]"] = `${entries.length - EVIDENCE_LIMITS.items} more keys`;
    return out;
  } finally {
    seen.delete(value);
  }
}
