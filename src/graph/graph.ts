/**
 * The Graph client: the official @microsoft/microsoft-graph-client with its own middleware
 * (AuthenticationHandler, RetryHandler for 429/503/504 with Retry-After), JSON batching through
 * BatchRequestContent/BatchResponseContent, and two additions the library does not have:
 *
 * - connection resets (and other failures without an HTTP status) and top-level 5xx are re-sent
 *   through p-retry, because RetryHandler only looks at 429/503/504 responses;
 * - inner requests of a `$batch` answered 429/5xx are re-sent, only those, in a new batch after the
 *   longest Retry-After (graph-contract.md 10.1), within the same retry budget.
 *
 * The last middleware sends with undici's own fetch so an explicit CA (the emulator's, in-process)
 * can be trusted through an undici Agent; Node's global fetch cannot take a dispatcher from another
 * undici version reliably.
 */
import {
  AuthenticationHandler,
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import type { TokenCredential } from "@azure/core-auth";
import pRetry, { AbortError } from "p-retry";
import { fetch as undiciFetch, type Agent as UndiciAgent } from "undici";
import { ReadError } from "./errors.js";
import type { RequestTracker } from "./tracker.js";
import { undiciAgentFor } from "./tls.js";

export const PUBLIC_GRAPH_URL = "https://graph.microsoft.com";
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
/** graph-contract.md 10.1 */
export const MAX_BATCH = 20;

export type GraphVersion = "v1.0" | "beta";

export interface GraphClientOptions {
  credential: TokenCredential;
  /** BREAKGLASS_GRAPH_URL; may carry a path prefix (the emulator serves Graph under /graph). */
  baseUrl?: string;
  scope?: string;
  /** CA PEM to trust in-process (tests, demo); live commands use NODE_EXTRA_CA_CERTS. */
  caPem?: string;
  /** retries per request after the first attempt (RetryHandler's maxRetries, at most 10). */
  maxRetries?: number;
  /** base back-off in seconds when the service sends no Retry-After. */
  retryDelaySeconds?: number;
  /** how long a batch keeps honouring 429 + Retry-After before giving up (default 900 s). */
  maxThrottleWaitSeconds?: number;
  tracker?: RequestTracker;
}

/** One GET inside a batch: a URL relative to the version root (`/users?$select=id`). */
export interface BatchItem {
  id: string;
  url: string;
  headers?: Record<string, string>;
}

export type ReadResult = { ok: true; status: number; body: any } | { ok: false; error: ReadError };

const RETRYABLE = (status: number) => status === 429 || (status >= 500 && status !== 501 && status !== 505);

/** Final middleware: sends with undici's fetch (explicit CA), and records each attempt. */
export class UndiciFetchHandler implements Middleware {
  private readonly lastRetryableEnd = new WeakMap<Context, number>();
  constructor(
    private readonly dispatcher: UndiciAgent | undefined,
    private readonly tracker: RequestTracker | undefined,
  ) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const opts: any = { ...(context.options ?? {}) };
    if (typeof context.request !== "string") {
      opts.method ??= context.request.method;
      opts.headers ??= context.request.headers;
    }
    if (this.dispatcher) opts.dispatcher = this.dispatcher;
    const previous = this.lastRetryableEnd.get(context);
    if (previous !== undefined) this.tracker?.addWait(Date.now() - previous);
    const done = this.tracker?.start("graph", String(opts.method ?? "GET"), url);
    try {
      const response = await undiciFetch(url, opts);
      done?.(response.status);
      if (RETRYABLE(response.status)) this.lastRetryableEnd.set(context, Date.now());
      context.response = response as unknown as Response;
    } catch (err) {
      done?.(undefined);
      throw err;
    }
  }
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? headers[key] : undefined;
}

