/**
 * Vitest setup file (every test file): no test waits out more than 1 s of real time on a timer.
 * Time is injected (a clock and a sleep) so a test advances it instead of waiting; a real
 * `setTimeout` / `setInterval` (global or `node:timers/promises`) whose delay exceeds 1 s and that
 * actually fires fails the test that was running, naming where it was set. A long timer that is
 * cleared before it fires (a request timeout, say) waited for nothing and passes. Fake timers
 * (`vi.useFakeTimers`) replace these functions while installed, so they are not counted.
 */
import { syncBuiltinESMExports } from "node:module";
import timers from "node:timers";
import timersPromises from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, afterEach, expect } from "vitest";

export const LONGEST_REAL_WAIT_MS = 1000;

/**
 * Files allowed to wait on real timers, each with the reason. Empty: every throttle and fault test
 * advances an injected clock instead.
 */
export const EXEMPT_FILES: readonly string[] = [];

const longWaits: string[] = [];

function noteIfLong(kind: string, delay: unknown, setAt: Error | undefined): void {
  if (setAt)
    longWaits.push(`${kind}(${Number(delay)} ms) ${setAt.stack?.split("\n").slice(2, 6).join("\n")}`);
}

function isLong(delay: unknown): boolean {
  return typeof delay === "number" && delay > LONGEST_REAL_WAIT_MS;
}

const isUnref = (timer: unknown): boolean =>
  typeof (timer as { hasRef?: unknown })?.hasRef === "function" && !(timer as { hasRef(): boolean }).hasRef();

type TimerFunction = (callback: (...args: any[]) => void, delay?: number, ...args: any[]) => unknown;

export function guard(kind: string, original: TimerFunction): TimerFunction {
  return function guarded(callback, delay, ...args) {
    if (typeof callback !== "function" || !isLong(delay)) return original(callback, delay, ...args);
    const setAt = new Error("set here");
    const timer = original(
      (...callbackArgs: unknown[]) => {
        // An unref'd timer keeps nothing waiting: it is housekeeping (Node's HTTP server checks
        // its connections every 30 s that way), not a test sleeping.
        if (!isUnref(timer)) noteIfLong(kind, delay, setAt);
        callback(...callbackArgs);
      },
      delay,
      ...args,
    );
    return timer;
  };
}

/**
 * The functions Node gave, kept on the process the first time this file runs: vitest runs a setup
 * file again before every test file, and with isolation off (vitest.config.ts) the process and its
 * already guarded timers stay, so each run guards these, never the guard of the file before.
 */
const REAL_TIMERS = Symbol.for("breakglass.test.realTimers");
interface RealTimers {
  setTimeout: TimerFunction;
  setInterval: TimerFunction;
  sleep: typeof timersPromises.setTimeout;
}
const real: RealTimers = ((globalThis as Record<symbol, RealTimers | undefined>)[REAL_TIMERS] ??= {
  setTimeout: globalThis.setTimeout as TimerFunction,
  setInterval: globalThis.setInterval as TimerFunction,
  sleep: timersPromises.setTimeout,
});

const realSleep = real.sleep;
const guardedSleep = async function guardedSleep(delay?: number, ...rest: any[]) {
  const setAt = isLong(delay) ? new Error("set here") : undefined;
  const value = await realSleep(delay, ...rest);
  noteIfLong("timers/promises setTimeout", delay, setAt);
  return value;
} as typeof timersPromises.setTimeout;

const guardedTimeout = Object.assign(guard("setTimeout", real.setTimeout), {
  // `promisify(setTimeout)` resolves through this, as Node's own setTimeout does.
  [promisify.custom]: guardedSleep,
});
const guardedInterval = guard("setInterval", real.setInterval);
for (const target of [globalThis, timers] as Array<Record<string, unknown>>)
  Object.assign(target, { setTimeout: guardedTimeout, setInterval: guardedInterval });
timersPromises.setTimeout = guardedSleep;
// ESM imports of node:timers and node:timers/promises made after this see the guarded functions.
syncBuiltinESMExports();

function isExempt(): boolean {
  const path = (expect.getState().testPath ?? "").replaceAll("\\", "/");
  return EXEMPT_FILES.some((file) => path.endsWith(file));
}

export function failOnLongWaits(where: string): void {
  const waits = longWaits.splice(0);
  if (!waits.length || isExempt()) return;
  throw new Error(
    `${where} waited on ${waits.length} real timer(s) longer than ${LONGEST_REAL_WAIT_MS} ms; inject the clock or sleep instead:\n${waits.join("\n")}`,
  );
}

afterEach(() => failOnLongWaits("this test"));
afterAll(() => failOnLongWaits("this file's hooks"));
