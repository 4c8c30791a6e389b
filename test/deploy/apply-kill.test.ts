/**
 * A run of `apply` killed at any point converges when run again (docs/deploy.md "Journal and
 * resumption"). The first apply of the before.json walkthrough is stopped, in turn, just before
 * each of its journal records is written: before a step's `sent` (its request never leaves) and
 * before its `confirmed` (the tenant changed, the journal does not know). A killed process writes
 * nothing more and never releases its lock; here the run's store stops doing anything at that
 * record, and the lock it leaves names a process that does not exist, as after SIGKILL. The next
 * run must take the lock over, finish the work and leave the same tenant as an uninterrupted run:
 * no duplicate user, group, strength or policy, and every other policy's own exclusions kept.
 * The kill points are apply-support.ts killPoints, every one of them, on a tenant with a replication
 * delay (REPLICATING below). The same list is walked with real SIGKILLs of the built CLI by
 * test/deploy/apply-sigkill-every.test.ts (slower, no replication delay since the CLI's waits are
 * real; the proof that a real kill leaves the journal and the lock this simulation assumes).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { RecordStore } from "../../src/records/store.js";
import { FileRecordStore } from "../../src/records/store.js";
import {
  journalTypes,
  killPoints,
  listedShape,
  startApplyHarness,
  tenantShape,
  type ApplyHarness,
} from "./apply-support.js";

/**
 * Objects stay invisible for 5 s after their creation (Entra's replication delay), on the harness's
 * virtual clock, which only the writer's back-off moves: the next run's fresh read misses what the
 * killed run created just before it died, plans those creates again, and only the journal (a
 * lookup by configured name) keeps them from being sent twice. Without the delay the fresh read
 * would see everything and this test could not tell a run that ignores the journal.
 */
const REPLICATING = { emulator: { replicationDelayMs: 5000 } };
/** past every replication window, before the tenant is read for comparison */
const PAST_REPLICATION_MS = 60_000;

/** above Linux's highest pid: `kill(pid, 0)` says it does not exist */
const DEAD_PID = 4_194_305;

class Killed extends Error {}

/** A store that dies just before the `at`-th journal record: nothing after it reaches the disk. */
function dyingStore(root: string, at: number): RecordStore & { died(): boolean } {
  const inner = new FileRecordStore(root, { pid: DEAD_PID });
  let journalRecords = 0;
  let dead = false;
  const alive = () => {
    if (dead) throw new Killed("the process is gone");
  };
  return {
    root,
    died: () => dead,
    async append(stream, record) {
      alive();
      if (stream.startsWith("journal/") && ++journalRecords === at) {
        dead = true;
        alive();
      }
      return inner.append(stream, record);
    },
    read: async (s) => (alive(), inner.read(s)),
    streams: async (f) => (alive(), inner.streams(f)),
    readDocument: async (n) => (alive(), inner.readDocument(n)),
    documents: async (f) => (alive(), inner.documents(f)),
    writeDocument: async (n, t) => (alive(), inner.writeDocument(n, t)),
    createDocument: async (n, t) => (alive(), inner.createDocument(n, t)),
    async lock(name, purpose) {
      alive();
      const lock = await inner.lock(name, purpose);
      // a killed process releases nothing
      return { holder: lock.holder, release: async () => void (dead || (await lock.release())) };
    },
  };
}

describe("apply killed at every step converges", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("an uninterrupted first apply, the reference", async () => {
    h = await startApplyHarness(REPLICATING);
    const run = await h.applyCmd(undefined, { yes: true });
    expect(run.code).toBe(0);
    const types = await journalTypes(h);
    reference.points = killPoints(types);
    h.clock.now += PAST_REPLICATION_MS;
    reference.shape = tenantShape(await h.read());
    // the points read the final state through listedShape: the same shape as an export's
    expect(await listedShape(h)).toEqual(reference.shape);
    expect(reference.points.filter((_, i) => i > 0)).toHaveLength(
      2 * types.filter((t) => t === "sent").length,
    );
  });

  const reference: { points: number[]; shape?: ReturnType<typeof tenantShape> } = { points: [] };

  it("stopped before each journal record in turn, the next run finishes the same tenant", async () => {
    expect(reference.shape).toBeDefined();
    const failures: string[] = [];
    for (const at of reference.points) {
      h = await startApplyHarness(REPLICATING);
      const dir = h.dir;
      let store: ReturnType<typeof dyingStore> | undefined;
      const killed = await h
        .applyCmd(undefined, { yes: true }, { store: () => (store = dyingStore(dir, at)) })
        .then(
          (r) => r,
          (err: unknown) => {
            if (!(err instanceof Killed)) throw err;
            return undefined;
          },
        );
      if (!store?.died()) failures.push(`record ${at}: the run was not stopped (${killed?.code})`);
      const resumed = await h.applyCmd(undefined, { yes: true });
      if (resumed.code !== 0)
        failures.push(`record ${at}: the next run exited ${resumed.code}: ${resumed.stderr}`);
      h.clock.now += PAST_REPLICATION_MS;
      const after = await listedShape(h);
      try {
        expect(after).toEqual(reference.shape);
      } catch {
        failures.push(`record ${at}: ${JSON.stringify(after)}`);
      }
      await h.close();
      h = undefined;
    }
    expect(failures).toEqual([]);
  }, 900_000);
});
