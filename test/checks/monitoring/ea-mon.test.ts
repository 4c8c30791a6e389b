import { describe, expect, it } from "vitest";
import { check as mon01 } from "../../../src/checks/ea-mon-01-log-export.js";
import { check as mon02 } from "../../../src/checks/ea-mon-02-retention.js";
import { check as mon03 } from "../../../src/checks/ea-mon-03-signin-alert.js";
import { check as mon04 } from "../../../src/checks/ea-mon-04-audit-alerts.js";
import { CHECKS } from "../../../src/checks/registry.js";

const monitoringAndPolicyChecks = CHECKS.filter((c) => /^EA-(MON-0[1-4]|CA-0[23478])$/.test(c.id));
import {
  A,
  AG,
  B,
  GROUP,
  SIGNIN_QUERY,
  WS,
  goodTenant,
  run,
  sentinelRule,
  sqr,
  withoutP1,
} from "./tenant.js";

const findingOf = (r: { findings: Array<{ subject?: { id: string } }> }, id: string) =>
  r.findings.find((f) => f.subject?.id === id) as any;

describe("the good tenant", () => {
  it("passes every monitoring and policy check", () => {
    for (const c of monitoringAndPolicyChecks)
      expect([c.id, run(c, goodTenant()).status]).toEqual([c.id, "pass"]);
  });
  it("gives every check its documentation beside it", () => {
    for (const c of monitoringAndPolicyChecks) {
      expect(c.docs, c.id).toContain(c.id);
      for (const part of [
        "## What",
        "## Why",
        "## When it applies",
        "## How it is evaluated",
        "## How to fix",
      ])
        expect(c.docs, `${c.id} ${part}`).toContain(part);
    }
  });
  it("skips every monitoring check without Entra ID P1, with the reason", () => {
    for (const c of [mon01, mon02, mon03, mon04]) {
      const r = run(c, withoutP1(goodTenant()));
      expect(r.status).toBe("skip");
      expect(r.reason).toMatch(/Entra ID P1/);
    }
  });
});

describe("EA-MON-01 log export", () => {
  it("fails and names the category that is not exported", () => {
    const t = goodTenant();
    t.azure.diagnosticSettings[0].properties.logs[2].enabled = false;
    const r = run(mon01, t);
    expect(r.status).toBe("fail");
    const f = r.findings.find((x) => x.status === "fail")!;
    expect(f.message).toContain("NonInteractiveUserSignInLogs");
    expect(f.remediation?.graph).toContain("microsoft.aadiam/diagnosticSettings");
  });
  it("is unknown when the diagnostic settings could not be read", () => {
    const t = goodTenant();
    t.unavailable = { "azure.diagnosticSettings": "403 AuthorizationFailed" };
    const r = run(mon01, t);
    expect(r.status).toBe("unknown");
    expect(r.reason).toContain("403 AuthorizationFailed");
  });
  it("keeps a proven fail beside unreadable licences", () => {
    const t = goodTenant();
    t.azure.diagnosticSettings = [];
    delete t.subscribedSkus;
    t.unavailable = { subscribedSkus: "403" };
    expect(run(mon01, t).status).toBe("fail");
    expect(
      run(mon01, { ...goodTenant(), subscribedSkus: undefined, unavailable: { subscribedSkus: "403" } })
        .status,
    ).toBe("unknown");
  });
  it("warns when the sign-in categories go to different workspaces", () => {
    const t = goodTenant();
    const other = `${WS}-2`;
    t.azure.workspaces.push({ id: other, name: "other", properties: { retentionInDays: 90 } });
    t.azure.diagnosticSettings[0].properties.logs[2].enabled = false;
    t.azure.diagnosticSettings.push({
      id: "/providers/microsoft.aadiam/diagnosticSettings/ni",
      name: "ni",
      properties: { workspaceId: other, logs: [{ category: "NonInteractiveUserSignInLogs", enabled: true }] },
    });
    expect(run(mon01, t).status).toBe("warn");
  });
});

