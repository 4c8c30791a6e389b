/**
 * `breakglass apply` killed with a real SIGKILL at every kill point, then run again (issue 13): the
 * built CLI (`dist/bin/breakglass.js`) runs against the HTTPS emulator with the test-only preload
 * test/support/kill-before-journal-record.mjs, which makes the process SIGKILL itself just before
 * its Nth journal record is appended. N walks every point of apply-support.ts killPoints for an
 * uninterrupted run of the same CLI (before the first `planned`, every `sent`, every `confirmed`):
 * every point, never a sample. After each kill the journal holds exactly N-1 records (the kill came
 * where it was meant to) and the lock still names the dead process; the next run of the CLI takes
 * that lock over, exits 0, finishes the killed run's journal (continued to `completed`, or
 * `superseded`) and leaves the reference tenant: no duplicate user, group, strength or policy, and
 * every other policy's own exclusions as they were.
 *
 * The emulator here replicates at once: the CLI waits out Entra's replication window in real time,
 * so with a delay every point would cost seconds of real waiting. The next run's fresh read thus
 * sees what the killed run created; that the journal's lookups keep a create from being sent twice
 * when the read misses it is proven by test/deploy/apply-kill.test.ts, which walks the same points
 * in process on a replicating tenant and a virtual clock. test/deploy/apply-sigkill.test.ts kills
 * the CLI from outside, at a moment the test does not choose.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, breakglass, ROOT } from "../support/cli.js";
import {
  journalTypes,
  killPoints,
  listedShape,
  startApplyHarness,
  tenantShape,
  type ApplyHarness,
} from "./apply-support.js";

const PRELOAD = pathToFileURL(join(ROOT, "test/support/kill-before-journal-record.mjs")).href;

const cliEnv = (h: ApplyHarness): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  ...(h.emu.env as Record<string, string>),
});

const applyArgs = (h: ApplyHarness) => ["apply", "--yes", "--config", h.configFile];

/**
 * The CLI's Node runs without V8's optimizing compiler and with its garbage collector on the main
 * thread: an apply lasts well under a second, in which TurboFan's compilations never pay for
 * themselves and the GC's helper threads only compete with the other lane's process for the two
 * cores. 16 runs of the unbundled CLI measured: 15-16 s of CPU by default, 12-13 s with --no-opt,
 * 10.8 s with both. The bundled binary compiles far less at start-up, and the flags now save only
 * about 4% (8 runs each: 4.50 s of CPU by default, 4.32 s with both). The code run and the kill are
 * the same (--lite-mode would be cheaper still, but it turns
 * WebAssembly off, which undici's HTTP parser needs).
 */
const NODE_ARGS = ["--no-opt", "--single-threaded-gc"];

/** The CLI's apply, SIGKILLed by the preload just before journal record `at`. */
function applyKilledAt(
  h: ApplyHarness,
  at: number,
): Promise<{ pid: number; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, "--import", PRELOAD, BIN, ...applyArgs(h)], {
    cwd: ROOT,
    env: { ...cliEnv(h), BREAKGLASS_TEST_KILL_BEFORE_JOURNAL_RECORD: String(at) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ pid: child.pid!, code, signal, stderr }));
  });
}

/** the journals' records, by file, each line parsed (a torn line would throw) */
async function journals(h: ApplyHarness): Promise<Map<string, Array<{ type: string }>>> {
  const out = new Map<string, Array<{ type: string }>>();
  for (const [path, text] of await h.files())
    if (path.startsWith(".breakglass/journal/"))
      out.set(
        path,
        text
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l) as { type: string }),
      );
  return out;
}

/**
 * Kill point `at` on a tenant of its own: the run killed before record `at`, then the next run; what
 * went wrong, one line each (empty when the point converged).
 */
