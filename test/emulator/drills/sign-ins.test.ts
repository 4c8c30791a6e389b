/**
 * `POST {graph}/_emulator/signIns` through the real client stack over HTTPS: the recorded sign-in in
 * both API versions with the CA engine's result, the key's beta `lastUsedDateTime`, and the alerts
 * API raising the alert of a rule that covers it (and not of one that does not).
 */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { RunningEmulator } from "../../../emulator/index.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";
import { clientsFor, emulate } from "../../e2e/helpers.js";
import { call, undiciAgent } from "../support.js";

const GOOD = new URL("../../../fixtures/tenants/good.json", import.meta.url);
const EA = "83aa1184-132f-401e-91ba-ace0a55b661a";
const EA_UPN = "zt4p9w@contosomedical.onmicrosoft.com";
const KEY_A = "5fuz0F1S91537hUtNd21iHA42Hmzuk4-Nzc4okJsILuZPPrgSjRsO-qlNykyoWvN";
const KEY_A_AAGUID = "2fc0579f-8113-47ea-b116-bb5a8db9202a";
const EA_POLICY = "52349fe7-e34a-4ec7-8ccc-644e04fc8052";
const SUB = "c4dc243a-4136-4157-913f-7fdb443989e1";
const SIGNIN_RULE = `/subscriptions/${SUB}/resourceGroups/rg-monitoring-prod-weu-01/providers/Microsoft.Insights/scheduledQueryRules/sqr-core-access-signin`;
const START = Date.parse("2026-11-02T10:00:00Z");
const ALERTS = `/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts?api-version=2019-05-05-preview`;

type Loose = Record<string, any>;

function good(): Snapshot {
  return JSON.parse(readFileSync(GOOD, "utf8")) as Snapshot;
}

