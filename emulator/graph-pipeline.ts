/**
 * The Graph request pipeline around the resource layer: bearer token → resolve → permissions →
 * throttling → fault injection → handle, for plain requests and for each request inside `$batch`
 * (docs/graph-contract.md §10.1). Every request, inner ones included, is counted by its own endpoint.
 */
import { randomUUID } from "node:crypto";
import { graphError } from "./graph/errors.js";
import type {
  GraphRequest,
  GraphResourceLayer,
  GraphResponse,
  GraphVersion,
  ResolvedGraphRequest,
} from "./graph/types.js";
import type { Counters } from "./counters.js";
import type { FaultInjector, FaultKind } from "./faults.js";
import { mulberry32 } from "./faults.js";
import { getHeader, type PipelineResult } from "./http.js";
import type { AccessTokenClaims, IdentityProvider } from "./identity.js";
import type { Throttler } from "./throttle.js";

export const MAX_BATCH_REQUESTS = 20;
export const BATCH_ENDPOINT = "POST /$batch";

export interface GraphPipelineOptions {
  identity: IdentityProvider;
  layer: GraphResourceLayer;
  counters: Counters;
  faults: FaultInjector;
  /** undefined when throttling is off */
  throttler?: Throttler;
  /** the Graph base URL without version, e.g. https://127.0.0.1:8443/graph */
  graphUrl: string;
  /** seed for the order of $batch responses */
  seed: number;
}

export interface IncomingGraphRequest {
  method: string;
  /** the path below /graph, e.g. "/v1.0/users/abc" (still percent-encoded) */
  rawPath: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  rawBody: string;
  /** path and query as the client sent them, for the fault log */
  originalUrl: string;
}

const INVALID_TOKEN_MESSAGES: Record<string, string> = {
  missing: "Access token is empty.",
  malformed: "IDX14100: JWT is not well formed, there are no dots (.).",
  expired: "Lifetime validation failed, the token is expired.",
  audience: "Access token validation failure. Invalid audience.",
  invalid: "Access token validation failure.",
};

const CA_FAMILIES = new Set(["conditionalAccess", "identityProtection"]);

/** Splits "/v1.0/users/a%2Fb" into the version and the per-segment decoded path. */
export function splitGraphPath(
  rawPath: string,
): { version: GraphVersion; path: string } | { badVersion: string } {
  const match = /^\/([^/]*)(\/.*)?$/.exec(rawPath);
  const version = match?.[1] ?? "";
  if (version !== "v1.0" && version !== "beta") return { badVersion: version };
  const rest = match?.[2] ?? "/";
  const path = rest
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
  return { version, path: path === "" ? "/" : path };
}

export class GraphPipeline {
  private batchOrder: () => number;

  constructor(private readonly options: GraphPipelineOptions) {
    this.batchOrder = mulberry32(options.seed ^ 0x5bd1e995);
  }

  resetOrder(): void {
    this.batchOrder = mulberry32(this.options.seed ^ 0x5bd1e995);
  }

  /** One HTTP request under /graph. */
  async handle(incoming: IncomingGraphRequest): Promise<PipelineResult> {
    const clientRequestId = incoming.headers["client-request-id"];
    const split = splitGraphPath(incoming.rawPath);
    if ("badVersion" in split) {
      const response = graphError(
        400,
        "BadRequest",
        `Invalid version: ${split.badVersion}`,
        {},
        clientRequestId,
      );
      this.options.counters.count(`${incoming.method} /{invalid version}`, response.status);
      return finishHeaders(response, clientRequestId);
    }

    const isBatch = split.path === "/$batch";
    const token = await this.options.identity.checkBearer(incoming.headers.authorization, "graph");
    let body: unknown;
    let badJson = false;
    if (incoming.rawBody.length > 0) {
      try {
        body = JSON.parse(incoming.rawBody);
      } catch {
        badJson = true;
      }
    }

    if (isBatch && incoming.method === "POST") {
      let response: GraphResponse;
      if (!token.ok) response = invalidToken(token.reason, clientRequestId);
      else if (badJson) {
        response = graphError(400, "BadRequest", "Invalid batch payload format.", {}, clientRequestId);
      } else response = await this.batch(split.version, body, incoming, token.claims);
      this.options.counters.count(BATCH_ENDPOINT, response.status);
      return finishHeaders(response, clientRequestId);
    }

    const request: GraphRequest = {
      method: incoming.method,
      version: split.version,
      path: split.path,
      query: incoming.query,
      headers: incoming.headers,
      body,
      baseUrl: this.options.graphUrl,
    };
    const outcome = await this.runOne(request, token.ok ? token.claims : token.reason, {
      inBatch: false,
      originalUrl: incoming.originalUrl,
      badJson,
    });
    if (outcome.kind === "reset") return { reset: true };
    return finishHeaders(outcome.response, clientRequestId);
  }

