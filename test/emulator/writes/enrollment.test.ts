import { afterEach, describe, expect, it } from "vitest";
import { call } from "../support.js";
import { goodSnapshot, startWriteHarness, type WriteHarness } from "./support.js";

const PASSWORD = "Aa1!" + "z".repeat(60);
const MINUTE = 60_000;
const KEY = { aaGuid: "2fc0579f-8113-47ea-b116-bb5a8db9202a", model: "YubiKey 5 NFC", displayName: "key A" };

/** The good sample with the TAP method enabled for everyone (so a new account can get a pass). */
function tapForAll() {
  const s = goodSnapshot();
  const tap = (s.authenticationMethodsPolicy!.authenticationMethodConfigurations as any[]).find(
    (c) => c.id === "TemporaryAccessPass",
  );
  tap.includeTargets = [{ targetType: "group", id: "all_users", isRegistrationRequired: false }];
  return s;
}

describe("Temporary Access Pass and the enrollment control endpoints", () => {
  let h: WriteHarness;
  afterEach(async () => h?.close());

  async function account() {
    const res = await h.graph("POST", "/v1.0/users", {
      accountEnabled: true,
      displayName: "vt2m9",
      mailNickname: "vt2m9",
      userPrincipalName: "vt2m9@contosomedical.onmicrosoft.com",
      passwordProfile: { password: PASSWORD },
    });
    return res.body.id as string;
  }
  const control = (path: string, body: object) =>
    call(h.emu, h.agent, "POST", `/graph/_emulator${path}`, { body });

  it("the pass is shown only in the 201; lifetime within the policy; a new pass replaces the old one", async () => {
    h = await startWriteHarness({ snapshot: tapForAll() });
    const id = await account();
    const path = `/v1.0/users/${id}/authentication/temporaryAccessPassMethods`;
    expect((await h.graph("POST", path, { lifetimeInMinutes: 30 })).status).toBe(400); // policy minimum 60
    const first = await h.graph("POST", path, { lifetimeInMinutes: 60, isUsableOnce: true });
    expect(first.status).toBe(201);
    expect(first.body.temporaryAccessPass).toMatch(/^.{8}$/);
    const second = await h.graph("POST", path, { lifetimeInMinutes: 60, isUsableOnce: true });
    const list = await h.graph("GET", path);
    expect(list.body.value.map((m: any) => [m.id, m.temporaryAccessPass])).toEqual([[second.body.id, null]]);
  });

  it("refused when the policy does not target the user", async () => {
    h = await startWriteHarness();
    const id = await account();
    const res = await h.graph("POST", `/v1.0/users/${id}/authentication/temporaryAccessPassMethods`, {});
    expect(res.status).toBe(400);
  });

  it("keys register only in the session a pass sign-in opens, 10 minutes for a one-time pass (409 otherwise)", async () => {
    h = await startWriteHarness({ snapshot: tapForAll() });
    const id = await account();
    expect((await control(`/users/${id}/fido2Methods`, KEY)).status).toBe(409); // no pass
    const pass = (
      await h.graph("POST", `/v1.0/users/${id}/authentication/temporaryAccessPassMethods`, {
        isUsableOnce: true,
      })
    ).body;
    expect((await control(`/users/${id}/fido2Methods`, KEY)).status).toBe(409); // not signed in
    expect((await control(`/users/${id}/signIn`, { temporaryAccessPass: "wrong" })).status).toBe(409);
    const signIn = await control(`/users/vt2m9@contosomedical.onmicrosoft.com/signIn`, {
      temporaryAccessPass: pass.temporaryAccessPass,
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.registrationEndsDateTime).toBe("2026-12-02T09:10:00.000Z");
    // one sign-in, several keys
    const a = await control(`/users/${id}/fido2Methods`, KEY);
    h.clock.now += 9 * MINUTE;
    const b = await control(`/users/${id}/fido2Methods`, {
      ...KEY,
      aaGuid: "fcc0118f-cd45-435b-8da1-9782b2da0715",
      displayName: "key B",
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    h.clock.now += 2 * MINUTE;
    expect((await control(`/users/${id}/fido2Methods`, KEY)).status).toBe(409);
    // the pass was one-time: a second sign-in is refused
    expect(
      (await control(`/users/${id}/signIn`, { temporaryAccessPass: pass.temporaryAccessPass })).status,
    ).toBe(409);
    const keys = await h.graph("GET", `/v1.0/users/${id}/authentication/fido2Methods`, undefined, h.reader);
    expect(keys.body.value.map((k: any) => [k.aaGuid, k.passkeyType, k.attestationLevel])).toEqual([
      ["2fc0579f-8113-47ea-b116-bb5a8db9202a", "deviceBound", "attested"],
      ["fcc0118f-cd45-435b-8da1-9782b2da0715", "deviceBound", "attested"],
    ]);
    // after the pass is deleted nothing registers, even inside a new pass's lifetime without sign-in
    expect(
      (await h.graph("DELETE", `/v1.0/users/${id}/authentication/temporaryAccessPassMethods/${pass.id}`))
        .status,
    ).toBe(204);
    expect((await control(`/users/${id}/fido2Methods`, KEY)).status).toBe(409);
  });

  it("a multi-use pass: the session lasts as long as the pass", async () => {
    h = await startWriteHarness({ snapshot: tapForAll() });
    const id = await account();
    const pass = (
      await h.graph("POST", `/v1.0/users/${id}/authentication/temporaryAccessPassMethods`, {
        lifetimeInMinutes: 60,
        isUsableOnce: false,
      })
    ).body;
    expect(
      (await control(`/users/${id}/signIn`, { temporaryAccessPass: pass.temporaryAccessPass })).status,
    ).toBe(200);
    h.clock.now += 30 * MINUTE;
    expect((await control(`/users/${id}/fido2Methods`, KEY)).status).toBe(201);
    h.clock.now += 31 * MINUTE;
    expect((await control(`/users/${id}/fido2Methods`, KEY)).status).toBe(409);
  });
});

describe("replication delay", () => {
  let h: WriteHarness;
  afterEach(async () => h?.close());

  it("a new object is invisible to other requests for the window; a $ref to it is 400 'do not exist'; the UPN is taken at once", async () => {
    h = await startWriteHarness({ replicationDelayMs: 3000 });
    const group = (
      await h.graph("POST", "/v1.0/groups", {
        displayName: "g",
        mailEnabled: false,
        mailNickname: "g",
        securityEnabled: true,
        isAssignableToRole: true,
      })
    ).body;
    const user = await h.graph("POST", "/v1.0/users", {
      accountEnabled: true,
      displayName: "r1",
      mailNickname: "r1",
      userPrincipalName: "r1@contosomedical.onmicrosoft.com",
      passwordProfile: { password: PASSWORD },
    });
    expect((await h.graph("GET", `/v1.0/groups/${group.id}`)).status).toBe(404);
    const list = await h.graph("GET", `/v1.0/groups?$filter=displayName eq 'g'`);
    expect(list.body.value).toEqual([]);
    const add = await h.graph("POST", `/v1.0/groups/${group.id}/members/$ref`, {
      "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${user.body.id}`,
    });
    expect(add.status).toBe(400);
    expect(add.body.error.message).toBe(
      "The source resource object or one of the objects being referenced do not exist.",
    );
    const dup = await h.graph("POST", "/v1.0/users", {
      accountEnabled: true,
      displayName: "r1",
      mailNickname: "r1",
      userPrincipalName: "r1@contosomedical.onmicrosoft.com",
      passwordProfile: { password: PASSWORD },
    });
    expect(dup.status).toBe(400);
    h.clock.now += 3000;
    expect((await h.graph("GET", `/v1.0/groups/${group.id}`)).status).toBe(200);
    expect(
      (
        await h.graph("POST", `/v1.0/groups/${group.id}/members/$ref`, {
          "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${user.body.id}`,
        })
      ).status,
    ).toBe(204);
  });

  it("a Conditional Access GET shows the pre-PATCH state during the window; a second PATCH builds on the first", async () => {
    h = await startWriteHarness({ replicationDelayMs: 5000 });
    const path = "/v1.0/identity/conditionalAccess/policies/52349fe7-e34a-4ec7-8ccc-644e04fc8052";
    const before = (await h.graph("GET", path)).body;
    expect(
      (await h.graph("PATCH", path, { conditions: { users: { excludeGroups: ["g-new"] } } })).status,
    ).toBe(204);
    expect((await h.graph("PATCH", path, { displayName: "renamed" })).status).toBe(204);
    const stale = (await h.graph("GET", path)).body;
    expect(stale.displayName).toBe(before.displayName);
    expect(stale.conditions.users.excludeGroups).toEqual(before.conditions.users.excludeGroups);
    h.clock.now += 5000;
    const fresh = (await h.graph("GET", path)).body;
    expect(fresh.displayName).toBe("renamed");
    expect(fresh.conditions.users.excludeGroups).toEqual(["g-new"]);
  });
});

describe("pass usability over time", () => {
  let h: WriteHarness;
  afterEach(async () => h?.close());

  it("a pass not valid yet, then usable, then expired, as the clock moves", async () => {
    h = await startWriteHarness({ snapshot: tapForAll() });
    const id = (
      await h.graph("POST", "/v1.0/users", {
        accountEnabled: true,
        displayName: "t1",
        mailNickname: "t1",
        userPrincipalName: "t1@contosomedical.onmicrosoft.com",
        passwordProfile: { password: PASSWORD },
      })
    ).body.id;
    const path = `/v1.0/users/${id}/authentication/temporaryAccessPassMethods`;
    await h.graph("POST", path, { startDateTime: "2026-12-02T10:00:00Z", lifetimeInMinutes: 60 });
    const state = async () => {
      const m = (await h.graph("GET", path)).body.value[0];
      return [m.isUsable, m.methodUsabilityReason];
    };
    expect(await state()).toEqual([false, "NotYetValid"]);
    h.clock.now = Date.parse("2026-12-02T10:30:00Z");
    expect(await state()).toEqual([true, "EnabledByPolicy"]);
    h.clock.now = Date.parse("2026-12-02T11:00:00Z");
    expect(await state()).toEqual([false, "Expired"]);
  });
});
