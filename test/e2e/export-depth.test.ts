/**
 * Done-when: with throttling off, the mid-size sample exports in at most 5 round trips of depth
 * after the token, as the emulator counts them (and as the client counts them).
 */
import { expect, it } from "vitest";
import { emulate, exportFrom, fixtureConfig, loadFixture } from "./helpers.js";

it("exports the mid-size sample in at most 5 round trips after the token", async () => {
  const emu = await emulate(await loadFixture("midsize"));
  try {
    const result = await exportFrom(emu, { config: await fixtureConfig("midsize") });
    const depth = emu.counters().depth;
    expect(depth.afterToken, JSON.stringify(depth)).not.toBeNull();
    expect(depth.afterToken!).toBeLessThanOrEqual(5);
    expect(result.requests.maxDepth).toBeLessThanOrEqual(5);
  } finally {
    await emu.close();
  }
});
