/**
 * actionGroup, signinAlert, auditAlerts and sentinel (docs/deploy.md steps 12-15).
 *
 * - actionGroup: the group named by `azure.actionGroup.id` is used as it is (it must exist); else
 *   deploy keeps its own group (`azure.actionGroup.name`) with exactly the configured receivers.
 * - signinAlert / auditAlerts (Azure Monitor log search alerts, `azure.alertsIn: azureMonitor`):
 *   one rule per family, so a change to one does not silence the others. A family already covered
 *   (as EA-MON-03/04 judge it, on the state after the earlier monitoring steps) by any rule is
 *   adopted: no step, whatever the rule is called. Otherwise deploy's own rule for the family is
 *   created, or replaced (ARM PUT) when someone edited it.
 * - sentinel (`azure.alertsIn: sentinel`): the same families as Scheduled analytics rules that
 *   create incidents (stable api-version; NRT is preview-only, docs/graph-writes.md §9), and a
 *   watchlist of the accounts' object ids.
 */
import { createHash } from "node:crypto";
import { alertRules, resolveWorkspaces } from "../../monitor/alerts.js";
import { rowCoverage } from "../../monitor/coverage.js";
import { auditFamilies } from "../../monitor/families.js";
import type { KqlEntity } from "../../monitor/kql.js";
import { SIGNIN_TABLES } from "../../monitor/kql.js";
import type { ArmResource, Snapshot } from "../../snapshot/schema.js";
import { PlanInputError } from "../desired.js";
import type { Planning } from "../planning.js";
import { fingerprint, makeStep } from "../step.js";
import type { ObjectType, PropertyChange, Step } from "../types.js";
import { type RuleSpec, ruleSpecs } from "./rules.js";
import { ARM_WRITE_VERSIONS, armProperties, findArm, LOOKBACK, type MonitoringTarget } from "./target.js";

type Json = Record<string, unknown>;
const lower = (s: unknown) => String(s ?? "").toLowerCase();

// ---------------------------------------------------------------------------------------------
// Action group

const RECEIVER_KINDS = ["emailReceivers", "smsReceivers", "voiceReceivers", "webhookReceivers"] as const;

/** The configured receivers as ARM writes them. */
function desiredReceivers(p: Planning): Record<(typeof RECEIVER_KINDS)[number], Json[]> {
  const r = p.config.azure.actionGroup?.receivers;
  return {
    emailReceivers: (r?.email ?? []).map((e) => ({
      name: e.name,
      emailAddress: e.address,
      useCommonAlertSchema: true,
    })),
    smsReceivers: (r?.sms ?? []).map((e) => ({
      name: e.name,
      countryCode: e.countryCode,
      phoneNumber: e.phoneNumber,
    })),
    voiceReceivers: (r?.voice ?? []).map((e) => ({
      name: e.name,
      countryCode: e.countryCode,
      phoneNumber: e.phoneNumber,
    })),
    webhookReceivers: (r?.webhook ?? []).map((e) => ({
      name: e.name,
      serviceUri: e.uri,
      useCommonAlertSchema: true,
    })),
  };
}

/** The receivers of a group as compared: kind, name and address, sorted (statuses are the service's). */
function receiverView(properties: Json): string[] {
  return RECEIVER_KINDS.flatMap((kind) =>
    (Array.isArray(properties[kind]) ? (properties[kind] as Json[]) : []).map((r) =>
      [kind, r.name, r.emailAddress, r.countryCode, r.phoneNumber, r.serviceUri]
        .map((x) => String(x ?? ""))
        .join("|"),
    ),
  ).sort();
}

