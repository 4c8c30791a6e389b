/**
 * A clock whose time moves only when something sleeps on it: `sleep(ms)` moves it to at least
 * `ms` past the time the sleep was asked, then resolves on the next turn of the event loop. Shared
 * by the Graph client and the emulator, a test's Retry-After, back-off, pacing and slow-answer
 * waits take no real time, and the throttle windows on both sides see the same time.
 */
import type { Clock } from "../../src/graph/clock.js";

export class VirtualClock implements Clock {
  private t: number;
  /** the virtual milliseconds slept in all, for assertions about waiting */
  slept = 0;

  constructor(start = Date.now()) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    const wait = Math.max(0, ms);
    this.slept += wait;
    this.t = Math.max(this.t, this.t + wait);
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Moves time forward without a sleeper (a test stepping past a window). */
  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }
}