describe("EA-MON-02 retention", () => {
  it("passes on the workspace's retention inherited by the tables", () => {
    const r = run(mon02, goodTenant());
    expect(r.status).toBe("pass");
    expect(findingOf(r, "SigninLogs").evidence.from).toBe("workspace");
  });
  it("fails when a table keeps less than retentionDays", () => {
    const t = goodTenant();
    t.azure.tables.push({
      id: `${WS}/tables/AuditLogs`,
      name: "AuditLogs",
      properties: { retentionInDays: 30, totalRetentionInDays: 30 },
    });
    const r = run(mon02, t);
    expect(r.status).toBe("fail");
    expect(findingOf(r, "AuditLogs").message).toContain("30 days");
  });
  it("only warns when the total retention alone reaches retentionDays", () => {
    const t = goodTenant();
    t.azure.tables.push({
      id: `${WS}/tables/SigninLogs`,
      name: "SigninLogs",
      properties: { retentionInDays: 30, totalRetentionInDays: 365 },
    });
    expect(run(mon02, t).status).toBe("warn");
  });
  it("is unknown when the tables could not be read", () => {
    const t = goodTenant();
    t.unavailable = { "azure.tables": "403" };
    expect(run(mon02, t).status).toBe("unknown");
  });
  it("keeps a proven fail beside unreadable tables", () => {
    const t = goodTenant();
    t.azure.workspaces[0].properties.retentionInDays = 30;
    t.unavailable = { "azure.tables": "403" };
    delete t.azure.tables;
    // No table readable: the workspace's 30 days cannot be overridden by an unread table: unknown.
    expect(run(mon02, t).status).toBe("unknown");
    const t2 = goodTenant();
    t2.azure.diagnosticSettings[0].properties.logs[0].enabled = false; // AuditLogs not exported at all
    t2.unavailable = { "azure.tables": "403" };
    delete t2.azure.tables;
    expect(run(mon02, t2).status).toBe("fail");
  });
});