export function actionGroupSteps(p: Planning, t: MonitoringTarget): { id?: string; steps: Step[] } {
  const config = p.config.azure.actionGroup;
  // without one, only a rule that must be written needs it (ruleSteps says so)
  if (!config) return { steps: [] };
  if (config.id) {
    const found = findArm(p.snapshot.azure?.actionGroups, config.id);
    if (!found) throw new PlanInputError(`azure.actionGroup.id ${config.id} was not found`);
    return { id: found.id ?? config.id, steps: [] };
  }
  const name = config.name ?? `${t.prefix}-oncall`;
  const id = `${t.resourceGroupPath}/providers/Microsoft.Insights/actionGroups/${name}`;
  const receivers = desiredReceivers(p);
  if (Object.values(receivers).every((list) => list.length === 0))
    throw new PlanInputError("azure.actionGroup.receivers names nobody: an alert would reach no person");
  const existing = findArm(p.snapshot.azure?.actionGroups, id);
  const before = armProperties(existing);
  const desired: Json = {
    groupShortName: config.shortName ?? name.slice(0, 12),
    enabled: true,
    ...receivers,
  };
  const changes: PropertyChange[] = [];
  if (before.enabled !== true) changes.push({ property: "enabled", old: before.enabled, new: true });
  if (before.groupShortName !== desired.groupShortName)
    changes.push({ property: "groupShortName", old: before.groupShortName, new: desired.groupShortName });
  const [was, want] = [receiverView(before), receiverView(desired)];
  if (was.join("\n") !== want.join("\n")) changes.push({ property: "receivers", old: was, new: want });
  if (existing && changes.length === 0) return { id: existing.id ?? id, steps: [] };
  const ref = { type: "actionGroup" as const, key: name, name, id: existing?.id ?? id };
  const step = makeStep({
    id: `actionGroup.${name.toLowerCase()}`,
    kind: "actionGroup",
    action: existing ? "update" : "create",
    objectRef: ref,
    summary: `${existing ? "update" : "create"} action group ${name} (${want.length} receiver${want.length === 1 ? "" : "s"})`,
    changes: existing ? changes : [],
    request: {
      service: "arm",
      method: "PUT",
      url: `${ref.id}?api-version=${ARM_WRITE_VERSIONS.actionGroups}`,
      body: { location: "global", ...(existing?.tags ? { tags: existing.tags } : {}), properties: desired },
    },
    dependsOn: [fingerprint(ref, existing ? before : undefined)],
    satisfies: ["EA-MON-03", "EA-MON-04"],
  });
  return { id: ref.id, steps: [step] };
}

// ---------------------------------------------------------------------------------------------
// Which families are already covered

/** The families (`RuleSpec.family`) some rule already covers as EA-MON-03/04 judge it, on `state`. */
export function coveredFamilies(
  state: Snapshot,
  p: Planning,
  subjects: { accounts: KqlEntity[]; group?: KqlEntity },
): Set<string> {
  const covered = new Set<string>();
  const rules = alertRules(state, p.config);
  const ws = resolveWorkspaces(state);
  const signinCovered =
    subjects.accounts.length > 0 &&
    subjects.accounts.every((user) =>
      SIGNIN_TABLES.every(
        (table) =>
          rowCoverage(
            rules,
            { table, user },
            {
              workspaces: ws.signInWorkspaces,
              requireIdentity: true,
              timing: true,
              config: p.config,
            },
          ).status === "pass",
      ),
    );
  if (signinCovered) covered.add("signin");
  const names: Record<number, string> = {
    1: "group",
    2: "roles",
    3: "policies",
    4: "credentials",
    5: "activity",
  };
  for (const family of auditFamilies(subjects.accounts, subjects.group)) {
    if (family.notApplicable) continue;
    const all = family.rows.every(
      ({ row }) =>
        rowCoverage(rules, row, {
          workspaces: ws.auditWorkspaces,
          requireIdentity: family.requireIdentity,
          config: p.config,
        }).status === "pass",
    );
    if (all && family.rows.length > 0) covered.add(names[family.id]!);
  }
  return covered;
}

// ---------------------------------------------------------------------------------------------
// Rules

/** The properties of a rule deploy manages, flattened for the plan's `old -> new`. */
function managedView(properties: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) out[k] = properties[k];
  return out;
}

function changesOf(before: Json, after: Json): PropertyChange[] {
  const out: PropertyChange[] = [];
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out.push({ property: key, old: before[key], new: after[key] });
  }
  return out;
}

