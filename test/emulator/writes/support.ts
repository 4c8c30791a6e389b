/** A running emulator over the good sample with a controllable clock, a read-only app and a deployer app. */
import { readFileSync } from "node:fs";
import type { Agent } from "undici";
import {
  deployerRegistration,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../../emulator/index.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";
import { call, tokenFor, undiciAgent, type SimpleResponse } from "../support.js";

export const GOOD = new URL("../../../fixtures/tenants/good.json", import.meta.url);
/** the good sample's emergency accounts and group, all members of a restricted-management unit */
export const EA_USER = "83aa1184-132f-401e-91ba-ace0a55b661a";
export const EA_GROUP = "ab45a805-0899-4c20-823e-676c53a97511";
export const GA = "62e90394-69f5-4237-9190-012177145e10";

export function goodSnapshot(): Snapshot {
  return JSON.parse(readFileSync(GOOD, "utf8")) as Snapshot;
}

export interface WriteHarness {
  emu: RunningEmulator;
  agent: Agent;
  clock: { now: number };
  /** token of the deployer app (write permissions, Privileged Authentication Administrator) */
  deployer: string;
  /** token of the default, read-only app */
  reader: string;
  /** a request with the deployer's token unless another is given */
  graph(method: string, path: string, body?: object, token?: string): Promise<SimpleResponse>;
  close(): Promise<void>;
}

export async function startWriteHarness(
  options: Partial<EmulatorOptions> & { snapshot?: Snapshot } = {},
): Promise<WriteHarness> {
  const clock = { now: Date.parse("2026-12-02T09:00:00Z") };
  const emu = await startEmulator({
    snapshot: goodSnapshot(),
    throttle: false,
    now: () => clock.now,
    ...options,
  });
  const deployerApp = emu.registerApp(deployerRegistration());
  const agent = undiciAgent(emu);
  const reader = await tokenFor(emu, agent, emu.apps[0]!.clientId, emu.apps[0]!.secrets[0]!);
  const deployer = await tokenFor(emu, agent, deployerApp.clientId, deployerApp.secrets[0]!);
  return {
    emu,
    agent,
    clock,
    deployer,
    reader,
    graph: (method, path, body, token = deployer) =>
      call(emu, agent, method, `/graph${path}`, { token, ...(body ? { body } : {}) }),
    async close() {
      await agent.close();
      await emu.close();
    },
  };
}
