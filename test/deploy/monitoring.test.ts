/**
 * The monitoring kinds (docs/deploy.md steps 10-15) on snapshots: what they plan, that the predicted
 * tenant after them passes EA-MON-01..04, that a second plan is empty, that drift (a rule edited
 * through ARM, a diagnostic category removed) is planned back and named, and that existing rules
 * covering a family are adopted rather than duplicated.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check as mon01 } from "../../src/checks/ea-mon-01-log-export.js";
import { check as mon02 } from "../../src/checks/ea-mon-02-retention.js";
import { check as mon03 } from "../../src/checks/ea-mon-03-signin-alert.js";
import { check as mon04 } from "../../src/checks/ea-mon-04-audit-alerts.js";
import { buildCheckContext } from "../../src/checks/registry.js";
import { runCheck } from "../../src/checks/runner.js";
import { Config } from "../../src/config/schema.js";
import { kqlString, queryProblems } from "../../src/deploy/monitoring/kql-build.js";
import { ruleSpecs } from "../../src/deploy/monitoring/rules.js";
import { MONITORING_KINDS, type Step } from "../../src/deploy/types.js";
import { descendants, nodeClass, parseKql } from "../../src/monitor/kusto.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { binaryCodePoint } from "../support/arbitraries.js";
import { applyInMemory, clone, plan, sample } from "./support.js";

type Json = Record<string, any>;
const SUB = "c4dc243a-4136-4157-913f-7fdb443989e1";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-monitoring-prod-weu-01`;
const WS = `${RG}/providers/Microsoft.OperationalInsights/workspaces/log-identity-prod-weu`;

const good = sample("good");

function withMonitoring(extra: Json = {}): Config {
  return Config.parse({
    ...good.config,
    azure: {
      ...good.config.azure,
      subscriptionId: SUB,
      resourceGroup: "rg-monitoring-prod-weu-01",
      workspace: "log-identity-prod-weu",
      actionGroup: { receivers: { email: [{ name: "soc", address: "soc@example.com" }] } },
      ...extra,
    },
  });
}

const monitoringSteps = (steps: readonly Step[]) => steps.filter((s) => MONITORING_KINDS.includes(s.kind));

/** good.json without any monitoring: no diagnostic setting, no rule, no action group, 30-day tables. */
function bare(): Snapshot {
  const s = clone(good.snapshot);
  const azure = s.azure as Json;
  azure.diagnosticSettings = [];
  azure.scheduledQueryRules = [];
  azure.actionGroups = [];
  azure.tables = (azure.tables as Json[]).map((t) => ({
    ...t,
    properties: {
      ...t.properties,
      retentionInDays: 30,
      totalRetentionInDays: 30,
      retentionInDaysAsDefault: false,
    },
  }));
  return s;
}

function monitoringVerdicts(snapshot: Snapshot, config: Config): Record<string, string> {
  const ctx = buildCheckContext(snapshot, config);
  return Object.fromEntries([mon01, mon02, mon03, mon04].map((c) => [c.id, runCheck(c, ctx).status]));
}

