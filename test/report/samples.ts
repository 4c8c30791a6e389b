/**
 * Reports of real size for the renderers' size and browser tests: the mid-size sample tenant graded
 * by the real check catalogue, and a generated report with as many findings as a test asks for.
 */
import { buildCheckContext, CHECKS } from "../../src/checks/registry.js";
import { runChecks } from "../../src/checks/runner.js";
import { buildReport } from "../../src/report/build.js";
import type { Report, ReportCheck } from "../../src/report/model.js";
import { decideVerdict } from "../../src/report/verdict.js";
import { join } from "node:path";
import { loadCheckRecords } from "../../src/records/check-records.js";
import { FileRecordStore } from "../../src/records/store.js";
import { FIXTURES, fixtureConfig, loadFixture } from "../e2e/helpers.js";

/** Every check's source ids, as `assess` hands them to the renderers. */
export const CHECK_SOURCES: Record<string, string[]> = Object.fromEntries(
  CHECKS.map((c) => [c.id, c.sources]),
);

export async function midsizeReport(): Promise<Report> {
  const snapshot = await loadFixture("midsize");
  const config = await fixtureConfig("midsize");
  // with its records (custody.yaml, drills/ in fixtures/tenants/midsize/), as the demo grades it
  const records = await loadCheckRecords(new FileRecordStore(join(FIXTURES, "midsize")));
  const context = buildCheckContext(snapshot, config, records);
  return buildReport({
    results: runChecks(CHECKS, context),
    accounts: context.accounts,
    tenant: { id: snapshot.tenant.id, displayName: snapshot.tenant.displayName ?? null },
    asOf: snapshot.tenant.capturedAt,
    generatedAt: new Date("2026-11-01T10:00:05Z"),
    source: "snapshot:midsize.json",
    configFile: "fixtures/tenants/midsize/breakglass.yaml",
    toolVersion: "0.0.0-test",
    failOn: "high",
    allowUnknown: false,
  });
}

/**
 * The mid-size report with its failing checks padded to `findings` findings in all (each with a
 * message, evidence and a fix of realistic length): a large tenant's report.
 */
export async function largeReport(findings: number): Promise<Report> {
  const base = await midsizeReport();
  const failing = base.checks.filter((c) => c.status === "fail");
  const have = base.checks.reduce((sum, c) => sum + c.findings.length, 0);
  const checks: ReportCheck[] = base.checks.map((c) => ({ ...c, findings: [...c.findings] }));
  for (let i = 0; i < findings - have; i++) {
    const check = checks.find((c) => c.id === failing[i % failing.length]!.id)!;
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    check.findings.push({
      status: "fail",
      subject: { type: "user", id, displayName: `Generated user ${i} with a long display name` },
      message: `Generated finding ${i}: user ${id} holds a setting the emergency setup forbids, and the check explains at length why it matters and what breaks.`,
      evidence: { id, values: Array.from({ length: 8 }, (_, k) => `value-${i}-${k}`) },
      remediation: {
        summary: "Change the setting so the emergency account cannot be locked out or taken over.",
        portal: `Microsoft Entra admin center > Identity > Users > All users > ${id} > Properties`,
        graph: `PATCH https://graph.microsoft.com/v1.0/users/${id} {"accountEnabled":true}`,
      },
    });
  }
  return { ...base, checks, verdict: decideVerdict(checks, { failOn: "high", allowUnknown: false }) };
}
