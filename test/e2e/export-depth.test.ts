/**
 * Done-when: with throttling off, the mid-size sample exports in at most 5 round trips of depth
 * after the token, as the emulator counts them and as the client counts them. The emulator runs in
 * a worker thread with a realistic latency of 200 ms (bench/emulator-worker.ts says why).
 */
import { join } from "node:path";
import { expect, it } from "vitest";
import { clientsOf, startWorkerEmulator } from "../../bench/worker.js";
import { exportTenant } from "../../src/collect/export.js";
import { FIXTURES, fixtureConfig } from "./helpers.js";

it("exports the mid-size sample in at most 5 round trips after the token", async () => {
  const emu = await startWorkerEmulator(join(FIXTURES, "midsize.json"), { throttle: false, latencyMs: 200 });
  try {
    // Throttling is off: nothing to pace (what the emulator's environment says then).
    const clients = clientsOf(emu, { BREAKGLASS_GRAPH_PACING: "off" });
    const result = await exportTenant({ clients, config: await fixtureConfig("midsize") });
    expect(result.snapshot.unavailable).toEqual({});
    const depth = (await emu.counters()).depth;
    expect(depth.afterToken, JSON.stringify(depth)).not.toBeNull();
    expect(depth.afterToken!).toBeLessThanOrEqual(5);
    expect(result.requests.depthAfterToken!).toBeLessThanOrEqual(5);
  } finally {
    await emu.close();
  }
});