describe("monitoring kinds", () => {
  it("a tenant whose rules already cover every family: adopted, nothing planned", () => {
    const config = withMonitoring();
    expect(monitoringVerdicts(good.snapshot, config)).toEqual({
      "EA-MON-01": "pass",
      "EA-MON-02": "pass",
      "EA-MON-03": "pass",
      "EA-MON-04": "pass",
    });
    expect(monitoringSteps(plan(good.snapshot, config))).toEqual([]);
  });

  it("builds it all on a bare workspace; the predicted tenant passes EA-MON-01..04 and a second plan is empty", () => {
    const config = withMonitoring();
    const before = bare();
    const steps = monitoringSteps(plan(before, config));
    expect(steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "create diagnostics.breakglass-entra-logs",
      "update retention.signinlogs",
      "update retention.aadnoninteractiveusersigninlogs",
      "update retention.auditlogs",
      "create actionGroup.breakglass-oncall",
      "create signinAlert.signin",
      "create auditAlerts.group",
      "create auditAlerts.roles",
      "create auditAlerts.policies",
      "create auditAlerts.credentials",
      "create auditAlerts.activity",
    ]);
    for (const s of steps) {
      expect(s.request.service).toBe("arm");
      expect(s.request.url).toMatch(/\?api-version=\d{4}-\d{2}-\d{2}$/);
    }
    const signin = steps.find((s) => s.id === "signinAlert.signin")!;
    expect(signin.request).toMatchObject({
      method: "PUT",
      url: `${RG}/providers/Microsoft.Insights/scheduledQueryRules/breakglass-signin?api-version=2023-12-01`,
      body: {
        kind: "LogAlert",
        properties: {
          severity: 0,
          scopes: [WS],
          evaluationFrequency: "PT5M",
          windowSize: "PT5M",
          overrideQueryTimeRange: "PT1H",
          autoMitigate: false,
          actions: { actionGroups: [`${RG}/providers/Microsoft.Insights/actionGroups/breakglass-oncall`] },
        },
      },
    });
    const after = applyInMemory(before, plan(before, config));
    expect(monitoringVerdicts(after, config)).toEqual({
      "EA-MON-01": "pass",
      "EA-MON-02": "pass",
      "EA-MON-03": "pass",
      "EA-MON-04": "pass",
    });
    expect(monitoringSteps(plan(after, config))).toEqual([]);
  });

  it("every generated query parses, reads known columns only, and starts at its ingestion time", () => {
    const steps = monitoringSteps(plan(bare(), withMonitoring()));
    const queries = steps
      .filter((s) => s.objectRef.type === "scheduledQueryRule")
      .map((s) => (s.request.body as Json).properties.criteria.allOf[0].query as string);
    expect(queries).toHaveLength(6);
    for (const q of queries) {
      expect(queryProblems(q)).toMatchObject({ syntax: [], unknownColumns: [] });
      expect(q).toMatch(/\| where ingestion_time\(\) > ago\(5m\)/);
      expect(q).not.toMatch(/@/); // object ids only, never a UPN
    }
    expect(queryProblems("SigninLogs | where UserIdd == 'x'").unknownColumns).toEqual(["UserIdd"]);
  });

  it("drift: a rule edited through ARM, and a diagnostic category removed, are planned back and named", () => {
    const config = withMonitoring();
    const after = applyInMemory(bare(), plan(bare(), config));
    const drifted = clone(after);
    const rule = (drifted.azure!.scheduledQueryRules as Json[]).find((r) => r.name === "breakglass-signin")!;
    const accountId = good.snapshot.users!.find((u) => u.userPrincipalName?.startsWith("zt4p9w@"))!.id;
    rule.properties.criteria.allOf[0].query = `SigninLogs | where UserId =~ "${accountId}"`;
    rule.properties.severity = 3;
    rule.properties.actions = { actionGroups: [] };
    const setting = (drifted.azure!.diagnosticSettings as Json[])[0]!;
    setting.properties.logs = (setting.properties.logs as Json[]).filter((l) => l.category !== "AuditLogs");

    const steps = monitoringSteps(plan(drifted, config));
    expect(steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "update diagnostics.breakglass-entra-logs",
      "update signinAlert.signin",
    ]);
    expect(steps[0]!.changes).toEqual([{ property: "logs.AuditLogs.enabled", new: true }]);
    expect(steps[1]!.changes.map((c) => c.property).sort()).toEqual(["actions", "criteria", "severity"]);
    expect(steps[1]!.changes.find((c) => c.property === "severity")).toMatchObject({ old: 3, new: 0 });
  });

  it("a rule under another name that covers a family is counted, and only the missing families are written", () => {
    const config = withMonitoring();
    const s = bare();
    const rules = (good.snapshot.azure!.scheduledQueryRules as Json[]).filter((r) => /signin/.test(r.name));
    (s.azure as Json).scheduledQueryRules = rules;
    (s.azure as Json).actionGroups = good.snapshot.azure!.actionGroups;
    const ids = monitoringSteps(plan(s, config)).map((x) => x.id);
    expect(ids).not.toContain("signinAlert.signin");
    expect(ids).toContain("auditAlerts.roles");
  });

  it("Sentinel: scheduled analytics rules creating incidents and a watchlist; the predicted tenant passes EA-MON-03/04", () => {
    const config = withMonitoring({ alertsIn: "sentinel", actionGroup: undefined });
    const before = bare();
    (before.azure as Json).sentinelAlertRules = [];
    (before.azure as Json).sentinelWatchlists = [];
    const steps = monitoringSteps(plan(before, config));
    const rules = steps.filter((s) => s.objectRef.type === "sentinelAlertRule");
    expect(rules).toHaveLength(6);
    expect(rules[0]!.request.url).toMatch(
      /\/providers\/Microsoft\.SecurityInsights\/alertRules\/[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\?api-version=2024-09-01$/,
    );
    expect((rules[0]!.request.body as Json).properties).toMatchObject({
      queryFrequency: "PT5M",
      queryPeriod: "PT1H",
      triggerOperator: "GreaterThan",
      triggerThreshold: 0,
      suppressionEnabled: false,
      incidentConfiguration: { createIncident: true },
    });
    expect(steps.map((s) => s.id)).toContain("sentinel.watchlist");
    const after = applyInMemory(before, plan(before, config));
    const verdicts = monitoringVerdicts(after, config);
    expect([verdicts["EA-MON-03"], verdicts["EA-MON-04"]]).toEqual(["pass", "pass"]);
    expect(monitoringSteps(plan(after, config))).toEqual([]);
  });

  it("a configuration naming no workspace plans no monitoring; a missing workspace is an input error", () => {
    expect(monitoringSteps(plan(bare(), good.config))).toEqual([]);
    expect(() => plan(bare(), withMonitoring({ workspace: "nope" }))).toThrow(
      /workspace nope .* was not found/,
    );
  });
});

