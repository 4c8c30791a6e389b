/**
 * What the emulator saw: requests by endpoint and status, faults and throttling by snapshot section,
 * and the round-trip depth of the traffic (how many sequential round trips a client needed).
 *
 * depth(r) = 1 + the largest depth among HTTP requests that finished before r started. A client
 * that sends everything in parallel after its token has depth 2 (token, then the rest); one that
 * pages sequentially through N pages has depth N + 1.
 */

export interface CountersSnapshot {
  requests: {
    total: number;
    /** endpoint ("GET /users", "POST /$batch", "POST /{tenant}/oauth2/v2.0/token") → status → count */
    byEndpoint: Record<string, Record<string, number>>;
  };
  faults: { total: number; bySection: Record<string, number>; byKind: Record<string, number> };
  throttled: { total: number; bySection: Record<string, number> };
  depth: {
    /** the largest round-trip depth of any request so far */
    max: number;
    /** the depth of the first token request (null before one arrived) */
    firstToken: number | null;
    /** max − firstToken: round trips the client needed after it had a token */
    afterToken: number | null;
  };
}

export interface InFlight {
  depth: number;
  /** the counters epoch the request started in: requests from before a reset do not count */
  epoch: number;
  done: boolean;
}

export class Counters {
  private byEndpoint = new Map<string, Map<string, number>>();
  private total = 0;
  private faultsBySection = new Map<string, number>();
  private faultsByKind = new Map<string, number>();
  private faultTotal = 0;
  private throttledBySection = new Map<string, number>();
  private throttledTotal = 0;
  /** the largest depth among requests that have finished */
  private finishedDepth = 0;
  private maxDepth = 0;
  private firstTokenDepth: number | null = null;
  private epoch = 0;

  /** Call when an HTTP request starts; pass the result to `finish` when its response is complete. */
  start(isTokenRequest = false): InFlight {
    const depth = this.finishedDepth + 1;
    if (depth > this.maxDepth) this.maxDepth = depth;
    if (isTokenRequest && this.firstTokenDepth === null) this.firstTokenDepth = depth;
    return { depth, epoch: this.epoch, done: false };
  }

  /** Idempotent: the first call marks the request finished. */
  finish(flight: InFlight): void {
    if (flight.done) return;
    flight.done = true;
    if (flight.epoch !== this.epoch) return;
    if (flight.depth > this.finishedDepth) this.finishedDepth = flight.depth;
  }

  count(endpoint: string, status: number | string): void {
    this.total++;
    let statuses = this.byEndpoint.get(endpoint);
    if (!statuses) this.byEndpoint.set(endpoint, (statuses = new Map()));
    const key = String(status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }

  fault(section: string, kind: string): void {
    this.faultTotal++;
    this.faultsBySection.set(section, (this.faultsBySection.get(section) ?? 0) + 1);
    this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + 1);
  }

  throttled(section: string): void {
    this.throttledTotal++;
    this.throttledBySection.set(section, (this.throttledBySection.get(section) ?? 0) + 1);
  }

  reset(): void {
    this.epoch++;
    this.byEndpoint = new Map();
    this.total = 0;
    this.faultsBySection = new Map();
    this.faultsByKind = new Map();
    this.faultTotal = 0;
    this.throttledBySection = new Map();
    this.throttledTotal = 0;
    this.finishedDepth = 0;
    this.maxDepth = 0;
    this.firstTokenDepth = null;
  }

  snapshot(): CountersSnapshot {
    const byEndpoint: Record<string, Record<string, number>> = {};
    for (const endpoint of [...this.byEndpoint.keys()].sort()) {
      byEndpoint[endpoint] = Object.fromEntries(this.byEndpoint.get(endpoint)!);
    }
    return {
      requests: { total: this.total, byEndpoint },
      faults: {
        total: this.faultTotal,
        bySection: sortedRecord(this.faultsBySection),
        byKind: sortedRecord(this.faultsByKind),
      },
      throttled: { total: this.throttledTotal, bySection: sortedRecord(this.throttledBySection) },
      depth: {
        max: this.maxDepth,
        firstToken: this.firstTokenDepth,
        afterToken: this.firstTokenDepth === null ? null : this.maxDepth - this.firstTokenDepth,
      },
    };
  }
}

function sortedRecord(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Human-readable counters for the CLI's exit message. */
export function formatCounters(counters: CountersSnapshot): string {
  const lines = [`requests: ${counters.requests.total}`];
  for (const [endpoint, statuses] of Object.entries(counters.requests.byEndpoint)) {
    const parts = Object.entries(statuses).map(([status, n]) => `${status}×${n}`);
    lines.push(`  ${endpoint}  ${parts.join(" ")}`);
  }
  lines.push(`faults injected: ${counters.faults.total}`);
  for (const [section, n] of Object.entries(counters.faults.bySection)) lines.push(`  ${section}  ${n}`);
  lines.push(`throttled: ${counters.throttled.total}`);
  for (const [section, n] of Object.entries(counters.throttled.bySection)) {
    lines.push(`  ${section}  ${n}`);
  }
  const d = counters.depth;
  lines.push(
    `round-trip depth: max ${d.max}, first token at ${d.firstToken ?? "-"}, after token ${d.afterToken ?? "-"}`,
  );
  return lines.join("\n");
}
