/**
 * EA-MON-05 end to end through the HTTPS emulator and the real client stack: before.json after its
 * first apply, `enroll` run for one account (its window recorded beside the configuration), then
 * sign-ins recorded through `POST {graph}/_emulator/signIns` as Entra logs them, the tenant exported
 * and graded with the records beside the configuration. The enrollment's own sign-in is explained;
 * a sign-in after it fails the check with its details; a failed sign-in only warns. On the good
 * sample, whose sign-in rule watches the accounts, the alert the emulator raised for the sign-in is
 * read by export (the alerts API) and named in the finding.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { check as mon05 } from "../../src/checks/ea-mon-05-unexplained-use.js";
import { buildCheckContext } from "../../src/checks/registry.js";
import { runCheck } from "../../src/checks/runner.js";
import { runEnroll } from "../../src/cli/commands/enroll.js";
import { exportTenant } from "../../src/collect/export.js";
import { loadConfig } from "../../src/config/load.js";
import type { EnrollIo } from "../../src/deploy/enroll-run.js";
import { listRecords } from "../../src/records/access.js";
import { loadCheckRecords } from "../../src/records/check-records.js";
import { FileRecordStore } from "../../src/records/store.js";
import { call, undiciAgent } from "../emulator/support.js";
import { clientsFor, emulate, FIXTURES, loadFixture } from "../e2e/helpers.js";
import { VirtualClock } from "../support/virtual-clock.js";
import {
  FEITIAN,
  KP7WD,
  passIn,
  startTenant,
  T0,
  TR3ZM,
  userOf,
  YUBIKEY,
  type EnrollHarness,
} from "../deploy/enroll-support.js";

const MINUTE = 60_000;
/** the good sample's first account and its YubiKey (fixtures/tenants/good/custody.yaml) */
const ZT4P9W = "zt4p9w@contosomedical.onmicrosoft.com";
const ZT4P9W_KEY_A = "5fuz0F1S91537hUtNd21iHA42Hmzuk4-Nzc4okJsILuZPPrgSjRsO-qlNykyoWvN";
/** a documentation address (RFC 5737): where the unexplained sign-in comes from */
const STRANGER_IP = "203.0.113.66";