  private endpointOf(request: GraphRequest): string {
    try {
      return this.options.layer.resolve(request).endpoint;
    } catch {
      return `${request.method} ${request.path}`;
    }
  }

  /** The pipeline for one request, outer or inside a batch. */
  private async runOne(
    request: GraphRequest,
    auth: AccessTokenClaims | string,
    context: { inBatch: boolean; originalUrl: string; badJson?: boolean },
  ): Promise<{ kind: "response"; response: GraphResponse } | { kind: "reset" }> {
    const { counters } = this.options;
    const clientRequestId = request.headers["client-request-id"];
    if (typeof auth !== "string") {
      request.caller = {
        appId: auth.appid,
        objectId: auth.oid,
        roles: auth.roles ?? [],
        wids: auth.wids ?? [],
      };
    }
    let resolution;
    try {
      resolution = this.options.layer.resolve(request);
    } catch (err) {
      const response = internalError(err, clientRequestId);
      counters.count(`${request.method} ${request.path}`, response.status);
      return { kind: "response", response };
    }
    const endpoint = resolution.endpoint;
    const respond = (response: GraphResponse) => {
      counters.count(endpoint, response.status);
      return { kind: "response" as const, response };
    };

    if (typeof auth === "string") return respond(invalidToken(auth, clientRequestId));
    if (context.badJson) {
      return respond(
        graphError(400, "BadRequest", "Unable to read JSON request payload.", {}, clientRequestId),
      );
    }
    if ("error" in resolution) return respond(resolution.error);

    if (!hasPermissions(auth.roles ?? [], resolution.permissions)) {
      return respond(
        graphError(
          403,
          "Authorization_RequestDenied",
          "Insufficient privileges to complete the operation.",
          {},
          clientRequestId,
        ),
      );
    }

    // The fault is drawn before throttling, so the PRNG stream depends on request order only, not
    // on timing; a throttled request discards its draw.
    const fault = this.options.faults.draw();
    let faultKind: FaultKind | undefined = fault?.kind;
    if (faultKind === "reset" && context.inBatch) faultKind = this.options.faults.batchSubstitute();

    const extraHeaders: Record<string, string> = {};
    if (this.options.throttler) {
      const verdict = this.options.throttler.check(
        resolution.family,
        auth.appid,
        request.path,
        request.query,
      );
      if (verdict.resourceUnits !== undefined) {
        extraHeaders["x-ms-resource-unit"] = String(verdict.resourceUnits);
      }
      if (!verdict.allowed) {
        counters.throttled(resolution.section);
        this.options.throttler.record({
          endpoint,
          family: resolution.family,
          section: resolution.section,
          ...(resolution.objectId !== undefined ? { objectId: resolution.objectId } : {}),
          ...(verdict.retryAfterSeconds !== undefined
            ? { retryAfterSeconds: verdict.retryAfterSeconds }
            : {}),
          inBatch: context.inBatch,
          path: context.originalUrl,
        });
        const headers: Record<string, string> = { ...extraHeaders };
        if (verdict.retryAfterSeconds !== undefined) {
          headers["Retry-After"] = String(verdict.retryAfterSeconds);
        }
        if (verdict.scope) headers["x-ms-throttle-scope"] = verdict.scope;
        headers["x-ms-throttle-information"] =
          resolution.family === "directory" ? "ResourceUnitLimitExceeded" : "RequestLimitExceeded";
        return respond(graphError(429, "TooManyRequests", "Too many requests.", headers, clientRequestId));
      }
    }

    if (fault && faultKind) {
      const kind = faultKind;
      const status = kind === "reset" || kind === "slow" ? null : Number(kind);
      this.options.faults.record({
        api: "graph",
        endpoint,
        section: resolution.section,
        ...(resolution.objectId !== undefined ? { objectId: resolution.objectId } : {}),
        kind,
        status,
        inBatch: context.inBatch,
        path: context.originalUrl,
        ...(fault.delayMs !== undefined ? { delayMs: fault.delayMs } : {}),
      });
      counters.fault(resolution.section, kind);
      if (kind === "reset") {
        // A write's connection can drop before the service applies it or after: in the second case
        // the change is made and only the response is lost, so the client cannot know the outcome
        // (docs/graph-writes.md 0.3). Reads draw nothing extra, so their fault stream is unchanged.
        if (request.method.toUpperCase() !== "GET" && this.options.faults.dropAfterWrite()) {
          try {
            resolution.handle();
          } catch {
            // the client sees a dropped connection either way
          }
        }
        counters.count(endpoint, "reset");
        return { kind: "reset" };
      }
      if (kind === "slow") {
        await this.options.faults.pause(fault.delayMs ?? 0);
      } else {
        return respond(faultResponse(kind, resolution, clientRequestId));
      }
    }

    let response: GraphResponse;
    try {
      response = resolution.handle();
    } catch (err) {
      response = internalError(err, clientRequestId);
    }
    return respond({ ...response, headers: { ...extraHeaders, ...response.headers } });
  }

