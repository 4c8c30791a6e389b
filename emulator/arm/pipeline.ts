/**
 * Azure Resource Manager GETs over the snapshot's `azure` section (docs/monitoring.md §1-3, 5): ARM JSON
 * shapes, `api-version` required, ARM error envelopes, RBAC per emulated app (subscriptions and the
 * tenant-level `/providers/microsoft.aadiam` scope), `nextLink` paging, case-insensitive paths.
 */
import { randomUUID } from "node:crypto";
import type { EmulatedApp } from "../apps.js";
import type { Counters } from "../counters.js";
import type { FaultInjector, FaultKind } from "../faults.js";
import { json, type HttpResponse, type PipelineResult } from "../http.js";
import type { ArmRoute } from "./alerts.js";
import type { IdentityProvider } from "../identity.js";
import { ArmWrites } from "./writes.js";
import {
  ARM_TYPE_SECTIONS,
  armKey,
  type ArmEntry,
  type ArmSection,
  type ArmResourceStore,
} from "./resource-store.js";

export interface ArmPipelineOptions {
  store: ArmResourceStore;
  identity: IdentityProvider;
  counters: Counters;
  faults: FaultInjector;
  findAppByClientId(clientId: string): EmulatedApp | undefined;
  /** e.g. https://127.0.0.1:8443/arm */
  armUrl: string;
  /** items per page of a list before a nextLink (default 100) */
  pageSize?: number;
  /** the emulator's clock (asynchronous table operations finish on it); default Date.now */
  now?: () => number;
  /** routes other modules serve, asked before the generic reads (the alerts API, arm/alerts.ts) */
  routes?: ArmRoute[];
}

export interface IncomingArmRequest {
  method: string;
  /** the path below /arm, percent-encoded as sent */
  rawPath: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  originalUrl: string;
  /** the request body of a write, as sent */
  rawBody?: string;
}

/** Canonical spelling of the path keywords and namespaces, for counter endpoint names. */
const CANONICAL: Record<string, string> = {
  subscriptions: "subscriptions",
  resourcegroups: "resourceGroups",
  providers: "providers",
  "microsoft.aadiam": "microsoft.aadiam",
  "microsoft.operationalinsights": "Microsoft.OperationalInsights",
  "microsoft.insights": "Microsoft.Insights",
  "microsoft.securityinsights": "Microsoft.SecurityInsights",
  diagnosticsettings: "diagnosticSettings",
  workspaces: "workspaces",
  tables: "tables",
  scheduledqueryrules: "scheduledQueryRules",
  actiongroups: "actionGroups",
  alertrules: "alertRules",
  watchlists: "watchlists",
  watchlistitems: "watchlistItems",
};

interface ParsedArmPath {
  segments: string[];
  /** the counter name: "GET /subscriptions/{subscriptionId}/providers/Microsoft.Insights/actionGroups" */
  template: string;
  /** the last resource type in the path (lower-case), e.g. "tables" */
  lastType?: string;
  /** true when the path ends on a type (a collection), false when it ends on a name */
  isCollection: boolean;
  subscriptionId?: string;
  /** the resource provider namespaces in the path (lower-case) */
  namespaces: string[];
  /** the RBAC action a read needs, e.g. "Microsoft.OperationalInsights/workspaces/tables/read" */
  action: string;
}

/** Walks /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}/{type}/{name}/providers/... */
export function parseArmPath(method: string, rawPath: string): ParsedArmPath {
  const segments = rawPath
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const template: string[] = [];
  const namespaces: string[] = [];
  const types: string[] = [];
  let lastType: string | undefined;
  let isCollection = false;
  let subscriptionId: string | undefined;
  let i = 0;
  let expectName = false;
  while (i < segments.length) {
    const segment = segments[i]!;
    const lower = segment.toLowerCase();
    if (lower === "subscriptions" && i === 0) {
      template.push("subscriptions");
      lastType = "subscriptions";
      isCollection = true;
      if (segments[i + 1] !== undefined) {
        subscriptionId = segments[i + 1]!.toLowerCase();
        template.push("{subscriptionId}");
        isCollection = false;
      }
      i += 2;
      continue;
    }
    if (lower === "resourcegroups" && !expectName) {
      template.push("resourceGroups");
      if (segments[i + 1] !== undefined) template.push("{resourceGroupName}");
      lastType = "resourcegroups";
      isCollection = segments[i + 1] === undefined;
      i += 2;
      continue;
    }
    if (lower === "providers" && !expectName) {
      template.push("providers");
      const namespace = segments[i + 1];
      if (namespace !== undefined) {
        template.push(CANONICAL[namespace.toLowerCase()] ?? namespace);
        namespaces.push(namespace.toLowerCase());
        types.length = 0;
        types.push(CANONICAL[namespace.toLowerCase()] ?? namespace);
      }
      i += 2;
      expectName = false;
      // after a namespace come type/name pairs
      while (i < segments.length && segments[i]!.toLowerCase() !== "providers") {
        const type = segments[i]!;
        template.push(CANONICAL[type.toLowerCase()] ?? type);
        types.push(CANONICAL[type.toLowerCase()] ?? type);
        lastType = type.toLowerCase();
        if (segments[i + 1] !== undefined) {
          template.push(`{${singular(CANONICAL[type.toLowerCase()] ?? type)}Name}`);
          isCollection = false;
        } else {
          isCollection = true;
        }
        i += 2;
      }
      continue;
    }
    template.push(segment);
    lastType = undefined;
    i++;
  }
  return {
    segments,
    template: `${method} /${template.join("/")}`,
    lastType,
    isCollection,
    subscriptionId,
    namespaces,
    action: `${types.join("/") || "Microsoft.Resources/subscriptions"}/read`,
  };
}

