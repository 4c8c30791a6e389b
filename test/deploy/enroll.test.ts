/**
 * `breakglass enroll` through the HTTPS emulator: the deployer app on the real client stack, a
 * virtual clock shared with the emulator (polls and the timeout take no real time), and the person
 * at the keyboard played by the emulator's control endpoints while enroll polls.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runEnroll, type EnrollCommandOptions } from "../../src/cli/commands/enroll.js";
import type { EnrollIo } from "../../src/deploy/enroll-run.js";
import { FileRecordStore } from "../../src/records/store.js";
import { listRecords } from "../../src/records/access.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { clientsFor } from "../e2e/helpers.js";
import { VirtualClock } from "../support/virtual-clock.js";
import {
  FEITIAN,
  KP7WD,
  T0,
  TR3ZM,
  YUBIKEY,
  filesUnder,
  passIn,
  startTenant,
  tapConfigOf,
  userOf,
  type EnrollHarness,
} from "./enroll-support.js";

type Json = Record<string, any>;
const MINUTE = 60_000;
const OTHER_GROUP = "0b7e3a5c-9f7d-4d0e-8a55-3c1f0e0c2b11";

let h: EnrollHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Run {
  code?: number;
  error?: { exitCode?: number; message: string };
  out: string;
  err: string;
}

/**
 * One enroll run. `person` acts at the first poll after the pass is shown: it signs in with the
 * pass and registers `keys` through the control endpoints (several keys in one sign-in).
 */
async function enroll(
  clock: VirtualClock,
  account: string,
  options: Partial<EnrollCommandOptions> & {
    interactive?: boolean;
    confirm?: boolean;
    clientId?: string;
    secret?: string;
    /** Ctrl-C once the pass is shown, instead of registering keys */
    interrupt?: AbortController;
  } = {},
  keys: Json[] = [],
): Promise<Run> {
  const run: Run = { out: "", err: "" };
  let acted = false;
  const io: EnrollIo = {
    out: (t) => void (run.out += t),
    err: (t) => void (run.err += t),
    interactive: options.interactive ?? true,
    confirm: async () => options.confirm ?? true,
    operator: "test",
  };
  const harness = h!;
  const person = async () => {
    const pass = passIn(run.out);
    if (acted || !pass) return;
    acted = true;
    if (options.interrupt) return options.interrupt.abort();
    const id = /* the account's id */ await userId(account);
    expect((await harness.control(`/users/${id}/signIn`, { temporaryAccessPass: pass })).status).toBe(200);
    for (const key of keys) {
      clock.advance(MINUTE); // the person takes a minute per key
      expect((await harness.control(`/users/${id}/fido2Methods`, key)).status).toBe(201);
    }
  };
  const sleeping = {
    now: () => clock.now(),
    sleep: async (ms: number) => {
      await clock.sleep(ms);
      await person();
    },
  };
  try {
    run.code = await runEnroll(account, { timeout: 30 * MINUTE, pollInterval: 30_000, ...options }, io, {
      clients: clientsFor(harness.emu, {
        clock,
        ...(options.clientId ? { clientId: options.clientId, secret: options.secret } : {}),
      }),
      caPem: harness.emu.caPem,
      clock: sleeping,
      cwd: harness.dir,
      ...(options.interrupt ? { signal: options.interrupt.signal } : {}),
    });
  } catch (err) {
    run.error = err as Run["error"];
  }
  return run;
}

async function graph(path: string): Promise<any> {
  const clients = clientsFor(h!.emu, { clock: new VirtualClock(T0) });
  const r = await clients.graph.get(path, "v1.0");
  if (!r.ok) throw new Error(r.error.message);
  return r.body;
}

const userId = async (upn: string) => (await graph(`/users/${upn}?$select=id`)).id as string;
const methodsOf = async (upn: string): Promise<Json[]> =>
  (await graph(`/users/${await userId(upn)}/authentication/methods`)).value;
