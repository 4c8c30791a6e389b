/**
 * A clock whose time moves only when something sleeps on it, shared by the Graph client and the
 * emulator in tests: Retry-After, back-off, pacing and slow-answer waits take no real time, and the
 * throttle windows on both sides see the same time.
 *
 * Automatic (the default): on the next turn of the event loop (after whatever was already due has
 * run), `sleep(ms)` moves the time to at least `ms` past when it was asked, and resolves. Manual
 * (`{ manual: true }`): sleepers wait until the test calls `advance`, so it can look at what is
 * still waiting at a given time.
 */
import type { Clock } from "../../src/graph/clock.js";

export class VirtualClock implements Clock {
  private t: number;
  private readonly manual: boolean;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  /** the virtual milliseconds slept in all, for assertions about waiting */
  slept = 0;

  constructor(start = Date.now(), options: { manual?: boolean } = {}) {
    this.t = start;
    this.manual = options.manual ?? false;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    const wait = Math.max(0, ms);
    const target = this.t + wait;
    this.slept += wait;
    return new Promise((resolve) => {
      if (this.manual) {
        if (wait === 0) resolve();
        else this.timers.push({ at: target, resolve });
        return;
      }
      setImmediate(() => {
        this.t = Math.max(this.t, target);
        resolve();
      });
    });
  }

  /** Sleepers still waiting (manual clock). */
  get waiting(): number {
    return this.timers.length;
  }

  /** Moves time forward and wakes the sleepers now due. */
  advance(ms: number): void {
    this.t += Math.max(0, ms);
    const due = this.timers.filter((timer) => timer.at <= this.t);
    this.timers = this.timers.filter((timer) => timer.at > this.t);
    for (const timer of due) timer.resolve();
  }
}
