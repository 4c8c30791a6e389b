/**
 * Azure Resource Manager through @azure/core-rest-pipeline: bearer-token policy for
 * https://management.azure.com/.default and the pipeline's default retry policies (throttling with
 * Retry-After, exponential back-off for 5xx and connection errors). Bodies are returned exactly as
 * ARM sends them; nothing is mapped to SDK models, so a snapshot holds ARM JSON.
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
} from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import { ReadError } from "./errors.js";
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
}

export type ArmResult = { ok: true; body: any } | { ok: false; error: ReadError };

/** Counts each attempt (it sits after the retry policy) and the time between retried attempts. */
export function trackingPolicy(tracker: RequestTracker, kind: "arm" | "identity" = "arm"): PipelinePolicy {
  const lastRetryableEnd = new Map<string, number>();
  return {
    name: `breakglassTracking-${kind}`,
    async sendRequest(request, next) {
      const previous = lastRetryableEnd.get(request.requestId);
      if (previous !== undefined) tracker.addWait(Date.now() - previous);
      const done = tracker.start(kind, request.method, request.url);
      try {
        const response = await next(request);
        done(response.status);
        if (response.status === 429 || response.status >= 500)
          lastRetryableEnd.set(request.requestId, Date.now());
        return response;
      } catch (err) {
        done(undefined);
        lastRetryableEnd.set(request.requestId, Date.now());
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
      retryOptions: {
        maxRetries: this.maxRetries,
        retryDelayInMs: options.retryDelayMs ?? 800,
        maxRetryDelayInMs: 60_000,
      },
      ...(agent ? { agent } : {}),
    });
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
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (status >= 200 && status < 300) return { ok: true, body };
    const code = body?.error?.code;
    const message = body?.error?.message ?? text ?? "";
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
  async list(path: string): Promise<{ ok: true; items: any[] } | { ok: false; error: ReadError }> {
    const items: any[] = [];
    let next: string | undefined = path;
    while (next) {
      const r = await this.get(next);
      if (!r.ok) return r;
      items.push(...(Array.isArray(r.body?.value) ? r.body.value : []));
      next = typeof r.body?.nextLink === "string" ? r.body.nextLink : undefined;
    }
    return { ok: true, items };
  }
}
