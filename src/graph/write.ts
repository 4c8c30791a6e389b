/**
 * Graph writes through the official client (`api().post/patch/delete`), with the retry rules of
 * Graph writes rather than the read pipeline's (docs: the deploy design, "Journal and
 * resumption"):
 *
 * - a 429 was refused, not applied: it is sent again after Retry-After, or after a back-off when
 *   the service sends none (Conditional Access); Conditional Access requests are also paced to one
 *   per second per tenant before they are sent, so the budget is not overrun in the first place;
 * - "does not exist" right after a create (404 Request_ResourceNotFound, 400 "... do(es) not
 *   exist") is Entra's replication delay: retried with back-off (1, 2, 4, 8, 16 s);
 * - a create whose outcome is unknown (no response: a dropped connection, a timeout; or a 5xx, which
 *   may come after the write was made) is never sent blindly again. Graph has no idempotency key,
 *   and a second POST makes a second group or policy. The object is looked up by its configured
 *   name (the step's `lookup`) over the replication window first, and only sent again when it is
 *   still absent after it;
 * - PATCH and DELETE are idempotent and sent again; a DELETE that then finds nothing, or an action
 *   re-sent to find its work already done (a `$ref` link, a PIM assignment, a licence removal), did
 *   its work on the earlier attempt.
 *
 * No other middleware retries here (the read client's RetryHandler would re-send a create after a
 * 503 or 504), and time is injected (`sleep`, `now`), so tests never wait.
 */
import { AuthenticationHandler, Client, GraphError, ResponseType } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import type { TokenCredential } from "@azure/core-auth";
import { GRAPH_SCOPE, PUBLIC_GRAPH_URL, UndiciFetchHandler, retryAfterSeconds } from "./graph.js";
import { undiciAgentFor } from "./tls.js";
import type { RequestTracker } from "./tracker.js";

/** One request of a plan step: a URL relative to the Graph base, version included (`/v1.0/users`). */
export interface WriteRequest {
  method: string;
  url: string;
  body?: unknown;
}

/** A step as the writer needs it: the request, and for a create how to find its object again. */
export interface WriteStep {
  request: WriteRequest;
  /** a GET (relative to the Graph base) that finds the object the create makes by its configured name */
  lookup?: { url: string };
}

export type WriteResult =
  | {
      ok: true;
      status: number;
      /** the response body (a created object), or the object the lookup found */
      body: unknown;
      /** the id of the created or found object, when there is one */
      id?: string;
      /** the create's outcome was unknown and the object was found by its name: it was not sent again */
      foundByLookup: boolean;
      attempts: number;
    }
  | {
      ok: false;
      status?: number;
      code?: string;
      message: string;
      /** refused: the service answered no; unknown: whether the write happened cannot be known */
      outcome: "refused" | "unknown";
      attempts: number;
    };

/** What a lookup found: one object (its id), none after the replication window, or several / an error. */
export type FindResult =
  | { kind: "found"; body: unknown; id?: string }
  | { kind: "absent" }
  | { kind: "ambiguous" | "error"; message: string };

export interface GraphWriterOptions {
  credential: TokenCredential;
  /**
   * the least time between two Conditional Access requests (default 1 s, Graph's limit); 0 for an
   * endpoint that does not throttle (BREAKGLASS_GRAPH_PACING=off, as the emulator prints it)
   */
  caIntervalMs?: number;
  /** BREAKGLASS_GRAPH_URL (may carry a path prefix, as the emulator's does) */
  baseUrl?: string;
  scope?: string;
  caPem?: string;
  tracker?: RequestTracker;
  /** requests per step before giving up (default 6) */
  maxAttempts?: number;
  /** the replication back-off: waits in ms between retries of "does not exist" (default 1, 2, 4, 8, 16 s) */
  replicationBackoffMs?: readonly number[];
  /** back-off for a 429 without Retry-After and for resends, in ms (default 1 s, doubling, at most 30 s) */
  baseDelayMs?: number;
  /** a request with no answer after this long is abandoned: its outcome is unknown (default 60 s) */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const DEFAULT_REPLICATION_BACKOFF = [1000, 2000, 4000, 8000, 16000] as const;
/** docs/graph-writes.md 0.5: Conditional Access and named locations allow one request per second per tenant. */
const CA_INTERVAL_MS = 1000;
const CA_PATH = /\/identity\/conditionalAccess\//i;

type Attempt =
  | { kind: "ok"; status: number; body: unknown }
  | { kind: "error"; status: number; code?: string; message: string; retryAfterMs?: number }
  | { kind: "no-response"; message: string };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "does not exist" of a just-created object (docs/graph-writes.md 0.2, 0.4) */
function isReplicationLag(a: Attempt): boolean {
  if (a.kind !== "error") return false;
  if (a.status === 404) return true;
  return a.status === 400 && /\bdoe?s? not exist\b/i.test(a.message);
}

/**
 * After an attempt whose outcome was unknown, the service's "nothing to do" answers to a re-sent
 * action mean the earlier attempt did it: a link that already exists, a PIM assignment that
 * already exists (or is already gone), a licence already removed.
 */
const isAlreadyDone = (a: Attempt) =>
  a.kind === "error" &&
  a.status === 400 &&
  (a.code === "RoleAssignmentExists" ||
    a.code === "RoleAssignmentDoesNotExist" ||
    /added object references already exist|does not have a corresponding license/i.test(a.message));

function idOf(body: unknown): string | undefined {
  const id = (body as { id?: unknown } | null | undefined)?.id;
  return typeof id === "string" ? id : undefined;
}

export class GraphWriter {
  private readonly client: Client;
  private readonly baseUrl: string;
  private readonly maxAttempts: number;
  private readonly replicationBackoff: readonly number[];
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly tracker?: RequestTracker;
  private lastCaRequest: number | undefined;
  private readonly caIntervalMs: number;