function singular(type: string): string {
  return type.endsWith("s") ? type.slice(0, -1) : type;
}

function armError(status: number, code: string, message: string): HttpResponse {
  return json(status, { error: { code, message } });
}

export class ArmPipeline {
  private readonly pageSize: number;
  private readonly writes: ArmWrites;

  constructor(private readonly options: ArmPipelineOptions) {
    this.pageSize = options.pageSize ?? 100;
    this.writes = new ArmWrites(options.store, options.armUrl, options.now);
  }

  async handle(incoming: IncomingArmRequest): Promise<PipelineResult> {
    const parsed = parseArmPath(incoming.method, incoming.rawPath);
    const { counters } = this.options;
    const requestId = randomUUID();
    const finish = (response: HttpResponse): HttpResponse => {
      counters.count(parsed.template, response.status);
      const headers: Record<string, string> = {
        ...response.headers,
        "x-ms-request-id": requestId,
        "x-ms-correlation-request-id": incoming.headers["x-ms-correlation-request-id"] ?? requestId,
      };
      const clientRequestId = incoming.headers["x-ms-client-request-id"];
      if (clientRequestId) headers["x-ms-client-request-id"] = clientRequestId;
      return { ...response, headers };
    };

    const token = await this.options.identity.checkBearer(incoming.headers.authorization, "arm");
    if (!token.ok) {
      const challenge = {
        "WWW-Authenticate": `Bearer authorization_uri="${this.options.identity.tokenEndpoint().replace(/\/oauth2\/v2\.0\/token$/, "")}", error="invalid_token", error_description="The access token is invalid."`,
      };
      const [code, message] =
        token.reason === "missing"
          ? ["AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."]
          : token.reason === "expired"
            ? [
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time is earlier than current UTC time.",
              ]
            : token.reason === "audience"
              ? [
                  "InvalidAuthenticationTokenAudience",
                  "The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.azure.com/'.",
                ]
              : ["InvalidAuthenticationToken", "The access token is invalid."];
      const response = armError(401, code, message);
      return finish({ ...response, headers: { ...response.headers, ...challenge } });
    }
    if (!incoming.query.get("api-version")) {
      return finish(
        armError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        ),
      );
    }
    const method = incoming.method.toUpperCase();
    const isWrite = method !== "GET";
    if (isWrite && !["PUT", "PATCH", "DELETE"].includes(method)) {
      return finish(
        armError(
          405,
          "MethodNotAllowed",
          `The method '${incoming.method}' is not supported on this resource.`,
        ),
      );
    }

    const app = this.options.findAppByClientId(token.claims.appid);
    const principal = token.claims.oid;

    // RBAC: the subscription in the path, or the tenant-level aadiam scope
    if (parsed.subscriptionId) {
      if (!this.options.store.getSubscription(parsed.subscriptionId)) {
        return finish(
          armError(
            404,
            "SubscriptionNotFound",
            `The subscription '${parsed.segments[1]}' could not be found.`,
          ),
        );
      }
      if (!canReadSubscription(app, parsed.subscriptionId) || (isWrite && !app?.arm.write)) {
        return finish(
          authorizationFailed(principal, actionOf(parsed.action, method), `/${parsed.segments.join("/")}`),
        );
      }
    } else if (parsed.namespaces[0] === "microsoft.aadiam") {
      if (!app?.arm.aadiam || (isWrite && !app.arm.write)) {
        return finish(
          authorizationFailed(principal, actionOf(parsed.action, method), `/${parsed.segments.join("/")}`),
        );
      }
    }

