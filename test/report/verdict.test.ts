import { describe, expect, it } from "vitest";
import { decideVerdict } from "../../src/report/verdict.js";
import type { ReportCheck } from "../../src/report/model.js";

const check = (over: Partial<ReportCheck>): ReportCheck => ({
  id: "EA-ACC-04",
  title: "t",
  severity: "high",
  status: "pass",
  reason: null,
  findings: [],
  ...over,
});

describe("the verdict", () => {
  it("counts a finding's own severity", () => {
    const federated = check({
      status: "fail",
      findings: [{ status: "fail", severity: "critical", message: "federated" }],
    });
    expect(decideVerdict([federated], { failOn: "critical", allowUnknown: false }).failed).toBe(true);
    const plain = check({ status: "fail", findings: [{ status: "fail", message: "custom domain" }] });
    expect(decideVerdict([plain], { failOn: "critical", allowUnknown: false }).failed).toBe(false);
    const lowered = check({ status: "fail", findings: [{ status: "fail", severity: "low", message: "x" }] });
    expect(decideVerdict([lowered], { failOn: "high", allowUnknown: false }).failed).toBe(false);
  });
  it("never fails on warn or skip; fails on unknown unless allowed, and always on error", () => {
    const warn = check({
      status: "warn",
      severity: "critical",
      findings: [{ status: "warn", message: "x" }],
    });
    const skip = check({ status: "skip", severity: "critical", reason: "no P1" });
    expect(decideVerdict([warn, skip], { failOn: "info", allowUnknown: false }).failed).toBe(false);
    const unknown = check({ status: "unknown", severity: "critical", reason: "signIns: 403" });
    expect(decideVerdict([unknown], { failOn: "high", allowUnknown: false }).blocking).toEqual(["EA-ACC-04"]);
    expect(decideVerdict([unknown], { failOn: "high", allowUnknown: true }).failed).toBe(false);
    const error = check({ status: "error", severity: "medium", reason: "the check failed: bug" });
    expect(decideVerdict([error], { failOn: "medium", allowUnknown: true }).failed).toBe(true);
    expect(decideVerdict([error], { failOn: "high", allowUnknown: true }).failed).toBe(false);
  });
  it("lists the blocking checks in catalogue order", () => {
    const a = check({ id: "EA-ACC-01", status: "fail", findings: [{ status: "fail", message: "x" }] });
    const b = check({ id: "EA-CA-05", status: "unknown", severity: "critical" });
    expect(decideVerdict([a, b], { failOn: "high", allowUnknown: false }).blocking).toEqual([
      "EA-ACC-01",
      "EA-CA-05",
    ]);
  });
});