describe("EA-MON-03 sign-in alert", () => {
  it("passes with an Azure Monitor rule naming both accounts in both tables", () => {
    const r = run(mon03, goodTenant());
    expect(r.status).toBe("pass");
    const f = findingOf(r, A.id);
    expect(f.evidence.tables.SigninLogs.bestRule.name).toBe("bg-signin");
    expect(f.evidence.tables.SigninLogs.bestRule.query).toEqual(["UserId in~ (ids)"]);
  });
  it("fails the account a query leaves out, naming why", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[0] = sqr(
      "bg-signin",
      `SigninLogs | where UserId == "${A.id}" and ResultType == "0"`,
    );
    const r = run(mon03, t);
    expect(r.status).toBe("fail");
    const f = findingOf(r, A.id);
    expect(JSON.stringify(f.evidence)).toContain('ResultType == \\"0\\"');
    expect(findingOf(r, B.id).status).toBe("fail");
  });
  it("fails when the query reads only the interactive table", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[0] = sqr("bg-signin", `SigninLogs | where UserId in ("${A.id}", "${B.id}")`);
    const r = run(mon03, t);
    expect(r.status).toBe("fail");
    expect(JSON.stringify(findingOf(r, A.id).evidence)).toContain(
      "does not read AADNonInteractiveUserSignInLogs",
    );
  });
  it("fails a rule that does not reach a person: no receivers, disabled, muted, 2 of 3 periods", () => {
    const variants: Array<(t: any) => void> = [
      (t) => (t.azure.actionGroups[0].properties.emailReceivers = []),
      (t) => (t.azure.actionGroups[0].properties.enabled = false),
      (t) => (t.azure.scheduledQueryRules[0].properties.enabled = false),
      (t) => (t.azure.scheduledQueryRules[0].properties.muteActionsDuration = "PT1H"),
      (t) =>
        (t.azure.scheduledQueryRules[0].properties.criteria.allOf[0].failingPeriods = {
          numberOfEvaluationPeriods: 3,
          minFailingPeriodsToAlert: 2,
        }),
      (t) => (t.azure.scheduledQueryRules[0].properties.criteria.allOf[0].threshold = 5),
      (t) => (t.azure.scheduledQueryRules[0].properties.severity = 3),
      (t) => (t.azure.scheduledQueryRules[0].properties.evaluationFrequency = "PT1H"),
      (t) => (t.azure.scheduledQueryRules[0].properties.windowSize = "PT1M"),
      (t) => (t.azure.scheduledQueryRules[0].properties.scopes = [`${WS}-elsewhere`]),
      (t) => (t.azure.scheduledQueryRules[0].properties.actions = { actionGroups: [`${AG}-gone`] }),
      (t) => (t.azure.scheduledQueryRules[0].properties.overrideQueryTimeRange = "PT1M"),
      (t) => (t.azure.scheduledQueryRules[0].kind = "LogToMetric"),
      (t) => (t.azure.scheduledQueryRules[0].properties.actions = { actionGroups: [] }),
    ];
    for (const [i, mutate] of variants.entries()) {
      const t = goodTenant();
      mutate(t);
      expect([i, run(mon03, t).status]).toEqual([i, "fail"]);
    }
  });
  it("warns on autoMitigate (also when absent: Microsoft's default is true)", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[0].properties.autoMitigate = true;
    expect(run(mon03, t).status).toBe("warn");
    delete t.azure.scheduledQueryRules[0].properties.autoMitigate;
    expect(run(mon03, t).status).toBe("warn");
  });
  it("warns when only a case-sensitive UPN comparison names an account", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[0] = sqr(
      "bg-signin",
      `union SigninLogs, AADNonInteractiveUserSignInLogs | where UserPrincipalName == "${A.upn}" or UserId == "${B.id}"`,
    );
    const r = run(mon03, t);
    expect(r.status).toBe("warn");
    expect(findingOf(r, A.id).status).toBe("warn");
    expect(findingOf(r, B.id).status).toBe("pass");
  });
  it("passes with a Sentinel rule creating incidents when Azure Monitor is unreadable", () => {
    const t = goodTenant();
    delete t.azure.scheduledQueryRules;
    t.unavailable = { "azure.scheduledQueryRules": "403" };
    t.azure.sentinelAlertRules = [sentinelRule("bg", SIGNIN_QUERY)];
    expect(run(mon03, t).status).toBe("pass");
    t.azure.sentinelAlertRules = [sentinelRule("bg", SIGNIN_QUERY, {}, "NRT")];
    expect(run(mon03, t).status).toBe("pass");
  });
  it("fails a Sentinel rule that creates no incident or is Low", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules = [];
    t.azure.sentinelAlertRules = [
      sentinelRule("bg", SIGNIN_QUERY, { incidentConfiguration: { createIncident: false } }),
    ];
    expect(run(mon03, t).status).toBe("fail");
    t.azure.sentinelAlertRules = [sentinelRule("bg", SIGNIN_QUERY, { severity: "Medium" })];
    expect(run(mon03, t).status).toBe("fail");
    expect(run(mon03, t, { config: { profile: { alert: { maxSeverity: 2 } } } }).status).toBe("pass");
  });
  it("is unknown when a Sentinel rule reads a watchlist the snapshot lacks, and decides once it is there", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules = [];
    const q = `let bg = _GetWatchlist('BreakGlass') | project SearchKey;
union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs | where UserPrincipalName in~ (bg)`;
    t.azure.sentinelAlertRules = [sentinelRule("bg", q)];
    const r = run(mon03, t);
    expect(r.status).toBe("unknown");
    expect(JSON.stringify(r.findings)).toContain("watchlist BreakGlass");
    t.azure.sentinelWatchlists = [
      {
        id: `${WS}/providers/Microsoft.SecurityInsights/watchlists/BreakGlass`,
        name: "BreakGlass",
        properties: { watchlistAlias: "BreakGlass", itemsSearchKey: "AccountUPN" },
        items: [
          { properties: { itemsKeyValue: { AccountUPN: A.upn } } },
          { properties: { itemsKeyValue: { AccountUPN: B.upn } } },
        ],
      },
    ];
    expect(run(mon03, t).status).toBe("pass");
    // A watchlist of the same alias in another workspace is not the one the rule reads.
    t.azure.sentinelWatchlists[0].id = `${WS}-other/providers/Microsoft.SecurityInsights/watchlists/BreakGlass`;
    expect(run(mon03, t).status).toBe("unknown");
    t.azure.sentinelWatchlists[0].id = `${WS}/providers/Microsoft.SecurityInsights/watchlists/BreakGlass`;
    t.azure.sentinelWatchlists[0].items.pop();
    expect(run(mon03, t).status).toBe("fail");
  });
  it("is unknown when no alert source can be read", () => {
    const t = goodTenant();
    delete t.azure.scheduledQueryRules;
    delete t.azure.sentinelAlertRules;
    t.unavailable = { "azure.scheduledQueryRules": "403", "azure.sentinelAlertRules": "403" };
    const r = run(mon03, t);
    expect(r.status).toBe("unknown");
  });
  it("is unknown, not fail, when the rules read do not watch but Sentinel could not be read", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules = [];
    delete t.azure.sentinelAlertRules;
    t.unavailable = { "azure.sentinelAlertRules": "no Sentinel workspace readable" };
    expect(run(mon03, t).status).toBe("unknown");
  });
  it("keeps a proven fail (no sign-in workspace) beside unreadable alert rules", () => {
    const t = goodTenant();
    t.azure.diagnosticSettings[0].properties.logs[1].enabled = false;
    delete t.azure.scheduledQueryRules;
    delete t.azure.sentinelAlertRules;
    t.unavailable = { "azure.scheduledQueryRules": "403", "azure.sentinelAlertRules": "403" };
    expect(run(mon03, t).status).toBe("fail");
  });
  it("is unknown when action groups cannot be read", () => {
    const t = goodTenant();
    delete t.azure.actionGroups;
    t.unavailable = { "azure.actionGroups": "403" };
    expect(run(mon03, t).status).toBe("unknown");
  });
  it("does not depend on the order rules were returned in", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules.unshift(sqr("aa-weak", SIGNIN_QUERY, { severity: 4 }));
    const forward = run(mon03, t);
    t.azure.scheduledQueryRules.reverse();
    expect(run(mon03, t)).toEqual(forward);
    expect(forward.status).toBe("pass");
  });
});

