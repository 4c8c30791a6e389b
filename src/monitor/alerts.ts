/**
 * Where Entra logs go, and which alert rules reach a person (docs/checks.md "Monitoring (EA-MON)").
 *
 * Workspaces are resolved per log category from the `microsoft.aadiam` diagnostic settings; the
 * "sign-in workspace" receives both sign-in categories. An alert reaches a person when:
 * - Azure Monitor scheduled query rule: enabled; one condition counting rows, GreaterThan 0, over one
 *   of one evaluation periods; no mute duration; an enabled action group with at least one receiver.
 *   `autoMitigate` true (Microsoft's default when the property is absent) warns: the alert stays
 *   fired and a second sign-in is silent.
 * - Sentinel Scheduled or NRT rule: enabled and creates incidents.
 * In both, the severity must be at most `alert.maxSeverity` (Sentinel High = 0, Medium = 2).
 */
import type { Config } from "../config/schema.js";
import type { ArmResource, Snapshot } from "../snapshot/schema.js";
import { isAvailable, unavailableReason } from "../snapshot/availability.js";
import type { QueryAnalysis, WatchlistData } from "./kql.js";
import { analyzeQuery } from "./kql.js";

export const SIGNIN_CATEGORIES = ["SignInLogs", "NonInteractiveUserSignInLogs"] as const;
export const AUDIT_CATEGORY = "AuditLogs";
export const REQUIRED_CATEGORIES = [...SIGNIN_CATEGORIES, AUDIT_CATEGORY] as const;

/** Diagnostic-setting category -> Log Analytics table. */
export const TABLE_OF_CATEGORY: Record<string, string> = {
  SignInLogs: "SigninLogs",
  NonInteractiveUserSignInLogs: "AADNonInteractiveUserSignInLogs",
  AuditLogs: "AuditLogs",
};

const lower = (s: string | null | undefined) => (s ?? "").toLowerCase();
type Json = Record<string, unknown>;
const asObject = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** An ARM resource's `properties`, as read (ARM sends open-ended JSON; every read below narrows it). */
const props = (r: { properties?: unknown }): Json => asObject(r.properties);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

// ---------------------------------------------------------------------------------------------
// Workspaces

export interface CategoryRoute {
  setting: string;
  /** the workspace ARM id, lower-case. */
  workspaceId: string;
}

export interface WorkspaceResolution {
  /** category -> the workspaces (lower-case ARM ids) that receive it, with the setting that sends it. */
  routes: Map<string, CategoryRoute[]>;
  /** workspaces receiving both sign-in categories, sorted. */
  signInWorkspaces: string[];
  /** workspaces receiving AuditLogs, sorted. */
  auditWorkspaces: string[];
}

export function categoryEnabled(logs: unknown, category: string): boolean {
  if (!Array.isArray(logs)) return false;
  return logs.some((entry: unknown) => {
    const l = asObject(entry);
    return (
      l.enabled === true &&
      (lower(str(l.category)) === category.toLowerCase() || lower(str(l.categoryGroup)) === "alllogs")
    );
  });
}

