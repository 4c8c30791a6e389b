/**
 * A run of `apply` killed at any point converges when run again (docs/deploy.md "Journal and
 * resumption"). The first apply of the before.json walkthrough is stopped, in turn, just before
 * each of its journal records is written: before a step's `sent` (its request never leaves) and
 * before its `confirmed` (the tenant changed, the journal does not know). A killed process writes
 * nothing more and never releases its lock; here the run's store stops doing anything at that
 * record, and the lock it leaves names a process that does not exist, as after SIGKILL. The next
 * run must take the lock over, finish the work and leave the same tenant as an uninterrupted run:
 * no duplicate user, group, strength or policy, and every other policy's own exclusions kept.
 * (test/deploy/apply-sigkill.test.ts kills a real child process.)
 */
import { afterEach, describe, expect, it } from "vitest";
import type { RecordStore } from "../../src/records/store.js";
import { FileRecordStore } from "../../src/records/store.js";
import { startApplyHarness, tenantShape, type ApplyHarness } from "./apply-support.js";

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
    h = await startApplyHarness();
    const run = await h.applyCmd(undefined, { yes: true });
    expect(run.code).toBe(0);
    const journal = [...(await h.files()).entries()].filter(([p]) => p.startsWith(".breakglass/journal/"));
    expect(journal).toHaveLength(1);
    const types = journal[0]![1]
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { type: string }).type);
    // Kill points: before the first `planned` (a journal with no request yet), before every `sent`
    // (the request never leaves) and before every `confirmed` (the tenant changed, unrecorded).
    // The other `planned` records carry nothing a later run reads.
    reference.points = types.flatMap((t, i) =>
      (t === "planned" && types.indexOf("planned") === i) || t === "sent" || t === "confirmed" ? [i + 1] : [],
    );
    reference.shape = tenantShape(await h.read());
    expect(reference.points.filter((_, i) => i > 0)).toHaveLength(
      2 * types.filter((t) => t === "sent").length,
    );
  });

  const reference: { points: number[]; shape?: ReturnType<typeof tenantShape> } = { points: [] };

  it("stopped before each journal record in turn, the next run finishes the same tenant", async () => {
    expect(reference.shape).toBeDefined();
    const failures: string[] = [];
    for (const at of reference.points) {
      h = await startApplyHarness();
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
      const after = tenantShape(await h.read());
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
