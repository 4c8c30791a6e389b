/**
 * Azure Monitor alerts for the emulator: the log search alert rules (`scheduledQueryRules` in the
 * ARM store) watch the sign-ins recorded through `POST {graph}/_emulator/signIns`, and what they
 * raise is served by the alerts API (`GET /subscriptions/{id}/providers/Microsoft.AlertsManagement/alerts`
 * and `.../alerts/{alertId}`, api-version 2019-05-05-preview and later).
 *
 * A sign-in reaches a workspace only through an enabled `microsoft.aadiam` diagnostic setting
 * category (SignInLogs or NonInteractiveUserSignInLogs). A rule fires when it is enabled, one of its
 * scopes receives the sign-in, and every condition of `criteria.allOf` holds over the rows of its
 * window, computed by the emulator's own KQL (emulator/kql). Unsupported KQL or rule features never
 * fire: the emulator logs why. A stateful rule (`autoMitigate` true, the default) stays Fired and
 * silent while its condition holds, and resolves once its window no longer holds the rows.
 */
import { randomUUID } from "node:crypto";
import { json, type HttpResponse } from "../http.js";
import { runKql, type LogRow, type Value } from "../kql/index.js";
import { armKey, type ArmResourceStore, type ArmSection } from "./resource-store.js";
import { categoryOf, SIGNIN_TABLES, signInRow } from "./sign-in-logs.js";

export interface ArmRouteHit {
  section: ArmSection;
  respond: () => HttpResponse;
}

/** A route an ARM module serves beside the generic resource reads (see ArmPipelineOptions.routes). */
export type ArmRoute = (path: string, query: URLSearchParams) => ArmRouteHit | undefined;

export interface AlertEngineOptions {
  store: ArmResourceStore;
  now: () => number;
  /** where the reasons a rule was not evaluated go */
  log: (line: string) => void;
  /** e.g. https://127.0.0.1:8443/arm, for nextLink (known once the server listens) */
  armUrl: () => string;
}

interface Alert {
  id: string;
  name: string;
  ruleKey: string;
  targetKey: string;
  subscriptionId: string;
  stateful: boolean;
  /** when the rule's condition last held (ms): a stateful alert resolves a window later */
  lastHeldAt: number;
  windowMs: number;
  essentials: Record<string, unknown>;
  context: Record<string, unknown>;
}

type Rule = Record<string, unknown> & { id: string; name?: string; properties?: Record<string, unknown> };

const TIME_RANGES: Record<string, number> = {
  "1h": 3_600_000,
  "1d": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};
const SORT_FIELDS = [
  "name",
  "severity",
  "alertState",
  "monitorCondition",
  "targetResource",
  "targetResourceName",
  "targetResourceGroup",
  "targetResourceType",
  "startDateTime",
  "lastModifiedDateTime",
];
const FILTERS = [
  "targetResource",
  "targetResourceType",
  "targetResourceGroup",
  "monitorService",
  "monitorCondition",
  "severity",
  "alertState",
  "alertRule",
  "smartGroupId",
];
const ALERTS_PATH =
  /^\/subscriptions\/([^/]+)\/providers\/microsoft\.alertsmanagement\/alerts(?:\/([^/]+))?$/;

