/**
 * The Graph writer through HTTPS to the emulator: retries of refused and lagging writes, and no
 * duplicate create when responses are lost (the emulator applies half the writes whose connection
 * it drops, docs/graph-writes.md 0.3).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/index.js";
import { createGraphResourceLayer } from "../../emulator/graph/index.js";
import type { GraphResourceLayer } from "../../emulator/graph/types.js";
import { createGraphWriter, type GraphWriterOptions } from "../../src/graph/index.js";
import { clientsFor } from "../e2e/helpers.js";
import { goodSnapshot } from "../emulator/writes/support.js";

const PASSWORD = "Aa1!" + "w".repeat(60);

interface Harness {
  emu: RunningEmulator;
  writer: ReturnType<typeof createGraphWriter>;
  clock: { now: number };
  slept: number[];
}

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(
  options: Partial<EmulatorOptions> = {},
  writer: Partial<GraphWriterOptions> = {},
): Promise<Harness> {
  const clock = { now: Date.parse("2026-12-02T09:00:00Z") };
  emu = await startEmulator({ snapshot: goodSnapshot(), deployer: true, now: () => clock.now, ...options });
  const clients = clientsFor(emu);
  const slept: number[] = [];
  return {
    emu,
    clock,
    slept,
    writer: createGraphWriter(clients, {
      caPem: emu.caPem,
      // waiting advances the emulator's clock: nothing is waited out
      sleep: async (ms) => {
        slept.push(ms);
        clock.now += ms;
      },
      now: () => clock.now,
      ...writer,
    }),
  };
}

const groupStep = (name: string) => ({
  request: {
    method: "POST",
    url: "/v1.0/groups",
    body: {
      displayName: name,
      mailEnabled: false,
      mailNickname: name,
      securityEnabled: true,
      isAssignableToRole: true,
    },
  },
  lookup: { url: `/v1.0/groups?$filter=displayName eq '${name}'` },
});

const userStep = (name: string) => ({
  request: {
    method: "POST",
    url: "/v1.0/users",
    body: {
      accountEnabled: true,
      displayName: name,
      mailNickname: name,
      userPrincipalName: `${name}@contosomedical.onmicrosoft.com`,
      passwordProfile: { forceChangePasswordNextSignIn: false, password: PASSWORD },
    },
  },
  lookup: { url: `/v1.0/users?$filter=userPrincipalName eq '${name}@contosomedical.onmicrosoft.com'` },
});

describe("GraphWriter", () => {
  it("creates and reports the new id; a refused write is refused, with the service's code, and not retried", async () => {
    const h = await start();
    const created = await h.writer.execute(userStep("zq4x8"));
    expect(created).toMatchObject({ ok: true, status: 201, foundByLookup: false, attempts: 1 });
    expect(created.ok && created.id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await h.writer.execute(userStep("zq4x8"));
    expect(again).toMatchObject({
      ok: false,
      status: 400,
      code: "Request_BadRequest",
      outcome: "refused",
      attempts: 1,
    });
    if (!again.ok) expect(again.message).not.toContain(PASSWORD);
    const patch = await h.writer.execute({
      request: { method: "PATCH", url: `/v1.0/users/${created.ok && created.id}`, body: { jobTitle: "x" } },
    });
    expect(patch).toMatchObject({ ok: true, status: 204 });
    const revoke = await h.writer.execute({
      request: { method: "POST", url: `/v1.0/users/${created.ok && created.id}/revokeSignInSessions` },
    });
    expect(revoke).toMatchObject({ ok: true, status: 200, body: { value: true } });
  });

  it("retries the replication delay: a member added to a group created a moment ago lands after back-off", async () => {
    const h = await start({ replicationDelayMs: 3000 });
    const group = await h.writer.execute(groupStep("grp-fin-3318"));
    const user = await h.writer.execute(userStep("vt2m9"));
    if (!group.ok || !user.ok) throw new Error("create failed");
    const add = await h.writer.execute({
      request: {
        method: "POST",
        url: `/v1.0/groups/${group.id}/members/$ref`,
        body: { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}` },
      },
    });
    expect(add).toMatchObject({ ok: true, status: 204 });
    expect(h.slept.slice(0, 2)).toEqual([1000, 2000]);
  });

  it("paces Conditional Access to one request per second: no 429 from the tenant's budget", async () => {
    const h = await start({ throttle: true });
    const policy = (n: number) => ({
      request: {
        method: "POST",
        url: "/v1.0/identity/conditionalAccess/policies",
        body: {
          displayName: `p${n}`,
          state: "disabled",
          conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
          grantControls: { operator: "OR", builtInControls: ["mfa"] },
        },
      },
      lookup: { url: `/v1.0/identity/conditionalAccess/policies?$filter=displayName eq 'p${n}'` },
    });
    for (let n = 0; n < 3; n++)
      expect(await h.writer.execute(policy(n))).toMatchObject({ ok: true, attempts: 1 });
    expect(h.emu.counters().throttled.total ?? 0).toBe(0);
    expect(h.emu.throttleEvents()).toEqual([]);
    expect(h.slept).toEqual([1000, 1000]);
  });

  it("counts the Conditional Access pace from the previous answer, so a request that reached the service late does not make the next one early", async () => {
    // the first request takes 500 ms to reach the service (the emulator's throttle clock moves on
    // as it arrives), the next none: paced from its sending, the second would arrive 500 ms after it
    const transit = [500];
    const shared: { clock?: { now: number } } = {};
    const h = await start({
      throttle: true,
      clock: { now: () => (shared.clock!.now += transit.shift() ?? 0), sleep: async () => undefined },
    });
    shared.clock = h.clock;
    const policy = (n: number) => ({
      request: {
        method: "POST",
        url: "/v1.0/identity/conditionalAccess/policies",
        body: {
          displayName: `late${n}`,
          state: "disabled",
          conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
          grantControls: { operator: "OR", builtInControls: ["mfa"] },
        },
      },
    });
    for (let n = 0; n < 2; n++)
      expect(await h.writer.execute(policy(n))).toMatchObject({ ok: true, attempts: 1 });
    expect(h.emu.throttleEvents()).toEqual([]);
    expect(h.slept).toEqual([1000]);
  });

  it("a 429 without Retry-After (Conditional Access) is backed off and sent again", async () => {
    const h = await start({ faultRate: 1, faultKinds: ["429"], seed: 3 }, { maxAttempts: 3 });
    const res = await h.writer.execute({
      request: {
        method: "PATCH",
        url: "/v1.0/identity/conditionalAccess/policies/52349fe7-e34a-4ec7-8ccc-644e04fc8052",
        body: { state: "disabled" },
      },
    });
    expect(res).toMatchObject({ ok: false, status: 429, outcome: "refused", attempts: 3 });
    // no Retry-After from the Conditional Access service: the writer's own back-off
    expect(h.slept).toEqual([1000, 2000]);
  });

  it("a 429 with Retry-After is honoured", async () => {
    const h = await start({ faultRate: 1, faultKinds: ["429"], seed: 3 }, { maxAttempts: 2 });
    const res = await h.writer.execute({
      request: {
        method: "PATCH",
        url: "/v1.0/users/83aa1184-132f-401e-91ba-ace0a55b661a",
        body: { jobTitle: "x" },
      },
    });
    expect(res).toMatchObject({ ok: false, status: 429, attempts: 2 });
    expect(h.slept).toEqual([1000]);
  });

  it("lost responses (--fault-rate with dropped connections) over 10 seeds: every create converges, none twice", async () => {
    let lostAfterApply = 0;
    for (let seed = 1; seed <= 10; seed++) {
      // the layer is captured so the test can count objects without going through the faults
      let layer: GraphResourceLayer | undefined;
      const h = await start(
        {
          faultRate: 0.3,
          faultKinds: ["reset", "503"],
          seed,
          throttle: false,
          replicationDelayMs: 2000,
          graphLayer: (snapshot, options) => (layer = createGraphResourceLayer(snapshot, options)),
        },
        { maxAttempts: 12 },
      );
      const groups = ["grp-a", "grp-b", "grp-c", "grp-d"];
      const users = ["acc-a", "acc-b"];
      const ids = new Map<string, string>();
      for (const step of [...groups.map(groupStep), ...users.map(userStep)]) {
        const res = await h.writer.execute(step);
        expect(res.ok, `seed ${seed}: ${JSON.stringify(res)}`).toBe(true);
        lostAfterApply += res.ok && res.foundByLookup ? 1 : 0;
        if (res.ok) ids.set(String((step.request.body as { displayName: string }).displayName), res.id!);
      }
      // links: a re-sent $ref that finds its link already made counts as done
      for (const name of users) {
        const res = await h.writer.execute({
          request: {
            method: "POST",
            url: `/v1.0/groups/${ids.get("grp-a")}/members/$ref`,
            body: { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${ids.get(name)}` },
          },
        });
        expect(res.ok, `seed ${seed} member ${name}: ${JSON.stringify(res)}`).toBe(true);
      }
      h.clock.now += 10_000;
      const count = (path: string, filter: string) => {
        const r = layer!.resolve({
          method: "GET",
          version: "v1.0",
          path,
          query: new URLSearchParams({ $filter: filter }),
          headers: {},
          baseUrl: "https://x/graph",
        });
        if ("error" in r) throw new Error("lookup failed");
        return (r.handle().body as { value: unknown[] }).value.length;
      };
      for (const name of groups)
        expect(count("/groups", `displayName eq '${name}'`), `seed ${seed} ${name}`).toBe(1);
      const members = layer!.resolve({
        method: "GET",
        version: "v1.0",
        path: `/groups/${ids.get("grp-a")}/members`,
        query: new URLSearchParams(),
        headers: {},
        baseUrl: "https://x/graph",
      });
      if ("error" in members) throw new Error("members read failed");
      expect((members.handle().body as { value: unknown[] }).value).toHaveLength(2);
      for (const name of users) {
        expect(count("/users", `userPrincipalName eq '${name}@contosomedical.onmicrosoft.com'`)).toBe(1);
      }
      await h.emu.close();
    }
    // the faults did hit creates after they were applied, and the writer found those objects instead of re-sending
    expect(lostAfterApply).toBeGreaterThan(0);
  });
});
