/**
 * apply against an unreliable service converges with no duplicate (docs/deploy.md "Journal and
 * resumption"): with one request in five answered by a 429, a 503, a 504 or a dropped connection
 * (half the dropped writes applied before the drop) over ten seeds, and with every new object
 * invisible for 3 s after its creation (Entra's replication delay). Re-runs are allowed (exit 5 says
 * "run again"); the tenant must end as an undisturbed run leaves it, and the next plan is empty.
 * Time is the harness's virtual clock: back-off and replication waits take no real time.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FaultKind } from "../../emulator/faults.js";
import { startApplyHarness, tenantShape, type ApplyHarness } from "./apply-support.js";

const FAULTS: FaultKind[] = ["429", "503", "504", "reset"];
const MAX_RUNS = 4;

describe("apply converges on an unreliable service", () => {
  let h: ApplyHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  let reference: ReturnType<typeof tenantShape> | undefined;

  async function applyUntilDone(harness: ApplyHarness): Promise<number[]> {
    const codes: number[] = [];
    for (let run = 0; run < MAX_RUNS; run++) {
      const r = await harness.applyCmd(undefined, { yes: true });
      codes.push(r.code);
      if (r.code === 0) break;
      expect(r.code, r.stderr).toBe(5);
    }
    return codes;
  }

  it("the undisturbed reference", async () => {
    h = await startApplyHarness();
    expect(await applyUntilDone(h)).toEqual([0]);
    reference = tenantShape(await h.read());
  });

  it("with every new object invisible for 3 s", async () => {
    h = await startApplyHarness({ emulator: { replicationDelayMs: 3000 } });
    expect((await applyUntilDone(h)).at(-1)).toBe(0);
    // what the last steps created becomes visible to readers after the delay
    h.clock.now += 3000;
    expect(tenantShape(await h.read())).toEqual(reference);
    expect((await h.plan({ exitCode: true })).code).toBe(0);
  });

  it("with a fault on one request in five, over ten seeds", async () => {
    const outcomes: string[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      h = await startApplyHarness({ emulator: { faultRate: 0.2, seed, faultKinds: FAULTS } });
      const codes = await applyUntilDone(h);
      const faults = h.emu.faults().length;
      const shape = tenantShape(await h.read());
      const same = JSON.stringify(shape) === JSON.stringify(reference);
      outcomes.push(
        `seed ${seed}: runs ${codes.join(",")}, ${faults} faults, ${same ? "same tenant" : JSON.stringify(shape)}`,
      );
      expect(faults, `seed ${seed} drew no fault`).toBeGreaterThan(0);
      await h.close();
      h = undefined;
    }
    expect(outcomes.filter((o) => !/runs (5,)*0, \d+ faults, same tenant$/.test(o))).toEqual([]);
  }, 600_000);
});