    const route = isWrite
      ? this.writes.route({
          method,
          segments: parsed.segments,
          query: incoming.query,
          rawBody: incoming.rawBody ?? "",
        })
      : (this.writes.operation(parsed.segments) ?? this.route(parsed, incoming, app));
    if (!route) {
      return finish(
        armError(
          404,
          "ResourceNotFound",
          `The Resource '${parsed.segments.slice(-2).join("/")}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        ),
      );
    }

    const fault = this.options.faults.draw();
    if (fault) {
      const kind: FaultKind = fault.kind;
      this.options.faults.record({
        api: "arm",
        endpoint: parsed.template,
        section: route.section,
        kind,
        status: kind === "reset" || kind === "slow" ? null : Number(kind),
        inBatch: false,
        path: incoming.originalUrl,
        ...(fault.delayMs !== undefined ? { delayMs: fault.delayMs } : {}),
      });
      counters.fault(route.section, kind);
      if (kind === "reset") {
        counters.count(parsed.template, "reset");
        return { reset: true };
      }
      if (kind === "slow") await this.options.faults.pause(fault.delayMs ?? 0);
      else if (kind === "429") {
        return finish(
          json(
            429,
            { error: { code: "TooManyRequests", message: "The request is being throttled." } },
            { "Retry-After": "1" },
          ),
        );
      } else if (kind === "503") {
        return finish(
          json(
            503,
            { error: { code: "ServiceUnavailable", message: "The service is temporarily unavailable." } },
            { "Retry-After": "1" },
          ),
        );
      } else {
        return finish(
          armError(
            504,
            "GatewayTimeout",
            "The gateway did not receive a response within the specified time period.",
          ),
        );
      }
    }
    return finish(route.respond());
  }

  private route(
    parsed: ParsedArmPath,
    incoming: IncomingArmRequest,
    app: EmulatedApp | undefined,
  ): { section: ArmSection; respond: () => HttpResponse } | undefined {
    const { store } = this.options;
    const path = `/${parsed.segments.join("/")}`;
    const key = armKey(path);

    if (key === "/subscriptions") {
      return {
        section: "azure.subscriptions",
        respond: () => {
          const visible = store
            .listSubscriptions()
            .filter((sub) => canReadSubscription(app, sub.subscriptionId.toLowerCase()))
            .map((sub) => this.subscriptionResource(sub));
          return this.page(path, incoming.query, visible, {
            count: { type: "Total", value: visible.length },
          });
        },
      };
    }
    if (/^\/subscriptions\/[^/]+$/.test(key)) {
      const sub = store.getSubscription(parsed.subscriptionId!)!;
      return { section: "azure.subscriptions", respond: () => json(200, this.subscriptionResource(sub)) };
    }

    for (const extra of this.options.routes ?? []) {
      const hit = extra(path, incoming.query);
      if (hit) return hit;
    }
    const section = parsed.lastType ? ARM_TYPE_SECTIONS[parsed.lastType] : undefined;
    if (!section) return undefined;
    if (parsed.isCollection) {
      const entries = store.listArm(path);
      // a list under a resource (workspace tables, watchlist items) needs that resource to exist
      const parentId = key.slice(0, key.lastIndexOf("/")).replace(/\/providers\/[^/]+$/, "");
      if (entries.length === 0 && parentId.includes("/providers/") && !store.getArm(parentId)) {
        return undefined;
      }
      return {
        section,
        respond: () =>
          this.page(
            path,
            incoming.query,
            entries.map((entry) => entry.resource),
          ),
      };
    }
    const entry: ArmEntry | undefined = store.getArm(path);
    if (!entry) return undefined;
    return { section: entry.section, respond: () => json(200, entry.resource) };
  }

  private subscriptionResource(sub: Record<string, unknown> & { subscriptionId: string }) {
    return {
      id: `/subscriptions/${sub.subscriptionId}`,
      authorizationSource: "RoleBased",
      managedByTenants: [],
      tenantId: this.options.store.tenantId,
      displayName: sub.displayName ?? sub.subscriptionId,
      state: sub.state ?? "Enabled",
      subscriptionPolicies: {
        locationPlacementId: "Public_2014-09-01",
        quotaId: "PayAsYouGo_2014-09-01",
        spendingLimit: "Off",
      },
      ...sub,
    };
  }

  /** `{ value, nextLink? }` with an opaque $skiptoken carrying the offset. */
  private page(
    path: string,
    query: URLSearchParams,
    items: unknown[],
    extra: Record<string, unknown> = {},
  ): HttpResponse {
    const token = query.get("$skiptoken");
    let offset = 0;
    if (token) {
      const decoded = Number(
        Buffer.from(token, "base64url")
          .toString("utf8")
          .replace(/^offset:/, ""),
      );
      if (!Number.isInteger(decoded) || decoded < 0) {
        return armError(400, "InvalidSkipToken", "The skip token in the request is invalid.");
      }
      offset = decoded;
    }
    const value = items.slice(offset, offset + this.pageSize);
    const body: Record<string, unknown> = { value, ...extra };
    if (offset + this.pageSize < items.length) {
      const next = new URLSearchParams(query);
      next.set("$skiptoken", Buffer.from(`offset:${offset + this.pageSize}`).toString("base64url"));
      body.nextLink = `${this.options.armUrl}${path}?${next.toString()}`;
    }
    return json(200, body);
  }
}

function canReadSubscription(app: EmulatedApp | undefined, subscriptionId: string): boolean {
  if (!app) return false;
  if (app.arm.subscriptions === "*") return true;
  return app.arm.subscriptions.some((s) => s.toLowerCase() === subscriptionId.toLowerCase());
}

/** The RBAC action of a request: `.../read` for a GET, `.../write` or `.../delete` for a write. */
function actionOf(readAction: string, method: string): string {
  if (method === "GET") return readAction;
  return readAction.replace(/\/read$/, method === "DELETE" ? "/delete" : "/write");
}

function authorizationFailed(principal: string, action: string, scope: string): HttpResponse {
  return armError(
    403,
    "AuthorizationFailed",
    `The client '${principal}' with object id '${principal}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}
