import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXPORT_READ_PERMISSIONS, startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { Counters } from "../../emulator/counters.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { call, sampleSnapshot, tokenFor, undiciAgent } from "./support.js";

const USER_1 = "aaaaaaaa-0000-0000-0000-000000000001";

describe("emulator Graph pipeline", () => {
  let emu: RunningEmulator;
  let agent: ReturnType<typeof undiciAgent>;
  let token: string;

  beforeAll(async () => {
    emu = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      throttle: false,
    });
    agent = undiciAgent(emu);
    const app = emu.apps[0]!;
    token = await tokenFor(emu, agent, app.clientId, app.secrets[0]!);
  });
  afterAll(async () => {
    await agent?.close();
    await emu?.close();
  });
  beforeEach(() => emu.resetCounters());

  it("serves the layer's response with request-id and the echoed client-request-id", async () => {
    const res = await call(emu, agent, "GET", "/graph/v1.0/users", {
      token,
      headers: { "client-request-id": "11112222-3333-4444-5555-666677778888" },
    });
    expect(res.status).toBe(200);
    expect(res.body.value).toHaveLength(2);
    expect(res.body["@odata.context"]).toBe(`${emu.graphUrl}/v1.0/$metadata#users`);
    expect(res.headers["client-request-id"]).toBe("11112222-3333-4444-5555-666677778888");
    expect(res.headers["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 401 InvalidAuthenticationToken for a missing, forged, expired or ARM-audience token", async () => {
    const app = emu.apps[0]!;
    const cases: Array<[string, string | undefined, RegExp]> = [
      ["missing", undefined, /Access token is empty/],
      ["forged", `${token.slice(0, -4)}AAAA`, /validation failure/],
      ["expired", await emu.issueToken(app.clientId, "graph", -120), /expired/],
      ["arm audience", await emu.issueToken(app.clientId, "arm"), /Invalid audience/],
    ];
    for (const [name, bearer, message] of cases) {
      const res = await call(emu, agent, "GET", "/graph/v1.0/users", bearer ? { token: bearer } : {});
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe("InvalidAuthenticationToken");
      expect(res.body.error.message, name).toMatch(message);
      expect(res.body.error.innerError["request-id"]).toBe(res.headers["request-id"]);
    }
  });

  it("refuses a token it accepted once when it has since expired", async () => {
    const app = emu.apps[0]!;
    const shortLived = await emu.issueToken(app.clientId, "graph", 60);
    const first = await call(emu, agent, "GET", "/graph/v1.0/users", { token: shortLived });
    expect(first.status).toBe(200);
    const realNow = Date.now;
    const later = realNow() + 61_000;
    Date.now = () => later;
    try {
      const again = await call(emu, agent, "GET", "/graph/v1.0/users", { token: shortLived });
      expect(again.status).toBe(401);
      expect(again.body.error.message).toMatch(/expired/);
    } finally {
      Date.now = realNow;
    }
  });

  it("enforces permissions per endpoint, AND-of-ORs, for each app removing one permission", async () => {
    for (const removed of ["User.Read.All", "AuditLog.Read.All"]) {
      const permissions = EXPORT_READ_PERMISSIONS.filter((p) => p !== removed);
      const secret = `secret-without-${removed}`;
      const app = emu.registerApp({ secret, graphPermissions: permissions });
      const appToken = await tokenFor(emu, agent, app.clientId, secret);
      const plain = await call(emu, agent, "GET", "/graph/v1.0/users?$select=id", { token: appToken });
      const withSignIn = await call(emu, agent, "GET", "/graph/v1.0/users?$select=id,signInActivity", {
        token: appToken,
      });
      if (removed === "User.Read.All") {
        expect(plain.status).toBe(403);
        expect(plain.body.error).toMatchObject({
          code: "Authorization_RequestDenied",
          message: "Insufficient privileges to complete the operation.",
        });
      } else {
        expect(plain.status).toBe(200);
      }
      expect(withSignIn.status).toBe(403);
    }
    // an OR alternative (Directory.Read.All instead of User.Read.All) is enough
    const alt = emu.registerApp({ secret: "alt-secret", graphPermissions: ["Directory.Read.All"] });
    const altToken = await tokenFor(emu, agent, alt.clientId, "alt-secret");
    expect((await call(emu, agent, "GET", "/graph/v1.0/users", { token: altToken })).status).toBe(200);
  });

  it("passes resolution errors through and rejects an unknown version", async () => {
    const unknown = await call(emu, agent, "GET", "/graph/v1.0/nothingHere", { token });
    expect(unknown.status).toBe(400);
    const version = await call(emu, agent, "GET", "/graph/v2.0/users", { token });
    expect(version.status).toBe(400);
    expect(version.body.error.message).toMatch(/v2\.0/);
  });

  it("counts requests by endpoint and status, and the round-trip depth after the token", async () => {
    const app = emu.apps[0]!;
    emu.resetCounters();
    const fresh = await tokenFor(emu, agent, app.clientId, app.secrets[0]!); // depth 1
    // sequential on purpose: parallel requests may or may not overlap on a loaded machine
    await call(emu, agent, "GET", "/graph/v1.0/users", { token: fresh }); // depth 2
    await call(emu, agent, "GET", "/graph/v1.0/organization", { token: fresh }); // depth 3
    await call(emu, agent, "GET", `/graph/v1.0/users/${USER_1}/authentication/methods`, { token: fresh }); // depth 4
    const counters = emu.counters();
    expect(counters.requests.byEndpoint).toEqual({
      "POST /{tenant}/oauth2/v2.0/token": { "200": 1 },
      "GET /users": { "200": 1 },
      "GET /organization": { "200": 1 },
      "GET /users/{id}/authentication/methods": { "200": 1 },
    });
    expect(counters.depth).toEqual({ max: 4, firstToken: 1, afterToken: 3 });
    const overHttp = await call(emu, agent, "GET", "/_emulator/counters");
    expect(overHttp.body.requests.total).toBe(4);
  });

  it("depth: requests in flight together share a depth; a request after them is one deeper", () => {
    const counters = new Counters();
    const token = counters.start(true);
    counters.finish(token);
    const a = counters.start();
    const b = counters.start(); // starts before a finishes: same depth
    counters.finish(b);
    const c = counters.start(); // b finished before c started
    counters.finish(a);
    counters.finish(c);
    expect([token.depth, a.depth, b.depth, c.depth]).toEqual([1, 2, 2, 3]);
    expect(counters.snapshot().depth).toEqual({ max: 3, firstToken: 1, afterToken: 2 });
    // a request from before a reset does not leak its depth into the new epoch
    const old = counters.start();
    counters.reset();
    counters.finish(old);
    expect(counters.start().depth).toBe(1);
  });
});
