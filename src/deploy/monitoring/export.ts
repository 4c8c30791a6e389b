/**
 * The rules deploy writes, as files for teams that deploy detection from their own repository
 * (`breakglass export-rules`): an ARM deployment template, Bicep, or the analytics-rule YAML of the
 * Azure-Sentinel repository. Every family is exported, adopted or not: the files stand alone.
 * Pure: the caller writes the files.
 */
import { stringify } from "yaml";
import type { Config } from "../../config/schema.js";
import { Directory } from "../../snapshot/directory.js";
import type { Snapshot } from "../../snapshot/schema.js";
import * as accounts from "../accounts.js";
import { desiredState, PlanInputError } from "../desired.js";
import * as group from "../group.js";
import type { Planning } from "../planning.js";
import { actionGroupSteps, monitorRuleBody, sentinelRuleBody, sentinelRuleName } from "./alerts.js";
import { kqlTimespan } from "./kql-build.js";
import { type RuleSpec, ruleSpecs } from "./rules.js";
import { ARM_WRITE_VERSIONS, monitoringTarget, type MonitoringTarget } from "./target.js";

export const EXPORT_FORMATS = ["arm", "bicep", "sentinel-yaml"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

type Json = Record<string, unknown>;

/** One exported rule: where it goes and the body ARM takes. */
export interface ExportedRule {
  spec: RuleSpec;
  /** the ARM resource id (without api-version) */
  id: string;
  type: string;
  apiVersion: string;
  name: string;
  body: Json;
}

/** The rules of the configuration on this tenant: the accounts and group must exist. */
export function exportedRules(snapshot: Snapshot, config: Config, format: ExportFormat): ExportedRule[] {
  const t = monitoringTarget(snapshot, config);
  if (!t)
    throw new PlanInputError(
      "export-rules needs azure.subscriptionId, azure.resourceGroup and azure.workspace",
    );
  const directory = new Directory(snapshot);
  const p: Planning = {
    snapshot,
    config,
    profile: config.profile,
    directory,
    desired: desiredState(snapshot, config, directory),
    ids: { accounts: new Map() },
    enrollment: { accounts: [], complete: false },
  };
  const found = accounts.read(p);
  const missing = found.filter((a) => !a.user).map((a) => a.account.configured);
  if (missing.length)
    throw new PlanInputError(
      `export-rules names accounts by object id: ${missing.join(", ")} do not exist yet (apply first)`,
    );
  const accountIds = found.map((a) => a.user!.id.toLowerCase()).sort();
  const groupId = group.read(p).group?.id?.toLowerCase();
  const specs = ruleSpecs({
    accountIds,
    ...(groupId ? { groupId } : {}),
    frequency: config.profile.alert.maxFrequency,
  });
  // the YAML format is Sentinel's; the others follow azure.alertsIn
  const sentinel = format === "sentinel-yaml" || t.alertsIn === "sentinel";
  const actionGroupId = sentinel ? undefined : actionGroupSteps(p, t).id;
  if (!sentinel && !actionGroupId)
    throw new PlanInputError("azure.actionGroup is required: the log search alerts notify it");
  return specs.map((spec) => ruleOf(spec, t, config, sentinel, actionGroupId));
}

function ruleOf(
  spec: RuleSpec,
  t: MonitoringTarget,
  config: Config,
  sentinel: boolean,
  actionGroupId: string | undefined,
): ExportedRule {
  const frequency = config.profile.alert.maxFrequency;
  if (sentinel) {
    const name = sentinelRuleName(t, spec);
    return {
      spec,
      id: `${t.workspaceId}/providers/Microsoft.SecurityInsights/alertRules/${name}`,
      type: "Microsoft.SecurityInsights/alertRules",
      apiVersion: ARM_WRITE_VERSIONS.sentinel,
      name,
      body: sentinelRuleBody(spec, t, frequency),
    };
  }
  const name = `${t.prefix}-${spec.suffix}`;
  return {
    spec,
    id: `${t.resourceGroupPath}/providers/Microsoft.Insights/scheduledQueryRules/${name}`,
    type: "Microsoft.Insights/scheduledQueryRules",
    apiVersion: ARM_WRITE_VERSIONS.scheduledQueryRules,
    name,
    body: monitorRuleBody(spec, t, frequency, actionGroupId!),
  };
}

/**
 * An ARM deployment template for `az deployment group create` in the workspace's resource group. A
 * Sentinel rule is an extension resource of the workspace: its `scope` names the workspace.
 */
export function armTemplate(rules: readonly ExportedRule[], workspaceName: string): Json {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    resources: rules.map((r) => ({
      type: r.type,
      apiVersion: r.apiVersion,
      name: r.name,
      ...(r.type === "Microsoft.SecurityInsights/alertRules"
        ? { scope: `[format('Microsoft.OperationalInsights/workspaces/{0}', '${workspaceName}')]` }
        : {}),
      ...r.body,
    })),
  };
}

