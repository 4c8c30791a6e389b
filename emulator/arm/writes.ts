/**
 * ARM writes of the monitoring resources deploy manages (docs/graph-writes.md §9,
 * docs/monitoring.md §1-3, 5): PUT/PATCH/DELETE applied to the resource store, so later GETs (and
 * so `export` and `assess`) read them back. Status codes as the REST specifications declare them:
 *
 * - PUT is an upsert by name: 201 for a new resource, 200 for a replaced one; Entra diagnostic
 *   settings answer 200 only (the aadiam spec declares no 201);
 * - workspace tables are long-running: 202 with `Azure-AsyncOperation` and `Location`, the table
 *   `provisioningState: Updating` (a second write meanwhile is a 409) until the operation is polled
 *   to `Succeeded`;
 * - DELETE answers 200, or 204 when there was nothing to delete;
 * - validation errors in ARM's envelope (emulator/arm/write-support.ts); Sentinel's rules and
 *   watchlists in emulator/arm/sentinel-writes.ts.
 */
import { randomUUID } from "node:crypto";
import { json, type HttpResponse } from "../http.js";
import { armKey, type ArmResourceStore, type ArmSection } from "./resource-store.js";
import { putSentinelRule, putWatchlist, putWatchlistItem, removeWatchlist } from "./sentinel-writes.js";
import {
  badRequest,
  errorResponse,
  Invalid,
  invalidContent,
  isInt,
  isObject,
  locationOf,
  methodNotAllowed,
  notFound,
  parseBody,
  removeResource,
  requireBoolean,
  requireDuration,
  requireParent,
  requireProperties,
  requireString,
  upsertResource,
  type ArmWriteContext,
  type Json,
} from "./write-support.js";

/** Entra diagnostic-setting log categories (Microsoft Entra "Integrate logs with Azure Monitor logs"). */
const AADIAM_CATEGORIES = new Set(
  [
    "AuditLogs",
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "ProvisioningLogs",
    "ADFSSignInLogs",
    "RiskyUsers",
    "UserRiskEvents",
    "RiskyServicePrincipals",
    "ServicePrincipalRiskEvents",
    "NetworkAccessTrafficLogs",
    "EnrichedOffice365AuditLogs",
    "MicrosoftGraphActivityLogs",
    "RemoteNetworkHealthLogs",
    "NetworkAccessAlerts",
    "B2CRequestLogs",
  ].map((c) => c.toLowerCase()),
);

