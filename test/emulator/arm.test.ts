import { ClientSecretCredential } from "@azure/identity";
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  createDefaultHttpClient,
} from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { call, credentialOptions, sampleSnapshot, SUB_A, SUB_B, tokenFor, undiciAgent } from "./support.js";

const WS = `/subscriptions/${SUB_A}/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/law-sec`;
const API = "api-version=2023-09-01";

describe("emulator ARM", () => {
  let emu: RunningEmulator;
  let agent: ReturnType<typeof undiciAgent>;
  let token: string;

  beforeAll(async () => {
    emu = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      armPageSize: 2,
    });
    agent = undiciAgent(emu);
    token = await tokenFor(
      emu,
      agent,
      emu.apps[0]!.clientId,
      emu.apps[0]!.secrets[0]!,
      "https://management.azure.com/.default",
    );
  });
  afterAll(async () => {
    await agent?.close();
    await emu?.close();
  });
  beforeEach(() => emu.resetCounters());

  const get = (path: string, bearer = token) =>
    call(emu, agent, "GET", `/arm${path}`, bearer ? { token: bearer } : {});

  it("works through core-rest-pipeline with a bearer policy (the way the client stack calls ARM)", async () => {
    const app = emu.apps[0]!;
    const options = credentialOptions(emu);
    const credential = new ClientSecretCredential(emu.tenantId, app.clientId, app.secrets[0]!, options);
    const pipeline = createPipelineFromOptions({});
    pipeline.addPolicy(options.additionalPolicies[0]!.policy);
    pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential, scopes: "https://management.azure.com/.default" }),
    );
    const response = await pipeline.sendRequest(
      createDefaultHttpClient(),
      createPipelineRequest({
        url: `${emu.armUrl}/subscriptions?api-version=2022-12-01`,
        headers: createHttpHeaders(),
      }),
    );
    expect(response.status).toBe(200);
    const body = JSON.parse(response.bodyAsText!);
    expect(body.value.map((s: any) => s.subscriptionId).sort()).toEqual([SUB_A, SUB_B].sort());
    expect(body.value[0]).toMatchObject({
      id: expect.stringMatching(/^\/subscriptions\//),
      tenantId: emu.tenantId,
      state: "Enabled",
    });
  });

  it("requires api-version and a valid ARM token", async () => {
    const missing = await get(`/subscriptions/${SUB_A}/providers/Microsoft.OperationalInsights/workspaces`);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: { code: "MissingApiVersionParameter", message: expect.any(String) },
    });
    const noToken = await get(`/subscriptions?${API}`, "");
    expect(noToken.status).toBe(401);
    const graphToken = await tokenFor(emu, agent, emu.apps[0]!.clientId, emu.apps[0]!.secrets[0]!);
    const wrongAudience = await get(`/subscriptions?${API}`, graphToken);
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body.error.code).toBe("InvalidAuthenticationTokenAudience");
  });

  it("lists and gets workspaces, tables, rules, action groups, Sentinel rules and watchlist items, case-insensitively", async () => {
    const workspaces = await get(
      `/subscriptions/${SUB_A}/providers/Microsoft.OperationalInsights/workspaces?${API}`,
    );
    expect(workspaces.body.value.map((w: any) => w.name)).toEqual(["law-sec"]);
    const byRg = await get(
      `/subscriptions/${SUB_A}/resourcegroups/RG-SEC/providers/microsoft.operationalinsights/workspaces?${API}`,
    );
    expect(byRg.body.value).toHaveLength(1);
    const one = await get(`${WS.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")}?${API}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(WS);

    const table = await get(`${WS}/tables/signinlogs?${API}`);
    expect(table.body.properties.retentionInDays).toBe(365);
    expect((await get(`${WS}/tables/NoSuchTable?${API}`)).body.error.code).toBe("ResourceNotFound");

    expect(
      (await get(`/subscriptions/${SUB_A}/providers/Microsoft.Insights/scheduledQueryRules?${API}`)).body
        .value,
    ).toHaveLength(1);
    expect(
      (await get(`/subscriptions/${SUB_A}/providers/Microsoft.Insights/actionGroups?${API}`)).body.value[0]
        .name,
    ).toBe("bg-oncall");
    expect(
      (await get(`${WS}/providers/Microsoft.SecurityInsights/alertRules?${API}`)).body.value[0].kind,
    ).toBe("NRT");

    const watchlist = await get(`${WS}/providers/Microsoft.SecurityInsights/watchlists/bgaccounts?${API}`);
    expect(watchlist.body.properties.watchlistAlias).toBe("bgaccounts");
    expect(watchlist.body.items).toBeUndefined();
    const items = await get(
      `${WS}/providers/Microsoft.SecurityInsights/watchlists/bgaccounts/watchlistItems?${API}`,
    );
    expect(items.body.value.map((i: any) => i.properties.itemsKeyValue.UPN)).toEqual([
      "bg1@contoso.example",
      "bg2@contoso.example",
    ]);

    const counters = emu.counters().requests.byEndpoint;
    expect(counters).toHaveProperty(
      [
        "GET /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}/tables/{tableName}",
      ],
      { "200": 1, "404": 1 },
    );
  });

  it("pages long lists with nextLink", async () => {
    const first = await get(`${WS}/tables?${API}`);
    expect(first.body.value).toHaveLength(2);
    expect(first.body.nextLink).toMatch(new RegExp(`^${emu.armUrl.replace(/\./g, "\\.")}/`));
    const second = await call(emu, agent, "GET", first.body.nextLink, { token });
    expect(second.body.value).toHaveLength(1);
    expect(second.body.nextLink).toBeUndefined();
    const names = [...first.body.value, ...second.body.value].map((t: any) => t.name).sort();
    expect(names).toEqual(["AADNonInteractiveUserSignInLogs", "AuditLogs", "SigninLogs"]);
  });

  it("enforces RBAC: subscriptions and the aadiam scope", async () => {
    const ok = await get(`/providers/microsoft.aadiam/diagnosticSettings?api-version=2017-04-01`);
    expect(ok.body.value[0].name).toBe("to-law");

    const limited = emu.registerApp({
      secret: "arm-limited",
      graphPermissions: [],
      arm: { subscriptions: [SUB_A], aadiam: false },
    });
    const limitedToken = await tokenFor(
      emu,
      agent,
      limited.clientId,
      "arm-limited",
      "https://management.azure.com/.default",
    );
    const subs = await get(`/subscriptions?${API}`, limitedToken);
    expect(subs.body.value.map((s: any) => s.subscriptionId)).toEqual([SUB_A]);
    const denied = await get(
      `/subscriptions/${SUB_B}/providers/Microsoft.OperationalInsights/workspaces?${API}`,
      limitedToken,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("AuthorizationFailed");
    const diag = await get(
      `/providers/microsoft.aadiam/diagnosticSettings?api-version=2017-04-01`,
      limitedToken,
    );
    expect(diag.status).toBe(403);
    expect(diag.body.error.message).toMatch(/microsoft\.aadiam\/diagnosticSettings\/read/);
    const unknown = await get(
      `/subscriptions/99999999-0000-0000-0000-000000000000/providers/Microsoft.OperationalInsights/workspaces?${API}`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("SubscriptionNotFound");
  });

  it("injects logged faults on ARM sections", async () => {
    const faulty = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      faultRate: 1,
      faultKinds: ["503"],
    });
    const faultyAgent = undiciAgent(faulty);
    try {
      const armToken = await tokenFor(
        faulty,
        faultyAgent,
        faulty.apps[0]!.clientId,
        faulty.apps[0]!.secrets[0]!,
        "https://management.azure.com/.default",
      );
      const res = await call(faulty, faultyAgent, "GET", `/arm${WS}/tables?${API}`, { token: armToken });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("1");
      expect(faulty.faults()[0]).toMatchObject({ api: "arm", section: "azure.tables", status: 503 });
    } finally {
      await faultyAgent.close();
      await faulty.close();
    }
  });
});
