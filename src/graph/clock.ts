/**
 * Time, injected: the Graph and ARM clients read the time and wait through a Clock, so tests (and
 * the emulator they talk to) can share a virtual one and advance it instead of sleeping on real
 * `Retry-After` and back-off timers.
 */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  /** resolves after `ms` milliseconds of this clock's time */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
};
