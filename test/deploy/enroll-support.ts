/**
 * A tenant ready for enrollment, emulated over HTTPS: before.json after its first apply (accounts
 * created in the role-assignable group, the pass method targeting the group), predicted in memory
 * with real ids; its configuration written to a temporary directory (the records go beside it).
 * The person at the keyboard is the emulator's control endpoints.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent } from "undici";
import { parse, stringify } from "yaml";
import type { RunningEmulator } from "../../emulator/index.js";
import { derivePlan } from "../../src/deploy/plan.js";
import { predict } from "../../src/deploy/predict.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { call, undiciAgent } from "../emulator/support.js";
import { emulate } from "../e2e/helpers.js";
import { clone, sample } from "./support.js";

export const KP7WD = "kp7wd@northwindtraders.onmicrosoft.com";
export const TR3ZM = "tr3zm@northwindtraders.onmicrosoft.com";
export const YUBIKEY = {
  aaGuid: "2fc0579f-8113-47ea-b116-bb5a8db9202a",
  model: "YubiKey 5 NFC",
  displayName: "yk-01",
};
export const FEITIAN = {
  aaGuid: "ee041bce-25e5-4cdb-8f86-897fd6418464",
  model: "Feitian ePass FIDO2",
  displayName: "ft-02",
};
export const T0 = Date.parse("2026-12-02T09:00:00Z");

type Json = Record<string, any>;

/** before.json after the first apply's steps (not the waiting ones), every created object with a GUID. */
export function enrollableTenant(): Snapshot {
  const { snapshot, config } = sample("before");
  const ids = new Map<string, string>();
  let s = snapshot;
  for (const step of derivePlan(snapshot, config).steps) {
    if (step.waiting) continue;
    if (step.action === "create") ids.set(step.id, randomUUID());
    s = predict(s, step, ids);
  }
  return s;
}

export const userOf = (s: Snapshot, upn: string): Json =>
  (s.users as Json[]).find((u) => u.userPrincipalName === upn)!;

export const tapConfigOf = (s: Snapshot): Json =>
  ((s.authenticationMethodsPolicy as Json).authenticationMethodConfigurations as Json[]).find(
    (c) => c.id === "TemporaryAccessPass",
  )!;

export function configText(profile: Json = {}): string {
  const base = parse(
    readFileSync(new URL("../../fixtures/tenants/before.breakglass.yaml", import.meta.url), "utf8"),
  ) as Json;
  return stringify({ ...base, profile: { ...base.profile, ...profile } });
}

export interface EnrollHarness {
  emu: RunningEmulator;
  agent: Agent;
  dir: string;
  close(): Promise<void>;
  /** a POST to the emulator's control endpoints (the person at the keyboard) */
  control(path: string, body: object): Promise<{ status: number; body: any }>;
}

export async function startTenant(
  tweak: (s: Snapshot) => void = () => {},
  profile: Json = {},
  now: () => number,
): Promise<EnrollHarness> {
  const tenant = clone(enrollableTenant());
  tweak(tenant);
  const emu = await emulate(tenant, { deployer: true, now });
  const agent = undiciAgent(emu);
  const dir = mkdtempSync(join(tmpdir(), "bg-enroll-"));
  writeFileSync(join(dir, "breakglass.yaml"), configText(profile));
  return {
    emu,
    agent,
    dir,
    control: (path, body) => call(emu, agent, "POST", `/graph/_emulator${path}`, { body }),
    async close() {
      await agent.close();
      await emu.close();
    },
  };
}

/** Every file under a directory, with its text. */
export function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, entry);
    if (statSync(path).isFile()) out.push({ path, text: readFileSync(path, "utf8") });
  }
  return out;
}

/** The pass as the terminal showed it. */
export const passIn = (text: string): string | undefined =>
  /Temporary Access Pass for \S+: (\S+)/.exec(text)?.[1];
