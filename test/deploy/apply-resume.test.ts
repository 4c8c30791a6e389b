/**
 * Resumption: a run killed between a create's `sent` and `confirmed` (the object was made, the
 * journal never learned its id), then a re-run on a tenant whose replication delay hides the new
 * objects from the fresh read. The re-run finds them by their configured names instead of sending
 * the creates again: nothing is created twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { JournalRecord } from "../../src/deploy/apply/journal.js";
import { FileRecordStore } from "../../src/records/store.js";
import { startApplyHarness, type ApplyHarness } from "./apply-support.js";

class SimulatedKill extends Error {}

/** The records store, killed right after the record `at` is asked for (it is never written). */
function killingStore(root: string, at: (r: JournalRecord) => boolean) {
  const store = new FileRecordStore(root);
  const append = store.append.bind(store);
  store.append = async (stream: string, record: unknown) => {
    if (stream.startsWith("journal/") && at(record as JournalRecord)) throw new SimulatedKill("killed");
    return append(stream, record);
  };
  return store;
}

describe("apply resumes after a run killed between sent and confirmed", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("the group and the accounts an interrupted run created are found by name and not created again", async () => {
    h = await startApplyHarness({ emulator: { replicationDelayMs: 5000 } });
    await expect(
      h.applyCmd(
        undefined,
        { yes: true },
        {
          store: (root) => killingStore(root, (r) => r.type === "confirmed" && r.step === "group.grp-h4821"),
        },
      ),
    ).rejects.toThrow(SimulatedKill);
    const first = (await h.store().streams("journal"))[0]!;
    const records = (await h.store().read(first)) as JournalRecord[];
    expect(records.at(-1)).toMatchObject({ type: "sent", step: "group.grp-h4821" });

    // The fresh read does not see the new objects yet: the plan creates them again...
    const plan = await h.plan();
    expect(plan.stdout).toMatch(/\+ group\.grp-h4821 +create role-assignable group "grp-h4821"/);
    expect(plan.stdout).toMatch(/\+ accounts\.kp7wd +create user/);
    // ...but apply looks up what the interrupted run may have made before sending anything.
    const again = await h.applyCmd(undefined, { yes: true });
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /\+ accounts\.kp7wd: found [0-9a-f-]{36} \(created by an earlier run; not sent again\)/,
    );
    expect(again.stdout).toMatch(/\+ group\.grp-h4821: found [0-9a-f-]{36}/);
    expect(again.stdout).toMatch(/\d+ found from an earlier run/);

    h.clock.now += 60_000; // past every replication window
    const groups = (await h.graph("GET", "/v1.0/groups?$filter=displayName eq 'grp-h4821'")).body.value;
    expect(groups).toHaveLength(1);
    for (const upn of ["kp7wd", "tr3zm"]) {
      const users = (
        await h.graph("GET", `/v1.0/users?$filter=startswith(userPrincipalName,'${upn}@')&$select=id`)
      ).body.value;
      expect(users).toHaveLength(1);
    }
    const members = (await h.graph("GET", `/v1.0/groups/${groups[0].id}/members`)).body.value;
    expect(members).toHaveLength(2);
    // The interrupted run's journal is closed, so a later run does not look at it again: the
    // re-run derived the same plan (same id) and finished it in the same journal.
    const closed = (await h.store().read(first)) as JournalRecord[];
    expect(closed.filter((r) => r.type === "started")).toHaveLength(2);
    expect(["completed", "superseded"]).toContain(closed.at(-1)!.type);
    const last = await h.plan({ exitCode: true });
    expect(last.stdout).toContain("No changes.");
  }, 120_000);
});
