import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import {
  alertRules,
  durationSeconds,
  resolveWorkspaces,
  sentinelWorkspace,
  timingProblems,
} from "../../src/monitor/alerts.js";
import { parseSnapshot } from "../../src/snapshot/load.js";
import { SIGNIN_QUERY, WS, goodTenant, sentinelRule, sqr } from "../checks/monitoring/tenant.js";

const snap = (raw: Record<string, any>) => parseSnapshot(raw);

describe("durations", () => {
  it("parses ISO 8601 durations and rejects the rest", () => {
    expect(durationSeconds("PT5M")).toBe(300);
    expect(durationSeconds("PT1H30M")).toBe(5400);
    expect(durationSeconds("P1D")).toBe(86400);
    expect(durationSeconds("PT0M")).toBe(0);
    for (const bad of ["5m", "P", "PT", "", null, 5]) expect(durationSeconds(bad)).toBeUndefined();
  });
});

describe("workspace resolution", () => {
  it("finds the sign-in workspace per category, case-insensitively, and ignores disabled categories", () => {
    const t = goodTenant();
    t.azure.diagnosticSettings[0].properties.workspaceId = WS.toUpperCase();
    const r = resolveWorkspaces(snap(t));
    expect(r.signInWorkspaces).toEqual([WS.toLowerCase()]);
    expect(r.auditWorkspaces).toEqual([WS.toLowerCase()]);
    t.azure.diagnosticSettings[0].properties.logs[1].enabled = false;
    expect(resolveWorkspaces(snap(t)).signInWorkspaces).toEqual([]);
  });
  it("accepts the allLogs category group", () => {
    const t = goodTenant();
    t.azure.diagnosticSettings[0].properties.logs = [{ categoryGroup: "allLogs", enabled: true }];
    expect(resolveWorkspaces(snap(t)).signInWorkspaces).toEqual([WS.toLowerCase()]);
  });
});

describe("alert rules reaching a person", () => {
  const config = defaultConfig();
  it("reads an Azure Monitor rule that reaches a person", () => {
    const [rule] = alertRules(snap(goodTenant()), config);
    expect(rule).toMatchObject({
      source: "azureMonitor",
      reach: "reaches",
      severity: 0,
      frequencySeconds: 300,
    });
    expect(rule!.workspaceIds).toEqual([WS.toLowerCase()]);
  });
  it("fails a rule whose action group has only disabled receivers", () => {
    const t = goodTenant();
    t.azure.actionGroups[0].properties.emailReceivers[0].status = "Disabled";
    const [rule] = alertRules(snap(t), config);
    expect(rule!.reach).toBe("fails");
    expect(rule!.reasons.join()).toContain("no enabled receiver");
  });
  it("reads Sentinel severities and the rule's workspace from its id", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules = [];
    t.azure.sentinelAlertRules = [
      sentinelRule("m", SIGNIN_QUERY, { severity: "Medium" }),
      sentinelRule("n", SIGNIN_QUERY, {}, "NRT"),
    ];
    const rules = alertRules(snap(t), {
      ...config,
      profile: { ...config.profile, alert: { maxSeverity: 2, maxFrequency: "PT5M" } },
    });
    expect(rules.map((r) => [r.name, r.severity, r.reach, r.frequency])).toEqual([
      ["m", 2, "reaches", "PT5M"],
      ["n", 0, "reaches", "PT1M"],
    ]);
    expect(sentinelWorkspace(rules[0]!.id)).toBe(WS.toLowerCase());
  });
  it("checks timing: frequency at most the profile's, window at least the frequency", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules = [
      sqr("slow", SIGNIN_QUERY, { evaluationFrequency: "PT15M", windowSize: "PT5M" }),
    ];
    const [rule] = alertRules(snap(t), config);
    const problems = timingProblems(rule!, config);
    expect(problems).toHaveLength(2);
  });
  it("fails a Sentinel rule of another kind or triggering above 0, and warns on suppression", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules = [];
    t.azure.sentinelAlertRules = [
      sentinelRule("fusion", SIGNIN_QUERY, {}, "Fusion"),
      sentinelRule("gt5", SIGNIN_QUERY, { triggerThreshold: 5 }),
      sentinelRule("sup", SIGNIN_QUERY, { suppressionEnabled: true, suppressionDuration: "PT5H" }),
    ];
    expect(alertRules(snap(t), config).map((r) => [r.name, r.reach])).toEqual([
      ["fusion", "fails"],
      ["gt5", "fails"],
      ["sup", "warn"],
    ]);
  });
});
