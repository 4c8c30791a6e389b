/**
 * The emulator's ARM writes (docs/graph-writes.md §9) through the real client stack: the ARM writer
 * (src/graph/arm-write.ts, core-rest-pipeline with a bearer token from @azure/identity) over HTTPS,
 * and `export` reading the written resources back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/index.js";
import { createArmWriter, type WriteResult } from "../../src/graph/index.js";
import { clientsFor, exportFrom } from "../e2e/helpers.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { call, sampleSnapshot, SUB_A, undiciAgent } from "./support.js";

const RG = `/subscriptions/${SUB_A}/resourceGroups/rg-sec`;
const WS = `${RG}/providers/Microsoft.OperationalInsights/workspaces/law-sec`;
const AG = `${RG}/providers/Microsoft.Insights/actionGroups/ag-oncall`;
const RULE = `${RG}/providers/Microsoft.Insights/scheduledQueryRules/bg-signin-2`;
const SENTINEL = `${WS}/providers/Microsoft.SecurityInsights`;

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(options: Partial<EmulatorOptions> = {}) {
  const clock = { now: Date.parse("2026-12-02T09:00:00Z") };
  emu = await startEmulator({
    snapshot: sampleSnapshot(),
    graphLayer: createFakeGraphLayer,
    deployer: true,
    throttle: false,
    now: () => clock.now,
    ...options,
  });
  const slept: number[] = [];
  const writer = createArmWriter(clientsFor(emu), {
    caPem: emu.caPem,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
    now: () => clock.now,
  });
  const send = (method: "PUT" | "PATCH" | "DELETE", url: string, body?: unknown) =>
    writer.execute({ request: { method, url, ...(body !== undefined ? { body } : {}) } });
  return { emu, writer, send, slept, clock };
}

const actionGroup = {
  location: "global",
  properties: {
    groupShortName: "bg-oncall",
    enabled: true,
    emailReceivers: [{ name: "soc", emailAddress: "soc@contoso.example", useCommonAlertSchema: true }],
  },
};

const rule = (overrides: Record<string, unknown> = {}) => ({
  location: "westeurope",
  kind: "LogAlert",
  properties: {
    displayName: "Emergency account sign-in",
    enabled: true,
    severity: 0,
    scopes: [WS],
    evaluationFrequency: "PT5M",
    windowSize: "PT5M",
    criteria: {
      allOf: [
        {
          query: 'SigninLogs | where UserId in ("aaaaaaaa-0000-0000-0000-000000000001")',
          timeAggregation: "Count",
          operator: "GreaterThan",
          threshold: 0,
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
        },
      ],
    },
    autoMitigate: false,
    actions: { actionGroups: [AG] },
    ...overrides,
  },
});

const refused = (r: WriteResult) => {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error("expected a refusal");
  return r;
};

describe("emulator ARM writes", () => {
  it("action groups and log search alert rules: 201 then 200, validation errors, PATCH, DELETE, read back", async () => {
    const { send, emu } = await start();
    const created = await send("PUT", `${AG}?api-version=2023-01-01`, actionGroup);
    expect(created).toMatchObject({ ok: true, status: 201, id: AG });
    expect(await send("PUT", `${AG}?api-version=2023-01-01`, actionGroup)).toMatchObject({
      ok: true,
      status: 200,
    });

    const noScopes = refused(await send("PUT", `${RULE}?api-version=2023-12-01`, rule({ scopes: [] })));
    expect(noScopes).toMatchObject({
      status: 400,
      code: "InvalidRequestContent",
      outcome: "refused",
      attempts: 1,
    });
    expect(noScopes.message).toMatch(/scopes/);
    const badDuration = refused(
      await send("PUT", `${RULE}?api-version=2023-12-01`, rule({ evaluationFrequency: "5 minutes" })),
    );
    expect(badDuration).toMatchObject({ status: 400, code: "InvalidRequestContent" });
    expect(badDuration.message).toMatch(/ISO 8601/);
    const unknownGroup = refused(
      await send("PUT", `${RULE}?api-version=2023-12-01`, rule({ actions: { actionGroups: [`${AG}x`] } })),
    );
    expect(unknownGroup).toMatchObject({ status: 400, code: "BadRequest" });
    expect(unknownGroup.message).toMatch(/action group .* could not be found/);

    const made = await send("PUT", `${RULE}?api-version=2023-12-01`, rule());
    expect(made).toMatchObject({ ok: true, status: 201 });
    const patched = await send("PATCH", `${RULE}?api-version=2023-12-01`, { properties: { severity: 3 } });
    expect(patched).toMatchObject({ ok: true, status: 200 });
    expect((patched as { body: any }).body.properties).toMatchObject({ severity: 3, autoMitigate: false });

    const exported = await exportFrom(emu);
    const rules = exported.snapshot.azure?.scheduledQueryRules ?? [];
    expect(rules.map((r) => r.id)).toContain(RULE);
    expect(rules.find((r) => r.id === RULE)?.properties).toMatchObject({ severity: 3, scopes: [WS] });
    expect((exported.snapshot.azure?.actionGroups ?? []).map((g) => g.id)).toContain(AG);

    expect(await send("DELETE", `${RULE}?api-version=2023-12-01`)).toMatchObject({ ok: true, status: 200 });
    expect(await send("DELETE", `${RULE}?api-version=2023-12-01`)).toMatchObject({ ok: true, status: 204 });

    const counted = emu.counters().requests.byEndpoint;
    expect(
      counted[
        "PUT /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/scheduledQueryRules/{scheduledQueryRuleName}"
      ],
    ).toMatchObject({ "201": 1, "400": 3 });
  });

  it("Entra diagnostic settings: 200 on create and update; the read-only app is refused", async () => {
    const { send, emu } = await start();
    const url = "/providers/microsoft.aadiam/diagnosticSettings/breakglass?api-version=2017-04-01";
    const body = {
      properties: {
        workspaceId: WS,
        logs: ["AuditLogs", "SignInLogs", "NonInteractiveUserSignInLogs"].map((category) => ({
          category,
          enabled: true,
        })),
      },
    };
    expect(await send("PUT", url, body)).toMatchObject({ ok: true, status: 200 });
    expect(await send("PUT", url, body)).toMatchObject({ ok: true, status: 200 });
    const badCategory = refused(
      await send("PUT", url, {
        properties: { workspaceId: WS, logs: [{ category: "Nope", enabled: true }] },
      }),
    );
    expect(badCategory).toMatchObject({ status: 400, code: "BadRequest" });
    const noWorkspace = refused(
      await send("PUT", url, { properties: { workspaceId: `${WS}x`, logs: body.properties.logs } }),
    );
    expect(noWorkspace).toMatchObject({ status: 400 });

    const exported = await exportFrom(emu);
    const setting = exported.snapshot.azure?.diagnosticSettings?.find((s) => s.name === "breakglass");
    expect(setting?.properties).toMatchObject({ workspaceId: WS });

    // the export app (second) holds read roles only
    const reader = emu.apps.find((a) => !a.arm.write)!;
    const readOnly = createArmWriter(
      clientsFor(emu, { clientId: reader.clientId, secret: reader.secrets[0] }),
      {
        caPem: emu.caPem,
        sleep: async () => undefined,
      },
    );
    const denied = refused(await readOnly.execute({ request: { method: "PUT", url, body } }));
    expect(denied).toMatchObject({ status: 403, code: "AuthorizationFailed", outcome: "refused" });
    expect(denied.message).toMatch(/microsoft\.aadiam\/diagnosticSettings\/write/i);
  });

  it("table retention is long-running: 202, polled to Succeeded, a write meanwhile is a conflict", async () => {
    const { send, writer, slept } = await start();
    const url = `${WS}/tables/AADNonInteractiveUserSignInLogs?api-version=2022-10-01`;
    const done = await writer.execute({
      request: { method: "PUT", url, body: { properties: { retentionInDays: 180 } } },
    });
    expect(done).toMatchObject({ ok: true, status: 202 });
    expect((done as { body: any }).body.properties).toMatchObject({
      retentionInDays: 180,
      totalRetentionInDays: 180,
      provisioningState: "Succeeded",
    });
    expect(slept.length).toBeGreaterThanOrEqual(2); // Retry-After honoured between polls

    const outOfRange = refused(await send("PATCH", url, { properties: { retentionInDays: 1000 } }));
    expect(outOfRange).toMatchObject({ status: 400, code: "BadRequest" });
  });

  it("a second table write while the first is Updating answers 409", async () => {
    const { emu } = await start();
    const agent = undiciAgent(emu);
    try {
      const token = await emu.issueToken(emu.apps[0]!.clientId, "arm");
      const url = `/arm${WS}/tables/AuditLogs?api-version=2022-10-01`;
      const body = { properties: { retentionInDays: 120 } };
      const first = await call(emu, agent, "PATCH", url, { token, body });
      expect(first.status).toBe(202);
      expect(first.headers["azure-asyncoperation"]).toMatch(/operationStatuses/);
      const second = await call(emu, agent, "PATCH", url, { token, body });
      expect(second.status).toBe(409);
    } finally {
      await agent.close();
    }
  });

  it("Sentinel rules and watchlists: NRT only on preview versions, etag conflicts, watchlist items read back", async () => {
    const { send, emu } = await start();
    const ruleUrl = (v: string) => `${SENTINEL}/alertRules/bg-signin?api-version=${v}`;
    const nrt = {
      kind: "NRT",
      properties: {
        displayName: "Emergency account sign-in",
        enabled: true,
        severity: "High",
        query: "SigninLogs | where UserId == 'aaaaaaaa-0000-0000-0000-000000000001'",
        suppressionEnabled: false,
        suppressionDuration: "PT5H",
        incidentConfiguration: { createIncident: true },
      },
    };
    expect(refused(await send("PUT", ruleUrl("2024-09-01"), nrt))).toMatchObject({
      status: 400,
      code: "BadRequest",
    });
    const created = await send("PUT", ruleUrl("2024-01-01-preview"), nrt);
    expect(created).toMatchObject({ ok: true, status: 201 });
    const stale = { ...nrt, etag: '"not-the-current-one"' };
    expect(refused(await send("PUT", ruleUrl("2024-01-01-preview"), stale))).toMatchObject({ status: 409 });
    const current = { ...nrt, etag: (created as { body: any }).body.etag };
    expect(await send("PUT", ruleUrl("2024-01-01-preview"), current)).toMatchObject({
      ok: true,
      status: 200,
    });
    const scheduledMissing = refused(
      await send("PUT", ruleUrl("2024-09-01"), { kind: "Scheduled", properties: nrt.properties }),
    );
    expect(scheduledMissing).toMatchObject({ status: 400, code: "InvalidRequestContent" });

    const wlUrl = `${SENTINEL}/watchlists/bgaccounts2?api-version=2024-09-01`;
    const watchlist = {
      properties: {
        displayName: "Break glass accounts",
        provider: "breakglass",
        itemsSearchKey: "UserId",
        contentType: "text/csv",
        numberOfLinesToSkip: 0,
        rawContent: 'UserId,UserPrincipalName\naaaaaaaa-0000-0000-0000-000000000001,"bg1@contoso.example"\n',
      },
    };
    expect(refused(await send("PUT", wlUrl, watchlist))).toMatchObject({ status: 400, code: "BadRequest" });
    const wl = await send("PUT", wlUrl, { properties: { ...watchlist.properties, source: "Local file" } });
    expect(wl).toMatchObject({ ok: true, status: 201 });

    const exported = await exportFrom(emu);
    const read = exported.snapshot.azure?.sentinelWatchlists?.find((w) => w.name === "bgaccounts2") as any;
    expect(read.items.map((i: any) => i.properties.itemsKeyValue)).toEqual([
      { UserId: "aaaaaaaa-0000-0000-0000-000000000001", UserPrincipalName: "bg1@contoso.example" },
    ]);
    const rules = exported.snapshot.azure?.sentinelAlertRules ?? [];
    expect(rules.find((r) => r.name === "bg-signin")).toMatchObject({ kind: "NRT" });
  });

  it("throttled and failed writes are sent again (ARM PUT is idempotent): one resource, no real wait", async () => {
    const { send, emu, slept } = await start({
      faultRate: 0.6,
      seed: 7,
      faultKinds: ["429", "503", "reset"],
    });
    for (let i = 0; i < 4; i++) {
      const r = await send(
        "PUT",
        `${RG}/providers/Microsoft.Insights/actionGroups/ag-${i}?api-version=2023-01-01`,
        {
          ...actionGroup,
          properties: { ...actionGroup.properties, groupShortName: `ag-${i}` },
        },
      );
      expect(r.ok).toBe(true);
    }
    expect(emu.faults().length).toBeGreaterThan(0);
    expect(slept.length).toBeGreaterThan(0);
    const groups = emu.store.listArm(`/subscriptions/${SUB_A}/providers/Microsoft.Insights/actionGroups`);
    expect(groups.filter((g) => /\/ag-\d$/.test(g.id))).toHaveLength(4);
  });
});