/** ISO 8601 duration (PT5M, PT1H, P1D, P2DT3H) in ms; undefined when not one. */
export function durationMs(iso: unknown): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(String(iso ?? ""));
  if (!m || iso === "P" || iso === "PT") return undefined;
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  return (((d! * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}

function armError(status: number, code: string, message: string): HttpResponse {
  return json(status, { error: { code, message } });
}

export class AlertEngine {
  private readonly rows = new Map<string, LogRow[]>();
  private readonly alerts: Alert[] = [];

  constructor(private readonly options: AlertEngineOptions) {}

  /** The route the ARM pipeline asks before its generic reads. */
  readonly route: ArmRoute = (path, query) => {
    const m = ALERTS_PATH.exec(armKey(path));
    if (!m) return undefined;
    const subscriptionId = m[1]!;
    const alertId = m[2];
    return {
      section: "azure.alerts",
      respond: () => {
        this.resolveExpired();
        return alertId ? this.getOne(subscriptionId, alertId, query) : this.list(subscriptionId, query, path);
      },
    };
  };

  /** A sign-in was recorded: it reaches the workspaces its category is sent to, and the rules run. */
  observeSignIn(signIn: Record<string, unknown>): void {
    const now = this.options.now();
    this.resolveExpired();
    const category = categoryOf(signIn);
    const workspaces = this.workspacesReceiving(category);
    if (workspaces.length === 0) {
      this.options.log(
        `sign-in ${String(signIn.id)}: no diagnostic setting sends ${category} to a workspace; no rule sees it`,
      );
      return;
    }
    const row = signInRow(signIn, this.options.store.tenantId, now);
    for (const ws of workspaces) {
      const list = this.rows.get(ws) ?? [];
      list.push(row);
      this.rows.set(ws, list);
    }
    for (const rule of this.rules()) this.evaluate(rule, new Set(workspaces), now);
  }

  /** Alerts raised so far (for tests and the emulator's own log). */
  raised(): Array<Record<string, unknown>> {
    this.resolveExpired();
    return this.alerts.map((a) => this.resource(a, false));
  }

  private workspacesReceiving(category: string): string[] {
    const settings = this.options.store.listArm("/providers/microsoft.aadiam/diagnosticSettings");
    const out = new Set<string>();
    for (const s of settings) {
      const p = (s.resource.properties ?? {}) as Record<string, unknown>;
      const ws = typeof p.workspaceId === "string" ? armKey(p.workspaceId) : undefined;
      const logs = Array.isArray(p.logs) ? (p.logs as Array<Record<string, unknown>>) : [];
      const sends = logs.some(
        (l) =>
          l.enabled === true &&
          (String(l.category ?? "").toLowerCase() === category.toLowerCase() ||
            String(l.categoryGroup ?? "").toLowerCase() === "alllogs"),
      );
      if (ws && sends) out.add(ws);
    }
    return [...out];
  }

  private rules(): Rule[] {
    return this.options.store
      .listSubscriptions()
      .flatMap((s) =>
        this.options.store.listArm(
          `/subscriptions/${s.subscriptionId}/providers/Microsoft.Insights/scheduledQueryRules`,
        ),
      )
      .map((e) => e.resource as Rule);
  }

  private evaluate(rule: Rule, receiving: Set<string>, now: number): void {
    const p = rule.properties ?? {};
    const name = String(rule.name ?? rule.id);
    const allOf = ((p.criteria as Record<string, unknown> | undefined)?.allOf ?? []) as Array<
      Record<string, unknown>
    >;
    // only rules over the sign-in tables watch sign-ins
    if (!allOf.some((c) => /\b(SigninLogs|AADNonInteractiveUserSignInLogs)\b/.test(String(c.query ?? ""))))
      return;
    if (p.enabled !== true) return;
    if (rule.kind !== undefined && rule.kind !== "LogAlert") return;
    const scopes = (Array.isArray(p.scopes) ? (p.scopes as unknown[]) : []).map((s) => armKey(String(s)));
    const windowMs = durationMs(p.windowSize);
    if (windowMs === undefined) {
      this.options.log(
        `rule ${name}: windowSize '${String(p.windowSize)}' is not an ISO 8601 duration; not evaluated`,
      );
      return;
    }
    for (const scope of scopes.filter((s) => receiving.has(s))) {
      const inWindow = (this.rows.get(scope) ?? []).filter((r) => {
        const t = (r.columns.TimeGenerated as Date).getTime();
        return t > now - windowMs && t <= now;
      });
      const tables = Object.fromEntries(
        Object.values(SIGNIN_TABLES).map((t) => [t, inWindow.filter((r) => r.columns.Type === t)]),
      );
      const held = allOf.every((c, i) => this.conditionHolds(name, i, c, tables, now));
      if (held) this.fire(rule, scope, now, windowMs);
    }
  }

  private conditionHolds(
    rule: string,
    index: number,
    c: Record<string, unknown>,
    tables: Record<string, LogRow[]>,
    now: number,
  ): boolean {
    const why = (reason: string) => {
      this.options.log(`rule ${rule}: condition ${index} not evaluated: ${reason}`);
      return false;
    };
    const periods = c.failingPeriods as { minFailingPeriodsToAlert?: number } | undefined;
    if ((periods?.minFailingPeriodsToAlert ?? 1) > 1)
      return why("more than one failing period is not emulated");
    const result = runKql(String(c.query ?? ""), tables, now);
    if (!result.ok) return why(`unsupported KQL: ${result.reason}`);
    const aggregation = String(c.timeAggregation ?? "Count");
    const operator = String(c.operator ?? "");
    const threshold = Number(c.threshold);
    const dimensions = Array.isArray(c.dimensions) ? c.dimensions : [];
    // split by dimensions, "any row" is still "some dimension has a row"; anything else is not emulated
    if (dimensions.length && !(aggregation === "Count" && operator === "GreaterThan" && threshold === 0))
      return why("dimensions are emulated only for 'count greater than 0'");
    const measure = typeof c.metricMeasureColumn === "string" ? c.metricMeasureColumn : undefined;
    let value: number;
    if (!measure || aggregation === "Count") value = result.rows.length;
    else {
      const nums = result.rows.map((r) => r[measure]).filter((v): v is number => typeof v === "number");
      if (nums.length !== result.rows.length) return why(`column ${measure} is not numeric in every row`);
      if (nums.length === 0) return false;
      value =
        aggregation === "Total"
          ? nums.reduce((a, b) => a + b, 0)
          : aggregation === "Average"
            ? nums.reduce((a, b) => a + b, 0) / nums.length
            : aggregation === "Minimum"
              ? Math.min(...nums)
              : aggregation === "Maximum"
                ? Math.max(...nums)
                : Number.NaN;
      if (Number.isNaN(value)) return why(`timeAggregation ${aggregation} is not supported`);
    }
    switch (operator) {
      case "GreaterThan":
        return value > threshold;
      case "GreaterThanOrEqual":
        return value >= threshold;
      case "LessThan":
        return value < threshold;
      case "LessThanOrEqual":
        return value <= threshold;
      case "Equals":
      case "Equal":
        return value === threshold;
      default:
        return why(`operator '${operator}' is not supported`);
    }
  }

  private fire(rule: Rule, scope: string, now: number, windowMs: number): void {
    const p = rule.properties ?? {};
    const stateful = p.autoMitigate !== false;
    const ruleKey = armKey(rule.id);
    if (stateful) {
      const open = this.alerts.find(
        (a) => a.ruleKey === ruleKey && a.targetKey === scope && a.essentials.monitorCondition === "Fired",
      );
      if (open) {
        // a stateful alert stays fired and silent while its condition holds
        open.lastHeldAt = now;
        return;
      }
    }
    const target = this.options.store.getArm(scope);
    const targetId = target?.id ?? scope;
    const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(targetId)?.[1] ?? "";
    const at = new Date(now).toISOString();
    const guid = randomUUID();
    const severity = Number(p.severity);
    this.alerts.push({
      id: `/subscriptions/${subscriptionId}/providers/Microsoft.AlertsManagement/alerts/${guid}`,
      name: String(rule.name ?? p.displayName ?? guid),
      ruleKey,
      targetKey: scope,
      subscriptionId: subscriptionId.toLowerCase(),
      stateful,
      lastHeldAt: now,
      windowMs,
      essentials: {
        severity: Number.isInteger(severity) ? `Sev${severity}` : "Sev3",
        signalType: "Log",
        alertState: "New",
        monitorCondition: "Fired",
        monitorService: "Log Alerts V2",
        targetResource: targetId,
        targetResourceName: targetId.split("/").pop(),
        targetResourceGroup: /\/resourceGroups\/([^/]+)/i.exec(targetId)?.[1] ?? "",
        targetResourceType: "microsoft.operationalinsights/workspaces",
        sourceCreatedId: randomUUID(),
        alertRule: rule.id,
        startDateTime: at,
        lastModifiedDateTime: at,
        lastModifiedUserName: "System",
        actionStatus: { isSuppressed: false },
        description: String(p.description ?? ""),
      },
      context: {
        conditionType: "LogQueryCriteria",
        windowStartTime: new Date(now - windowMs).toISOString(),
        windowEndTime: at,
        condition: structuredClone((p.criteria ?? {}) as Value),
      },
    });
  }

  /** Stateful alerts whose window no longer holds the rows that fired them resolve. */
  private resolveExpired(): void {
    const now = this.options.now();
    for (const a of this.alerts) {
      if (!a.stateful || a.essentials.monitorCondition !== "Fired") continue;
      const at = a.lastHeldAt + a.windowMs;
      if (now < at) continue;
      const iso = new Date(at).toISOString();
      a.essentials.monitorCondition = "Resolved";
      a.essentials.monitorConditionResolvedDateTime = iso;
      a.essentials.lastModifiedDateTime = iso;
    }
  }

  private resource(a: Alert, includeContext: boolean): Record<string, unknown> {
    return {
      properties: {
        essentials: structuredClone(a.essentials),
        ...(includeContext ? { context: structuredClone(a.context) } : {}),
      },
      id: a.id,
      type: "Microsoft.AlertsManagement/alerts",
      name: a.name,
    };
  }

  private getOne(subscriptionId: string, alertId: string, query: URLSearchParams): HttpResponse {
    const a = this.alerts.find(
      (x) => x.subscriptionId === subscriptionId && x.id.toLowerCase().endsWith(`/${alertId.toLowerCase()}`),
    );
    if (!a) return armError(404, "ResourceNotFound", `The alert '${alertId}' was not found.`);
    return json(200, this.resource(a, query.get("includeContext")?.toLowerCase() === "true"));
  }

  private list(subscriptionId: string, query: URLSearchParams, path: string): HttpResponse {
    const now = this.options.now();
    const timeRange = query.get("timeRange");
    const custom = query.get("customTimeRange");
    if (timeRange && custom)
      return armError(
        400,
        "InvalidParameter",
        "Either timeRange or customTimeRange could be used but not both.",
      );
    let from: number;
    let to = now;
    if (custom) {
      const [a, b] = custom.split("/");
      from = Date.parse(a ?? "");
      to = Date.parse(b ?? "");
      if (Number.isNaN(from) || Number.isNaN(to) || from > to)
        return armError(
          400,
          "InvalidParameter",
          `customTimeRange '${custom}' is not <start-time>/<end-time> in ISO 8601.`,
        );
      if (now - from > TIME_RANGES["30d"]!)
        return armError(
          400,
          "InvalidParameter",
          "customTimeRange must be within 30 days from the query time.",
        );
    } else {
      const span = TIME_RANGES[timeRange ?? "1d"];
      if (span === undefined)
        return armError(400, "InvalidParameter", `timeRange '${timeRange}' is not one of 1h, 1d, 7d, 30d.`);
      from = now - span;
    }
    const sortBy = query.get("sortBy") ?? "lastModifiedDateTime";
    if (!SORT_FIELDS.includes(sortBy))
      return armError(400, "InvalidParameter", `sortBy '${sortBy}' is not supported.`);
    const desc = (query.get("sortOrder") ?? "desc").toLowerCase() !== "asc";
    const pageCount = Number(query.get("pageCount") ?? 25);
    if (!Number.isInteger(pageCount) || pageCount < 1 || pageCount > 250)
      return armError(400, "InvalidParameter", "pageCount must be between 1 and 250.");

    const picked = this.alerts.filter((a) => {
      if (a.subscriptionId !== subscriptionId) return false;
      const start = Date.parse(String(a.essentials.startDateTime));
      if (start < from || start > to) return false;
      return FILTERS.every((f) => {
        const want = query.get(f);
        return want === null || String(a.essentials[f] ?? "").toLowerCase() === want.toLowerCase();
      });
    });
    const key = (a: Alert) => String(sortBy === "name" ? a.name : (a.essentials[sortBy] ?? ""));
    picked.sort((x, y) => (desc ? -1 : 1) * key(x).localeCompare(key(y)));

    const offset = Number(
      Buffer.from(query.get("$skiptoken") ?? "", "base64url")
        .toString("utf8")
        .replace(/^offset:/, "") || 0,
    );
    if (!Number.isInteger(offset) || offset < 0)
      return armError(400, "InvalidSkipToken", "The skip token in the request is invalid.");
    const includeContext = query.get("includeContext")?.toLowerCase() === "true";
    const body: Record<string, unknown> = {
      value: picked.slice(offset, offset + pageCount).map((a) => this.resource(a, includeContext)),
    };
    if (offset + pageCount < picked.length) {
      const next = new URLSearchParams(query);
      next.set("$skiptoken", Buffer.from(`offset:${offset + pageCount}`).toString("base64url"));
      body.nextLink = `${this.options.armUrl()}${path}?${next.toString()}`;
    }
    return json(200, body);
  }
}
