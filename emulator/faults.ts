/**
 * Seeded fault injection. One PRNG stream, drawn in request order, so a seed replays the same
 * faults for the same sequence of requests; every injected fault is logged with the snapshot
 * section (and object) it hit, so an export's `unavailable` entries can be traced back to it.
 */

export type FaultKind = "429" | "503" | "504" | "reset" | "slow";

/** Time for the emulator (the same shape as the client's Clock, so a test can share one). */
export interface EmulatorClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemEmulatorClock: EmulatorClock = {
  now: () => Date.now(),
  sleep: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
};

export const FAULT_KINDS: readonly FaultKind[] = ["429", "503", "504", "reset", "slow"];

export interface FaultLogEntry {
  /** 1-based order of injection */
  sequence: number;
  /** ISO time of injection */
  time: string;
  api: "graph" | "arm" | "identity";
  endpoint: string;
  /** snapshot section the request reads (unavailable-key syntax: "users.authenticationMethods", "azure.workspaces") */
  section: string;
  /** the object of a per-object relationship, so the fault maps to `section` as `users[<id>].authenticationMethods` */
  objectId?: string;
  kind: FaultKind;
  /** status sent (null for a connection reset) */
  status: number | null;
  inBatch: boolean;
  /** the request path with its query, as the client sent it */
  path: string;
  /** for "slow": the added delay */
  delayMs?: number;
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG, enough for reproducible test traffic. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  kind: FaultKind;
  delayMs?: number;
}

export interface FaultInjectorOptions {
  /** probability (0..1) that a request gets a fault */
  rate: number;
  seed: number;
  /** the upper bound of the delay a "slow" fault adds */
  maxSlowMs?: number;
  /** fault kinds to draw from (default: all) */
  kinds?: readonly FaultKind[];
  /** the time faults are logged at and "slow" faults wait on (default: the system clock) */
  clock?: EmulatorClock;
}

export class FaultInjector {
  private random: () => number;
  private log: FaultLogEntry[] = [];
  private readonly maxSlowMs: number;
  private readonly kinds: readonly FaultKind[];
  private readonly clock: EmulatorClock;

  constructor(private readonly options: FaultInjectorOptions) {
    this.clock = options.clock ?? systemEmulatorClock;
    this.random = mulberry32(options.seed);
    this.maxSlowMs = options.maxSlowMs ?? 1500;
    this.kinds = options.kinds?.length ? options.kinds : FAULT_KINDS;
  }

  get rate(): number {
    return this.options.rate;
  }

  /** Draws for one request: undefined, or the fault to inject. Draws nothing when the rate is 0. */
  draw(): FaultDecision | undefined {
    if (this.options.rate <= 0) return undefined;
    if (this.random() >= this.options.rate) return undefined;
    const kind = this.kinds[Math.floor(this.random() * this.kinds.length)]!;
    if (kind === "slow") {
      return { kind, delayMs: Math.round(this.maxSlowMs / 4 + (this.random() * this.maxSlowMs * 3) / 4) };
    }
    return { kind };
  }

  /** For a write hit by a connection reset: whether the service applied it before the connection dropped. */
  dropAfterWrite(): boolean {
    return this.random() < 0.5;
  }

  /** The wait of a "slow" fault, on the emulator's clock. */
  pause(ms: number): Promise<void> {
    return this.clock.sleep(ms);
  }

  /** Inside $batch a connection reset cannot happen to one inner request: it becomes a 503 or 504. */
  batchSubstitute(): FaultKind {
    return this.random() < 0.5 ? "503" : "504";
  }

  record(entry: Omit<FaultLogEntry, "sequence" | "time">): FaultLogEntry {
    const full: FaultLogEntry = {
      sequence: this.log.length + 1,
      time: new Date(this.clock.now()).toISOString(),
      ...entry,
    };
    this.log.push(full);
    return full;
  }

  entries(): FaultLogEntry[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  /** Clears the log and restarts the PRNG stream from the seed. */
  reset(): void {
    this.log = [];
    this.random = mulberry32(this.options.seed);
  }
}

/**
 * The snapshot `unavailable` key a fault would explain if the client gave up on it:
 * `users[<id>].authenticationMethods` for a per-object relationship, else the section.
 */
export function unavailableKeyOf(entry: Pick<FaultLogEntry, "section" | "objectId">): string {
  if (entry.objectId === undefined) return entry.section;
  const dot = entry.section.indexOf(".");
  if (dot < 0) return `${entry.section}[${entry.objectId}]`;
  return `${entry.section.slice(0, dot)}[${entry.objectId}]${entry.section.slice(dot)}`;
}