describe("recorded sign-ins and the alerts they raise", () => {
  let emu: RunningEmulator | undefined;
  let t = START;
  const logs: string[] = [];
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
    logs.length = 0;
    t = START;
  });

  async function start(snapshot = good()) {
    emu = await emulate(snapshot, { now: () => t, log: (line) => logs.push(line) });
    return { emu, clients: clientsFor(emu) };
  }
  const signIn = (body: object) =>
    call(emu!, undiciAgent(emu!), "POST", "/graph/_emulator/signIns", { body });

  it("a FIDO2 sign-in is logged in v1.0 and beta with the CA result, no key identity, and the key's last use", async () => {
    const { clients } = await start();
    const before = await clients.graph.get(`/users/${EA}/authentication/fido2Methods/${KEY_A}`, "beta");
    expect(before.ok && (before.body as Loose).lastUsedDateTime).toBeFalsy();

    const res = await signIn({ userId: EA_UPN, methodId: KEY_A });
    expect(res.status).toBe(201);
    const id = (res.body as Loose).id as string;

    const beta = await clients.graph.get(`/auditLogs/signIns?$filter=userId eq '${EA}'`, "beta");
    const logged = (beta.ok ? (beta.body as Loose).value : []).find((s: Loose) => s.id === id) as Loose;
    expect(logged).toMatchObject({
      userId: EA,
      appDisplayName: "Azure Portal",
      clientAppUsed: "Browser",
      isInteractive: true,
      status: { errorCode: 0 },
      conditionalAccessStatus: "success",
      authenticationDetails: [{ authenticationMethod: "FIDO2 security key", succeeded: true }],
    });
    const policies = logged.appliedConditionalAccessPolicies as Loose[];
    expect(policies.find((p) => p.id === EA_POLICY)).toMatchObject({
      result: "success",
      enforcedGrantControls: ["RequireAuthenticationStrength"],
    });
    // every other policy excludes the emergency group
    expect(policies.filter((p) => p.result !== "notApplied").map((p) => p.id)).toEqual([EA_POLICY]);
    // Entra's log names no key: neither the AAGUID nor the method id appears anywhere in it
    const text = JSON.stringify(logged);
    expect(text).not.toContain(KEY_A_AAGUID);
    expect(text).not.toContain(KEY_A);

    const v1 = await clients.graph.get(`/auditLogs/signIns/${id}`, "v1.0");
    expect(v1.ok && (v1.body as Loose).status.errorCode).toBe(0);
    expect(v1.ok && (v1.body as Loose).authenticationDetails).toBeUndefined();
    expect(v1.ok && (v1.body as Loose).appliedConditionalAccessPolicies.length).toBe(policies.length);

    const after = await clients.graph.get(`/users/${EA}/authentication/fido2Methods/${KEY_A}`, "beta");
    expect(after.ok && (after.body as Loose).lastUsedDateTime).toBe(new Date(START).toISOString());
    const v1Method = await clients.graph.get(`/users/${EA}/authentication/fido2Methods/${KEY_A}`, "v1.0");
    expect(v1Method.ok && (v1Method.body as Loose).lastUsedDateTime).toBeUndefined();
  });

  it("a password sign-in fails the emergency policy's strength: failure 53003, and the keys do not move", async () => {
    const { clients } = await start();
    const res = await signIn({ userId: EA });
    expect(res.status).toBe(201);
    const beta = await clients.graph.get(`/auditLogs/signIns/${(res.body as Loose).id}`, "beta");
    const logged = (beta.ok ? beta.body : {}) as Loose;
    expect(logged.status.errorCode).toBe(53003);
    expect(logged.conditionalAccessStatus).toBe("failure");
    expect(logged.authenticationDetails[0].authenticationMethod).toBe("Password");
    expect(logged.appliedConditionalAccessPolicies.find((p: Loose) => p.id === EA_POLICY).result).toBe(
      "failure",
    );
    const keys = await clients.graph.get(`/users/${EA}/authentication/fido2Methods`, "beta");
    expect((keys.ok ? (keys.body as Loose).value : []).map((k: Loose) => k.lastUsedDateTime ?? null)).toEqual(
      [null, null],
    );
  });

  it("the sign-in rule covering the account raises one alert; a sign-in of another user raises none", async () => {
    const { clients } = await start();
    const other = good().users!.find(
      (u) => !([EA, "71b91a45-f4df-49fc-85a0-d42f9db61b6e"] as string[]).includes(u.id),
    )!;
    expect((await signIn({ userId: other.id })).status).toBe(201);
    const none = await clients.arm.list(ALERTS);
    expect(none.ok && none.items).toEqual([]);

    t += 60_000;
    expect((await signIn({ userId: EA, aaGuid: KEY_A_AAGUID })).status).toBe(201);
    const listed = await clients.arm.list(
      `${ALERTS}&alertRule=${encodeURIComponent(SIGNIN_RULE)}&timeRange=1h`,
    );
    expect(listed.ok).toBe(true);
    const items = listed.ok ? (listed.items as Loose[]) : [];
    expect(items).toHaveLength(1);
    expect(items[0]!.type).toBe("Microsoft.AlertsManagement/alerts");
    expect(items[0]!.properties.essentials).toMatchObject({
      alertRule: SIGNIN_RULE,
      severity: "Sev0",
      signalType: "Log",
      monitorService: "Log Alerts V2",
      monitorCondition: "Fired",
      alertState: "New",
      startDateTime: new Date(t).toISOString(),
    });
    // the audit-log rules (mv-apply over AuditLogs) do not watch sign-ins and stay silent
    const all = await clients.arm.list(ALERTS);
    expect(all.ok && all.items).toHaveLength(1);
    const byId = await clients.arm.get(`${items[0]!.id as string}?api-version=2019-05-05-preview`);
    expect(byId.ok && (byId.body as Loose).properties.essentials.alertRule).toBe(SIGNIN_RULE);

    // filters: another rule, a time range that ends before the alert
    const otherRule = await clients.arm.list(
      `${ALERTS}&alertRule=${encodeURIComponent(SIGNIN_RULE.replace("signin", "activity"))}`,
    );
    expect(otherRule.ok && otherRule.items).toEqual([]);
    const early = await clients.arm.list(
      `${ALERTS}&customTimeRange=${encodeURIComponent(`${new Date(START - 3_600_000).toISOString()}/${new Date(START).toISOString()}`)}`,
    );
    expect(early.ok && early.items).toEqual([]);
    const both = await clients.arm.get(`${ALERTS}&timeRange=1h&customTimeRange=a/b`);
    expect(both.ok).toBe(false);
  });

  it("an unsupported query and a workspace that gets no sign-ins raise nothing; the emulator says why", async () => {
    const snapshot = good();
    const rule = snapshot.azure!.scheduledQueryRules!.find((r) => r.id === SIGNIN_RULE)! as Loose;
    rule.properties.criteria.allOf[0].query = `SigninLogs | where UserId == "${EA}" | join kind=inner (SigninLogs) on UserId`;
    const { clients } = await start(snapshot);
    expect((await signIn({ userId: EA, methodId: KEY_A })).status).toBe(201);
    const listed = await clients.arm.list(ALERTS);
    expect(listed.ok && listed.items).toEqual([]);
    expect(logs.join("\n")).toMatch(
      /sqr-core-access-signin: condition 0 not evaluated: unsupported KQL: the operator 'join'/,
    );

    await emu!.close();
    const quiet = good();
    (quiet.azure!.diagnosticSettings as Loose[]).length = 0;
    const second = await start(quiet);
    expect((await signIn({ userId: EA, methodId: KEY_A })).status).toBe(201);
    const none = await second.clients.arm.list(ALERTS);
    expect(none.ok && none.items).toEqual([]);
    expect(logs.join("\n")).toMatch(/no diagnostic setting sends SignInLogs/);
  });

  it("a stateful rule stays fired and silent for a second sign-in, then resolves after its window", async () => {
    const snapshot = good();
    const rule = snapshot.azure!.scheduledQueryRules!.find((r) => r.id === SIGNIN_RULE)! as Loose;
    rule.properties.autoMitigate = true;
    const { clients } = await start(snapshot);
    await signIn({ userId: EA, methodId: KEY_A });
    t += 60_000;
    await signIn({ userId: EA, methodId: KEY_A });
    const fired = await clients.arm.list(ALERTS);
    expect(fired.ok && fired.items.map((a: Loose) => a.properties.essentials.monitorCondition)).toEqual([
      "Fired",
    ]);
    t += 10 * 60_000;
    const resolved = await clients.arm.list(ALERTS);
    expect(resolved.ok && resolved.items.map((a: Loose) => a.properties.essentials.monitorCondition)).toEqual(
      ["Resolved"],
    );
  });

  it("refuses a key the user does not hold, an unknown user and a bad client app", async () => {
    await start();
    expect((await signIn({ userId: EA, methodId: "nope" })).status).toBe(409);
    expect((await signIn({ userId: "nobody@contosomedical.onmicrosoft.com" })).status).toBe(404);
    expect((await signIn({ userId: EA, clientApp: "Carrier pigeon" })).status).toBe(400);
    expect((await signIn({})).status).toBe(400);
  });
});
