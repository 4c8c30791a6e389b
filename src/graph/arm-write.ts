/**
 * Azure Resource Manager writes (docs/graph-writes.md §9) through @azure/core-rest-pipeline, with
 * the same `execute(step) -> WriteResult` contract as the Graph writer (./write.ts), so the apply
 * executor sends a step to whichever writer its `request.service` names.
 *
 * ARM's rules differ from Graph's, and so do the retries:
 *
 * - PUT is an idempotent upsert addressed by name, and DELETE is idempotent: a write whose outcome
 *   is unknown (no response, a 5xx) is simply sent again, no lookup is needed; a DELETE that then
 *   answers 204 did its work on the earlier attempt;
 * - 429 carries Retry-After (and 5xx often does): waited as told, else an exponential back-off;
 * - a long-running write (workspace tables) answers 201/202 with `Azure-AsyncOperation` (or
 *   `Location`): the status URL is polled, honouring Retry-After, until `Succeeded`, `Failed` or
 *   `Canceled`; the resource is then read back so the result carries it.
 *
 * Time is injected (`sleep`, `now`): tests never wait.
 */
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import { ARM_SCOPE, PUBLIC_ARM_URL, trackingPolicy } from "./arm.js";
import { retryAfterSeconds } from "./graph.js";
import { httpsAgentFor } from "./tls.js";
import type { RequestTracker } from "./tracker.js";
import type { WriteResult, WriteStep } from "./write.js";

export interface ArmWriterOptions {
  credential: TokenCredential;
  /** BREAKGLASS_ARM_URL (may carry a path prefix, as the emulator's does) */
  baseUrl?: string;
  caPem?: string;
  tracker?: RequestTracker;
  /** requests per step before giving up (default 6); polls of a long-running operation do not count */
  maxAttempts?: number;
  /** back-off when the service names no wait, in ms (default 1 s, doubling, at most 30 s) */
  baseDelayMs?: number;
  /** how long a long-running operation is polled before its outcome is called unknown (default 10 min) */
  operationTimeoutMs?: number;
  /** a request with no answer after this long is abandoned: its outcome is unknown (default 60 s) */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

type Attempt =
  | { kind: "answer"; status: number; body: unknown; headers: { get(name: string): string | undefined } }
  | { kind: "no-response"; message: string };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled"]);

function idOf(body: unknown): string | undefined {
  const id = (body as { id?: unknown } | null | undefined)?.id;
  return typeof id === "string" ? id : undefined;
}

function errorOf(body: unknown): { code?: string; message?: string } {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    ...(typeof e?.code === "string" ? { code: e.code } : {}),
    ...(typeof e?.message === "string" ? { message: e.message } : {}),
  };
}

export class ArmWriter {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly baseUrl: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly operationTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly tracker?: RequestTracker;

