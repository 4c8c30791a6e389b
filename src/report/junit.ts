/**
 * `--format junit`: JUnit XML for CI test tabs (docs/report.md "JUnit XML"). One test suite per check
 * group, one test case per check: fail -> <failure>, unknown/error -> <error>, skip -> <skipped>,
 * each with the reason or the findings. Every string goes through `escapeXml`.
 */
import { escapeXml as x } from "./escape.js";
import { groupChecks, type Report, type ReportCheck } from "./model.js";
import { configLine, messageWithAcceptance, STATUS_LABEL, subjectLabel, verdictLine } from "./text.js";

export function renderJunit(report: Report): string {
  const groups = groupChecks(report.checks);
  const count = (checks: readonly ReportCheck[], ...statuses: string[]) =>
    checks.filter((c) => statuses.includes(c.status)).length;
  const all = report.checks;
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${x(`breakglass ${report.tenant.displayName ?? report.tenant.id}`)}" tests="${all.length}" failures="${count(all, "fail")}" errors="${count(all, "unknown", "error")}" skipped="${count(all, "skip")}" time="0" timestamp="${x(report.generatedAt)}">`,
  ];
  for (const group of groups) {
    const checks = group.checks;
    out.push(
      `  <testsuite name="${x(`${group.title} (EA-${group.key})`)}" tests="${checks.length}" failures="${count(checks, "fail")}" errors="${count(checks, "unknown", "error")}" skipped="${count(checks, "skip")}" time="0" timestamp="${x(report.generatedAt)}">`,
    );
    if (group === groups[0])
      out.push(
        `    <properties>`,
        `      <property name="tenant" value="${x(report.tenant.id)}"/>`,
        `      <property name="asOf" value="${x(report.asOf)}"/>`,
        `      <property name="source" value="${x(report.source)}"/>`,
        `      <property name="accountsMethod" value="${x(report.accounts.method)}"/>`,
        `      <property name="configFile" value="${x(configLine(report))}"/>`,
        `      <property name="verdict" value="${x(verdictLine(report))}"/>`,
        `    </properties>`,
      );
    for (const check of checks) out.push(...testcase(check, group.key));
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`, "");
  return out.join("\n");
}

function testcase(check: ReportCheck, groupKey: string): string[] {
  const open = `    <testcase classname="breakglass.EA-${x(groupKey)}" name="${x(`${check.id} ${check.title}`)}" time="0">`;
  const details = findingsText(check);
  switch (check.status) {
    case "fail":
      return [
        open,
        `      <failure message="${x(summary(check))}" type="fail">${x(details)}</failure>`,
        `    </testcase>`,
      ];
    case "unknown":
    case "error":
      return [
        open,
        `      <error message="${x(summary(check))}" type="${check.status}">${x(details)}</error>`,
        `    </testcase>`,
      ];
    case "skip":
      return [open, `      <skipped message="${x(check.reason ?? "not applicable")}"/>`, `    </testcase>`];
    case "warn":
    case "accepted":
      // A warning or an accepted finding is not a failure in CI, but the reader of the test tab should still see it.
      return [open, `      <system-out>${x(details)}</system-out>`, `    </testcase>`];
    default:
      return [open.replace(/>$/, "/>")];
  }
}

function summary(check: ReportCheck): string {
  const first = check.findings.find((f) => f.status === check.status);
  return `${STATUS_LABEL[check.status]} (${check.severity}): ${check.reason ?? first?.message ?? check.title}`;
}

function findingsText(check: ReportCheck): string {
  const lines: string[] = [];
  if (check.reason) lines.push(check.reason);
  for (const f of check.findings) {
    if (f.status === "pass") continue;
    const subject = subjectLabel(f.subject);
    lines.push(
      `${STATUS_LABEL[f.status]}${f.severity ? ` (${f.severity})` : ""}: ${subject ? `${subject}: ` : ""}${messageWithAcceptance(f)}`,
    );
    if (f.evidence) lines.push(`  evidence: ${JSON.stringify(f.evidence)}`);
    if (f.remediation) lines.push(`  fix: ${f.remediation.summary}`);
  }
  return lines.join("\n");
}