const kinds = (ms: Json[]) => ms.map((m) => String(m["@odata.type"]).replace("#microsoft.graph.", "")).sort();
const requests = (pattern: RegExp) =>
  Object.entries(h!.emu.counters().requests.byEndpoint)
    .filter(([e]) => pattern.test(e))
    .reduce((n, [, statuses]) => n + Object.values(statuses).reduce((a, b) => a + b, 0), 0);
/** The enrollment records beside the configuration, oldest first. */
const records = async () =>
  (await listRecords(new FileRecordStore(h!.dir))).filter((r) => r.kind === "enrollment");

async function start(tweak?: (s: Snapshot) => void, profile?: Json): Promise<VirtualClock> {
  const clock = new VirtualClock(T0);
  h = await startTenant(tweak, profile, () => clock.now());
  return clock;
}

describe("breakglass enroll", () => {
  it("enables the pass for the group (other targets kept), shows it once, waits for the keys, cleans up and prints them for custody", async () => {
    const clock = await start((s) => {
      tapConfigOf(s).includeTargets = [
        { targetType: "group", id: OTHER_GROUP, isRegistrationRequired: false },
      ];
    });
    const run = await enroll(clock, KP7WD, {}, [YUBIKEY, FEITIAN]);
    expect(run.error?.message).toBeUndefined();
    expect(run.code).toBe(0);
    const pass = passIn(run.out)!;
    expect(pass).toMatch(/^\S{8,}$/);
    // the pass is on one line of the terminal and nowhere else
    expect(run.out.split("\n").filter((l) => l.includes(pass))).toEqual([
      `Temporary Access Pass for ${KP7WD}: ${pass}`,
    ]);
    expect(run.err).not.toContain(pass);
    for (const f of filesUnder(h!.dir)) expect(f.text, f.path).not.toContain(pass);
    expect(run.out).toContain("https://aka.ms/mysecurityinfo");
    expect(run.out).toContain("within 10 minutes");
    // the method policy: the group added, the other target kept
    const tap = await graph(
      "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass",
    );
    expect(tap.includeTargets.map((t: Json) => t.id)).toEqual([OTHER_GROUP, expect.any(String)]);
    // only the password and the two keys are left; the sessions were revoked
    expect(kinds(await methodsOf(KP7WD))).toEqual([
      "fido2AuthenticationMethod",
      "fido2AuthenticationMethod",
      "passwordAuthenticationMethod",
    ]);
    expect(requests(/revokeSignInSessions/)).toBe(1);
    // the custody list: labels and AAGUIDs
    const custody = run.out.slice(run.out.indexOf("is enrolled"));
    for (const key of [YUBIKEY, FEITIAN]) {
      expect(custody).toContain(key.displayName);
      expect(custody).toContain(key.aaGuid);
    }
    // the record: its window, what was done (the pass by id only), the keys at the finish
    const [r] = await records();
    expect(r).toMatchObject({
      kind: "enrollment",
      account: { userPrincipalName: KP7WD },
      outcome: "success",
    });
    expect(r!.finishedAt).toBeDefined();
    expect(r!.steps!.map((s) => s.step.split(":")[0])).toEqual([
      "the Temporary Access Pass method enabled for the emergency group",
      "one-time pass created",
      "key accepted",
      "key accepted",
      "deleted",
      "sign-in sessions revoked",
    ]);
    expect(r!.keysAtFinish!.map((k) => k.aaGuid)).toEqual([YUBIKEY.aaGuid, FEITIAN.aaGuid]);
    // the lock is released
    expect(
      filesUnder(h!.dir)
        .map((f) => f.path)
        .filter((p) => p.endsWith(".lock")),
    ).toEqual([]);
  });

  it("a second run on an enrolled account only verifies: no pass, no write, no terminal needed", async () => {
    const clock = await start();
    expect((await enroll(clock, KP7WD, {}, [YUBIKEY, FEITIAN])).code).toBe(0);
    const posts = requests(/^POST \/users\/.*temporaryAccessPassMethods/);
    expect(posts).toBe(1);
    const again = await enroll(clock, KP7WD, { interactive: false });
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/is enrolled: 2 security keys meet the profile; nothing to do/);
    expect(again.out).toContain(YUBIKEY.aaGuid);
    expect(requests(/^POST \/users\/.*temporaryAccessPassMethods/)).toBe(posts);
    expect(await records()).toHaveLength(1);
  });

  it("times out with exit 5 (the pass deleted); a re-run makes a new pass and keeps the keys registered before", async () => {
    const clock = await start();
    const first = await enroll(clock, TR3ZM, { timeout: 12 * MINUTE }, [YUBIKEY]);
    expect(first.error).toMatchObject({ exitCode: 5 });
    expect(first.error!.message).toMatch(
      /timed out after 12m.*1 of 2 keys.*run breakglass enroll .* again to resume/,
    );
    expect(kinds(await methodsOf(TR3ZM))).toEqual([
      "fido2AuthenticationMethod",
      "passwordAuthenticationMethod",
    ]);
    expect((await records())[0]).toMatchObject({
      outcome: "incomplete",
      notes: expect.stringMatching(/^timed-out/),
    });

    clock.advance(60 * MINUTE);
    const second = await enroll(clock, TR3ZM, {}, [FEITIAN]);
    expect(second.error?.message).toBeUndefined();
    expect(passIn(second.out)).not.toBe(passIn(first.out));
    expect(second.out).toMatch(/keys registered since .* count/);
    const keys = (await methodsOf(TR3ZM)).filter((m) => m.aaGuid).map((m) => m.aaGuid);
    expect(keys.sort()).toEqual([YUBIKEY.aaGuid, FEITIAN.aaGuid].sort());
    expect((await records()).map((r) => r.outcome)).toEqual(["incomplete", "success"]);
  });

  it("deletes a key registered before the pass and every phishable method; keeps the password", async () => {
    const clock = await start((s) => {
      const u = userOf(s, KP7WD);
      u.authenticationMethods.push(
        {
          "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
          id: "old-key",
          displayName: "someone else's",
          aaGuid: YUBIKEY.aaGuid,
          model: "YubiKey 5 NFC",
          attestationLevel: "attested",
          createdDateTime: "2026-11-20T08:00:00Z",
        },
        {
          "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
          id: "3179e48a-750b-4051-897c-87b9720928f7",
          phoneNumber: "+1 5550100100",
          phoneType: "mobile",
          smsSignInState: "notAllowedByPolicy",
        },
        {
          "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
          id: "authenticator-1",
          displayName: "Pixel 8",
          deviceTag: "SoftwareTokenActivated",
          phoneAppVersion: "6.2401.0119",
          createdDateTime: "2026-11-20T08:00:00Z",
        },
      );
    });
    const run = await enroll(clock, KP7WD, {}, [YUBIKEY, FEITIAN]);
    expect(run.error?.message).toBeUndefined();
    expect(run.out).toMatch(
      /security key "someone else's" \(YubiKey 5 NFC\) registered before this enrollment/,
    );
    expect(run.out).toMatch(/phone mobile \+1 \.\.\. 0100/);
    expect(run.out).toMatch(/Microsoft Authenticator on Pixel 8/);
    const left = await methodsOf(KP7WD);
    expect(kinds(left)).toEqual([
      "fido2AuthenticationMethod",
      "fido2AuthenticationMethod",
      "passwordAuthenticationMethod",
    ]);
    expect(left.map((m) => m.id)).not.toContain("old-key");
  });

  it("refuses a key that is not attested or not of a listed model, removes it, and waits for good ones", async () => {
    const clock = await start(undefined, { keyModels: [YUBIKEY.aaGuid, FEITIAN.aaGuid] });
    const solo = { aaGuid: "8876631b-d4a0-427f-5773-0ec71c9e0279", model: "Solo", displayName: "solo" };
    const run = await enroll(clock, KP7WD, {}, [
      { ...YUBIKEY, displayName: "unattested", attestationLevel: "notAttested" },
      solo,
      YUBIKEY,
      FEITIAN,
    ]);
    expect(run.error?.message).toBeUndefined();
    expect(run.out).toMatch(/"unattested".*REFUSED, not attested/);
    expect(run.out).toMatch(
      /"solo".*REFUSED, model Solo \(AAGUID 8876631b-d4a0-427f-5773-0ec71c9e0279\) is not in profile.keyModels/,
    );
    expect(
      (await methodsOf(KP7WD))
        .filter((m) => m.aaGuid)
        .map((m) => m.displayName)
        .sort(),
    ).toEqual(["ft-02", "yk-01"]);
  });

  it("two keys of one model are not enough when the profile asks for distinct models", async () => {
    const clock = await start();
    const run = await enroll(clock, KP7WD, { timeout: 5 * MINUTE }, [
      YUBIKEY,
      { ...YUBIKEY, displayName: "yk-02" },
    ]);
    expect(run.error).toMatchObject({ exitCode: 5 });
    expect(run.error!.message).toMatch(/a key of a second model/);
  });

  it("without a terminal: exit 2 and the fix; nothing written", async () => {
    const clock = await start();
    const run = await enroll(clock, KP7WD, { interactive: false });
    expect(run.error).toMatchObject({ exitCode: 2 });
    expect(run.error!.message).toMatch(/interactive terminal/);
    expect(requests(/^(PATCH|DELETE) |^POST \/users\//)).toBe(0);
    expect(await records()).toEqual([]);
  });

  it("an account that is not configured: exit 2 listing the configured ones; an id resolves", async () => {
    const clock = await start();
    const run = await enroll(clock, "someone@northwindtraders.onmicrosoft.com");
    expect(run.error).toMatchObject({ exitCode: 2 });
    expect(run.error!.message).toContain(`${KP7WD}, ${TR3ZM}`);
    const byId = await enroll(clock, await userId(KP7WD), {}, [YUBIKEY, FEITIAN]);
    expect(byId.code).toBe(0);
  });

  it("a read-only app: exit 4 naming the missing permissions and role, nothing sent", async () => {
    const clock = await start();
    const reader = h!.emu.apps[1]!;
    const run = await enroll(clock, KP7WD, { clientId: reader.clientId, secret: reader.secrets[0] });
    expect(run.error).toMatchObject({ exitCode: 4 });
    expect(run.error!.message).toMatch(
      /UserAuthenticationMethod.ReadWrite.All|UserAuthMethod-TAP.ReadWrite.All/,
    );
    expect(run.error!.message).toMatch(
      /Privileged Authentication Administrator \(the account is in a role-assignable group/,
    );
    expect(requests(/^(PATCH|DELETE) |^POST \/users\//)).toBe(0);
  });

  it("never runs beside apply: the apply lock refuses it (exit 4)", async () => {
    const clock = await start();
    const lock = await new FileRecordStore(h!.dir).lock("apply", "breakglass apply");
    try {
      const run = await enroll(clock, KP7WD);
      expect(run.error).toMatchObject({ exitCode: 4 });
      expect(run.error!.message).toMatch(/apply\.lock is held by breakglass apply/);
    } finally {
      await lock.release();
    }
  });

  it("the operator does not confirm: exit 4, the pass deleted, the keys left for a re-run to judge", async () => {
    const clock = await start();
    const run = await enroll(clock, KP7WD, { confirm: false }, [YUBIKEY, FEITIAN]);
    expect(run.error).toMatchObject({ exitCode: 4 });
    expect(kinds(await methodsOf(KP7WD))).toEqual([
      "fido2AuthenticationMethod",
      "fido2AuthenticationMethod",
      "passwordAuthenticationMethod",
    ]);
    expect((await records())[0]).toMatchObject({
      outcome: "failure",
      notes: expect.stringMatching(/^declined/),
    });
  });

  it("Ctrl-C while waiting: the pass deleted, the window closed interrupted, exit 5", async () => {
    const clock = await start();
    const run = await enroll(clock, KP7WD, { interrupt: new AbortController() });
    expect(run.error).toMatchObject({ exitCode: 5 });
    expect(run.error!.message).toMatch(/^interrupted: the pass was deleted/);
    expect(kinds(await methodsOf(KP7WD))).toEqual(["passwordAuthenticationMethod"]);
    expect((await records())[0]).toMatchObject({
      outcome: "incomplete",
      notes: expect.stringMatching(/^interrupted/),
    });
  });
});