const TIME_AGGREGATIONS = new Set(["Count", "Average", "Minimum", "Maximum", "Total"]);
const OPERATORS = new Set(["Equals", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual"]);

export interface ArmWriteRequest {
  method: string;
  /** the decoded path segments below /arm */
  segments: string[];
  query: URLSearchParams;
  rawBody: string;
}

export interface ArmWriteRoute {
  section: ArmSection;
  respond: () => HttpResponse;
}

/** Asynchronous table operations: polled to completion, or finished when their time has passed. */
interface TableOperation {
  id: string;
  tableKey: string;
  subscriptionId: string;
  startedAt: number;
  polls: number;
  status: "InProgress" | "Succeeded";
}

/** How long a table write stays `Updating` when nobody polls it (emulated time). */
const TABLE_OPERATION_MS = 2000;
/** Polls answered `InProgress` before the operation reports `Succeeded`. */
const TABLE_OPERATION_POLLS = 1;

export class ArmWrites implements ArmWriteContext {
  private readonly operations = new Map<string, TableOperation>();

  constructor(
    readonly store: ArmResourceStore,
    private readonly armUrl: string,
    readonly now: () => number = Date.now,
  ) {}

  /** The status of an asynchronous operation (`.../operationStatuses/{id}`), or undefined. */
  operation(segments: string[]): ArmWriteRoute | undefined {
    const i = segments.findIndex((s) => s.toLowerCase() === "operationstatuses");
    if (i < 0 || segments[i + 1] === undefined) return undefined;
    const op = this.operations.get(segments[i + 1]!.toLowerCase());
    if (!op) return undefined;
    return {
      section: "azure.tables",
      respond: () => {
        op.polls++;
        this.settle(op);
        const body: Json = {
          id: `/${segments.join("/")}`,
          name: op.id,
          status: op.status,
          startTime: new Date(op.startedAt).toISOString(),
          ...(op.status === "Succeeded" ? { endTime: new Date(this.now()).toISOString() } : {}),
        };
        return json(200, body, op.status === "InProgress" ? { "Retry-After": "1" } : {});
      },
    };
  }

  /** The write at this path, or undefined when the path is no writable resource (a 404 or 405). */
  route(request: ArmWriteRequest): ArmWriteRoute | undefined {
    const { segments } = request;
    const path = `/${segments.join("/")}`;
    const key = armKey(path);
    const lower = segments.map((s) => s.toLowerCase());
    const type = lower[lower.length - 2];
    const name = segments[segments.length - 1];
    if (!type || !name) return undefined;
    const respond = (section: ArmSection, handler: () => HttpResponse): ArmWriteRoute => ({
      section,
      respond: () => {
        try {
          return handler();
        } catch (e) {
          if (e instanceof Invalid) return errorResponse(e);
          throw e;
        }
      },
    });
    const method = request.method.toUpperCase();
    const body = () => parseBody(request.rawBody);

    if (lower[0] === "providers" && lower[1] === "microsoft.aadiam" && type === "diagnosticsettings") {
      return respond("azure.diagnosticSettings", () => {
        if (method === "DELETE") return removeResource(this.store, key);
        if (method !== "PUT") throw methodNotAllowed(method);
        return this.putDiagnosticSetting(path, name, body());
      });
    }
    if (!lower[0] || lower[0] !== "subscriptions") return undefined;
    const resourceGroupPath = lower[2] === "resourcegroups" && lower[4] === "providers";
    if (!resourceGroupPath) return undefined;

    if (type === "tables" && lower[5] === "microsoft.operationalinsights" && lower.length === 10) {
      return respond("azure.tables", () => {
        if (method === "DELETE") return removeResource(this.store, key);
        if (method !== "PUT" && method !== "PATCH") throw methodNotAllowed(method);
        return this.putTable(path, name, body(), method === "PATCH");
      });
    }
    if (type === "actiongroups" && lower[5] === "microsoft.insights" && lower.length === 8) {
      return respond("azure.actionGroups", () => {
        if (method === "DELETE") return removeResource(this.store, key);
        if (method === "PATCH") return this.patchActionGroup(key, body());
        if (method !== "PUT") throw methodNotAllowed(method);
        return this.putActionGroup(path, name, body());
      });
    }
    if (type === "scheduledqueryrules" && lower[5] === "microsoft.insights" && lower.length === 8) {
      return respond("azure.scheduledQueryRules", () => {
        if (method === "DELETE") return removeResource(this.store, key);
        if (method === "PATCH") return this.patchQueryRule(key, body());
        if (method !== "PUT") throw methodNotAllowed(method);
        return this.putQueryRule(path, name, body());
      });
    }
    const sentinel =
      lower[5] === "microsoft.operationalinsights" &&
      lower[8] === "providers" &&
      lower[9] === "microsoft.securityinsights";
    if (sentinel && type === "alertrules" && lower.length === 12) {
      return respond("azure.sentinelAlertRules", () => {
        if (method === "DELETE") return removeResource(this.store, key);
        if (method !== "PUT") throw methodNotAllowed(method);
        const apiVersion = request.query.get("api-version") ?? "";
        return putSentinelRule(this, path, name, body(), apiVersion);
      });
    }
    if (sentinel && type === "watchlists" && lower.length === 12) {
      return respond("azure.sentinelWatchlists", () => {
        if (method === "DELETE") return removeWatchlist(this, key);
        if (method !== "PUT") throw methodNotAllowed(method);
        return putWatchlist(this, path, name, body());
      });
    }
    if (sentinel && type === "watchlistitems" && lower.length === 14) {
      return respond("azure.sentinelWatchlists", () => {
        if (method === "DELETE") return removeResource(this.store, key);
        if (method !== "PUT") throw methodNotAllowed(method);
        return putWatchlistItem(this, path, name, body());
      });
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------

  private requireWorkspace(id: unknown, target: string): void {
    if (typeof id !== "string" || !this.store.getArm(id) || !/\/workspaces\/[^/]+$/i.test(id))
      throw badRequest(`The workspace '${String(id)}' could not be found.`, target);
  }

  private putDiagnosticSetting(path: string, name: string, body: Json): HttpResponse {
    const p = requireProperties(body);
    const destinations = [
      "workspaceId",
      "storageAccountId",
      "eventHubAuthorizationRuleId",
      "serviceBusRuleId",
    ];
    if (!destinations.some((d) => typeof p[d] === "string" && p[d]))
      throw badRequest("At least one destination (workspace, storage account or event hub) is required.");
    if (p.workspaceId !== undefined) this.requireWorkspace(p.workspaceId, "properties.workspaceId");
    if (!Array.isArray(p.logs)) throw invalidContent("The property 'logs' is required.", "properties.logs");
    for (const [i, log] of (p.logs as unknown[]).entries()) {
      if (!isObject(log) || typeof log.enabled !== "boolean")
        throw invalidContent(`logs[${i}].enabled is required.`, `properties.logs[${i}].enabled`);
      const category = log.category ?? log.categoryGroup;
      if (typeof category !== "string")
        throw invalidContent(`logs[${i}].category is required.`, `properties.logs[${i}].category`);
      if (typeof log.category === "string" && !AADIAM_CATEGORIES.has(log.category.toLowerCase()))
        throw badRequest(`Category '${log.category}' is not supported.`, `properties.logs[${i}].category`);
    }
    const existing = this.store.getArm(path);
    const resource: Json = {
      id: existing?.id ?? `/providers/microsoft.aadiam/diagnosticSettings/${name}`,
      name,
      type: "microsoft.aadiam/diagnosticSettings",
      properties: p,
    };
    // the 2017-04-01 spec declares 200 only, for a new setting too
    return upsertResource(this.store, resource, "azure.diagnosticSettings", true);
  }

  private putTable(path: string, name: string, body: Json, patch: boolean): HttpResponse {
    const workspace = requireParent(this.store, path, 2, "Microsoft.OperationalInsights/workspaces");
    const p = requireProperties(body);
    const existing = this.store.getArm(path);
    const pending = [...this.operations.values()].find(
      (op) => op.tableKey === armKey(path) && (this.settle(op), op.status === "InProgress"),
    );
    if (pending)
      throw new Invalid(
        409,
        "Conflict",
        `The table '${name}' is being updated (provisioningState Updating); retry when the operation completes.`,
      );
    const retention = p.retentionInDays;
    if (
      retention !== undefined &&
      retention !== null &&
      !(retention === -1 || (isInt(retention) && retention >= 4 && retention <= 730))
    )
      throw badRequest(
        `retentionInDays must be between 4 and 730, or -1 for the workspace default; got ${String(retention)}.`,
        "properties.retentionInDays",
      );
    const total = p.totalRetentionInDays;
    if (
      total !== undefined &&
      total !== null &&
      !(total === -1 || (isInt(total) && total >= 4 && total <= 4383))
    )
      throw badRequest(
        `totalRetentionInDays must be between 4 and 4383, or -1 for the table's retention; got ${String(total)}.`,
        "properties.totalRetentionInDays",
      );
    const before = isObject(existing?.resource.properties) ? existing.resource.properties : {};
    const merged: Json = patch ? { ...before, ...p } : { ...p };
    const workspaceDefault = isObject(workspace.properties)
      ? Number(workspace.properties.retentionInDays ?? 30)
      : 30;
    const retentionSet = typeof merged.retentionInDays === "number" && merged.retentionInDays !== -1;
    const effective = retentionSet ? (merged.retentionInDays as number) : workspaceDefault;
    const totalSet = typeof merged.totalRetentionInDays === "number" && merged.totalRetentionInDays !== -1;
    const effectiveTotal = totalSet ? (merged.totalRetentionInDays as number) : effective;
    if (effectiveTotal < effective)
      throw badRequest(
        `totalRetentionInDays (${effectiveTotal}) cannot be less than retentionInDays (${effective}).`,
        "properties.totalRetentionInDays",
      );
    const subscriptionId = path.split("/")[2]!;
    const op: TableOperation = {
      id: randomUUID(),
      tableKey: armKey(path),
      subscriptionId,
      startedAt: this.now(),
      polls: 0,
      status: "InProgress",
    };
    const resource: Json = {
      id: existing?.id ?? path,
      name: existing?.resource.name ?? name,
      type: "Microsoft.OperationalInsights/workspaces/tables",
      properties: {
        ...merged,
        retentionInDays: effective,
        totalRetentionInDays: effectiveTotal,
        archiveRetentionInDays: effectiveTotal - effective,
        retentionInDaysAsDefault: !retentionSet,
        totalRetentionInDaysAsDefault: !totalSet,
        provisioningState: "Updating",
      },
    };
    this.store.putArm(resource, "azure.tables");
    this.operations.set(op.id, op);
    const status = `${this.armUrl}/subscriptions/${subscriptionId}/providers/Microsoft.OperationalInsights/locations/${encodeURIComponent(locationOf(workspace))}/operationStatuses/${op.id}?api-version=2022-10-01`;
    return json(202, undefined, { "Azure-AsyncOperation": status, Location: status, "Retry-After": "1" });
  }

  /** Finishes an operation once it has been polled enough or its time has passed. */
  private settle(op: TableOperation): void {
    if (op.status === "Succeeded") return;
    if (op.polls > TABLE_OPERATION_POLLS || this.now() - op.startedAt >= TABLE_OPERATION_MS) {
      op.status = "Succeeded";
      const entry = this.store.getArm(op.tableKey);
      if (entry && isObject(entry.resource.properties)) {
        this.store.putArm(
          { ...entry.resource, properties: { ...entry.resource.properties, provisioningState: "Succeeded" } },
          "azure.tables",
        );
      }
    }
  }

  private putActionGroup(path: string, name: string, body: Json): HttpResponse {
    requireString(body, "location", "");
    const p = requireProperties(body);
    const shortName = requireString(p, "groupShortName");
    if (shortName.length > 12)
      throw badRequest(
        `groupShortName '${shortName}' is longer than 12 characters.`,
        "properties.groupShortName",
      );
    requireBoolean(p, "enabled");
    const need: Record<string, string[]> = {
      emailReceivers: ["name", "emailAddress"],
      smsReceivers: ["name", "countryCode", "phoneNumber"],
      voiceReceivers: ["name", "countryCode", "phoneNumber"],
      webhookReceivers: ["name", "serviceUri"],
    };
    for (const [kind, fields] of Object.entries(need)) {
      const list = p[kind];
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw invalidContent(`'${kind}' must be an array.`, `properties.${kind}`);
      for (const [i, r] of list.entries()) {
        for (const f of fields)
          if (!isObject(r) || typeof r[f] !== "string" || !r[f])
            throw invalidContent(`The property '${f}' is required.`, `properties.${kind}[${i}].${f}`);
      }
    }
    const existing = this.store.getArm(path);
    // the service marks each receiver Enabled (a receiver that unsubscribed would read Disabled)
    const properties: Json = { ...p };
    for (const kind of Object.keys(need))
      if (Array.isArray(properties[kind]))
        properties[kind] = (properties[kind] as Json[]).map((r) => ({ status: "Enabled", ...r }));
    const resource: Json = {
      id: existing?.id ?? path,
      name,
      type: "Microsoft.Insights/ActionGroups",
      location: body.location,
      ...(isObject(body.tags) ? { tags: body.tags } : {}),
      properties,
    };
    return upsertResource(this.store, resource, "azure.actionGroups", existing !== undefined);
  }

  /** PATCH of an action group changes its tags and `enabled` only (ActionGroupPatchBody). */
  private patchActionGroup(key: string, body: Json): HttpResponse {
    const existing = this.store.getArm(key);
    if (!existing) throw notFound(key);
    const resource: Json = { ...existing.resource };
    if (isObject(body.tags)) resource.tags = body.tags;
    if (isObject(body.properties) && typeof body.properties.enabled === "boolean")
      resource.properties = { ...(resource.properties as Json), enabled: body.properties.enabled };
    this.store.putArm(resource, "azure.actionGroups");
    return json(200, resource);
  }

  private validateQueryRule(body: Json, p: Json): void {
    const kind = body.kind ?? "LogAlert";
    if (kind !== "LogAlert" && kind !== "LogToMetric" && kind !== "SimpleLogAlert")
      throw invalidContent(`kind '${String(kind)}' is not LogAlert or LogToMetric.`, "kind");
    requireBoolean(p, "enabled");
    if (!Array.isArray(p.scopes) || p.scopes.length === 0)
      throw invalidContent(
        "The property 'scopes' is required and must contain at least one resource id.",
        "properties.scopes",
      );
    for (const [i, scope] of (p.scopes as unknown[]).entries()) {
      if (typeof scope !== "string" || !this.store.getArm(scope))
        throw badRequest(`The scope '${String(scope)}' could not be found.`, `properties.scopes[${i}]`);
    }
    if (kind !== "LogToMetric") {
      if (!isInt(p.severity) || (p.severity as number) < 0 || (p.severity as number) > 4)
        throw invalidContent(
          "severity is required for a LogAlert rule and must be 0 to 4.",
          "properties.severity",
        );
    }
    requireDuration(p, "evaluationFrequency", kind !== "LogToMetric");
    requireDuration(p, "windowSize", kind !== "LogToMetric");
    requireDuration(p, "muteActionsDuration", false);
    requireDuration(p, "overrideQueryTimeRange", false);
    const criteria = p.criteria;
    if (!isObject(criteria) || !Array.isArray(criteria.allOf) || criteria.allOf.length === 0)
      throw invalidContent("The property 'criteria.allOf' is required.", "properties.criteria.allOf");
    for (const [i, c] of (criteria.allOf as unknown[]).entries()) {
      const at = `properties.criteria.allOf[${i}]`;
      if (!isObject(c) || typeof c.query !== "string" || !c.query.trim())
        throw invalidContent("The property 'query' is required.", `${at}.query`);
      if (kind === "LogToMetric") continue;
      if (typeof c.timeAggregation !== "string" || !TIME_AGGREGATIONS.has(c.timeAggregation))
        throw invalidContent(
          `timeAggregation '${String(c.timeAggregation)}' is not valid.`,
          `${at}.timeAggregation`,
        );
      if (typeof c.operator !== "string" || !OPERATORS.has(c.operator))
        throw invalidContent(`operator '${String(c.operator)}' is not valid.`, `${at}.operator`);
      if (typeof c.threshold !== "number")
        throw invalidContent("The property 'threshold' is required.", `${at}.threshold`);
    }
    const actions = p.actions;
    if (actions !== undefined && actions !== null) {
      if (!isObject(actions)) throw invalidContent("'actions' must be an object.", "properties.actions");
      const groups = actions.actionGroups ?? [];
      if (!Array.isArray(groups))
        throw invalidContent("'actionGroups' must be an array.", "properties.actions.actionGroups");
      for (const [i, id] of groups.entries()) {
        const found = typeof id === "string" ? this.store.getArm(id) : undefined;
        if (!found || found.section !== "azure.actionGroups")
          throw badRequest(
            `The action group '${String(id)}' could not be found.`,
            `properties.actions.actionGroups[${i}]`,
          );
      }
    }
  }

  private putQueryRule(path: string, name: string, body: Json): HttpResponse {
    requireString(body, "location", "");
    const p = requireProperties(body);
    this.validateQueryRule(body, p);
    const existing = this.store.getArm(path);
    const resource: Json = {
      id: existing?.id ?? path,
      name,
      type: "Microsoft.Insights/scheduledQueryRules",
      location: body.location,
      kind: body.kind ?? "LogAlert",
      ...(isObject(body.tags) ? { tags: body.tags } : {}),
      etag: `"${randomUUID()}"`,
      systemData: { lastModifiedAt: new Date(this.now()).toISOString() },
      // autoMitigate is true unless sent (scheduledQueryRule_API.json default)
      properties: { autoMitigate: true, ...p },
    };
    return upsertResource(this.store, resource, "azure.scheduledQueryRules", existing !== undefined);
  }

  /** PATCH merges `properties` and `tags` (ScheduledQueryRuleResourcePatch), validated as a whole. */
  private patchQueryRule(key: string, body: Json): HttpResponse {
    const existing = this.store.getArm(key);
    if (!existing) throw notFound(key);
    const before = existing.resource;
    const properties: Json = {
      ...(before.properties as Json),
      ...(isObject(body.properties) ? body.properties : {}),
    };
    this.validateQueryRule(before, properties);
    const resource: Json = {
      ...before,
      ...(isObject(body.tags) ? { tags: body.tags } : {}),
      etag: `"${randomUUID()}"`,
      systemData: { lastModifiedAt: new Date(this.now()).toISOString() },
      properties,
    };
    this.store.putArm(resource, "azure.scheduledQueryRules");
    return json(200, resource);
  }
}