// Strings of any code point: `binaryCodePoint` draws what `{ unit: "binary" }` draws without leaving
// fast-check's 85 MB map of characters in the worker (test/support/arbitraries.ts).
describe("queries from hostile tenant strings", () => {
  const literals = (q: string): unknown[] =>
    descendants(parseKql(q).root)
      .filter((n) => nodeClass(n) === "LiteralExpression")
      // strings decoded; other literals (the timespan) as written
      .map((n) => (typeof n.LiteralValue === "string" ? n.LiteralValue : q.slice(n.TextStart, n.End).trim()));
  const shape = (q: string): string[] =>
    descendants(parseKql(q).root)
      .filter((n) => !n.IsToken && nodeClass(n) !== "LiteralExpression")
      .map(nodeClass);

  it("a literal decodes to exactly its input, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: binaryCodePoint }), (s) => {
        const q = `print x = ${kqlString(s)}`;
        expect(parseKql(q).errors).toEqual([]);
        expect(literals(q)).toEqual([s]);
      }),
      { numRuns: 100 },
    );
  });

  it("ids with quotes, backslashes, pipes, newlines and keywords cannot change a query's meaning", () => {
    const hostile = fc.oneof(
      fc.string({ unit: binaryCodePoint, maxLength: 40 }),
      fc.constantFrom(
        '" | where true | project x //',
        "\\",
        '\\"',
        "\n| take 1",
        "' or 1==1 or '",
        "in~",
        "`",
        '@"x"',
      ),
    );
    const benign = ruleSpecs({ accountIds: ["a", "b"], groupId: "g", frequency: "PT5M" });
    fc.assert(
      fc.property(
        hostile,
        hostile,
        hostile.filter((x) => x !== ""),
        (a, b, g) => {
          const specs = ruleSpecs({ accountIds: [a, b], groupId: g, frequency: "PT5M" });
          expect(specs.map((x) => x.family)).toEqual(benign.map((x) => x.family));
          specs.forEach((spec) => {
            const same = benign.find((x) => x.family === spec.family)!;
            expect(parseKql(spec.query).errors).toEqual([]);
            expect(shape(spec.query)).toEqual(shape(same.query));
            const expected = literals(same.query).map((v) =>
              v === "a" ? a : v === "b" ? b : v === "g" ? g : v,
            );
            expect(literals(spec.query)).toEqual(expected);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