  private async batch(
    version: GraphVersion,
    body: unknown,
    incoming: IncomingGraphRequest,
    claims: AccessTokenClaims,
  ): Promise<GraphResponse> {
    const clientRequestId = incoming.headers["client-request-id"];
    const bad = (message: string) => graphError(400, "BadRequest", message, {}, clientRequestId);
    const requests = (body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests)) return bad("Invalid batch payload format.");
    if (requests.length === 0) return bad("Invalid batch payload format.");
    if (requests.length > MAX_BATCH_REQUESTS) {
      return bad(`The number of requests in the batch exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
    }

    interface Inner {
      id: string;
      method: string;
      url: string;
      headers: Record<string, string>;
      body?: unknown;
      dependsOn: string[];
    }
    const inners: Inner[] = [];
    const seen = new Set<string>();
    for (const raw of requests as Array<Record<string, unknown>>) {
      if (!raw || typeof raw !== "object") return bad("Invalid batch payload format.");
      const { id, method, url } = raw;
      if (typeof id !== "string" || id === "") return bad("Batch request id is missing.");
      if (seen.has(id.toLowerCase())) return bad(`Request id '${id}' is not unique in the batch.`);
      seen.add(id.toLowerCase());
      if (typeof method !== "string" || method === "") {
        return bad(`Batch request with id '${id}' has no method.`);
      }
      if (typeof url !== "string" || url === "") return bad(`Batch request with id '${id}' has no url.`);
      if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
        return bad(`Batch request with id '${id}' has an absolute url; urls must be relative.`);
      }
      const headers: Record<string, string> = {};
      if (raw.headers !== undefined) {
        if (typeof raw.headers !== "object" || raw.headers === null) {
          return bad(`Batch request with id '${id}' has invalid headers.`);
        }
        for (const [name, value] of Object.entries(raw.headers as Record<string, unknown>)) {
          headers[name.toLowerCase()] = String(value);
        }
      }
      if (raw.body !== undefined && !headers["content-type"]) {
        return bad(`Write request id : ${id} does not contain Content-Type header or body.`);
      }
      const dependsOn = raw.dependsOn ?? [];
      if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== "string")) {
        return bad(`Batch request with id '${id}' has an invalid dependsOn.`);
      }
      inners.push({
        id,
        method: method.toUpperCase(),
        url,
        headers,
        body: raw.body,
        dependsOn: dependsOn as string[],
      });
    }
    for (const inner of inners) {
      for (const dep of inner.dependsOn) {
        if (!seen.has(dep.toLowerCase())) {
          return bad(`Request '${inner.id}' depends on '${dep}', which is not in the batch.`);
        }
      }
    }
    const order = topologicalOrder(inners);
    if (!order) return bad("The dependsOn references of the batch form a cycle.");

    const statusById = new Map<string, number>();
    const responses: Array<{ id: string; status: number; headers: Record<string, string>; body?: unknown }> =
      [];
    for (const inner of order) {
      const failedDependency = inner.dependsOn.some((dep) => {
        const status = statusById.get(dep.toLowerCase());
        return status === undefined || status < 200 || status >= 300;
      });
      const target = new URL(
        inner.url.startsWith("/") ? inner.url : `/${inner.url}`,
        "https://batch.invalid",
      );
      const split = splitGraphPath(`/${version}${target.pathname}`);
      const request: GraphRequest = {
        method: inner.method,
        version,
        path: "badVersion" in split ? target.pathname : split.path,
        query: target.searchParams,
        headers: { ...inner.headers, authorization: incoming.headers.authorization ?? "" },
        body: inner.body,
        baseUrl: this.options.graphUrl,
      };
      let response: GraphResponse;
      if (failedDependency) {
        response = graphError(424, "FailedDependency", "Request failed due to a failed dependency.");
        this.options.counters.count(this.endpointOf(request), 424);
      } else {
        const outcome = await this.runOne(request, claims, {
          inBatch: true,
          originalUrl: `/${version}${target.pathname}${target.search}`,
        });
        // runOne never resets inside a batch (it substitutes a 503/504)
        response =
          outcome.kind === "response"
            ? outcome.response
            : graphError(503, "serviceNotAvailable", "Service unavailable.");
      }
      statusById.set(inner.id.toLowerCase(), response.status);
      const innerResponse: { id: string; status: number; headers: Record<string, string>; body?: unknown } = {
        id: inner.id,
        status: response.status,
        headers: { "Cache-Control": "no-cache", ...response.headers },
      };
      if (response.body !== undefined) innerResponse.body = response.body;
      responses.push(innerResponse);
    }
    // Graph returns inner responses in no particular order; a client must match them by id
    shuffle(responses, this.batchOrder);
    return {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: { responses },
    };
  }
}

/** AND-of-ORs: each inner list needs one granted permission. */
export function hasPermissions(granted: readonly string[], required: readonly string[][]): boolean {
  const have = new Set(granted.map((p) => p.toLowerCase()));
  return required.every((anyOf) => anyOf.length === 0 || anyOf.some((p) => have.has(p.toLowerCase())));
}

function invalidToken(reason: string, clientRequestId?: string): GraphResponse {
  return graphError(
    401,
    "InvalidAuthenticationToken",
    INVALID_TOKEN_MESSAGES[reason] ?? INVALID_TOKEN_MESSAGES.invalid!,
    {
      "WWW-Authenticate":
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    },
    clientRequestId,
  );
}

function internalError(err: unknown, clientRequestId?: string): GraphResponse {
  const message = err instanceof Error ? err.message : String(err);
  return graphError(500, "generalException", `Emulator error: ${message}`, {}, clientRequestId);
}

function faultResponse(
  kind: Exclude<FaultKind, "reset" | "slow">,
  resolution: ResolvedGraphRequest,
  clientRequestId?: string,
): GraphResponse {
  // CA and identity-protection services send no Retry-After (docs/graph-contract.md §10.2)
  const retryAfter: Record<string, string> =
    kind !== "504" && !CA_FAMILIES.has(resolution.family) ? { "Retry-After": "1" } : {};
  switch (kind) {
    case "429":
      return graphError(429, "TooManyRequests", "Too many requests.", retryAfter, clientRequestId);
    case "503":
      return graphError(
        503,
        "serviceNotAvailable",
        "The service is temporarily unavailable. Please retry.",
        retryAfter,
        clientRequestId,
      );
    case "504":
      return graphError(
        504,
        "gatewayTimeout",
        "The gateway did not receive a timely response from the upstream server.",
        retryAfter,
        clientRequestId,
      );
  }
}

/** request-id on every response, client-request-id echoed (or the request id), innerError made consistent. */
function finishHeaders(response: GraphResponse, clientRequestId?: string): GraphResponse {
  const headers = { ...response.headers };
  const requestId = getHeader(headers, "request-id") ?? randomUUID();
  for (const key of Object.keys(headers)) {
    const lower = key.toLowerCase();
    if (lower === "request-id" || lower === "client-request-id") delete headers[key];
  }
  headers["request-id"] = requestId;
  headers["client-request-id"] = clientRequestId ?? requestId;
  if (!getHeader(headers, "cache-control")) headers["Cache-Control"] = "no-cache";
  const innerError = (response.body as { error?: { innerError?: Record<string, unknown> } } | undefined)
    ?.error?.innerError;
  if (innerError) {
    innerError["request-id"] = requestId;
    innerError["client-request-id"] = clientRequestId ?? requestId;
  }
  return { ...response, headers };
}

function topologicalOrder<T extends { id: string; dependsOn: string[] }>(items: T[]): T[] | undefined {
  const byId = new Map(items.map((item) => [item.id.toLowerCase(), item]));
  const state = new Map<string, "visiting" | "done">();
  const out: T[] = [];
  const visit = (item: T): boolean => {
    const key = item.id.toLowerCase();
    const s = state.get(key);
    if (s === "done") return true;
    if (s === "visiting") return false;
    state.set(key, "visiting");
    for (const dep of item.dependsOn) if (!visit(byId.get(dep.toLowerCase())!)) return false;
    state.set(key, "done");
    out.push(item);
    return true;
  };
  for (const item of items) if (!visit(item)) return undefined;
  return out;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
