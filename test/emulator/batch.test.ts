import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { call, sampleSnapshot, tokenFor, undiciAgent } from "./support.js";

const USER_1 = "aaaaaaaa-0000-0000-0000-000000000001";

describe("emulator $batch", () => {
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
    token = await tokenFor(emu, agent, emu.apps[0]!.clientId, emu.apps[0]!.secrets[0]!);
  });
  afterAll(async () => {
    await agent?.close();
    await emu?.close();
  });
  beforeEach(() => emu.resetCounters());

  const batch = (body: unknown, version = "v1.0") =>
    call(emu, agent, "POST", `/graph/${version}/$batch`, { token, body: body as object });

  it("runs each inner request through the pipeline and counts it by its own endpoint", async () => {
    const limited = emu.registerApp({ secret: "limited", graphPermissions: ["User.Read.All"] });
    const limitedToken = await tokenFor(emu, agent, limited.clientId, "limited");
    emu.resetCounters();
    const res = await call(emu, agent, "POST", "/graph/v1.0/$batch", {
      token: limitedToken,
      body: {
        requests: [
          { id: "1", method: "GET", url: "/users?$select=id" },
          { id: "2", method: "GET", url: `users/${USER_1}/authentication/methods` },
          { id: "3", method: "GET", url: "/organization", headers: { ConsistencyLevel: "eventual" } },
        ],
      },
    });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
    expect(byId["1"].status).toBe(200);
    expect(byId["1"].body.value).toHaveLength(2);
    expect(byId["2"].status).toBe(403);
    expect(byId["2"].body.error.code).toBe("Authorization_RequestDenied");
    expect(byId["3"].status).toBe(403);
    expect(emu.counters().requests.byEndpoint).toMatchObject({
      "POST /$batch": { "200": 1 },
      "GET /users": { "200": 1 },
      "GET /users/{id}/authentication/methods": { "403": 1 },
      "GET /organization": { "403": 1 },
    });
  });

  it("gives 424 to the dependants of a failed request", async () => {
    const res = await batch({
      requests: [
        { id: "a", method: "GET", url: "/nowhere" },
        { id: "b", method: "GET", url: "/users", dependsOn: ["a"] },
        { id: "c", method: "GET", url: "/organization", dependsOn: ["b"] },
        { id: "d", method: "GET", url: "/organization" },
      ],
    });
    expect(res.status).toBe(200);
    const status = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r.status]));
    expect(status).toEqual({ a: 400, b: 424, c: 424, d: 200 });
  });

  it("rejects malformed batches with an outer 400", async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: "GET", url: "/users" }));
    const cases: Array<[string, unknown]> = [
      ["more than 20", { requests: many }],
      [
        "duplicate ids (case-insensitive)",
        {
          requests: [
            { id: "x", method: "GET", url: "/users" },
            { id: "X", method: "GET", url: "/users" },
          ],
        },
      ],
      [
        "absolute url",
        { requests: [{ id: "1", method: "GET", url: "https://graph.microsoft.com/v1.0/users" }] },
      ],
      [
        "body without content-type",
        { requests: [{ id: "1", method: "PATCH", url: "/users/x", body: { a: 1 } }] },
      ],
      ["unknown dependency", { requests: [{ id: "1", method: "GET", url: "/users", dependsOn: ["9"] }] }],
      ["no requests", {}],
    ];
    for (const [name, body] of cases) {
      const res = await batch(body);
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toBe("BadRequest");
    }
    expect(emu.counters().requests.byEndpoint["POST /$batch"]).toEqual({ "400": cases.length });
    // exactly 20 is fine
    const twenty = await batch({ requests: many.slice(0, 20) });
    expect(twenty.status).toBe(200);
    expect(twenty.body.responses).toHaveLength(20);
  });

  it("needs a valid token for the batch itself", async () => {
    const res = await call(emu, agent, "POST", "/graph/v1.0/$batch", {
      body: { requests: [{ id: "1", method: "GET", url: "/users" }] },
    });
    expect(res.status).toBe(401);
  });
});