export function resolveWorkspaces(snapshot: Snapshot): WorkspaceResolution {
  const routes = new Map<string, CategoryRoute[]>();
  const settings = [...(snapshot.azure?.diagnosticSettings ?? [])].sort((a, b) =>
    lower(a.id ?? a.name).localeCompare(lower(b.id ?? b.name)),
  );
  for (const category of REQUIRED_CATEGORIES) {
    const list: CategoryRoute[] = [];
    for (const s of settings) {
      const p = props(s);
      const ws = typeof p.workspaceId === "string" ? p.workspaceId : "";
      if (!ws || !categoryEnabled(p.logs, category)) continue;
      list.push({ setting: s.name ?? s.id ?? "(unnamed)", workspaceId: ws.toLowerCase() });
    }
    routes.set(category, list);
  }
  const wsOf = (c: string) => new Set((routes.get(c) ?? []).map((r) => r.workspaceId));
  const [interactive, nonInteractive] = SIGNIN_CATEGORIES.map(wsOf) as [Set<string>, Set<string>];
  return {
    routes,
    signInWorkspaces: [...interactive].filter((w) => nonInteractive.has(w)).sort(),
    auditWorkspaces: [...wsOf(AUDIT_CATEGORY)].sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// Durations

/** ISO 8601 duration to seconds (days as 24 h); undefined when it is not one. */
export function durationSeconds(iso: unknown): number | undefined {
  if (typeof iso !== "string") return undefined;
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(iso.trim());
  if (!m || iso.trim().toUpperCase() === "P" || iso.trim().toUpperCase().endsWith("T")) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * 604800 +
    Number(d ?? 0) * 86400 +
    Number(h ?? 0) * 3600 +
    Number(min ?? 0) * 60 +
    Number(s ?? 0)
  );
}

// ---------------------------------------------------------------------------------------------
// Rules

export type ReachStatus = "reaches" | "warn" | "fails" | "unknown";

export interface AlertRule {
  source: "azureMonitor" | "sentinel";
  id: string;
  name: string;
  /** the ARM resource type, for evidence. */
  kind: string;
  queries: QueryAnalysis[];
  /** the workspaces (lower-case ARM ids) the query runs on. */
  workspaceIds: string[];
  reach: ReachStatus;
  /** why it does not reach a person, or what to look at. */
  reasons: string[];
  severity?: number;
  frequencySeconds?: number;
  windowSeconds?: number;
  frequency?: string;
  window?: string;
}

const RECEIVER_KINDS = [
  "emailReceivers",
  "smsReceivers",
  "voiceReceivers",
  "azureAppPushReceivers",
  "webhookReceivers",
  "armRoleReceivers",
  "logicAppReceivers",
  "azureFunctionReceivers",
  "automationRunbookReceivers",
  "eventHubReceivers",
  "itsmReceivers",
];

function worseReach(a: ReachStatus, b: ReachStatus): ReachStatus {
  const order: ReachStatus[] = ["fails", "unknown", "warn", "reaches"];
  return order.indexOf(a) <= order.indexOf(b) ? a : b;
}

function actionGroupVerdict(snapshot: Snapshot, ids: unknown): { reach: ReachStatus; reasons: string[] } {
  const list = Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
  if (list.length === 0) return { reach: "fails", reasons: ["it names no action group: nobody is notified"] };
  if (!isAvailable(snapshot, "azure.actionGroups"))
    return {
      reach: "unknown",
      reasons: [`action groups could not be read (${unavailableReason(snapshot, "azure.actionGroups")})`],
    };
  const groups = new Map((snapshot.azure?.actionGroups ?? []).map((g) => [lower(g.id), g]));
  const notes: string[] = [];
  for (const id of [...list].sort()) {
    const g = groups.get(lower(id));
    if (!g) {
      notes.push(`action group ${id} does not exist`);
      continue;
    }
    const p = props(g);
    if (p.enabled === false) {
      notes.push(`action group ${g.name ?? id} is disabled`);
      continue;
    }
    const receivers = RECEIVER_KINDS.flatMap((k) => asArray(p[k]).map(asObject)).filter(
      (r) => lower(str(r.status)) !== "disabled",
    );
    if (receivers.length === 0) {
      notes.push(`action group ${g.name ?? id} has no enabled receiver`);
      continue;
    }
    return { reach: "reaches", reasons: [] };
  }
  return { reach: "fails", reasons: notes };
}

/** The watchlists of the workspaces a rule runs on (a watchlist lives in one workspace). */
function watchlistsOf(snapshot: Snapshot, workspaceIds: string[]): WatchlistData[] {
  const inWorkspace = (w: ArmResource) =>
    workspaceIds.some((ws) =>
      lower(w.id).startsWith(`${ws}/providers/microsoft.securityinsights/watchlists/`),
    );
  return (snapshot.azure?.sentinelWatchlists ?? []).filter(inWorkspace).map((w) => {
    const p = props(w);
    const rawItems = asArray((w as { items?: unknown }).items).map(asObject);
    return {
      alias: String(p.watchlistAlias ?? w.name ?? ""),
      searchKey: typeof p.itemsSearchKey === "string" ? p.itemsSearchKey : undefined,
      items: rawItems.map((i) => {
        const kv = asObject(i.properties).itemsKeyValue ?? i.itemsKeyValue ?? i;
        return kv && typeof kv === "object" ? (kv as Record<string, unknown>) : {};
      }),
    };
  });
}

function azureMonitorRule(snapshot: Snapshot, r: ArmResource, config: Config): AlertRule {
  const p = props(r);
  const reasons: string[] = [];
  let reach: ReachStatus = "reaches";
  const failWith = (why: string) => {
    reach = worseReach(reach, "fails");
    reasons.push(why);
  };
  if (p.enabled !== true) failWith("the rule is disabled");
  const kind = (r as { kind?: unknown }).kind;
  if (kind !== undefined && kind !== null && kind !== "LogAlert" && kind !== "SimpleLogAlert")
    failWith(`kind ${String(kind)} does not raise alerts`);
  const conditions = asArray(asObject(p.criteria).allOf).map(asObject);
  if (conditions.length !== 1)
    failWith(`it has ${conditions.length} conditions; one condition counting the query's rows is expected`);
  const c: Json = conditions[0] ?? {};
  if (c.timeAggregation !== "Count")
    failWith(`timeAggregation is ${c.timeAggregation ?? "not set"}, not Count`);
  if (c.operator !== "GreaterThan" || c.threshold !== 0)
    failWith(`it fires on ${c.operator ?? "?"} ${c.threshold ?? "?"}, not GreaterThan 0`);
  const periods = asObject(c.failingPeriods);
  const evaluated = periods.numberOfEvaluationPeriods ?? 1;
  const failing = periods.minFailingPeriodsToAlert ?? 1;
  if (evaluated !== 1 || failing !== 1)
    failWith(`it needs ${failing} of ${evaluated} evaluation periods, not 1 of 1`);
  const mute = p.muteActionsDuration;
  if (mute !== undefined && mute !== null && durationSeconds(mute) !== 0)
    failWith(`actions are muted for ${mute} after it fires`);
  const ag = actionGroupVerdict(snapshot, asObject(p.actions).actionGroups);
  reach = worseReach(reach, ag.reach);
  reasons.push(...ag.reasons);
  const severity = typeof p.severity === "number" ? p.severity : undefined;
  if (severity === undefined) failWith("it has no severity");
  else if (severity > config.profile.alert.maxSeverity)
    failWith(`severity ${severity} is above the profile's maximum ${config.profile.alert.maxSeverity}`);
  if (p.autoMitigate !== false) {
    reach = worseReach(reach, "warn");
    reasons.push(
      `autoMitigate is ${p.autoMitigate === undefined ? "not set (true by default)" : "true"}: the alert stays fired and a second sign-in is silent`,
    );
  }
  const workspaceIds = (Array.isArray(p.scopes) ? p.scopes : []).map((s: unknown) => lower(String(s))).sort();
  const queries = conditions
    .map((x) => x.query)
    .filter((q): q is string => typeof q === "string")
    .map((q) => analyzeQuery(q, watchlistsOf(snapshot, workspaceIds)));
  return {
    source: "azureMonitor",
    id: r.id ?? r.name ?? "",
    name: String(p.displayName ?? r.name ?? r.id ?? ""),
    kind: "Microsoft.Insights/scheduledQueryRules",
    queries,
    workspaceIds,
    reach,
    reasons,
    severity,
    frequency: str(p.evaluationFrequency),
    // overrideQueryTimeRange replaces the window the query looks at (Azure Monitor documentation).
    window: str(p.overrideQueryTimeRange) ?? str(p.windowSize),
    frequencySeconds: durationSeconds(p.evaluationFrequency),
    windowSeconds: durationSeconds(p.overrideQueryTimeRange ?? p.windowSize),
  };
}

export const SENTINEL_SEVERITY: Record<string, number> = { high: 0, medium: 2, low: 3, informational: 4 };

/** The workspace of a Sentinel rule: its ARM id up to `/providers/Microsoft.SecurityInsights`. */
export function sentinelWorkspace(ruleId: string): string | undefined {
  const i = lower(ruleId).indexOf("/providers/microsoft.securityinsights/");
  return i > 0 ? lower(ruleId).slice(0, i) : undefined;
}

function sentinelRule(
  snapshot: Snapshot,
  r: ArmResource & { kind?: string | null },
  config: Config,
): AlertRule {
  const p = props(r);
  const kind = String(r.kind ?? "");
  const reasons: string[] = [];
  let reach: ReachStatus = "reaches";
  const failWith = (why: string) => {
    reach = worseReach(reach, "fails");
    reasons.push(why);
  };
  if (kind !== "Scheduled" && kind !== "NRT") failWith(`kind ${kind || "(none)"} is not Scheduled or NRT`);
  if (p.enabled !== true) failWith("the rule is disabled");
  if (asObject(p.incidentConfiguration).createIncident !== true) failWith("it does not create incidents");
  const severity = SENTINEL_SEVERITY[lower(str(p.severity))];
  if (severity === undefined) failWith(`severity ${p.severity ?? "(none)"} is unknown`);
  else if (severity > config.profile.alert.maxSeverity)
    failWith(
      `severity ${p.severity} (${severity}) is above the profile's maximum ${config.profile.alert.maxSeverity}`,
    );
  if (kind === "Scheduled") {
    const op = lower(str(p.triggerOperator));
    if (!(op === "greaterthan" || op === "gt") || p.triggerThreshold !== 0)
      failWith(`it triggers on ${p.triggerOperator ?? "?"} ${p.triggerThreshold ?? "?"}, not GreaterThan 0`);
    if (p.suppressionEnabled === true) {
      reach = worseReach(reach, "warn");
      reasons.push(`suppression is on for ${p.suppressionDuration ?? "?"}: a second sign-in is silent`);
    }
  }
  const workspace = sentinelWorkspace(r.id ?? "");
  // NRT rules run every minute over the last minute (Microsoft Sentinel documentation).
  const frequency = kind === "NRT" ? "PT1M" : str(p.queryFrequency);
  const window = kind === "NRT" ? "PT1M" : str(p.queryPeriod);
  return {
    source: "sentinel",
    id: r.id ?? r.name ?? "",
    name: String(p.displayName ?? r.name ?? r.id ?? ""),
    kind: `Microsoft.SecurityInsights/alertRules (${kind || "?"})`,
    queries:
      typeof p.query === "string"
        ? [analyzeQuery(p.query, watchlistsOf(snapshot, workspace ? [workspace] : []))]
        : [],
    workspaceIds: workspace ? [workspace] : [],
    reach,
    reasons,
    severity,
    frequency,
    window,
    frequencySeconds: durationSeconds(frequency),
    windowSeconds: durationSeconds(window),
  };
}

/** Every alert rule of the snapshot, Azure Monitor and Sentinel, in a stable order. */
export function alertRules(snapshot: Snapshot, config: Config): AlertRule[] {
  const out: AlertRule[] = [];
  for (const r of snapshot.azure?.scheduledQueryRules ?? []) out.push(azureMonitorRule(snapshot, r, config));
  for (const r of snapshot.azure?.sentinelAlertRules ?? []) out.push(sentinelRule(snapshot, r, config));
  return out.sort((a, b) => lower(a.id).localeCompare(lower(b.id)) || a.name.localeCompare(b.name));
}

/** Timing for sign-in alerts (EA-MON-03): frequency at most the profile's, window at least the frequency. */
export function timingProblems(rule: AlertRule, config: Config): string[] {
  const max = durationSeconds(config.profile.alert.maxFrequency);
  const out: string[] = [];
  if (rule.frequencySeconds === undefined)
    out.push(`its frequency ${rule.frequency ?? "(none)"} is not a duration`);
  else if (max !== undefined && rule.frequencySeconds > max)
    out.push(`it runs every ${rule.frequency}, less often than ${config.profile.alert.maxFrequency}`);
  if (rule.windowSeconds === undefined) out.push(`its window ${rule.window ?? "(none)"} is not a duration`);
  else if (rule.frequencySeconds !== undefined && rule.windowSeconds < rule.frequencySeconds)
    out.push(
      `its window ${rule.window} is shorter than its frequency ${rule.frequency}: sign-ins fall between runs`,
    );
  return out;
}

/** Which alert sources could not be read (each is an alternative way to meet a monitoring check). */
export function unreadableAlertSources(snapshot: Snapshot): string[] {
  return ["azure.scheduledQueryRules", "azure.sentinelAlertRules"]
    .filter((p) => !isAvailable(snapshot, p))
    .map((p) => `${p}: ${unavailableReason(snapshot, p)}`);
}
