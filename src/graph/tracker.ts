import { systemClock, type Clock } from "./clock.js";

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
  /** answers 429 Too Many Requests the client received, plain or inside a `$batch` (each retried). */
  throttled: number;
  /** answers 503/504 (service unavailable, gateway timeout) the client received and retried. */
  unavailableAnswers: number;
  /**
   * Wall time during which at least one read waited on a Retry-After or a back-off: overlapping
   * waits count once, so this never exceeds the elapsed time.
   */
  retryWaitMs: number;
  /** Wall time during which at least one read waited for its throttle family's window (pacing). */
  pacingWaitMs: number;
  /** connection-level failures (resets, refused) that p-retry re-sent. */
  networkRetries: number;
  elapsedMs: number;
}

/** The length of the union of [start, end) intervals. */
function unionLength(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

export class RequestTracker {
  private maxFinishedDepth = 0;
  private readonly started: number;
  readonly records: RequestRecord[] = [];
  batchedRequests = 0;
  networkRetries = 0;
  private innerThrottled = 0;
  private innerUnavailable = 0;
  private readonly retryWaits: Array<[number, number]> = [];
  private readonly pacingWaits: Array<[number, number]> = [];

  constructor(private readonly clock: Clock = systemClock) {
    this.started = clock.now();
  }

  /** Call when a request is about to go on the wire; call the returned function when it is answered or fails. */
  start(kind: RequestRecord["kind"], method: string, url: string): (status?: number) => void {
    const record: RequestRecord = {
      kind,
      method,
      url,
      depth: this.maxFinishedDepth + 1,
      startedAt: this.clock.now(),
    };
    this.records.push(record);
    return (status?: number) => {
      record.status = status;
      record.endedAt = this.clock.now();
      if (record.depth > this.maxFinishedDepth) this.maxFinishedDepth = record.depth;
    };
  }

  /** A read waits on a Retry-After or back-off from `start` to `end` (clock ms). */
  addRetryWait(start: number, end: number): void {
    this.retryWaits.push([start, end]);
  }

  /** A read waited for its family's window from `start` to `end`. */
  addPacingWait(start: number, end: number): void {
    if (end > start) this.pacingWaits.push([start, end]);
  }

  /** An answer inside a `$batch` (the POST itself is a record of its own). */
  innerAnswer(status: number): void {
    if (status === 429) this.innerThrottled++;
    else if (status === 503 || status === 504) this.innerUnavailable++;
  }

  summary(): TrackerSummary {
    const now = this.clock.now();
    const clip = (list: Array<[number, number]>) =>
      unionLength(list.map(([a, b]) => [a, Math.min(b, now)] as const));
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
      throttled: this.records.filter((r) => r.status === 429).length + this.innerThrottled,
      unavailableAnswers:
        this.records.filter((r) => r.status === 503 || r.status === 504).length + this.innerUnavailable,
      retryWaitMs: clip(this.retryWaits),
      pacingWaitMs: clip(this.pacingWaits),
      networkRetries: this.networkRetries,
      elapsedMs: now - this.started,
    };
  }
}