async function killAndRerun(
  at: number,
  reference: ReturnType<typeof tenantShape>,
  open: Set<ApplyHarness>,
): Promise<string[]> {
  const failures: string[] = [];
  const point = `record ${at}`;
  const h = await startApplyHarness();
  open.add(h);
  const killed = await applyKilledAt(h, at);
  if (killed.signal !== "SIGKILL")
    failures.push(`${point}: the run was not killed (exit ${killed.code}): ${killed.stderr}`);
  const left = await journals(h);
  const records = [...left.values()][0] ?? [];
  if (left.size !== 1 || records.length !== at - 1)
    failures.push(
      `${point}: the killed run left ${left.size} journal(s), ${records.length} record(s), not ${at - 1}`,
    );
  const lock = await readFile(join(h.dir, ".breakglass/apply.lock"), "utf8").catch(() => "");
  if (!lock || (JSON.parse(lock) as { pid?: number }).pid !== killed.pid)
    failures.push(`${point}: the lock does not name the killed process ${killed.pid}: ${lock}`);

  const again = await breakglass(applyArgs(h), cliEnv(h), NODE_ARGS);
  if (again.code !== 0 || again.stderr !== "")
    failures.push(`${point}: the next run exited ${again.code}: ${again.stderr}`);
  const lockAfter = await readFile(join(h.dir, ".breakglass/apply.lock"), "utf8").catch(() => undefined);
  if (lockAfter !== undefined) failures.push(`${point}: the next run left the lock: ${lockAfter}`);
  // the killed run's journal is finished: continued to `completed` in the same journal, or
  // `superseded` by the run that did its work (or found nothing left to do)
  for (const [path, rs] of await journals(h))
    if (!["completed", "superseded"].includes(rs.at(-1)?.type ?? ""))
      failures.push(`${point}: ${path} is left unfinished (${rs.at(-1)?.type})`);

  const after = await listedShape(h);
  try {
    expect(after).toEqual(reference);
  } catch {
    failures.push(`${point}: ${JSON.stringify(after)}`);
  }
  open.delete(h);
  await h.close();
  return failures;
}

/**
 * The points run two at a time, each on its own emulator, directory and CLI processes: a point's
 * wall time is mostly a CLI process running while the test's process waits, so a second lane uses
 * the second core. Failures are reported in the order of the points.
 */
const LANES = 2;

describe("apply killed with SIGKILL at every kill point", () => {
  const open = new Set<ApplyHarness>();
  afterEach(async () => {
    await Promise.all([...open].map((h) => h.close()));
    open.clear();
  });

  const reference: { points: number[]; shape?: ReturnType<typeof tenantShape> } = { points: [] };

  it("an uninterrupted apply of the CLI, the reference", async () => {
    const h = await startApplyHarness();
    open.add(h);
    const run = await breakglass(applyArgs(h), cliEnv(h), NODE_ARGS);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const types = await journalTypes(h);
    reference.points = killPoints(types);
    reference.shape = tenantShape(await h.read());
    // the points read the final state through listedShape: the same shape as an export's
    expect(await listedShape(h)).toEqual(reference.shape);
    // the first `planned`, then a `sent` and a `confirmed` for every request
    const sent = types.filter((t) => t === "sent").length;
    expect(sent).toBeGreaterThan(0);
    expect(reference.points).toHaveLength(1 + 2 * sent);
  });

  it("killed before each kill point's record in turn, the next run takes the lock over and finishes the same tenant", async () => {
    const shape = reference.shape;
    expect(shape).toBeDefined();
    const started = Date.now();
    const byPoint: string[][] = [];
    let next = 0;
    const lane = async () => {
      while (next < reference.points.length) {
        const i = next++;
        byPoint[i] = await killAndRerun(reference.points[i]!, shape!, open);
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    expect(byPoint.flat()).toEqual([]);
    expect(byPoint).toHaveLength(reference.points.length);
    process.stderr.write(
      `apply-sigkill-every: ${reference.points.length} kill points in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }, 1_200_000);
});