describe("EA-MON-04 audit alert families", () => {
  it("passes when one audit rule covers every family", () => {
    const r = run(mon04, goodTenant());
    expect(r.status).toBe("pass");
    expect(r.findings.filter((f) => f.status === "pass")).toHaveLength(5);
  });
  it("fails a partial setup and names the missing families", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[1] = sqr(
      "bg-audit",
      `AuditLogs | where OperationName has "conditional access policy"`,
    );
    const r = run(mon04, t);
    expect(r.status).toBe("fail");
    const summary = r.findings[0]!;
    expect(summary.message).toContain("(1) emergency group membership");
    expect(summary.message).toContain("(5) any audit event initiated by an account");
    expect(summary.message).not.toContain("(3)");
  });
  it("fails the credential family when the query keeps only successful events", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[1].properties.criteria.allOf[0].query += `\n| where Result == "success"`;
    const r = run(mon04, t);
    expect(r.status).toBe("fail");
  });
  it("does not require the group family without a group", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[1] = sqr(
      "bg-audit",
      `AuditLogs | where TargetResources has_any ("${A.id}", "${B.id}") or tostring(InitiatedBy.user.id) in~ ("${A.id}", "${B.id}") or OperationName has "conditional access policy"`,
    );
    expect(run(mon04, t).status).toBe("fail");
    expect(run(mon04, t, { accounts: { group: undefined }, config: { group: undefined } }).status).toBe(
      "pass",
    );
  });
  it("is unknown when no alert source can be read, and skips without P1", () => {
    const t = goodTenant();
    delete t.azure.scheduledQueryRules;
    delete t.azure.sentinelAlertRules;
    t.unavailable = { "azure.scheduledQueryRules": "403", "azure.sentinelAlertRules": "403" };
    expect(run(mon04, t).status).toBe("unknown");
    expect(run(mon04, withoutP1(goodTenant())).status).toBe("skip");
  });
  it("keeps a proven fail (AuditLogs not exported) beside unreadable rules", () => {
    const t = goodTenant();
    t.azure.diagnosticSettings[0].properties.logs[0].enabled = false;
    delete t.azure.scheduledQueryRules;
    t.unavailable = { "azure.scheduledQueryRules": "403", "azure.sentinelAlertRules": "403" };
    delete t.azure.sentinelAlertRules;
    expect(run(mon04, t).status).toBe("fail");
  });
  it("accepts Sentinel rules for some families and Azure Monitor for others", () => {
    const t = goodTenant();
    t.azure.scheduledQueryRules[1] = sqr(
      "ca",
      `AuditLogs | where OperationName has "conditional access policy"`,
    );
    t.azure.sentinelAlertRules = [
      sentinelRule(
        "bg-audit",
        `AuditLogs | where TargetResources has_any ("${A.id}", "${B.id}", "${GROUP}") or tostring(InitiatedBy.user.id) in~ ("${A.id}", "${B.id}")`,
      ),
    ];
    expect(run(mon04, t).status).toBe("pass");
  });
});

it("EA-MON-04 is unknown for the group family when the configured group did not resolve", () => {
  const r = run(mon04, goodTenant(), { accounts: { group: undefined, unresolvedGroup: "grp-missing" } });
  expect(r.status).toBe("unknown");
  expect(JSON.stringify(r.findings)).toContain("grp-missing");
});
