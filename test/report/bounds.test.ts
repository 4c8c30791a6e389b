/**
 * Evidence is tenant data of any shape: cut at a fixed depth, string length and item count, with a
 * marker saying so, so 10,000-deep nesting or a 50 MB string renders in every format.
 */
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/checks/types.js";
import { buildReport, EVIDENCE_LIMITS } from "../../src/report/build.js";
import { FORMATS, render } from "../../src/report/render.js";

function deep(levels: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i++) value = i % 2 ? { next: value } : [value];
  return value;
}

const huge = "x".repeat(50 * 1024 * 1024);

function reportWith(evidence: Record<string, unknown>, message = "found") {
  const result: CheckResult = {
    id: "EA-ACC-02",
    title: "Enabled",
    severity: "critical",
    status: "fail",
    findings: [{ status: "fail", message, subject: { type: "user", id: "u1", displayName: huge }, evidence }],
  } as CheckResult;
  return buildReport({
    results: [result],
    accounts: { method: "config", resolved: [], unresolved: [] } as never,
    tenant: { id: "t", displayName: "Contoso" },
    asOf: "2026-11-01T00:00:00Z",
    generatedAt: new Date("2026-11-01T00:00:00Z"),
    source: "test",
    toolVersion: "0",
    failOn: "high",
    allowUnknown: false,
  });
}

describe("evidence bounds", () => {
  const report = reportWith(
    { nested: deep(10_000), name: huge, many: Array.from({ length: 100_000 }, (_, i) => i) },
    huge,
  );
  const finding = report.checks[0]!.findings[0]!;

  it("cuts depth, strings and long lists with an explicit marker", () => {
    const text = JSON.stringify(finding.evidence);
    expect(text).toContain(`[cut: nested deeper than ${EVIDENCE_LIMITS.depth} levels]`);
    expect(text).toContain(`[cut: ${huge.length} characters]`);
    expect(text).toContain(`[cut: ${100_000 - EVIDENCE_LIMITS.items} more items]`);
    expect(text.length).toBeLessThan(200_000);
    expect(finding.message.length).toBeLessThan(EVIDENCE_LIMITS.string + 100);
    expect(finding.subject!.displayName!.length).toBeLessThan(EVIDENCE_LIMITS.string + 100);
  });

  it.each(FORMATS)("renders %s without crashing, within bounds", (format) => {
    // verbose: the console shows evidence only when asked to (the other formats ignore it).
    const out = render(format, report, { verbose: true });
    expect(out.length).toBeLessThan(1_000_000);
    // The comment-sized summary shows no evidence, so it has nothing to cut.
    if (format !== "markdown-summary") expect(out).toMatch(/cut/);
  });
});