let h: EnrollHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("EA-MON-05 on the emulator, after deploy", () => {
  it("explains the enrollment's sign-in, fails a later one with its details, warns on a failed one", async () => {
    const clock = new VirtualClock(T0);
    // TR3ZM is disabled: its sign-in is logged as a failure (Entra's 50057)
    h = await startTenant(
      (s) => void (userOf(s, TR3ZM).accountEnabled = false),
      {},
      () => clock.now(),
    );
    const harness = h;
    const signIn = (body: object) => harness.control("/signIns", body);

    // enroll KP7WD: the person signs in with the pass, registers two keys, then signs in with one
    let out = "";
    let acted = false;
    const io: EnrollIo = {
      out: (t) => void (out += t),
      err: () => undefined,
      interactive: true,
      confirm: async () => true,
      operator: "test",
    };
    const person = async () => {
      const pass = passIn(out);
      if (acted || !pass) return;
      acted = true;
      const id = await accountId(KP7WD);
      expect((await harness.control(`/users/${id}/signIn`, { temporaryAccessPass: pass })).status).toBe(200);
      for (const key of [YUBIKEY, FEITIAN]) {
        clock.advance(MINUTE);
        expect((await harness.control(`/users/${id}/fido2Methods`, key)).status).toBe(201);
      }
      clock.advance(MINUTE);
      const own = await signIn({ userId: KP7WD, aaGuid: YUBIKEY.aaGuid });
      expect(own.status).toBe(201);
      expect(own.body.status.errorCode).toBe(0);
    };
    const code = await runEnroll(KP7WD, { timeout: 30 * MINUTE, pollInterval: 30_000 }, io, {
      clients: clientsFor(harness.emu, { clock }),
      caPem: harness.emu.caPem,
      clock: {
        now: () => clock.now(),
        sleep: async (ms: number) => {
          await clock.sleep(ms);
          await person();
        },
      },
      cwd: harness.dir,
    });
    expect(code).toBe(0);
    const [enrollment] = await listRecords(new FileRecordStore(harness.dir));
    expect(enrollment).toMatchObject({ kind: "enrollment", outcome: "success" });

    // two hours later, someone signs in with KP7WD's key from elsewhere; TR3ZM's sign-in fails
    clock.advance(120 * MINUTE);
    const stranger = await signIn({ userId: KP7WD, aaGuid: YUBIKEY.aaGuid, ip: STRANGER_IP });
    expect(stranger.body.status.errorCode).toBe(0);
    clock.advance(MINUTE);
    const failed = await signIn({ userId: TR3ZM, ip: STRANGER_IP });
    expect(failed.body.status.errorCode).not.toBe(0);

    // export through the real stack, grade with the records beside the configuration
    const { config, file } = await loadConfig(join(harness.dir, "breakglass.yaml"));
    const { snapshot } = await exportTenant({
      clients: clientsFor(harness.emu, { clock }),
      config,
      now: () => new Date(clock.now()),
    });
    const records = await loadCheckRecords(new FileRecordStore(harness.dir));
    expect(records.root).toBe(harness.dir);
    expect(file).toBe(join(harness.dir, "breakglass.yaml"));
    const result = runCheck(mon05, buildCheckContext(snapshot, config, records));

    expect(result.status).toBe("fail");
    const fails = result.findings.filter((f) => f.status === "fail");
    expect(fails).toHaveLength(1);
    expect(fails[0]!.subject?.id).toBe(userOf(snapshot, KP7WD).id);
    expect(fails[0]!.message).toContain(`signed in at ${stranger.body.createdDateTime} from ${STRANGER_IP}`);
    expect(fails[0]!.evidence).toMatchObject({
      id: stranger.body.id,
      at: stranger.body.createdDateTime,
      ip: STRANGER_IP,
      app: "Azure Portal",
      errorCode: 0,
      // the alerts were read (none: the first apply has not set the sign-in alert up yet)
      alert: null,
    });
    expect(snapshot.azure?.alerts).toEqual([]);
    expect(fails[0]!.message).toContain(
      "no sign-in alert fired within 15 minutes of it, so nobody was paged",
    );
    expect(fails[0]!.remediation?.command).toBe(`breakglass use record ${KP7WD} --reason <why>`);
    const warns = result.findings.filter((f) => f.status === "warn");
    expect(warns).toHaveLength(1);
    expect(warns[0]!.evidence).toMatchObject({ id: failed.body.id, ip: STRANGER_IP });
    expect(warns[0]!.message).toMatch(/a failed sign-in .* someone is trying the account/);
    // the enrollment's own sign-in is in the log, and explained: no finding names it
    const own = (snapshot.signIns ?? []).filter(
      (s) => s.userId === userOf(snapshot, KP7WD).id && s.id !== stranger.body.id,
    );
    expect(own).toHaveLength(1);
    expect(Date.parse(own[0]!.createdDateTime!)).toBeGreaterThanOrEqual(Date.parse(enrollment!.startedAt));
    expect(Date.parse(own[0]!.createdDateTime!)).toBeLessThanOrEqual(Date.parse(enrollment!.finishedAt!));
    for (const f of result.findings) expect(JSON.stringify(f.evidence)).not.toContain(own[0]!.id);
  });

  it("says of an unexplained sign-in that the sign-in alert fired, from the alerts export read", async () => {
    // the good sample: its sign-in rule watches the accounts; its records explain its own drills
    let t = Date.parse("2026-11-02T10:00:00Z");
    const emu = await emulate(await loadFixture("good"), { now: () => t });
    try {
      const stranger = await call(emu, undiciAgent(emu), "POST", "/graph/_emulator/signIns", {
        body: { userId: ZT4P9W, methodId: ZT4P9W_KEY_A, ip: STRANGER_IP },
      });
      expect(stranger.status).toBe(201);
      t += 10 * MINUTE;
      const { config } = await loadConfig(join(FIXTURES, "good", "breakglass.yaml"));
      const { snapshot } = await exportTenant({
        clients: clientsFor(emu),
        config,
        now: () => new Date(t),
      });
      const alerts = snapshot.azure?.alerts ?? [];
      expect(alerts).toHaveLength(1);
      const records = await loadCheckRecords(new FileRecordStore(join(FIXTURES, "good")));
      const result = runCheck(mon05, buildCheckContext(snapshot, config, records));
      expect(result.status).toBe("fail");
      const fails = result.findings.filter((f) => f.status === "fail");
      expect(fails).toHaveLength(1);
      const started = (alerts[0]!.properties as { essentials: { startDateTime: string } }).essentials
        .startDateTime;
      expect(fails[0]!.evidence).toMatchObject({
        id: stranger.body.id,
        ip: STRANGER_IP,
        alert: { id: alerts[0]!.id, startDateTime: started },
      });
      expect(fails[0]!.message).toContain(`the sign-in alert fired at ${started}`);
    } finally {
      await emu.close();
    }
  });

  async function accountId(upn: string): Promise<string> {
    const r = await clientsFor(h!.emu, { clock: new VirtualClock(T0) }).graph.get(
      `/users/${upn}?$select=id`,
      "v1.0",
    );
    if (!r.ok) throw new Error(r.error.message);
    return (r.body as { id: string }).id;
  }
});
