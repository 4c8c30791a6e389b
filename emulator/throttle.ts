/**
 * Graph's throttling, per family (docs/graph-contract.md §10.2-10.4):
 *  - conditionalAccess / identityProtection: 1 request per second per tenant (all apps), 429 with
 *    no Retry-After, so the client's own backoff is exercised;
 *  - reports (sign-ins, audits, authentication-method reports): 5 requests per 10 s per app+tenant,
 *    429 with Retry-After = seconds until a slot frees;
 *  - directory: resource units per app+tenant per 10 s, sized by the tenant's user count.
 * Rejected requests do not consume the budget.
 */
import type { ThrottleFamily } from "./graph/types.js";
import { systemEmulatorClock, type EmulatorClock } from "./faults.js";

export interface ThrottleVerdict {
  allowed: boolean;
  /** seconds to send in Retry-After (absent for the CA / identity-protection families) */
  retryAfterSeconds?: number;
  /** resource units the request cost (directory family), for x-ms-resource-unit */
  resourceUnits?: number;
  /** for x-ms-throttle-scope on a 429 */
  scope?: string;
}

const WINDOW_MS = 10_000;
const REPORTS_LIMIT = 5;
const CA_INTERVAL_MS = 1_000;

/** Resource units per 10 s for a tenant of this many users (throttling-limits, identity and access). */
export function directoryResourceUnitLimit(userCount: number): number {
  if (userCount < 50) return 3_500;
  if (userCount <= 500) return 5_000;
  return 8_000;
}

/** The cost of a directory read: 1 RU; $expand +1; transitive membership queries about 5. */
export function directoryCost(path: string, query: URLSearchParams): number {
  if (/transitive/i.test(path)) return 5;
  return query.has("$expand") ? 2 : 1;
}

/** A throttled request, logged so an export's `unavailable` entry can be traced to throttling too. */
export interface ThrottleEvent {
  sequence: number;
  time: string;
  endpoint: string;
  family: ThrottleFamily;
  section: string;
  objectId?: string;
  /** absent for the CA / identity-protection families */
  retryAfterSeconds?: number;
  inBatch: boolean;
  path: string;
}

interface Spend {
  at: number;
  units: number;
}

export class Throttler {
  /** key → spends inside the sliding window */
  private windows = new Map<string, Spend[]>();
  private lastCaAllowed = new Map<string, number>();
  private log: ThrottleEvent[] = [];

  private readonly now: () => number;

  /** `clock`: a time source (a test's virtual clock, or a bare `() => ms`); default the system's. */
  constructor(
    private readonly tenantId: string,
    private readonly directoryLimit: number,
    clock: EmulatorClock | (() => number) = systemEmulatorClock,
  ) {
    this.now = typeof clock === "function" ? clock : () => clock.now();
  }

  check(family: ThrottleFamily, appId: string, path: string, query: URLSearchParams): ThrottleVerdict {
    const now = this.now();
    switch (family) {
      case "conditionalAccess":
      case "identityProtection": {
        // one budget for both families: Microsoft documents them as one service limit
        const key = `${this.tenantId}`;
        const last = this.lastCaAllowed.get(key);
        if (last !== undefined && now - last < CA_INTERVAL_MS) {
          return { allowed: false, scope: `Tenant/IdentityProtection/${appId}/${this.tenantId}` };
        }
        this.lastCaAllowed.set(key, now);
        return { allowed: true };
      }
      case "reports": {
        const spends = this.window(`reports:${appId}`, now);
        if (spends.length >= REPORTS_LIMIT) {
          const freesAt = spends[spends.length - REPORTS_LIMIT]!.at + WINDOW_MS;
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)),
            scope: `Tenant_Application/Reports/${appId}/${this.tenantId}`,
          };
        }
        spends.push({ at: now, units: 1 });
        return { allowed: true };
      }
      case "directory": {
        const units = directoryCost(path, query);
        const spends = this.window(`directory:${appId}`, now);
        let used = spends.reduce((sum, s) => sum + s.units, 0);
        if (used + units > this.directoryLimit) {
          // the wait until enough of the oldest spends leave the window
          let freesAt = now;
          for (const spend of spends) {
            used -= spend.units;
            freesAt = spend.at + WINDOW_MS;
            if (used + units <= this.directoryLimit) break;
          }
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)),
            resourceUnits: units,
            scope: `Tenant_Application/ReadWrite/${appId}/${this.tenantId}`,
          };
        }
        spends.push({ at: now, units });
        return { allowed: true, resourceUnits: units };
      }
    }
  }

  record(event: Omit<ThrottleEvent, "sequence" | "time">): void {
    this.log.push({
      sequence: this.log.length + 1,
      time: new Date(this.now()).toISOString(),
      ...event,
    });
  }

  entries(): ThrottleEvent[] {
    return this.log.map((event) => ({ ...event }));
  }

  reset(): void {
    this.windows = new Map();
    this.lastCaAllowed = new Map();
    this.log = [];
  }

  private window(key: string, now: number): Spend[] {
    let spends = this.windows.get(key);
    if (!spends) this.windows.set(key, (spends = []));
    while (spends.length > 0 && spends[0]!.at <= now - WINDOW_MS) spends.shift();
    return spends;
  }
}
