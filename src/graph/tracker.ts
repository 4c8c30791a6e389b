/**
 * Counts the requests Breakglass sends and their "depth": depth(r) = 1 + the largest depth among the
 * requests that had finished before r started. Depth is the number of round trips the slowest chain
 * of dependent requests costs, which is what a wave plan minimises (bench/README.md). Every HTTP
 * attempt counts, retries included, so throttling shows up as extra depth.
 */
export interface RequestRecord {
  kind: "graph" | "arm" | "identity";
  method: string;
  url: string;
  depth: number;
  status?: number;
  startedAt: number;
  endedAt?: number;
}

export interface TrackerSummary {
  requests: number;
  graphRequests: number;
  /** OpenID metadata and token requests (when the credential reports them). */
  identityRequests: number;
  armRequests: number;
  /** inner requests sent inside `$batch` bodies (each also counted once per send). */
  batchedRequests: number;
  /** the largest depth, counting Graph and ARM requests only */
  maxDepth: number;
  /** round trips after the first token, the emulator's definition (identity requests tracked). */
  depthAfterToken: number | null;
  /** HTTP attempts answered 429/503/504 (throttled or unavailable; retried by the library when budget remains). */
  throttled: number;
  /** milliseconds spent waiting on Retry-After / back-off, summed over waits (overlapping waits count each). */
  retryWaitMs: number;
  /** connection-level failures (resets, refused) that p-retry re-sent. */
  networkRetries: number;
  elapsedMs: number;
}

export class RequestTracker {
  private maxFinishedDepth = 0;
  private readonly started = Date.now();
  readonly records: RequestRecord[] = [];
  batchedRequests = 0;
  retryWaitMs = 0;
  networkRetries = 0;

  /** Call when a request is about to go on the wire; call the returned function when it is answered or fails. */
  start(kind: RequestRecord["kind"], method: string, url: string): (status?: number) => void {
    const record: RequestRecord = {
      kind,
      method,
      url,
      depth: this.maxFinishedDepth + 1,
      startedAt: Date.now(),
    };
    this.records.push(record);
    return (status?: number) => {
      record.status = status;
      record.endedAt = Date.now();
      if (record.depth > this.maxFinishedDepth) this.maxFinishedDepth = record.depth;
    };
  }

  addWait(ms: number): void {
    this.retryWaitMs += ms;
  }

  summary(): TrackerSummary {
    const throttled = this.records.filter((r) => r.status === 429 || r.status === 503 || r.status === 504);
    return {
      requests: this.records.filter((r) => r.kind !== "identity").length,
      graphRequests: this.records.filter((r) => r.kind === "graph").length,
      identityRequests: this.records.filter((r) => r.kind === "identity").length,
      armRequests: this.records.filter((r) => r.kind === "arm").length,
      batchedRequests: this.batchedRequests,
      maxDepth: this.records.filter((r) => r.kind !== "identity").reduce((m, r) => Math.max(m, r.depth), 0),
      depthAfterToken: (() => {
        const firstToken = this.records.find(
          (r) => r.kind === "identity" && /\/token$/.test(r.url.split("?")[0]!),
        );
        if (!firstToken) return null;
        return this.records.reduce((m, r) => Math.max(m, r.depth), 0) - firstToken.depth;
      })(),
      throttled: throttled.length,
      retryWaitMs: this.retryWaitMs,
      networkRetries: this.networkRetries,
      elapsedMs: Date.now() - this.started,
    };
  }
}
