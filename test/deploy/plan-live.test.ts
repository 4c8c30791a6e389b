/**
 * `plan` without --snapshot: the tenant read live through the export path (HTTPS emulator, real
 * client stack, the default read-only app), then the same plan as from the file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { emulate, exportFrom, FIXTURES, fixtureConfig, loadFixture } from "../e2e/helpers.js";

describe("breakglass plan on the live tenant", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulate(await loadFixture("before"));
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("reads through the export path and plans what the file plans", async () => {
    const config = await fixtureConfig("before");
    let live = "";
    const code = await runPlan(
      { config: "before.breakglass.yaml", exitCode: true },
      { stdout: (t) => void (live += t), stderr: () => {}, cwd: FIXTURES, clock: () => new Date() },
      { read: async () => (await exportFrom(emu, { config })).snapshot },
    );
    let file = "";
    await runPlan(
      { config: "before.breakglass.yaml", snapshot: "before.json" },
      { stdout: (t) => void (file += t), stderr: () => {}, cwd: FIXTURES, clock: () => new Date() },
    );
    expect(code).toBe(1);
    const body = (text: string) => text.split("\n").slice(1).join("\n");
    expect(body(live)).toBe(body(file));
    // Only reads: every endpoint hit is a GET, a $batch of reads, or the token.
    const endpoints = Object.keys(emu.counters().requests.byEndpoint);
    expect(endpoints.filter((e) => !/^GET |^POST \/\$batch|oauth2\/v2\.0\/token$/.test(e))).toEqual([]);
  });
});
