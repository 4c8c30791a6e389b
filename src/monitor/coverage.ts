/**
 * Does some alert that reaches a person watch a given log row? Combines the rule analysis
 * (alerts.ts) with the query analysis (kql.ts) and keeps, for every row, the best rule and why the
 * others fall short, so a finding can show its evidence.
 */
import type { Config } from "../config/schema.js";
import type { AlertRule } from "./alerts.js";
import { timingProblems } from "./alerts.js";
import type { LogRow, WatchVerdict } from "./kql.js";
import { watchVerdict } from "./kql.js";

export type CoverageStatus = "pass" | "warn" | "unknown" | "fail";
const RANK: CoverageStatus[] = ["pass", "warn", "unknown", "fail"];
export const betterOf = (a: CoverageStatus, b: CoverageStatus): CoverageStatus =>
  RANK.indexOf(a) <= RANK.indexOf(b) ? a : b;
export const worseOf = (a: CoverageStatus, b: CoverageStatus): CoverageStatus =>
  RANK.indexOf(a) >= RANK.indexOf(b) ? a : b;

export interface RuleVerdict {
  rule: string;
  ruleId: string;
  source: AlertRule["source"];
  status: CoverageStatus;
  reasons: string[];
  /** query excerpts the verdict rests on. */
  excerpts: string[];
}

export interface RowCoverage {
  status: CoverageStatus;
  /** the best rule for the row, when one watches it. */
  best?: RuleVerdict;
  /** every rule considered, best first. */
  rules: RuleVerdict[];
}

export interface CoverageOptions {
  /** the workspaces (lower-case ARM ids) the rule must run on. */
  workspaces: string[];
  /** the rule must name the principal (false for "any Conditional Access policy change"). */
  requireIdentity: boolean;
  /** apply the sign-in timing rules (frequency, window). */
  timing?: boolean;
  config: Config;
}

function bestWatch(rule: AlertRule, row: LogRow, requireIdentity: boolean): WatchVerdict {
  const order = ["watched", "warn", "unknown", "not-watched"];
  let best: WatchVerdict | undefined;
  for (const q of rule.queries) {
    const v = watchVerdict(q, row, requireIdentity);
    if (!best || order.indexOf(v.status) < order.indexOf(best.status)) best = v;
  }
  return best ?? { status: "not-watched", reason: "the rule has no query", excerpts: [] };
}

export function ruleVerdict(rule: AlertRule, row: LogRow, opts: CoverageOptions): RuleVerdict {
  const base = { rule: rule.name, ruleId: rule.id, source: rule.source };
  if (!rule.workspaceIds.some((w) => opts.workspaces.includes(w)))
    return {
      ...base,
      status: "fail",
      reasons: [
        `it runs on ${rule.workspaceIds.join(", ") || "no workspace"}, not on ${opts.workspaces.join(", ") || "a workspace receiving these logs"}`,
      ],
      excerpts: [],
    };
  const watch = bestWatch(rule, row, opts.requireIdentity);
  let status: CoverageStatus =
    watch.status === "watched"
      ? "pass"
      : watch.status === "warn"
        ? "warn"
        : watch.status === "unknown"
          ? "unknown"
          : "fail";
  const reasons = [`query: ${watch.reason}`];
  const reach = rule.reach === "reaches" ? "pass" : rule.reach === "fails" ? "fail" : rule.reach;
  status = worseOf(status, reach);
  reasons.push(...rule.reasons);
  if (opts.timing) {
    const timing = timingProblems(rule, opts.config);
    if (timing.length) {
      status = worseOf(status, "fail");
      reasons.push(...timing);
    }
  }
  return { ...base, status, reasons, excerpts: watch.excerpts };
}

export function rowCoverage(rules: AlertRule[], row: LogRow, opts: CoverageOptions): RowCoverage {
  const verdicts = rules
    .map((r) => ruleVerdict(r, row, opts))
    .sort((a, b) => RANK.indexOf(a.status) - RANK.indexOf(b.status) || a.ruleId.localeCompare(b.ruleId));
  const best = verdicts[0];
  if (!best) return { status: "fail", rules: [] };
  return { status: best.status, best: best.status === "fail" ? undefined : best, rules: verdicts };
}
