/**
 * `--format sarif`: SARIF 2.1.0 for code scanning (docs/report.md "SARIF 2.1.0"). One rule per check,
 * one result per non-passing finding (fail -> error, warn -> warning, unknown -> note), each with a
 * physical location and a partial fingerprint from check id + subject id, so code scanning tracks a
 * finding across runs. An accepted finding (docs/config.md "accept") is a result at its own level
 * with an external suppression whose justification is the reason. A check that crashed is a tool
 * execution notification, not a result.
 */
import type * as Sarif from "sarif";
import { Fingerprinter } from "../checks/fingerprint.js";
import type { Status } from "../checks/types.js";
import type { Severity } from "../config/schema.js";
import { terminalInline } from "./escape.js";
import { stringifyJson } from "./json.js";
import { checkDocPath, checkDocUri } from "./links.js";
import { groupOf, type Report, type ReportCheck, type ReportFinding } from "./model.js";
import { subjectLabel } from "./text.js";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
/** The key of our partial fingerprint; bump the version if the fingerprint's inputs ever change. */
export const FINGERPRINT_KEY = "breakglassFinding/v1";

export interface SarifOptions {
  /**
   * Where every result is located, as a URI reference: the config file, else the snapshot file,
   * relative to the repository/working directory. Absent (a live run without a config file): a
   * stable tenant:// URI per subject.
   */
  artifactUri?: string;
  /** Markdown help per check id, from the checks' own docs. */
  help?: Readonly<Record<string, string | undefined>>;
  docsBaseUri?: string;
}

const LEVEL: Partial<Record<Status, Sarif.Result.level>> = {
  fail: "error",
  warn: "warning",
  unknown: "note",
};

/** A finding's level: an accepted one keeps the level of the status it would have without the acceptance. */
const levelOf = (f: ReportFinding): Sarif.Result.level | undefined =>
  LEVEL[f.status === "accepted" ? (f.acceptance?.findingStatus ?? "fail") : f.status];

/** GitHub code scanning reads `security-severity` (0-10) to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: "0.0",
};
const DEFAULT_LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** Tenant text in a SARIF message: controls shown escaped, brackets escaped (they would form links). */
const sarifText = (text: string): string => terminalInline(text).replace(/[[\]]/g, (c) => `\\${c}`);

export function renderSarif(report: Report, options: SarifOptions = {}): string {
  return stringifyJson(buildSarif(report, options));
}

export function buildSarif(report: Report, options: SarifOptions = {}): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = report.checks.map((check) => rule(check, options));
  const results: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];

  report.checks.forEach((check, ruleIndex) => {
    if (check.status === "error") {
      notifications.push({
        level: "error",
        message: { text: sarifText(`${check.id}: ${check.reason ?? "the check failed"}`) },
        associatedRule: { id: check.id, index: ruleIndex },
      });
    }
    const open = check.findings.filter((f) => levelOf(f) !== undefined);
    // A check that is not passing but has no finding saying so (data missing) still gets a result,
    // so code scanning shows that the check could not conclude.
    const reported: ReportFinding[] =
      open.length > 0 || LEVEL[check.status] === undefined
        ? open
        : [{ status: check.status, message: check.reason ?? `${check.title}: ${check.status}` }];
    const fingerprints = new Fingerprinter(check.id);
    for (const finding of reported)
      results.push(result(report, check, ruleIndex, finding, options, fingerprints));
  });

  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "breakglass",
            version: report.tool.version,
            ...(options.docsBaseUri !== undefined ? { informationUri: options.docsBaseUri } : {}),
            rules,
          },
        },
        automationDetails: { id: `breakglass/${encodeURIComponent(report.tenant.id)}/` },
        invocations: [
          {
            executionSuccessful: notifications.length === 0,
            endTimeUtc: report.generatedAt,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
        properties: {
          tenant: { id: report.tenant.id, displayName: report.tenant.displayName },
          asOf: report.asOf,
          source: report.source,
          configFile: report.configFile,
          accountsMethod: report.accounts.method,
          verdict: report.verdict,
        },
      },
    ],
  };
}

function rule(check: ReportCheck, options: SarifOptions): Sarif.ReportingDescriptor {
  const helpUri = options.docsBaseUri !== undefined ? checkDocUri(check.id, options.docsBaseUri) : undefined;
  const docs = options.help?.[check.id];
  const help = docs?.trim()
    ? { text: docs.trim(), markdown: docs.trim() }
    : {
        text: `${check.title} (severity ${check.severity}). See ${helpUri ?? `${checkDocPath(check.id)} in the Breakglass package`}`,
      };
  return {
    id: check.id,
    shortDescription: { text: check.title },
    fullDescription: { text: check.title },
    help,
    ...(helpUri !== undefined ? { helpUri } : {}),
    defaultConfiguration: { level: DEFAULT_LEVEL[check.severity] },
    properties: {
      "security-severity": SECURITY_SEVERITY[check.severity],
      tags: ["security", "breakglass", groupOf(check.id).title],
      severity: check.severity,
    },
  };
}

function result(
  report: Report,
  check: ReportCheck,
  ruleIndex: number,
  finding: ReportFinding,
  options: SarifOptions,
  fingerprints: Fingerprinter,
): Sarif.Result {
  const subject = finding.subject ?? { type: "tenant", id: report.tenant.id };
  // Two findings of one check on one subject (two offending policies, say) must not share a
  // fingerprint, or code scanning would merge them: the second gets its rank in the check's order.
  // The runner gave each finding its fingerprint the same way; a result made up here (a check
  // unknown without a finding) gets the next one.
  const counted = fingerprints.next(subject);
  const fingerprint = finding.fingerprint ?? counted;
  const accepted = finding.status === "accepted" && finding.acceptance !== undefined;

  const label = subjectLabel(finding.subject);
  const artifactUri =
    options.artifactUri ??
    `tenant://${encodeURIComponent(report.tenant.id)}/${encodeURIComponent(subject.type)}/${encodeURIComponent(subject.id)}`;
  return {
    ruleId: check.id,
    ruleIndex,
    level: levelOf(finding) ?? "error",
    message: { text: sarifText(label ? `${label}: ${finding.message}` : finding.message) },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri } },
        logicalLocations: [
          {
            name: terminalInline(subject.displayName ?? subject.id),
            fullyQualifiedName: terminalInline(`${subject.type}/${subject.id}`),
            kind: terminalInline(subject.type),
          },
        ],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
    ...(accepted
      ? {
          suppressions: [
            {
              kind: "external",
              status: "accepted",
              justification: terminalInline(finding.acceptance!.reason),
              properties: { expires: finding.acceptance!.expires },
            },
          ],
        }
      : {}),
    properties: {
      status: finding.status,
      ...(finding.acceptance ? { acceptance: finding.acceptance } : {}),
      severity: finding.severity ?? check.severity,
      ...(finding.evidence ? { evidence: finding.evidence } : {}),
      ...(finding.remediation ? { remediation: finding.remediation } : {}),
    },
  };
}
