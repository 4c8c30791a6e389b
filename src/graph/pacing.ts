/**
 * Client-side pacing per Graph throttle family. Graph limits each family separately (Microsoft's
 * "throttling limits" page; docs/reads.md lists the figures): identity and access reports
 * (sign-ins, audits, authentication methods, registration reports) allow 5 requests per 10 s per
 * app and tenant, Conditional Access and Identity Protection 1 request per second per tenant, the
 * directory a budget of resource units per 10 s. A request the window would refuse is held here
 * until the window admits it, so the normal case draws no 429 at all; a 429 that still arrives
 * blocks its family (never the others) until its Retry-After has passed.
 *
 * A read's slot counts from when its answer arrives, not when it was sent: the service records it
 * somewhere in between, so this errs on the safe side by one round trip per window.
 */
import PQueue from "p-queue";
import type { Clock } from "./clock.js";

export type GraphFamily = "directory" | "reports" | "conditionalAccess";

export interface FamilyLimit {
  /** requests (resource units for the directory) per window */
  units: number;
  windowMs: number;
}

export const FAMILY_LIMITS: Readonly<Record<GraphFamily, FamilyLimit>> = {
  reports: { units: 5, windowMs: 10_000 },
  conditionalAccess: { units: 1, windowMs: 1_000 },
  // The smallest tenant size's budget (fewer than 50 users): the client does not know the size yet.
  directory: { units: 3_500, windowMs: 10_000 },
};

export const GRAPH_FAMILIES = Object.keys(FAMILY_LIMITS) as GraphFamily[];

/** The path below the version root of an absolute or version-relative Graph URL, lower case. */
function graphPath(url: string): string {
  const noQuery = url.split("?")[0]!;
  const versioned = /\/(?:v1\.0|beta)(\/.*)$/i.exec(noQuery);
  const path = versioned ? versioned[1]! : noQuery.replace(/^https?:\/\/[^/]+/i, "");
  return (path.startsWith("/") ? path : `/${path}`).toLowerCase();
}

/** The throttle family a Graph request counts against. */
export function familyOf(url: string): GraphFamily {
  const path = graphPath(url);
  if (/^\/(auditlogs|reports)\//.test(path)) return "reports";
  if (/^\/users\/[^/]+\/authentication\/(methods|[a-z0-9]+methods)(\/|$)/.test(path)) return "reports";
  if (/^\/(identity\/conditionalaccess|identityprotection)\//.test(path)) return "conditionalAccess";
  return "directory";
}

/** Resource units a directory read costs: 1, `$expand` 2, transitive membership about 5. */
export function unitsOf(url: string): number {
  if (familyOf(url) !== "directory") return 1;
  if (/transitive/i.test(graphPath(url))) return 5;
  return /[?&]\$expand=/i.test(url) ? 2 : 1;
}

interface Spend {
  units: number;
  /** when the answer arrived; undefined while the request is on the wire */
  at?: number;
}

/** Releases a slot taken by `acquire`: call it when the answer (or the failure) is in. */
export type Release = () => void;

/** One family's sliding window, with a FIFO queue of waiting requests (retries go first). */
export class Pacer {
  private spends: Spend[] = [];
  private blockedUntil = 0;
  private waiters: Array<() => void> = [];
  private readonly queue = new PQueue({ concurrency: 1 });
  /** units waiting for the window (for the progress display's estimate). */
  private queuedUnits = 0;

  constructor(
    readonly limit: FamilyLimit,
    private readonly clock: Clock,
  ) {}

  /** Waits until the window admits `units`, takes them, and returns the release. */
  acquire(units: number, priority = 0): Promise<Release> {
    const want = Math.max(1, Math.min(units, this.limit.units));
    this.queuedUnits += want;
    return this.queue.add(
      async () => {
        await this.admit(want);
        this.queuedUnits -= want;
        return this.take(want);
      },
      { priority, throwOnTimeout: true },
    );
  }

  /**
   * Takes `units` at once if the window admits them now, else undefined: lets a batch that is
   * going out anyway carry more reads without waiting for them.
   */
  tryAcquire(units: number): Release | undefined {
    const want = Math.max(1, Math.min(units, this.limit.units));
    return this.available() < want ? undefined : this.take(want);
  }

  /** Records a spend now; its release stamps the answer's time and wakes the waiters. */
  private take(units: number): Release {
    const spend: Spend = { units };
    this.spends.push(spend);
    return () => {
      if (spend.at !== undefined) return;
      spend.at = this.clock.now();
      this.wake();
    };
  }

  /** Units the window admits right now (0 while blocked by a 429). */
  available(): number {
    const now = this.clock.now();
    if (now < this.blockedUntil) return 0;
    this.prune(now);
    return Math.max(0, this.limit.units - this.used());
  }

  /** After a 429: nothing of this family is sent before `until` (clock ms). */
  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  /** The time the queued reads still need at this family's pace, in ms (0 when none wait). */
  predictedWaitMs(extraUnits = 0): number {
    const queued = this.queuedUnits + extraUnits;
    if (queued <= 0) return 0;
    const now = this.clock.now();
    const from = Math.max(now, this.blockedUntil);
    const inWindow = this.spends
      .filter((s) => s.at === undefined || s.at + this.limit.windowMs > from)
      .reduce((sum, s) => sum + s.units, 0);
    const free = Math.max(0, this.limit.units - inWindow);
    const windows = Math.ceil(Math.max(0, queued - free) / this.limit.units);
    return from - now + windows * this.limit.windowMs;
  }

  private used(): number {
    return this.spends.reduce((sum, s) => sum + s.units, 0);
  }

  private prune(now: number): void {
    this.spends = this.spends.filter((s) => s.at === undefined || s.at + this.limit.windowMs > now);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async admit(units: number): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.blockedUntil) {
        await this.clock.sleep(this.blockedUntil - now);
        continue;
      }
      this.prune(now);
      let excess = this.used() + units - this.limit.units;
      if (excess <= 0) return;
      // The earliest time enough answered spends leave the window; if in-flight ones hold the rest,
      // wait for an answer first.
      const answered = this.spends.filter((s) => s.at !== undefined).sort((a, b) => a.at! - b.at!);
      let freesAt: number | undefined;
      for (const s of answered) {
        excess -= s.units;
        if (excess <= 0) {
          freesAt = s.at! + this.limit.windowMs;
          break;
        }
      }
      if (freesAt === undefined) await new Promise<void>((resolve) => this.waiters.push(resolve));
      else await this.clock.sleep(freesAt - now);
    }
  }
}

/** One pacer per family, sharing a clock. */
export class FamilyPacers {
  private readonly pacers: Record<GraphFamily, Pacer>;

  constructor(
    readonly clock: Clock,
    limits: Partial<Record<GraphFamily, FamilyLimit>> = {},
  ) {
    const make = (f: GraphFamily) => new Pacer(limits[f] ?? FAMILY_LIMITS[f], clock);
    this.pacers = {
      directory: make("directory"),
      reports: make("reports"),
      conditionalAccess: make("conditionalAccess"),
    };
  }

  of(family: GraphFamily): Pacer {
    return this.pacers[family];
  }

  /** The longest predicted wait over the families: the families proceed in parallel. */
  predictedWaitMs(extra: Partial<Record<GraphFamily, number>> = {}): number {
    return Math.max(...GRAPH_FAMILIES.map((f) => this.pacers[f].predictedWaitMs(extra[f] ?? 0)));
  }
}
