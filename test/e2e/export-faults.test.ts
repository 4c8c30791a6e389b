/**
 * Done-when: with a fault rate of 0.2 and retries on, at least 19 of 20 seeds export a snapshot
 * equal to what export reads of the sample; in every seed each `unavailable` entry matches a fault
 * the emulator logged on that section, and nothing is missing without such an entry. The emulator
 * and the client share a virtual clock, so Retry-After, back-off and slow answers take no real time.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { FaultLogEntry } from "../../emulator/index.js";
import { unavailableReason } from "../../src/snapshot/availability.js";
import { tablePath } from "../../src/collect/permissions.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { formatDifferences, snapshotDifferences } from "../support/equality.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { emulate, exportableOf, exportFrom, fixtureConfig, loadFixture, snapshotPathOf } from "./helpers.js";

const FIXTURE = process.env.BG_FAULT_FIXTURE ?? "midsize";

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
// Ten emulators at a time keep the open sockets and memory modest.
const AT_ONCE = 10;

/** `users[<id>].authenticationMethods` -> does the log hold a fault on that section (and object)? */
function faultFor(key: string, log: FaultLogEntry[]): boolean {
  const object = /\[([^\]]+)\]/.exec(key)?.[1];
  const section = tablePath(key);
  return log.some(
    (f) =>
      f.section === section &&
      (object === undefined || (f.objectId ?? "").toLowerCase() === object.toLowerCase()),
  );
}

it(
  "exports through 20% faults: 19 of 20 seeds equal, every gap explained",
  { timeout: 240_000 },
  async () => {
    const sample = await loadFixture(FIXTURE);
    const config = await fixtureConfig(FIXTURE);
    const expected = exportableOf(sample, config);
    const outcomes: Array<{ seed: number; equal: boolean; problems: string[] }> = [];
    // One CA for every seed: generating a CA key is the slow part of starting an emulator.
    const stateDir = mkdtempSync(join(tmpdir(), "bg-faults-"));
    const runSeed = async (seed: number) => {
      const clock = new VirtualClock();
      const emu = await emulate(sample, { faultRate: 0.2, seed, maxSlowMs: 400, stateDir, clock });
      try {
        const result = await exportFrom(emu, { maxRetries: 6, retryDelaySeconds: 1, config, clock });
        const snapshot = result.snapshot as Snapshot;
        const log = emu.faults();
        const problems: string[] = [];
        const unavailable = snapshot.unavailable ?? {};
        for (const [key, reason] of Object.entries(unavailable)) {
          // "not read: X unavailable" entries follow from another entry; that one must have a fault.
          const derived = /^not read/.exec(reason) !== null;
          if (!derived && !faultFor(key, log)) problems.push(`${key}: "${reason}" has no logged fault`);
        }
        const diffs = snapshotDifferences(expected, snapshot, 1000);
        for (const d of diffs) {
          if (unavailableReason(snapshot, snapshotPathOf(d.path)) === undefined)
            problems.push(`missing without an unavailable entry: ${formatDifferences([d])}`);
        }
        outcomes.push({ seed, equal: diffs.length === 0 && Object.keys(unavailable).length === 0, problems });
      } finally {
        await emu.close();
      }
    };
    for (let i = 0; i < SEEDS.length; i += AT_ONCE)
      await Promise.all(SEEDS.slice(i, i + AT_ONCE).map(runSeed));

    const problems = outcomes.flatMap((o) => o.problems.map((p) => `seed ${o.seed}: ${p}`));
    expect(problems, problems.join("\n")).toEqual([]);
    const equal = outcomes.filter((o) => o.equal).length;
    expect(equal, `equal in ${equal} of 20 seeds`).toBeGreaterThanOrEqual(19);
  },
);
