/**
 * Azure Resource Manager through @azure/core-rest-pipeline: bearer-token policy for
 * https://management.azure.com/.default and a retry policy (429 and 5xx with Retry-After or
 * exponential back-off, connection errors) driven by p-retry on an injected Clock, in place of the
 * pipeline's default one, whose timers are real. Bodies are returned exactly as ARM sends them;
 * nothing is mapped to SDK models, so a snapshot holds ARM JSON.
 */
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  createDefaultHttpClient,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import pRetry from "p-retry";
import { systemClock, type Clock } from "./clock.js";
import { ReadError } from "./errors.js";
import { retryAfterSeconds } from "./graph.js";
import type { RequestTracker } from "./tracker.js";
import { httpsAgentFor } from "./tls.js";

export const PUBLIC_ARM_URL = "https://management.azure.com";
export const ARM_SCOPE = "https://management.azure.com/.default";

export interface ArmClientOptions {
  credential: TokenCredential;
  /** BREAKGLASS_ARM_URL; may carry a path prefix. */
  baseUrl?: string;
  caPem?: string;
  maxRetries?: number;
  retryDelayMs?: number;
  tracker?: RequestTracker;
  clock?: Clock;
}

/** An ARM object as ARM returns it ({ id, name, type, properties }), untyped JSON. */
export type ArmObject = Record<string, unknown>;

export type ArmResult = { ok: true; body: unknown } | { ok: false; error: ReadError };

const asObject = (v: unknown): ArmObject | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as ArmObject) : undefined;

/** Counts each attempt (it sits after the retry policy). */
export function trackingPolicy(tracker: RequestTracker, kind: "arm" | "identity" = "arm"): PipelinePolicy {
  return {
    name: `breakglassTracking-${kind}`,
    async sendRequest(request, next) {
      const done = tracker.start(kind, request.method, request.url);
      try {
        const response = await next(request);
        done(response.status);
        return response;
      } catch (err) {
        done(undefined);
        throw err;
      }
    },
  };
}

const RETRYABLE_STATUS = (status: number) =>
  status === 429 || (status >= 500 && status !== 501 && status !== 505);

/** A retryable answer, thrown inside p-retry so it is retried, and returned when the budget is spent. */
class RetryableAnswer extends Error {
  constructor(readonly response: PipelineResponse) {
    super(`${response.status}`);
  }
}

/**
 * Retries 429, 5xx and connection errors, waiting Retry-After or an exponential back-off on the
 * clock; after `maxRetries` the last answer (or error) goes back to the caller.
 */
export function armRetryPolicy(
  maxRetries: number,
  retryDelayMs: number,
  clock: Clock,
  tracker?: RequestTracker,
): PipelinePolicy {
  return {
    name: "breakglassArmRetry",
    async sendRequest(request, next) {
      let failures = 0;
      try {
        return await pRetry(
          async () => {
            const response = await next(request);
            if (RETRYABLE_STATUS(response.status)) throw new RetryableAnswer(response);
            return response;
          },
          {
            retries: maxRetries,
            minTimeout: 0,
            shouldRetry: async ({ error }) => {
              const retryAfter =
                error instanceof RetryableAnswer
                  ? retryAfterSeconds(error.response.headers.get("retry-after"), clock.now())
                  : undefined;
              const waitMs = Math.min(
                retryAfter !== undefined
                  ? retryAfter * 1000
                  : retryDelayMs * 2 ** failures + Math.random() * 1000,
                60_000,
              );
              failures++;
              const now = clock.now();
              tracker?.addRetryWait(now, now + waitMs);
              await clock.sleep(waitMs);
              return true;
            },
          },
        );
      } catch (err) {
        if (err instanceof RetryableAnswer) return err.response;
        throw err;
      }
    },
  };
}

export class ArmApi {
  readonly baseUrl: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly maxRetries: number;

  constructor(options: ArmClientOptions) {
    this.baseUrl = (options.baseUrl ?? PUBLIC_ARM_URL).replace(/\/+$/, "");
    this.maxRetries = Math.max(0, options.maxRetries ?? 6);
    const agent = httpsAgentFor(options.caPem);
    this.pipeline = createPipelineFromOptions({
      // The default retry policy waits on real timers: ours (below) waits on the clock.
      retryOptions: { maxRetries: 0 },
      ...(agent ? { agent } : {}),
    });
    this.pipeline.addPolicy(
      armRetryPolicy(
        this.maxRetries,
        options.retryDelayMs ?? 800,
        options.clock ?? systemClock,
        options.tracker,
      ),
      { phase: "Retry" },
    );
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: ARM_SCOPE }),
      { phase: "Sign" },
    );
    // After Sign: an attempt is timed from when it goes on the wire, not while a token is fetched.
    if (options.tracker) this.pipeline.addPolicy(trackingPolicy(options.tracker), { afterPhase: "Sign" });
    this.httpClient = createDefaultHttpClient();
  }

  /** GET a path (with its api-version) or an absolute nextLink. Never throws. */
  async get(pathOrUrl: string): Promise<ArmResult> {
    const url = /^https:\/\//i.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const request = createPipelineRequest({
      url,
      method: "GET",
      headers: createHttpHeaders({ accept: "application/json" }),
    });
    let status: number | undefined;
    let text: string | undefined;
    try {
      const response = await this.pipeline.sendRequest(this.httpClient, request);
      status = response.status;
      text = response.bodyAsText ?? undefined;
    } catch (err) {
      return {
        ok: false,
        error: new ReadError(
          undefined,
          undefined,
          `network error after ${this.maxRetries} retries: ${(err as Error).message}`,
        ),
      };
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (status >= 200 && status < 300) return { ok: true, body };
    const error = asObject(asObject(body)?.error);
    const code = typeof error?.code === "string" ? error.code : undefined;
    const message = typeof error?.message === "string" ? error.message : (text ?? "");
    if (status === 429 || status >= 500)
      return { ok: false, error: new ReadError(status, code, `${status} after ${this.maxRetries} retries`) };
    return {
      ok: false,
      error: new ReadError(
        status,
        code,
        `${status} ${status === 403 ? "Forbidden" : status === 404 ? "Not Found" : "error"}: ${code ? `${code}: ` : ""}${message}`,
      ),
    };
  }

  /** Every item of an ARM list, following nextLink. */
  async list(path: string): Promise<{ ok: true; items: ArmObject[] } | { ok: false; error: ReadError }> {
    const items: ArmObject[] = [];
    let next: string | undefined = path;
    while (next) {
      const r = await this.get(next);
      if (!r.ok) return r;
      const page = asObject(r.body);
      const value = page?.value;
      if (Array.isArray(value)) for (const v of value as unknown[]) if (asObject(v)) items.push(asObject(v)!);
      next = typeof page?.nextLink === "string" ? page.nextLink : undefined;
    }
    return { ok: true, items };
  }
}
