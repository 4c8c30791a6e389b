/**
 * The timer guard of test/setup-timers.ts: a real timer longer than 1 s that fires fails the test;
 * a short one, a long one that never fires, or an unref'd one (housekeeping) does not. The "real"
 * timer here is a stand-in that fires on the next microtask, so the test itself waits for nothing.
 */
import { describe, expect, it } from "vitest";
import { failOnLongWaits, guard, LONGEST_REAL_WAIT_MS } from "./setup-timers.js";

const standIn =
  (ref: boolean) =>
  (callback: (...args: any[]) => void, _delay?: number, ...args: any[]) => {
    queueMicrotask(() => callback(...args));
    return { hasRef: () => ref };
  };
const firesSoon = standIn(true);
const neverFires = () => ({ hasRef: () => true });
const fired = () => new Promise((resolve) => setImmediate(resolve));

describe("the real-timer guard", () => {
  it("fails on a fired timer longer than the limit, naming where it was set", async () => {
    const seen: unknown[] = [];
    guard("setTimeout", firesSoon)((v: unknown) => seen.push(v), LONGEST_REAL_WAIT_MS + 1, "arg");
    await fired();
    expect(seen).toEqual(["arg"]); // the callback still runs, with its arguments
    expect(() => failOnLongWaits("this test")).toThrow(/setTimeout\(1001 ms\)[\s\S]*setup-timers\.test\.ts/);
    expect(() => failOnLongWaits("this test")).not.toThrow(); // reported once
  });

  it("lets a timer up to the limit, a long one that never fires, or an unref'd one pass", async () => {
    let count = 0;
    guard("setTimeout", firesSoon)(() => count++, LONGEST_REAL_WAIT_MS);
    guard("setInterval", firesSoon)(() => count++, 10);
    guard("setInterval", standIn(false))(() => count++, 30_000);
    guard("setTimeout", neverFires)(() => count++, 60_000);
    await fired();
    expect(count).toBe(3);
    expect(() => failOnLongWaits("this test")).not.toThrow();
  });
});
