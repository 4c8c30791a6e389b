import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/index.js";
import { FaultInjector, unavailableKeyOf } from "../../emulator/faults.js";
import { Throttler } from "../../emulator/throttle.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { call, sampleSnapshot, tokenFor, undiciAgent } from "./support.js";
import { VirtualClock } from "../support/virtual-clock.js";

const USER_1 = "aaaaaaaa-0000-0000-0000-000000000001";

describe("throttling", () => {
  let emu: RunningEmulator | undefined;
  let agent: ReturnType<typeof undiciAgent> | undefined;
  afterEach(async () => {
    await agent?.close();
    await emu?.close();
    agent = undefined;
    emu = undefined;
  });

  async function start(options: Partial<EmulatorOptions> = {}) {
    emu = await startEmulator({ snapshot: sampleSnapshot(), graphLayer: createFakeGraphLayer, ...options });
    agent = undiciAgent(emu);
    const token = await tokenFor(emu, agent, emu.apps[0]!.clientId, emu.apps[0]!.secrets[0]!);
    return { emu, agent, token };
  }

  it("reports: 5 per 10 s per app, then 429 with Retry-After, also inside $batch", async () => {
    const { emu, agent, token } = await start();
    for (let i = 0; i < 5; i++) {
      expect((await call(emu, agent, "GET", "/graph/beta/auditLogs/signIns", { token })).status).toBe(200);
    }
    const throttled = await call(emu, agent, "GET", "/graph/beta/auditLogs/signIns", { token });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe("TooManyRequests");
    const retryAfter = Number(throttled.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);

    const batched = await call(emu, agent, "POST", "/graph/v1.0/$batch", {
      token,
      body: {
        requests: [
          { id: "1", method: "GET", url: `/users/${USER_1}/authentication/methods` },
          { id: "2", method: "GET", url: "/users" },
        ],
      },
    });
    expect(batched.status).toBe(200);
    const byId = Object.fromEntries(batched.body.responses.map((r: any) => [r.id, r]));
    expect(byId["1"].status).toBe(429);
    expect(Number(byId["1"].headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    expect(byId["2"].status).toBe(200);
    expect(emu.counters().throttled.bySection).toEqual({ signIns: 1, "users.authenticationMethods": 1 });
    expect(emu.throttleEvents().map((e) => [e.section, e.objectId, e.inBatch])).toEqual([
      ["signIns", undefined, false],
      ["users.authenticationMethods", USER_1, true],
    ]);
  });

  it("conditional access: 1 per second per tenant, 429 without Retry-After", async () => {
    const clock = new VirtualClock(0, { manual: true });
    const { emu, agent, token } = await start({ clock });
    const first = await call(emu, agent, "GET", "/graph/v1.0/identity/conditionalAccess/policies", { token });
    const second = await call(emu, agent, "GET", "/graph/v1.0/identity/conditionalAccess/policies", {
      token,
    });
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.headers["retry-after"]).toBeUndefined();
    clock.advance(999);
    expect(
      (await call(emu, agent, "GET", "/graph/v1.0/identity/conditionalAccess/policies", { token })).status,
    ).toBe(429);
    clock.advance(1);
    expect(
      (await call(emu, agent, "GET", "/graph/v1.0/identity/conditionalAccess/policies", { token })).status,
    ).toBe(200);
  });

  it("throttle: false turns it off", async () => {
    const { emu, agent, token } = await start({ throttle: false });
    for (let i = 0; i < 8; i++) {
      expect(
        (await call(emu, agent, "GET", "/graph/v1.0/identity/conditionalAccess/policies", { token })).status,
      ).toBe(200);
    }
  });

  it("directory: resource units per 10 s with Retry-After until enough units free", () => {
    let now = 0;
    const throttler = new Throttler("t", 10, () => now);
    const q = new URLSearchParams();
    for (let i = 0; i < 10; i++) expect(throttler.check("directory", "app", "/users", q).allowed).toBe(true);
    now = 4_000;
    const verdict = throttler.check("directory", "app", "/users", q);
    expect(verdict).toMatchObject({ allowed: false, retryAfterSeconds: 6 });
    expect(throttler.check("directory", "other-app", "/users", q).allowed).toBe(true);
    now = 10_001;
    expect(throttler.check("directory", "app", "/users", q).allowed).toBe(true);
  });
});

describe("fault injection", () => {
  it("is deterministic per seed and request order", () => {
    const draws = (seed: number) => {
      const injector = new FaultInjector({ rate: 0.3, seed });
      return Array.from({ length: 200 }, () => injector.draw()?.kind ?? "-").join(",");
    };
    expect(draws(7)).toBe(draws(7));
    expect(draws(7)).not.toBe(draws(8));
    const kinds = new Set(draws(7).split(","));
    for (const kind of ["-", "429", "503", "504", "reset", "slow"]) expect(kinds).toContain(kind);
  });

  it("injects logged faults mapped to the section and object; resets become 503/504 inside $batch", async () => {
    const emu = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      throttle: false,
      faultRate: 1,
      seed: 42,
      faultKinds: ["reset", "503"],
    });
    const agent = undiciAgent(emu);
    try {
      // the token endpoint is exempt unless asked
      const token = await tokenFor(emu, agent, emu.apps[0]!.clientId, emu.apps[0]!.secrets[0]!);
      const outcomes: string[] = [];
      for (let i = 0; i < 6; i++) {
        try {
          const res = await call(emu, agent, "GET", `/graph/v1.0/users/${USER_1}/authentication/methods`, {
            token,
          });
          outcomes.push(String(res.status));
          expect(res.headers["retry-after"]).toBe("1");
        } catch {
          outcomes.push("reset");
        }
      }
      expect(new Set(outcomes)).toEqual(new Set(["503", "reset"]));
      const batched = await call(emu, agent, "POST", "/graph/v1.0/$batch", {
        token,
        body: {
          requests: Array.from({ length: 6 }, (_, i) => ({
            id: String(i),
            method: "GET",
            url: "/organization",
          })),
        },
      });
      expect(batched.status).toBe(200);
      for (const inner of batched.body.responses) expect([503, 504]).toContain(inner.status);

      const log = emu.faults();
      expect(log).toHaveLength(12);
      expect(log[0]).toMatchObject({
        sequence: 1,
        api: "graph",
        endpoint: "GET /users/{id}/authentication/methods",
        section: "users.authenticationMethods",
        objectId: USER_1,
        inBatch: false,
        path: `/v1.0/users/${USER_1}/authentication/methods`,
      });
      expect(unavailableKeyOf(log[0]!)).toBe(`users[${USER_1}].authenticationMethods`);
      expect(unavailableKeyOf(log[6]!)).toBe("organization");
      expect(log.slice(6).every((e) => e.inBatch && e.section === "organization" && e.kind !== "reset")).toBe(
        true,
      );
      expect(emu.counters().faults.bySection).toEqual({ organization: 6, "users.authenticationMethods": 6 });
      const overHttp = await call(emu, agent, "GET", "/_emulator/faults");
      expect(overHttp.body).toHaveLength(12);
      expect(outcomes.join(",")).toBe(
        log
          .slice(0, 6)
          .map((e) => (e.kind === "reset" ? "reset" : String(e.status)))
          .join(","),
      );
    } finally {
      await agent.close();
      await emu.close();
    }
  });

  it("leaves the token endpoint alone unless faultIdentity is set, then answers in the AADSTS shape", async () => {
    const emu = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      faultRate: 1,
      faultKinds: ["503"],
      faultIdentity: true,
    });
    const agent = undiciAgent(emu);
    try {
      const res = await call(emu, agent, "POST", `/${emu.tenantId}/oauth2/v2.0/token`, {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
      expect(res.status).toBe(503);
      expect(res.body.error_codes).toEqual([90033]);
      expect(emu.faults()[0]).toMatchObject({ api: "identity", section: "identity", status: 503 });
    } finally {
      await agent.close();
      await emu.close();
    }
  });

  it("faults on the CA family carry no Retry-After", async () => {
    const emu = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      throttle: false,
      faultRate: 1,
      faultKinds: ["429"],
    });
    const agent = undiciAgent(emu);
    try {
      const token = await tokenFor(emu, agent, emu.apps[0]!.clientId, emu.apps[0]!.secrets[0]!);
      const res = await call(emu, agent, "GET", "/graph/v1.0/identity/conditionalAccess/policies", { token });
      expect(res.status).toBe(429);
      expect(res.headers["retry-after"]).toBeUndefined();
    } finally {
      await agent.close();
      await emu.close();
    }
  });
});
