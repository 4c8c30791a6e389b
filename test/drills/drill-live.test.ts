/**
 * A drill end to end through the HTTPS emulator and the real client stack: `drill start` reads the
 * keys, the account signs in with one of them (the emulator's control endpoint, the CA engine
 * deciding the policies and the log search rule raising its alert), `drill finish` proves every
 * item from the sign-in log, the key's last use and the alerts API; then EA-OPS-01 passes for that
 * account only. A password sign-in makes the drill a failure.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { check as ops01 } from "../../src/checks/ea-ops-01-drilled.js";
import { buildCheckContext } from "../../src/checks/registry.js";
import { runCheck } from "../../src/checks/runner.js";
import { Config } from "../../src/config/schema.js";
import { finishDrill, startDrill } from "../../src/drills/drill.js";
import { loadCheckRecords } from "../../src/records/check-records.js";
import { parseCustody } from "../../src/records/custody.js";
import { FileRecordStore } from "../../src/records/store.js";
import { clientsFor, emulate, exportFrom, fixtureConfig, loadFixture } from "../e2e/helpers.js";
import { call, undiciAgent } from "../emulator/support.js";

const EA_UPN = "zt4p9w@contosomedical.onmicrosoft.com";
const KEY_A = "5fuz0F1S91537hUtNd21iHA42Hmzuk4-Nzc4okJsILuZPPrgSjRsO-qlNykyoWvN";
const EA_POLICY = "52349fe7-e34a-4ec7-8ccc-644e04fc8052";
const CUSTODY = `
custodians:
  - { name: Ana, since: 2026-01-01 }
  - { name: Bo, since: 2026-01-01 }
keys:
  - { label: zt-a, account: ${EA_UPN}, methodId: ${KEY_A}, location: site-a/safe-1, custodians: [Ana, Bo] }
`;

describe("a drill through the emulator", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  async function drill(method: { methodId?: string }) {
    let t = Date.parse("2026-11-02T10:00:00Z");
    emu = await emulate(await loadFixture("good"), { now: () => t });
    const clients = clientsFor(emu);
    const config = Config.parse({ ...(await fixtureConfig("good")), dedicatedPolicyIds: [EA_POLICY] });
    const store = new FileRecordStore(await mkdtemp(join(tmpdir(), "bg-drill-")));
    await writeFile(join(store.root, "custody.yaml"), CUSTODY);
    const custody = parseCustody(CUSTODY);
    const started = await startDrill(clients, store, config, custody, {
      account: EA_UPN,
      key: "zt-a",
      now: new Date(t),
    });
    t += 60_000;
    const signIn = await call(emu, undiciAgent(emu), "POST", "/graph/_emulator/signIns", {
      body: { userId: EA_UPN, ...method },
    });
    expect(signIn.status).toBe(201);
    t += 5 * 60_000;
    const done = await finishDrill(clients, store, config, custody, {
      id: started.id,
      now: new Date(t),
      alertReceivedAt: new Date(t - 4 * 60_000).toISOString(),
    });
    return { done, store, config, t };
  }

  it("proves the sign-in, the FIDO2 method, the key, the dedicated policy and the alert; EA-OPS-01 passes for that account", async () => {
    const { done, store, config } = await drill({ methodId: KEY_A });
    expect(done.evidence!.map((e) => `${e.status} ${e.item}`)).toEqual([
      "pass a successful interactive sign-in in the window",
      "pass FIDO2 was the method",
      "pass the key used is the one named",
      "pass the dedicated policy applied, and no other",
      "pass the sign-in alert fired within alert.maxDelay",
      "pass a person received the alert",
    ]);
    expect(done.outcome).toBe("success");
    const snapshot = (await exportFrom(emu!, { config })).snapshot;
    const result = runCheck(ops01, buildCheckContext(snapshot, config, await loadCheckRecords(store)));
    expect(result.status).toBe("fail");
    expect(result.findings.map((f) => `${f.status} ${f.subject?.displayName}`).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pass /), expect.stringMatching(/^fail /)]),
    );
    expect(result.findings.find((f) => f.status === "pass")?.message).toContain(EA_UPN);
  });

  it("a password sign-in fails the drill", async () => {
    const { done } = await drill({});
    expect(done.outcome).toBe("failure");
    expect(
      done.evidence!.find((e) => e.item === "a successful interactive sign-in in the window")?.status,
    ).toBe("fail");
  });
});
