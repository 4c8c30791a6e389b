/**
 * The Graph client: the official @microsoft/microsoft-graph-client (AuthenticationHandler, JSON
 * batching through BatchRequestContent/BatchResponseContent) with Breakglass's own pacing and
 * retries, because the library's RetryHandler waits on real timers, retries every 429 on its own and
 * knows nothing of Graph's throttle families:
 *
 * - every request counts against its throttle family's window (pacing.ts) and is sent only when the
 *   window admits it; `$batch`es hold requests of one family only, so a family's back-off never
 *   holds another's reads, and each read resolves as soon as its own answer is in;
 * - a 429 with Retry-After blocks its family until then and is honoured (it does not spend the
 *   failure budget) up to `maxThrottleWaitSeconds`; only the throttled reads are re-sent;
 * - 5xx, 429 without Retry-After and connection failures are re-sent with exponential back-off
 *   (p-retry for single requests) up to `maxRetries` times;
 * - all waiting goes through an injected Clock, so tests advance time instead of sleeping.
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
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import type { TokenCredential } from "@azure/core-auth";
import pRetry from "p-retry";
import {
  fetch as undiciFetch,
  type Agent as UndiciAgent,
  type RequestInit as UndiciRequestInit,
} from "undici";
import { systemClock, type Clock } from "./clock.js";
import { ReadError } from "./errors.js";
import {
  FamilyPacers,
  familyOf,
  unitsOf,
  type FamilyLimit,
  type GraphFamily,
  type Release,
} from "./pacing.js";
import type { RequestTracker } from "./tracker.js";
import { undiciAgentFor } from "./tls.js";

export const PUBLIC_GRAPH_URL = "https://graph.microsoft.com";
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
/** The most requests one `$batch` may hold (Microsoft's JSON batching page). */
export const MAX_BATCH = 20;

export type GraphVersion = "v1.0" | "beta";

export interface GraphClientOptions {
  credential: TokenCredential;
  /** BREAKGLASS_GRAPH_URL; may carry a path prefix (the emulator serves Graph under /graph). */
  baseUrl?: string;
  scope?: string;
  /** CA PEM to trust in-process (tests, demo); live commands use NODE_EXTRA_CA_CERTS. */
  caPem?: string;
  /** retries per request after the first attempt, for failures (5xx, resets, 429 without Retry-After). */
  maxRetries?: number;
  /** base back-off in seconds when the service sends no Retry-After. */
  retryDelaySeconds?: number;
  /** how long one read keeps honouring 429 + Retry-After before giving up (default 900 s). */
  maxThrottleWaitSeconds?: number;
  tracker?: RequestTracker;
  /** time and waiting (default: the system clock). */
  clock?: Clock;
  /** per-family windows (default FAMILY_LIMITS). */
  familyLimits?: Partial<Record<GraphFamily, FamilyLimit>>;
}

/** One GET inside a batch: a URL relative to the version root (`/users?$select=id`). */
export interface BatchItem {
  id: string;
  url: string;
  headers?: Record<string, string>;
}

/** A Graph answer's JSON body: untyped until the collector narrows it. */
export type GraphBody = unknown;

export type ReadResult = { ok: true; status: number; body: GraphBody } | { ok: false; error: ReadError };

const RETRYABLE = (status: number) => status === 429 || (status >= 500 && status !== 501 && status !== 505);