/** A Bicep string literal: `'` and `\` escaped, `${` kept literal, control characters as escapes. */
export function bicepString(s: string): string {
  let out = "'";
  for (const ch of s) {
    if (ch === "'") out += "\\'";
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "$") out += "\\$";
    else if (ch.charCodeAt(0) < 0x20) out += `\\u{${ch.charCodeAt(0).toString(16)}}`;
    else out += ch;
  }
  return `${out}'`;
}

function bicepValue(v: unknown, indent: string): string {
  if (typeof v === "string") return bicepString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  const inner = `${indent}  `;
  if (Array.isArray(v))
    return v.length ? `[\n${v.map((x) => `${inner}${bicepValue(x, inner)}`).join("\n")}\n${indent}]` : "[]";
  const entries = Object.entries(v as Json).filter(([, x]) => x !== undefined);
  if (!entries.length) return "{}";
  const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : bicepString(k));
  return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${bicepValue(x, inner)}`).join("\n")}\n${indent}}`;
}

export function bicepFile(rules: readonly ExportedRule[], workspaceName: string): string {
  const sentinel = rules.some((r) => r.type === "Microsoft.SecurityInsights/alertRules");
  const lines = ["// Generated by breakglass export-rules: the emergency access detection rules.", ""];
  if (sentinel)
    lines.push(
      `resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {`,
      `  name: ${bicepString(workspaceName)}`,
      "}",
      "",
    );
  rules.forEach((r, i) => {
    const { properties, ...rest } = r.body;
    const body: Json = { name: r.name, ...(sentinel ? { scope: "__WORKSPACE__" } : {}), ...rest, properties };
    const text = bicepValue(body, "").replace(`'__WORKSPACE__'`, "workspace");
    lines.push(`resource rule${i} '${r.type}@${r.apiVersion}' = ${text}`, "");
  });
  return lines.join("\n");
}

/** `PT5M` -> `5m`, the duration form of the Azure-Sentinel repository's YAML. */
const yamlDuration = (iso: string): string => kqlTimespan(iso);

/**
 * A rule in the analytics-rule YAML of the Azure-Sentinel repository: the fields its template
 * validation requires of a Scheduled rule (id, name, description, severity, requiredDataConnectors,
 * queryFrequency, queryPeriod, triggerOperator, triggerThreshold, tactics, query, version, kind),
 * with the account entity mapped.
 */
export function sentinelYaml(rule: ExportedRule): string {
  const p = rule.body.properties as Json;
  const dataTypes =
    rule.spec.family === "signin" ? ["SigninLogs", "AADNonInteractiveUserSignInLogs"] : ["AuditLogs"];
  const doc: Json = {
    id: rule.name,
    name: p.displayName,
    description: rule.spec.description,
    severity: p.severity,
    requiredDataConnectors: [{ connectorId: "AzureActiveDirectory", dataTypes }],
    queryFrequency: yamlDuration(String(p.queryFrequency)),
    queryPeriod: yamlDuration(String(p.queryPeriod)),
    triggerOperator: "gt",
    triggerThreshold: 0,
    tactics: rule.spec.tactics,
    relevantTechniques: ["T1078.004"],
    query: `${rule.spec.query}\n`,
    ...(rule.spec.family === "signin"
      ? {
          entityMappings: [
            {
              entityType: "Account",
              fieldMappings: [{ identifier: "AadUserId", columnName: "UserId" }],
            },
          ],
        }
      : {}),
    incidentConfiguration: p.incidentConfiguration,
    eventGroupingSettings: p.eventGroupingSettings,
    version: "1.0.0",
    kind: "Scheduled",
  };
  return stringify(doc, { lineWidth: 0, blockQuote: "literal" });
}

/** The files of a format: name -> content. */
export function exportFiles(
  rules: readonly ExportedRule[],
  format: ExportFormat,
  workspaceName: string,
): Map<string, string> {
  const out = new Map<string, string>();
  if (format === "arm")
    out.set("breakglass-rules.json", `${JSON.stringify(armTemplate(rules, workspaceName), null, 2)}\n`);
  else if (format === "bicep") out.set("breakglass-rules.bicep", bicepFile(rules, workspaceName));
  else
    for (const r of rules)
      out.set(`${(r.body.properties as Json).displayName as string}.yaml`, sentinelYaml(r));
  return out;
}