  constructor(options: GraphWriterOptions) {
    this.baseUrl = (options.baseUrl ?? PUBLIC_GRAPH_URL).replace(/\/+$/, "");
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.replicationBackoff = options.replicationBackoffMs ?? DEFAULT_REPLICATION_BACKOFF;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.tracker = options.tracker;
    this.caIntervalMs = options.caIntervalMs ?? CA_INTERVAL_MS;
    const auth = new AuthenticationHandler(
      new TokenCredentialAuthenticationProvider(options.credential, {
        scopes: [options.scope ?? GRAPH_SCOPE],
      }),
    );
    auth.setNext(new UndiciFetchHandler(undiciAgentFor(options.caPem), options.tracker));
    this.client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl: this.baseUrl,
      customHosts: new Set([new URL(this.baseUrl).hostname]),
    });
  }

  /** Sends one step's request under the rules above. Never throws for a service or network failure. */
  async execute(step: WriteStep): Promise<WriteResult> {
    const { request } = step;
    const method = request.method.toUpperCase();
    const isCreate = method === "POST" && step.lookup !== undefined;
    let attempts = 0;
    let replicationRetries = 0;
    let failures = 0;
    /** an earlier attempt may have been applied */
    let maybeApplied = false;
    for (;;) {
      attempts++;
      const a = await this.send(method, request.url, request.body);
      if (a.kind === "ok") {
        return { ok: true, status: a.status, body: a.body, id: idOf(a.body), foundByLookup: false, attempts };
      }
      if (maybeApplied && method === "DELETE" && a.kind === "error" && a.status === 404) {
        return { ok: true, status: 204, body: undefined, foundByLookup: false, attempts };
      }
      if (maybeApplied && isAlreadyDone(a)) {
        return { ok: true, status: 204, body: undefined, foundByLookup: false, attempts };
      }
      const unknownOutcome = a.kind === "no-response" || (a.kind === "error" && a.status >= 500);
      if (a.kind === "error" && a.status === 429) {
        // refused, not applied: wait as told (or back off when not told) and send again
        if (attempts >= this.maxAttempts) return this.failed(a, attempts, maybeApplied);
        await this.wait(a.retryAfterMs ?? this.backoff(failures++));
        continue;
      }
      if (isReplicationLag(a) && replicationRetries < this.replicationBackoff.length) {
        await this.wait(this.replicationBackoff[replicationRetries++]!);
        attempts--; // replication retries have their own budget
        continue;
      }
      if (!unknownOutcome) return this.failed(a, attempts, maybeApplied);
      maybeApplied = true;
      if (isCreate) {
        const found = await this.findCreated(step.lookup!.url);
        if (found.kind === "found") {
          return {
            ok: true,
            status: 201,
            body: found.body,
            id: idOf(found.body),
            foundByLookup: true,
            attempts,
          };
        }
        if (found.kind === "ambiguous" || found.kind === "error") {
          return { ok: false, message: found.message, outcome: "unknown", attempts };
        }
        // absent after the whole replication window: the create was not made, so it is safe to send again
      }
      if (attempts >= this.maxAttempts) return this.failed(a, attempts, true);
      await this.wait(this.backoff(failures++));
    }
  }

  /**
   * Looks for the object of a create by its lookup, over the replication window: what apply does
   * for a create an earlier, interrupted run may have made (its journal says sent or confirmed),
   * instead of sending it again.
   */
  async find(lookup: { url: string }): Promise<FindResult> {
    const found = await this.findCreated(lookup.url);
    return found.kind === "found" ? { ...found, id: idOf(found.body) } : found;
  }

  /**
   * Looks for the object of a create whose outcome is unknown, over the replication window (a
   * create made a moment ago may not be visible yet). One object: found; none after the window:
   * absent; several: ambiguous (the caller decides, nothing is sent).
   */
  private async findCreated(
    url: string,
  ): Promise<
    { kind: "found"; body: unknown } | { kind: "absent" } | { kind: "ambiguous" | "error"; message: string }
  > {
    for (let i = 0; ; i++) {
      const a = await this.send("GET", url, undefined);
      if (a.kind === "ok") {
        const body = a.body as { value?: unknown[] } | undefined;
        const items = Array.isArray(body?.value) ? body.value : body && idOf(body) ? [body] : [];
        if (items.length === 1) return { kind: "found", body: items[0] };
        if (items.length > 1) {
          return {
            kind: "ambiguous",
            message: `${items.length} objects match ${url} after a create whose outcome was unknown; resolve by hand`,
          };
        }
      } else if (
        !(a.kind === "error" && (a.status === 404 || a.status === 429 || a.status >= 500)) &&
        a.kind !== "no-response"
      ) {
        return { kind: "error", message: `the lookup ${url} failed: ${a.message}` };
      }
      if (i >= this.replicationBackoff.length) return { kind: "absent" };
      await this.wait(
        a.kind === "error" && a.retryAfterMs !== undefined ? a.retryAfterMs : this.replicationBackoff[i]!,
      );
    }
  }

  private failed(a: Attempt, attempts: number, maybeApplied: boolean): WriteResult {
    if (a.kind === "ok") throw new Error("not a failure");
    return {
      ok: false,
      ...(a.kind === "error" ? { status: a.status, ...(a.code ? { code: a.code } : {}) } : {}),
      message: a.message,
      outcome:
        maybeApplied || a.kind === "no-response" || (a.kind === "error" && a.status >= 500)
          ? "unknown"
          : "refused",
      attempts,
    };
  }

  private backoff(failures: number): number {
    return Math.min(30_000, this.baseDelayMs * 2 ** failures);
  }

  private async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    const start = this.now();
    await this.sleep(ms);
    this.tracker?.addRetryWait(start, start + ms);
  }

  /**
   * One HTTP request, Conditional Access paced; the outcome as data. The pace counts from the
   * previous answer, not from its sending: the service counts from when a request reaches it, which
   * lies somewhere between the two, so counting from the answer is the one way never to arrive
   * early (bench/README.md "apply of the mid-size sample").
   */
  private async send(method: string, url: string, body: unknown): Promise<Attempt> {
    if (!CA_PATH.test(url)) return this.sendNow(method, url, body);
    const last = this.lastCaRequest;
    if (last !== undefined) {
      const gap = this.now() - last;
      if (gap < this.caIntervalMs) await this.wait(this.caIntervalMs - gap);
    }
    try {
      return await this.sendNow(method, url, body);
    } finally {
      this.lastCaRequest = this.now();
    }
  }

  private async sendNow(method: string, url: string, body: unknown): Promise<Attempt> {
    const absolute = `${this.baseUrl}${url.startsWith("/") ? "" : "/"}${url}`;
    // RAW: the status, headers and body as the service sent them, whatever the status
    const request = this.client
      .api(absolute)
      .responseType(ResponseType.RAW)
      .option("signal", AbortSignal.timeout(this.timeoutMs));
    let response: Response;
    try {
      const content = body ?? {};
      const sent: Promise<unknown> =
        method === "GET"
          ? request.get()
          : method === "POST"
            ? request.post(content)
            : method === "PATCH"
              ? request.patch(content)
              : method === "PUT"
                ? request.put(content)
                : method === "DELETE"
                  ? request.delete()
                  : Promise.reject(new Error(`unsupported method ${method}`));
      response = (await sent) as Response;
    } catch (err) {
      if (err instanceof GraphError && err.statusCode > 0) {
        return { kind: "error", status: err.statusCode, message: `${err.statusCode}: ${err.message}` };
      }
      return { kind: "no-response", message: `no response: ${(err as Error)?.message ?? String(err)}` };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      // the connection dropped while the body was read: the request may well have been applied
      return { kind: "no-response", message: `response lost: ${(err as Error)?.message ?? String(err)}` };
    }
    const parsed = text ? safeJson(text) : undefined;
    if (response.ok) return { kind: "ok", status: response.status, body: parsed };
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
    return {
      kind: "error",
      status: response.status,
      ...(typeof error?.code === "string" ? { code: error.code } : {}),
      message: `${response.status}: ${typeof error?.message === "string" ? error.message : response.statusText}`,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A writer on the same credential, Graph base URL and request tracker as the read clients. */
export function createGraphWriter(
  clients: { credential: TokenCredential; graph: { baseUrl: string }; tracker?: RequestTracker },
  options: Omit<GraphWriterOptions, "credential" | "baseUrl"> = {},
): GraphWriter {
  return new GraphWriter({
    credential: clients.credential,
    baseUrl: clients.graph.baseUrl,
    ...(clients.tracker ? { tracker: clients.tracker } : {}),
    ...options,
  });
}
