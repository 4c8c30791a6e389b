/**
 * Where deploy puts detection (docs/deploy.md "Monitoring resources"): the Log Analytics workspace
 * the configuration names (`azure.subscriptionId`, `azure.resourceGroup`, `azure.workspace`), found
 * in the snapshot, and the names and ARM paths of what the monitoring kinds write there.
 */
import type { Config } from "../../config/schema.js";
import { unavailableReason } from "../../snapshot/availability.js";
import type { ArmResource, Snapshot } from "../../snapshot/schema.js";
import { PlanInputError, PlanReadError } from "../desired.js";

/** The api-versions of the ARM writes (docs/graph-writes.md §9). */
export const ARM_WRITE_VERSIONS = {
  diagnosticSettings: "2017-04-01",
  tables: "2022-10-01",
  actionGroups: "2023-01-01",
  scheduledQueryRules: "2023-12-01",
  sentinel: "2024-09-01",
} as const;

/** The tables whose interactive retention deploy raises (EA-MON-02). */
export const RETAINED_TABLES = ["SigninLogs", "AADNonInteractiveUserSignInLogs", "AuditLogs"] as const;

/**
 * How far back a rule's query reaches (the query time range, or the Sentinel look-back), while
 * `ingestion_time() > ago(<frequency>)` in the query keeps each event to the one run after its arrival:
 * an event that arrives up to this late is still caught, and none is reported twice.
 */
export const LOOKBACK = "PT1H";

export interface MonitoringTarget {
  subscriptionId: string;
  resourceGroup: string;
  /** `/subscriptions/{s}/resourceGroups/{rg}` as the configuration spells it */
  resourceGroupPath: string;
  /** the workspace's ARM id as the snapshot spells it */
  workspaceId: string;
  workspace: ArmResource;
  location: string;
  alertsIn: "azureMonitor" | "sentinel";
  prefix: string;
}

const lower = (s: unknown) => String(s ?? "").toLowerCase();

/** The snapshot sections the monitoring kinds read: a plan without one could miss a step. */
export function monitoringReads(config: Config): string[] {
  const base = ["azure.diagnosticSettings", "azure.workspaces", "azure.tables"];
  return config.azure.alertsIn === "sentinel"
    ? [...base, "azure.sentinelAlertRules", "azure.sentinelWatchlists"]
    : [...base, "azure.scheduledQueryRules", "azure.actionGroups"];
}

/** The target, or undefined when the configuration names no workspace (monitoring is not deployed). */
export function monitoringTarget(snapshot: Snapshot, config: Config): MonitoringTarget | undefined {
  const azure = config.azure;
  if (!azure.workspace) return undefined;
  if (!azure.subscriptionId || !azure.resourceGroup)
    throw new PlanInputError(
      "azure.workspace is set but azure.subscriptionId or azure.resourceGroup is not: name the workspace's subscription and resource group",
    );
  const missing = monitoringReads(config)
    .map((path) => [path, unavailableReason(snapshot, path)] as const)
    .filter(([, reason]) => reason !== undefined);
  if (missing.length)
    throw new PlanReadError(
      `cannot plan monitoring: the tenant read lacks ${missing.map(([p, r]) => `${p} (${r})`).join("; ")}`,
    );
  const resourceGroupPath = `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}`;
  const wanted = lower(
    `${resourceGroupPath}/providers/Microsoft.OperationalInsights/workspaces/${azure.workspace}`,
  );
  const workspace = (snapshot.azure?.workspaces ?? []).find((w) => lower(w.id) === wanted);
  if (!workspace?.id)
    throw new PlanInputError(
      `the workspace ${azure.workspace} (resource group ${azure.resourceGroup}, subscription ${azure.subscriptionId}) was not found; create it, or correct azure.workspace`,
    );
  const location =
    azure.location ??
    (typeof (workspace as { location?: unknown }).location === "string"
      ? String((workspace as { location?: unknown }).location)
      : undefined);
  if (!location) throw new PlanInputError("the workspace's location could not be read: set azure.location");
  return {
    subscriptionId: azure.subscriptionId,
    resourceGroup: azure.resourceGroup,
    resourceGroupPath,
    workspaceId: workspace.id,
    workspace,
    location,
    alertsIn: azure.alertsIn ?? "azureMonitor",
    prefix: azure.rulePrefix ?? "breakglass",
  };
}

export const armProperties = (r: ArmResource | undefined): Record<string, unknown> =>
  r && r.properties && typeof r.properties === "object" ? (r.properties as Record<string, unknown>) : {};

export const findArm = (list: readonly ArmResource[] | undefined, id: string): ArmResource | undefined =>
  (list ?? []).find((r) => lower(r.id) === lower(id));
