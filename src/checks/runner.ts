/**
 * Runs checks and turns their findings into one status per check:
 * the worst finding wins; no finding is `pass` only when every need was readable, else `unknown`.
 * Accepted findings (docs/config.md "accept") are applied here, so a check whose open findings are
 * all accepted is `accepted` and the verdict never counts it.
 * A check that throws is `error` (a bug), never `pass`.
 */
import { applyAcceptances } from "./accept.js";
import { isAvailable, unavailableReason } from "../snapshot/availability.js";
import type { Check, CheckContext, CheckResult, Finding, Need } from "./types.js";
import { worstStatus } from "./types.js";

/** The needs that could not be read, with their reasons (an `anyOf` need is missing only when all are). */
export function missingNeeds(ctx: CheckContext, needs: Need[]): string[] {
  const missing: string[] = [];
  for (const need of needs) {
    if (typeof need === "string") {
      const reason = unavailableReason(ctx.snapshot, need);
      if (reason !== undefined) missing.push(`${need}: ${reason}`);
    } else if (!need.anyOf.some((p) => isAvailable(ctx.snapshot, p))) {
      missing.push(
        `none of ${need.anyOf.join(", ")} could be read (${need.anyOf
          .map((p) => unavailableReason(ctx.snapshot, p))
          .join("; ")})`,
      );
    }
  }
  return missing;
}

export function runCheck(check: Check, ctx: CheckContext): CheckResult {
  const override = ctx.config.checks[check.id];
  const severity = override?.severity ?? check.severity;
  const base = { id: check.id, title: check.title, severity };
  // A check that throws is a bug: `error`, never `pass`.
  const failed = (err: unknown): CheckResult => ({
    ...base,
    status: "error",
    reason: `the check failed: ${err instanceof Error ? err.message : String(err)}`,
    findings: [],
  });
  if (override?.enabled === false) {
    return { ...base, status: "skip", reason: `disabled in config: ${override.reason}`, findings: [] };
  }
  let findings: Finding[];
  try {
    const notApplicable = check.appliesTo?.(ctx);
    if (notApplicable !== undefined) return { ...base, status: "skip", reason: notApplicable, findings: [] };
    findings = applyAcceptances(
      check.id,
      check.evaluate(ctx),
      ctx.config.accept ?? [],
      ctx.snapshot.tenant.id,
      ctx.acceptAt ?? ctx.now,
    );
  } catch (err) {
    return failed(err);
  }
  let missing: string[];
  try {
    missing = missingNeeds(ctx, [...check.needs, ...(check.needsFor?.(ctx) ?? [])]);
  } catch (err) {
    return failed(err);
  }
  const worst = worstStatus(findings.map((f) => f.status));
  // A check that found nothing worse than a warning but lacked data does not pass: it is unknown,
  // because the unreadable part could hold a failure. A proven fail stands beside missing data.
  if (
    missing.length > 0 &&
    (worst === undefined || worst === "pass" || worst === "warn" || worst === "accepted")
  ) {
    return { ...base, status: "unknown", reason: `data not readable: ${missing.join("; ")}`, findings };
  }
  if (worst === undefined || worst === "pass") {
    return { ...base, status: "pass", reason: null, findings };
  }
  if (worst === "skip") {
    const reason = findings.find((f) => f.status === "skip")?.message ?? "not applicable";
    return { ...base, status: "skip", reason, findings };
  }
  const unknownReason =
    worst === "unknown"
      ? (findings.find((f) => f.status === "unknown")?.message ?? `data not readable: ${missing.join("; ")}`)
      : null;
  return { ...base, status: worst, reason: unknownReason, findings };
}

export function runChecks(checks: readonly Check[], ctx: CheckContext): CheckResult[] {
  return checks.map((c) => runCheck(c, ctx));
}
