/**
 * The pass/fail decision of `assess` (docs/report.md "Exit codes"): failed when a check at or above
 * `failOn` is `fail`, `unknown` or `error`; a finding's own severity counts; `allowUnknown` stops
 * `unknown` from counting. Decided once, here, and carried in the report so that the exit code and
 * every renderer agree.
 */
import { CHECK_SEVERITIES, type Severity } from "../config/schema.js";
import type { Status } from "../checks/types.js";
import type { ReportCheck, ReportVerdict } from "./model.js";

/** critical = 0 ... info = 4: lower is more severe. */
const rank = (s: Severity): number => CHECK_SEVERITIES.indexOf(s);

export const atOrAbove = (severity: Severity, threshold: Severity): boolean =>
  rank(severity) <= rank(threshold);

export interface VerdictOptions {
  failOn: Severity;
  allowUnknown: boolean;
}

export function decideVerdict(checks: readonly ReportCheck[], options: VerdictOptions): ReportVerdict {
  const counts = (s: Status) => s === "fail" || s === "error" || (s === "unknown" && !options.allowUnknown);
  const blocking = checks
    .filter((check) => {
      if (!counts(check.status)) return false;
      const bad = check.findings.filter((f) => counts(f.status));
      // A check that is unknown or in error without a finding saying so (missing data, a crash)
      // counts at its own severity.
      if (bad.length === 0) return atOrAbove(check.severity, options.failOn);
      return bad.some((f) => atOrAbove(f.severity ?? check.severity, options.failOn));
    })
    .map((check) => check.id);
  return {
    failed: blocking.length > 0,
    failOn: options.failOn,
    allowUnknown: options.allowUnknown,
    blocking,
  };
}