  constructor(options: ArmWriterOptions) {
    this.baseUrl = (options.baseUrl ?? PUBLIC_ARM_URL).replace(/\/+$/, "");
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 600_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.tracker = options.tracker;
    const agent = httpsAgentFor(options.caPem);
    // No retry policy in the pipeline: the rules above decide what is sent again.
    this.pipeline = createPipelineFromOptions({
      retryOptions: { maxRetries: 0 },
      ...(agent ? { agent } : {}),
    });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: ARM_SCOPE }),
      { phase: "Sign" },
    );
    if (options.tracker) this.pipeline.addPolicy(trackingPolicy(options.tracker), { afterPhase: "Sign" });
    this.httpClient = createDefaultHttpClient();
  }

  /** Sends one step's request under the rules above. Never throws for a service or network failure. */
  async execute(step: WriteStep): Promise<WriteResult> {
    const method = step.request.method.toUpperCase();
    const url = this.absolute(step.request.url);
    let attempts = 0;
    let failures = 0;
    let maybeApplied = false;
    for (;;) {
      attempts++;
      const a = await this.send(method, url, method === "DELETE" ? undefined : step.request.body);
      if (a.kind === "answer" && a.status >= 200 && a.status < 300) {
        const operation = a.headers.get("azure-asyncoperation") ?? a.headers.get("location");
        if ((a.status === 201 || a.status === 202) && operation) {
          return this.awaitOperation(operation, url, a, attempts);
        }
        if (maybeApplied && method === "DELETE" && a.status === 204) {
          return { ok: true, status: 200, body: undefined, foundByLookup: false, attempts };
        }
        return { ok: true, status: a.status, body: a.body, id: idOf(a.body), foundByLookup: false, attempts };
      }
      const unknown = a.kind === "no-response" || a.status >= 500;
      const throttled = a.kind === "answer" && a.status === 429;
      if (!unknown && !throttled) return this.failed(a, attempts, maybeApplied);
      if (unknown) maybeApplied = true;
      if (attempts >= this.maxAttempts) return this.failed(a, attempts, maybeApplied);
      // PUT and DELETE are idempotent on ARM: sending again after an unknown outcome is safe
      await this.wait(this.retryWait(a, failures++));
    }
  }

  /** Polls a long-running operation to its end, then reads the resource back. */
  private async awaitOperation(
    operationUrl: string,
    resourceUrl: string,
    first: Extract<Attempt, { kind: "answer" }>,
    attempts: number,
  ): Promise<WriteResult> {
    const started = this.now();
    let last: Attempt = first;
    let failures = 0;
    for (;;) {
      if (this.now() - started > this.operationTimeoutMs) {
        return {
          ok: false,
          message: `the operation ${operationUrl} did not finish within ${this.operationTimeoutMs / 1000} s`,
          outcome: "unknown",
          attempts,
        };
      }
      await this.wait(this.retryWait(last, failures));
      const poll = await this.send("GET", operationUrl, undefined);
      last = poll;
      if (poll.kind === "no-response" || poll.status === 429 || poll.status >= 500) {
        failures++;
        continue;
      }
      if (poll.status >= 400) return this.failed(poll, attempts, true);
      const status = String((poll.body as { status?: unknown } | undefined)?.status ?? "").toLowerCase();
      // a Location poll answers 202 while running and 200/204 when done, with no status property
      const done = status ? TERMINAL.has(status) : poll.status !== 202;
      if (!done) continue;
      if (status && status !== "succeeded") {
        const error = errorOf(poll.body);
        return {
          ok: false,
          status: first.status,
          ...(error.code ? { code: error.code } : {}),
          message: `the operation ended ${status}${error.message ? `: ${error.message}` : ""}`,
          outcome: "refused",
          attempts,
        };
      }
      const read = await this.send("GET", resourceUrl, undefined);
      const body = read.kind === "answer" && read.status === 200 ? read.body : first.body;
      return { ok: true, status: first.status, body, id: idOf(body), foundByLookup: false, attempts };
    }
  }

  private retryWait(a: Attempt, failures: number): number {
    const header = a.kind === "answer" ? a.headers.get("retry-after") : undefined;
    const seconds = retryAfterSeconds(header, this.now());
    return seconds !== undefined ? seconds * 1000 : Math.min(30_000, this.baseDelayMs * 2 ** failures);
  }

  private failed(a: Attempt, attempts: number, maybeApplied: boolean): WriteResult {
    if (a.kind === "no-response") return { ok: false, message: a.message, outcome: "unknown", attempts };
    const error = errorOf(a.body);
    return {
      ok: false,
      status: a.status,
      ...(error.code ? { code: error.code } : {}),
      message: `${a.status}: ${error.code ? `${error.code}: ` : ""}${error.message ?? "error"}`,
      outcome: maybeApplied || a.status >= 500 ? "unknown" : "refused",
      attempts,
    };
  }

  private async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    const start = this.now();
    await this.sleep(ms);
    this.tracker?.addRetryWait(start, start + ms);
  }

  private absolute(url: string): string {
    return /^https:\/\//i.test(url) ? url : `${this.baseUrl}${url.startsWith("/") ? "" : "/"}${url}`;
  }

  /** One HTTP request; the outcome as data. */
  private async send(method: string, url: string, body: unknown): Promise<Attempt> {
    const request = createPipelineRequest({
      url,
      method: method as "GET" | "PUT" | "PATCH" | "DELETE",
      headers: createHttpHeaders({
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      }),
      timeout: this.timeoutMs,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    try {
      const response = await this.pipeline.sendRequest(this.httpClient, request);
      const text = response.bodyAsText ?? "";
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { kind: "answer", status: response.status, body: parsed, headers: response.headers };
    } catch (err) {
      return { kind: "no-response", message: `no response: ${(err as Error)?.message ?? String(err)}` };
    }
  }
}

/** A writer on the same ARM credential, ARM base URL and request tracker as the read clients. */
export function createArmWriter(
  clients: { armCredential: TokenCredential; arm: { baseUrl: string }; tracker?: RequestTracker },
  options: Omit<ArmWriterOptions, "credential" | "baseUrl"> = {},
): ArmWriter {
  return new ArmWriter({
    credential: clients.armCredential,
    baseUrl: clients.arm.baseUrl,
    ...(clients.tracker ? { tracker: clients.tracker } : {}),
    ...options,
  });
}