/** Final middleware: sends with undici's fetch (explicit CA), and records each attempt. */
export class UndiciFetchHandler implements Middleware {
  constructor(
    private readonly dispatcher: UndiciAgent | undefined,
    private readonly tracker: RequestTracker | undefined,
  ) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    // The library's RequestInit and undici's differ only in types, not in what is sent.
    const opts = { ...(context.options ?? {}) } as UndiciRequestInit;
    if (typeof context.request !== "string") {
      opts.method ??= context.request.method;
      opts.headers ??= context.request.headers as UndiciRequestInit["headers"];
    }
    if (this.dispatcher) opts.dispatcher = this.dispatcher;
    const done = this.tracker?.start("graph", String(opts.method ?? "GET"), url);
    try {
      const response = await undiciFetch(url, opts);
      done?.(response.status);
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
export function retryAfterSeconds(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/** The `error` object of a Graph error envelope, when the body is one. */
function errorEnvelope(body: unknown): { code?: unknown; message?: unknown } | undefined {
  if (!body || typeof body !== "object") return undefined;
  const error = (body as { error?: unknown }).error;
  return error && typeof error === "object" ? (error as { code?: unknown; message?: unknown }) : undefined;
}

/** "403 Forbidden: <message>" from a Graph error envelope (innerError and innererror both accepted). */
export function describeGraphError(status: number | undefined, body: unknown, fallback?: string): ReadError {
  const error = errorEnvelope(body);
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

/** One answer, plain or inside a batch: a status (undefined when the connection failed) and a body. */
interface Answer {
  status: number | undefined;
  body?: GraphBody;
  retryAfter?: number;
  /** the failure's own message (a connection error) */
  message?: string;
  /** no token: the credential itself failed (a wrong secret, no sign-in), which asking again cannot mend */
  credentialFailed?: boolean;
}

/**
 * @azure/identity's errors for a credential that cannot give a token (a refused secret or
 * certificate is AuthenticationRequiredError, a missing sign-in CredentialUnavailableError), by name:
 * the Graph client passes on only the name. AuthenticationError is left out: it also carries a token
 * endpoint's 5xx, which a retry can mend.
 */
const CREDENTIAL_ERRORS = new Set(["AuthenticationRequiredError", "CredentialUnavailableError"]);

/** The retry budget one read has spent. */
interface RetryState {
  failures: number;
  throttleWaitedMs: number;
}

/** What to do after a failed answer: wait (and then re-send), or give up with this error. */
type RetryDecision = { retry: true; waitMs: number; paced: boolean } | { retry: false; error: ReadError };

export class GraphApi {
  readonly client: Client;
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly pacers: FamilyPacers;
  private readonly maxRetries: number;
  private readonly retryDelaySeconds: number;
  private readonly maxThrottleWaitSeconds: number;
  private readonly tracker?: RequestTracker;
  private readonly batchers = new Map<string, FamilyBatcher>();
  private batchCounter = 0;

  constructor(options: GraphClientOptions) {
    this.baseUrl = (options.baseUrl ?? PUBLIC_GRAPH_URL).replace(/\/+$/, "");
    this.maxRetries = Math.min(10, Math.max(0, options.maxRetries ?? 6));
    this.retryDelaySeconds = Math.max(0, options.retryDelaySeconds ?? 3);
    this.maxThrottleWaitSeconds = Math.max(0, options.maxThrottleWaitSeconds ?? 900);
    this.tracker = options.tracker;
    this.clock = options.clock ?? systemClock;
    this.pacers = new FamilyPacers(this.clock, options.familyLimits);
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, {
      scopes: [options.scope ?? GRAPH_SCOPE],
    });
    const auth = new AuthenticationHandler(authProvider);
    auth.setNext(new UndiciFetchHandler(undiciAgentFor(options.caPem), options.tracker));
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

  /** Reads of each family that are queued or on the wire, and the time the pacing predicts for them. */
  predictedWaitMs(): number {
    return this.pacers.predictedWaitMs();
  }

  /**
   * One GET (absolute URL or version-relative path), paced by its family. Never throws: a read that
   * still fails after the budget is returned as a ReadError for `unavailable`.
   */
  async get(
    pathOrUrl: string,
    version: GraphVersion,
    headers: Record<string, string> = {},
  ): Promise<ReadResult> {
    const absolute = /^https:\/\//i.test(pathOrUrl) ? pathOrUrl : this.url(version, pathOrUrl);
    const family = familyOf(absolute);
    const state: RetryState = { failures: 0, throttleWaitedMs: 0 };
    let gaveUp: ReadError | undefined;
    try {
      const body: GraphBody = await pRetry(
        async () => {
          const release = await this.acquire(
            family,
            unitsOf(absolute),
            state.failures + state.throttleWaitedMs > 0,
          );
          try {
            return (await this.client.api(absolute).headers(headers).get()) as GraphBody;
          } finally {
            release();
          }
        },
        {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: 0,
          shouldRetry: async ({ error }) => {
            const decision = this.decide(family, state, answerOfError(error, this.clock.now()), false);
            if (!decision.retry) {
              gaveUp = decision.error;
              return false;
            }
            await this.wait(decision);
            return true;
          },
        },
      );
      return { ok: true, status: 200, body };
    } catch (err) {
      return { ok: false, error: gaveUp ?? describeAnswer(answerOfError(err, this.clock.now())) };
    }
  }

  /**
   * One GET sent inside a `$batch` with other reads of its family and version (gathered in the same
   * tick, at most 20 and at most what the family's window admits). Resolves when its own answer is
   * in; throttled and failed reads are re-sent alone, never their batch.
   */
  read(item: BatchItem, version: GraphVersion): Promise<ReadResult> {
    const family = familyOf(item.url);
    const key = `${family} ${version}`;
    let batcher = this.batchers.get(key);
    if (!batcher) this.batchers.set(key, (batcher = new FamilyBatcher(this, family, version)));
    return batcher.add(item);
  }

  /** Many reads at once; each still resolves on its own (see `read`). */
  batch(items: BatchItem[], version: GraphVersion): Map<string, Promise<ReadResult>> {
    return new Map(items.map((item) => [item.id, this.read(item, version)]));
  }

  /** @internal Waits for the family's window; records the wait. */
  async acquire(family: GraphFamily, units: number, retrying: boolean): Promise<Release> {
    const start = this.clock.now();
    const release = await this.pacers.of(family).acquire(units, retrying ? 1 : 0);
    this.tracker?.addPacingWait(start, this.clock.now());
    return release;
  }

  /**
   * @internal The retry rule for one failed answer. A 429 with Retry-After is the service pacing us:
   * it blocks the family and does not spend the failure budget, until `maxThrottleWaitSeconds` of
   * waiting for this read. Everything else retryable spends it, with exponential back-off.
   */
  decide(family: GraphFamily, state: RetryState, answer: Answer, inBatch: boolean): RetryDecision {
    const status = answer.status;
    // A plain request's answer is the tracker's own record already.
    if (status !== undefined && inBatch) this.tracker?.innerAnswer(status);
    if (status === undefined && this.tracker) this.tracker.networkRetries++;
    const retryable = !answer.credentialFailed && (status === undefined || RETRYABLE(status));
    if (!retryable) return { retry: false, error: describeAnswer(answer) };
    const now = this.clock.now();
    if (status === 429 && answer.retryAfter !== undefined) {
      const waitMs = Math.min(answer.retryAfter, 180) * 1000;
      if (state.throttleWaitedMs + waitMs > this.maxThrottleWaitSeconds * 1000)
        return {
          retry: false,
          error: new ReadError(
            429,
            undefined,
            `429 after ${Math.round(state.throttleWaitedMs / 1000)} s of throttling`,
          ),
        };
      state.throttleWaitedMs += waitMs;
      this.pacers.of(family).block(now + waitMs);
      return { retry: true, waitMs, paced: true };
    }
    if (state.failures >= this.maxRetries)
      return {
        retry: false,
        error:
          status === undefined
            ? new ReadError(
                undefined,
                undefined,
                `network error after ${this.maxRetries} retries: ${answer.message ?? "no answer"}`,
              )
            : new ReadError(status, errorCode(answer.body), `${status} after ${this.maxRetries} retries`),
      };
    const backoff = this.retryDelaySeconds * 2 ** state.failures + Math.random();
    const waitMs = Math.min(answer.retryAfter ?? backoff, 180) * 1000;
    state.failures++;
    // A 429 without Retry-After (Conditional Access sends none) still says the family is over its limit.
    if (status === 429) this.pacers.of(family).block(now + waitMs);
    return { retry: true, waitMs, paced: false };
  }

  /** @internal Waits out a retry decision: a paced one waits in the family's queue instead. */
  async wait(decision: { waitMs: number; paced: boolean }): Promise<void> {
    const now = this.clock.now();
    this.tracker?.addRetryWait(now, now + decision.waitMs);
    if (!decision.paced) await this.clock.sleep(decision.waitMs);
  }

  /** @internal One `$batch` POST; a failure of the whole POST becomes the answer of each inner request. */
  async sendBatch(items: BatchItem[], version: GraphVersion): Promise<Map<string, Answer>> {
    const out = new Map<string, Answer>();
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
    let raw: unknown;
    try {
      const content = await new BatchRequestContent(steps).getContent();
      raw = await this.client.api(this.url(version, "/$batch")).post(content);
    } catch (err) {
      const answer = answerOfError(err, this.clock.now());
      for (const item of items) out.set(item.id, answer);
      return out;
    }
    const responses = parseBatchResponses(raw);
    // BatchResponseContent only parses a JSON body when the header is spelled "Content-Type".
    const parsed = new BatchResponseContent({ responses });
    for (const [innerId, response] of parsed.getResponses()) {
      const id = idMap.get(innerId);
      if (!id) continue;
      const text = await response.text();
      let body: GraphBody = undefined;
      try {
        body = text ? (JSON.parse(text) as GraphBody) : undefined;
      } catch {
        body = text;
      }
      const headers = responses.find((r) => r.id === innerId)?.headers;
      out.set(id, {
        status: response.status,
        body,
        retryAfter: retryAfterSeconds(headerOf(headers, "retry-after"), this.clock.now()),
      });
    }
    return out;
  }
}

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** The inner responses of a `$batch` answer, headers normalised for BatchResponseContent. */
function parseBatchResponses(raw: unknown): InnerResponse[] {
  const list = raw && typeof raw === "object" ? (raw as { responses?: unknown }).responses : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry): InnerResponse[] => {
    if (!entry || typeof entry !== "object") return [];
    const r = entry as { id?: unknown; status?: unknown; headers?: unknown; body?: unknown };
    const headers: Record<string, string> = {};
    if (r.headers && typeof r.headers === "object")
      for (const [k, v] of Object.entries(r.headers as Record<string, unknown>))
        headers[k.toLowerCase() === "content-type" ? "Content-Type" : k] = String(v);
    if (r.body !== undefined && typeof r.body === "object" && !headers["Content-Type"])
      headers["Content-Type"] = "application/json";
    return [{ id: String(r.id), status: Number(r.status), headers, body: r.body }];
  });
}

function errorCode(body: unknown): string | undefined {
  const code = errorEnvelope(body)?.code;
  return typeof code === "string" && code ? code : undefined;
}

function safeJson(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The answer a thrown error stands for: a GraphError's status, body and Retry-After, or no answer. */
function answerOfError(err: unknown, now: number): Answer {
  if (err instanceof ReadError) return { status: err.status, message: err.message };
  if (err instanceof GraphError && err.statusCode > 0)
    return {
      status: err.statusCode,
      body: err.body ? safeJson(err.body) : undefined,
      retryAfter: retryAfterSeconds(err.headers?.get("retry-after"), now),
      message: err.message,
    };
  // The Graph client wraps a token failure in a GraphError with no status and the error's name as its code.
  const wrapped = err instanceof GraphError && err.statusCode <= 0 ? err.code : undefined;
  if (err instanceof Error && (CREDENTIAL_ERRORS.has(err.name) || CREDENTIAL_ERRORS.has(wrapped ?? "")))
    return {
      status: undefined,
      message:
        wrapped && typeof (err as GraphError).body === "string"
          ? String((err as GraphError).body)
          : err.message,
      credentialFailed: true,
    };
  return { status: undefined, message: err instanceof Error ? err.message : String(err) };
}

/** The ReadError of a final, non-retryable answer. */
function describeAnswer(answer: Answer): ReadError {
  if (answer.credentialFailed)
    return new ReadError(undefined, "credential", `no token: the credential failed: ${answer.message ?? ""}`);
  return describeGraphError(answer.status, answer.body, answer.message);
}

interface Waiting {
  item: BatchItem;
  state: RetryState;
  resolve: (result: ReadResult) => void;
}

const isRetry = (w: Waiting) => w.state.failures + w.state.throttleWaitedMs > 0;

/**
 * The reads of one family and version waiting to go out in `$batch`es. One loop per batcher takes
 * what the family's window admits (at most 20), sends it, and goes on without waiting for the
 * answer; throttled reads come back to the front of the queue.
 */
class FamilyBatcher {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(
    private readonly api: GraphApi,
    private readonly family: GraphFamily,
    private readonly version: GraphVersion,
  ) {}

  add(item: BatchItem): Promise<ReadResult> {
    return new Promise((resolve) => {
      this.enqueue({ item, state: { failures: 0, throttleWaitedMs: 0 }, resolve }, false);
    });
  }

  private enqueue(w: Waiting, retry: boolean): void {
    if (retry) this.waiting.unshift(w);
    else this.waiting.push(w);
    if (this.running) return;
    this.running = true;
    // After the current tick, so reads added together go out together.
    void Promise.resolve().then(() => this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (this.waiting.length) {
        // Wait for the window to admit the first read; the batch then takes whatever else the
        // window admits right now (at most 20), so no read waits for a full batch's room.
        const first = this.waiting.shift()!;
        const releases = [await this.api.acquire(this.family, unitsOf(first.item.url), isRetry(first))];
        const chunk = [first];
        const pacer = this.api.pacers.of(this.family);
        while (this.waiting.length && chunk.length < MAX_BATCH) {
          const release = pacer.tryAcquire(unitsOf(this.waiting[0]!.item.url));
          if (!release) break;
          releases.push(release);
          chunk.push(this.waiting.shift()!);
        }
        void this.send(chunk, () => releases.forEach((r) => r()));
      }
    } finally {
      this.running = false;
    }
  }

  private async send(chunk: Waiting[], release: Release): Promise<void> {
    let answers: Map<string, Answer>;
    try {
      answers = await this.api.sendBatch(
        chunk.map((w) => w.item),
        this.version,
      );
    } finally {
      release();
    }
    await Promise.all(
      chunk.map(async (w) => {
        const answer = answers.get(w.item.id) ?? {
          status: undefined,
          message: "no answer in the $batch response",
        };
        if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) {
          w.resolve({ ok: true, status: answer.status, body: answer.body });
          return;
        }
        const decision = this.api.decide(this.family, w.state, answer, true);
        if (!decision.retry) {
          w.resolve({ ok: false, error: decision.error });
          return;
        }
        await this.api.wait(decision);
        this.enqueue(w, true);
      }),
    );
  }
}