/** Seconds to wait from a Retry-After value (seconds or HTTP date), undefined when absent. */
export function retryAfterSeconds(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** "403 Forbidden: <message>" from a Graph error envelope (innerError and innererror both accepted). */
export function describeGraphError(status: number | undefined, body: any, fallback?: string): ReadError {
  const error = body && typeof body === "object" ? body.error : undefined;
  const code = typeof error?.code === "string" && error.code ? error.code : undefined;
  const message =
    typeof error?.message === "string" && error.message ? error.message : (fallback ?? "no error message");
  const reason = status === undefined ? "network error" : `${status} ${STATUS_TEXT[status] ?? "error"}`;
  return new ReadError(status, code, `${reason}: ${message}`);
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  424: "Failed Dependency",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * What p-retry re-sends: failures without an HTTP status (connection reset, refused) and the 5xx
 * RetryHandler leaves alone (it handles 429, 503 and 504, and has already spent its budget on them).
 */
function resendable(err: unknown): boolean {
  if (!(err instanceof GraphError)) return true;
  const s = err.statusCode;
  if (!(s > 0)) return true;
  return s >= 500 && s !== 501 && s !== 505 && s !== 503 && s !== 504;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class GraphApi {
  readonly client: Client;
  readonly baseUrl: string;
  private readonly maxRetries: number;
  private readonly retryDelaySeconds: number;
  private readonly maxThrottleWaitSeconds: number;
  private readonly tracker?: RequestTracker;
  private batchCounter = 0;

  constructor(options: GraphClientOptions) {
    this.baseUrl = (options.baseUrl ?? PUBLIC_GRAPH_URL).replace(/\/+$/, "");
    this.maxRetries = Math.min(10, Math.max(0, options.maxRetries ?? 6));
    this.retryDelaySeconds = Math.max(0, options.retryDelaySeconds ?? 3);
    this.maxThrottleWaitSeconds = Math.max(0, options.maxThrottleWaitSeconds ?? 900);
    this.tracker = options.tracker;
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, {
      scopes: [options.scope ?? GRAPH_SCOPE],
    });
    const auth = new AuthenticationHandler(authProvider);
    const retry = new RetryHandler(new RetryHandlerOptions(this.retryDelaySeconds, this.maxRetries));
    const send = new UndiciFetchHandler(undiciAgentFor(options.caPem), options.tracker);
    auth.setNext(retry);
    retry.setNext(send);
    const host = new URL(this.baseUrl).hostname;
    this.client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl: this.baseUrl,
      // The auth handler only attaches the token to graph.microsoft.com and these hosts.
      customHosts: new Set([host]),
    });
  }

  /** Absolute URL of a version-relative path, as the service's nextLinks are. */
  url(version: GraphVersion, relative: string): string {
    return `${this.baseUrl}/${version}${relative.startsWith("/") ? "" : "/"}${relative}`;
  }

  /** Relative URL (for a batch) of an absolute nextLink of this service, undefined if it is not ours. */
  relativeOf(absolute: string, version: GraphVersion): string | undefined {
    const prefix = `${this.baseUrl}/${version}`;
    if (absolute.toLowerCase().startsWith(prefix.toLowerCase())) return absolute.slice(prefix.length);
    return undefined;
  }

  /**
   * One GET (absolute URL or version-relative path). 429/503/504 are retried by RetryHandler;
   * connection failures and other 5xx by p-retry, with the same budget. Never throws: a read that
   * still fails is returned as a ReadError for `unavailable`.
   */
  async get(
    pathOrUrl: string,
    version: GraphVersion,
    headers: Record<string, string> = {},
  ): Promise<ReadResult> {
    const absolute = /^https:\/\//i.test(pathOrUrl) ? pathOrUrl : this.url(version, pathOrUrl);
    try {
      const body = await pRetry(async () => {
        try {
          return await this.client.api(absolute).headers(headers).get();
        } catch (err) {
          if (!resendable(err)) throw new AbortError(err as Error);
          throw err;
        }
      }, this.retryOptions());
      return { ok: true, status: 200, body };
    } catch (err) {
      return { ok: false, error: this.toReadError(err) };
    }
  }

  private retryOptions() {
    return {
      retries: this.maxRetries,
      minTimeout: this.retryDelaySeconds * 1000,
      factor: 2,
      randomize: true,
      onFailedAttempt: () => {
        if (this.tracker) this.tracker.networkRetries++;
      },
    };
  }

  private toReadError(err: unknown): ReadError {
    const e = (err as any)?.originalError ?? err;
    if (e instanceof ReadError) return e;
    if (e instanceof GraphError) {
      const status = e.statusCode > 0 ? e.statusCode : undefined;
      const base = describeGraphError(status, e.body ? safeJson(e.body) : undefined, e.message);
      if (status === undefined)
        return new ReadError(
          undefined,
          undefined,
          `network error after ${this.maxRetries} retries: ${e.message}`,
        );
      if (RETRYABLE(status))
        return new ReadError(status, base.code, `${status} after ${this.maxRetries} retries`);
      return new ReadError(status, e.code ?? base.code, base.message);
    }
    return new ReadError(
      undefined,
      undefined,
      `network error after ${this.maxRetries} retries: ${(e as Error)?.message ?? e}`,
    );
  }

  /**
   * Send GETs as `$batch` requests of at most 20, all batches in parallel. Inner 429/5xx are re-sent
   * (only those) in a new batch after the longest Retry-After, up to maxRetries times each.
   */
  async batch(items: BatchItem[], version: GraphVersion): Promise<Map<string, ReadResult>> {
    const results = new Map<string, ReadResult>();
    const chunks: BatchItem[][] = [];
    for (let i = 0; i < items.length; i += MAX_BATCH) chunks.push(items.slice(i, i + MAX_BATCH));
    await Promise.all(chunks.map((chunk) => this.batchChunk(chunk, version, results)));
    return results;
  }

  /**
   * Failures (5xx, and 429 without Retry-After) consume the retry budget. A 429 that says when to
   * come back does not: the service is pacing us (reports allow 5 requests per 10 s, so a tenant
   * with many subjects needs many rounds), and it is honoured until `maxThrottleWaitSeconds` of
   * waiting for this chunk, after which the read is recorded as unavailable.
   */
  private async batchChunk(chunk: BatchItem[], version: GraphVersion, results: Map<string, ReadResult>) {
    let pending = chunk;
    const failures = new Map<string, number>();
    let throttleWaited = 0;
    for (let round = 0; pending.length > 0; round++) {
      const answered = await this.sendBatch(pending, version);
      const again: BatchItem[] = [];
      let waitSeconds = 0;
      for (const item of pending) {
        const r = answered.get(item.id);
        if (!r) {
          results.set(item.id, {
            ok: false,
            error: new ReadError(undefined, undefined, "no answer in the $batch response"),
          });
          continue;
        }
        if (r.ok) {
          results.set(item.id, r.result);
          continue;
        }
        const paced = r.status === 429 && r.retryAfter !== undefined;
        const used = failures.get(item.id) ?? 0;
        if (r.retryable && paced && throttleWaited + r.retryAfter! <= this.maxThrottleWaitSeconds) {
          again.push(item);
          waitSeconds = Math.max(waitSeconds, r.retryAfter!);
          continue;
        }
        if (r.retryable && !paced && used < this.maxRetries) {
          failures.set(item.id, used + 1);
          again.push(item);
          waitSeconds = Math.max(waitSeconds, this.retryDelaySeconds * 2 ** used + Math.random());
          continue;
        }
        results.set(
          item.id,
          r.retryable
            ? {
                ok: false,
                error: new ReadError(
                  r.status,
                  undefined,
                  paced
                    ? `${r.status} after ${Math.round(throttleWaited)} s of throttling`
                    : `${r.status} after ${this.maxRetries} retries`,
                ),
              }
            : r.result,
        );
      }
      if (again.length) {
        const ms = Math.min(waitSeconds, 180) * 1000;
        throttleWaited += ms / 1000;
        this.tracker?.addWait(ms);
        await sleep(ms);
      }
      pending = again;
    }
  }

  /** One `$batch` POST; a failure of the whole POST becomes a failure of each inner request. */
  private async sendBatch(
    items: BatchItem[],
    version: GraphVersion,
  ): Promise<
    Map<
      string,
      | { ok: true; result: ReadResult }
      | { ok: false; retryable: boolean; status?: number; retryAfter?: number; result: ReadResult }
    >
  > {
    const out = new Map<
      string,
      | { ok: true; result: ReadResult }
      | { ok: false; retryable: boolean; status?: number; retryAfter?: number; result: ReadResult }
    >();
    // Batch ids must be unique per batch; ours map back to the caller's ids.
    const idMap = new Map<string, string>();
    const steps = items.map((item) => {
      const id = String(++this.batchCounter);
      idMap.set(id, item.id);
      // The host is a placeholder: BatchRequestContent keeps only the path and query.
      const request = new Request(
        `https://graph.microsoft.com${item.url.startsWith("/") ? "" : "/"}${item.url}`,
        {
          method: "GET",
          headers: item.headers ?? {},
        },
      );
      return { id, request };
    });
    if (this.tracker) this.tracker.batchedRequests += items.length;
    let raw: any;
    try {
      const content = await new BatchRequestContent(steps).getContent();
      raw = await pRetry(async () => {
        try {
          return await this.client.api(this.url(version, "/$batch")).post(content);
        } catch (err) {
          if (!resendable(err)) throw new AbortError(err as Error);
          throw err;
        }
      }, this.retryOptions());
    } catch (err) {
      const error = this.toReadError(err);
      for (const item of items)
        out.set(item.id, { ok: false, retryable: false, status: error.status, result: { ok: false, error } });
      return out;
    }
    // BatchResponseContent only parses a JSON body when the header is spelled "Content-Type".
    const normalized = {
      ...raw,
      responses: (raw?.responses ?? []).map((r: any) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers ?? {}))
          headers[k.toLowerCase() === "content-type" ? "Content-Type" : k] = String(v);
        if (r.body !== undefined && typeof r.body === "object" && !headers["Content-Type"])
          headers["Content-Type"] = "application/json";
        return { ...r, headers };
      }),
    };
    const parsed = new BatchResponseContent(normalized);
    for (const [innerId, response] of parsed.getResponses()) {
      const id = idMap.get(innerId);
      if (!id) continue;
      const status = response.status;
      const text = await response.text();
      let body: any = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      if (status >= 200 && status < 300) {
        out.set(id, { ok: true, result: { ok: true, status, body } });
      } else {
        const headers = normalized.responses.find((r: any) => String(r.id) === innerId)?.headers;
        out.set(id, {
          ok: false,
          retryable: RETRYABLE(status),
          status,
          retryAfter: retryAfterSeconds(headerOf(headers, "retry-after")),
          result: { ok: false, error: describeGraphError(status, body) },
        });
      }
    }
    return out;
  }
}

function safeJson(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