const MONITOR_MANAGED = [
  "displayName",
  "enabled",
  "severity",
  "scopes",
  "evaluationFrequency",
  "windowSize",
  "overrideQueryTimeRange",
  "criteria",
  "autoMitigate",
  "muteActionsDuration",
  "actions",
] as const;

/** The Azure Monitor log search alert body of a rule (docs/graph-writes.md §9). */
export function monitorRuleBody(
  spec: RuleSpec,
  t: MonitoringTarget,
  frequency: string,
  actionGroupId: string,
): Json {
  return {
    location: t.location,
    kind: "LogAlert",
    properties: {
      displayName: `${t.prefix}-${spec.suffix}`,
      description: spec.description,
      severity: 0,
      enabled: true,
      scopes: [t.workspaceId],
      evaluationFrequency: frequency,
      windowSize: frequency,
      overrideQueryTimeRange: LOOKBACK,
      criteria: {
        allOf: [
          {
            query: spec.query,
            timeAggregation: "Count",
            operator: "GreaterThan",
            threshold: 0,
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
          },
        ],
      },
      autoMitigate: false,
      actions: { actionGroups: [actionGroupId] },
    },
  };
}

/** A Sentinel rule's id: a GUID from the workspace, prefix and family, the same on every run. */
export function sentinelRuleName(t: MonitoringTarget, spec: RuleSpec): string {
  const h = createHash("sha256")
    .update(`${lower(t.workspaceId)}|${t.prefix}|${spec.family}`)
    .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SENTINEL_MANAGED = [
  "displayName",
  "enabled",
  "severity",
  "query",
  "queryFrequency",
  "queryPeriod",
  "triggerOperator",
  "triggerThreshold",
  "suppressionEnabled",
  "incidentConfiguration",
] as const;

/** The Sentinel Scheduled analytics rule body (docs/graph-writes.md §9). */
export function sentinelRuleBody(spec: RuleSpec, t: MonitoringTarget, frequency: string): Json {
  return {
    kind: "Scheduled",
    properties: {
      displayName: `${t.prefix}-${spec.suffix}`,
      description: spec.description,
      enabled: true,
      severity: "High",
      query: spec.query,
      queryFrequency: frequency,
      queryPeriod: LOOKBACK,
      triggerOperator: "GreaterThan",
      triggerThreshold: 0,
      suppressionEnabled: false,
      suppressionDuration: "PT5H",
      tactics: spec.tactics,
      eventGroupingSettings: { aggregationKind: "AlertPerResult" },
      incidentConfiguration: {
        createIncident: true,
        groupingConfiguration: {
          enabled: false,
          reopenClosedIncident: false,
          lookbackDuration: "PT5H",
          matchingMethod: "AllEntities",
        },
      },
    },
  };
}

export interface RuleContext {
  t: MonitoringTarget;
  /** the state after the earlier monitoring steps: adoption is judged on it */
  after: Snapshot;
  accountIds: string[];
  accounts: KqlEntity[];
  group?: KqlEntity;
  actionGroupId?: string;
}

export function ruleSteps(p: Planning, c: RuleContext): Step[] {
  const frequency = p.profile.alert.maxFrequency;
  const specs = ruleSpecs({
    accountIds: c.accountIds,
    ...(c.group ? { groupId: c.group.id } : {}),
    frequency,
  });
  const covered = coveredFamilies(c.after, p, {
    accounts: c.accounts,
    ...(c.group ? { group: c.group } : {}),
  });
  const sentinel = c.t.alertsIn === "sentinel";
  const out: Step[] = [];
  for (const spec of specs) {
    if (covered.has(spec.family)) continue;
    const name = sentinel ? sentinelRuleName(c.t, spec) : `${c.t.prefix}-${spec.suffix}`;
    const id = sentinel
      ? `${c.t.workspaceId}/providers/Microsoft.SecurityInsights/alertRules/${name}`
      : `${c.t.resourceGroupPath}/providers/Microsoft.Insights/scheduledQueryRules/${name}`;
    const list = sentinel ? p.snapshot.azure?.sentinelAlertRules : p.snapshot.azure?.scheduledQueryRules;
    const existing: ArmResource | undefined = findArm(list, id);
    if (!sentinel && !c.actionGroupId)
      throw new PlanInputError(
        `azure.actionGroup is required to deploy the ${spec.displayName} alert: an existing action group (id) or its receivers (receivers.email, sms, voice, webhook)`,
      );
    const body = sentinel
      ? sentinelRuleBody(spec, c.t, frequency)
      : monitorRuleBody(spec, c.t, frequency, c.actionGroupId!);
    if (sentinel && typeof (existing as Json | undefined)?.etag === "string")
      body.etag = (existing as Json).etag;
    const keys = sentinel ? SENTINEL_MANAGED : MONITOR_MANAGED;
    const before = managedView(armProperties(existing), keys);
    const after = managedView(body.properties as Json, keys);
    const objectType: ObjectType = sentinel ? "sentinelAlertRule" : "scheduledQueryRule";
    const ref = { type: objectType, key: `${c.t.prefix}-${spec.suffix}`, name, id: existing?.id ?? id };
    out.push(
      makeStep({
        id: `${sentinel ? "sentinel" : spec.kind}.${spec.suffix}`,
        kind: sentinel ? "sentinel" : spec.kind,
        action: existing ? "update" : "create",
        objectRef: ref,
        summary: `${existing ? "update" : "create"} ${sentinel ? "Sentinel analytics rule" : "log search alert"} ${c.t.prefix}-${spec.suffix}: ${spec.displayName}`,
        changes: existing ? changesOf(before, after) : [],
        request: {
          service: "arm",
          method: "PUT",
          url: `${id}?api-version=${sentinel ? ARM_WRITE_VERSIONS.sentinel : ARM_WRITE_VERSIONS.scheduledQueryRules}`,
          body,
        },
        dependsOn: [fingerprint(ref, existing ? before : undefined)],
        satisfies: spec.satisfies,
      }),
    );
  }
  if (sentinel) out.push(...watchlistSteps(p, c));
  return out;
}

/** The watchlist of the accounts' object ids, for analysts (the rules name the ids themselves). */
function watchlistSteps(p: Planning, c: RuleContext): Step[] {
  const alias = `${c.t.prefix}accounts`.replace(/[^A-Za-z0-9_]/g, "");
  const id = `${c.t.workspaceId}/providers/Microsoft.SecurityInsights/watchlists/${alias}`;
  const existing = findArm(p.snapshot.azure?.sentinelWatchlists, id) as
    (ArmResource & { items?: Json[] }) | undefined;
  const want = [...c.accountIds].sort();
  const have = (existing?.items ?? [])
    .map((i) => lower(((i.properties as Json | undefined)?.itemsKeyValue as Json | undefined)?.UserId))
    .filter(Boolean)
    .sort();
  if (existing && have.join(",") === want.map(lower).join(",")) return [];
  const ref = { type: "sentinelWatchlist" as const, key: alias, name: alias, id: existing?.id ?? id };
  return [
    makeStep({
      id: `sentinel.watchlist`,
      kind: "sentinel",
      action: existing ? "update" : "create",
      objectRef: ref,
      summary: `${existing ? "update" : "create"} Sentinel watchlist ${alias} of the ${want.length} accounts' object ids`,
      changes: existing ? [{ property: "items.UserId", old: have, new: want }] : [],
      request: {
        service: "arm",
        method: "PUT",
        url: `${id}?api-version=${ARM_WRITE_VERSIONS.sentinel}`,
        body: {
          ...(typeof (existing as Json | undefined)?.etag === "string"
            ? { etag: (existing as Json).etag }
            : {}),
          properties: {
            displayName: alias,
            provider: "Breakglass",
            source: "Local file",
            itemsSearchKey: "UserId",
            contentType: "text/csv",
            numberOfLinesToSkip: 0,
            rawContent: `UserId\n${want.map((x) => `${x}\n`).join("")}`,
          },
        },
      },
      dependsOn: [fingerprint(ref, existing ? have : undefined)],
      satisfies: [],
    }),
  ];
}
