/** EA-MON-03: an alert that reaches a person watches every account in both sign-in tables. */
import { accountEntity } from "../monitor/check-support.js";
import { defineCheck, lacksLicence, sortedAccounts, userSubject } from "./lib/index.js";
import { alertRules, resolveWorkspaces, unreadableAlertSources } from "../monitor/alerts.js";
import type { CoverageStatus, RowCoverage } from "../monitor/coverage.js";
import { rowCoverage, worseOf } from "../monitor/coverage.js";
import { SIGNIN_TABLES } from "../monitor/kql.js";
import { isAvailable } from "../snapshot/availability.js";
import type { Finding, Remediation } from "./types.js";

export const SIGNIN_ALERT_REMEDIATION: Remediation = {
  summary:
    "Create a log search alert on the sign-in workspace: Count > 0 over 1 of 1 periods, Sev 0, no mute, autoMitigate off, frequency PT5M (window >= frequency), an action group with receivers, and a query naming every account by object id in both sign-in tables.",
  portal:
    'Azure portal > Log Analytics workspace (sign-in workspace) > Alerts > Create > Alert rule > Custom log search: union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs | where UserId in~ ("<id1>", "<id2>"); Measure: Table rows, Count; Operator Greater than 0; Frequency 5 minutes; Severity 0 - Critical; Actions: an action group with e-mail and SMS receivers',
  graph:
    'PUT https://management.azure.com/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Insights/scheduledQueryRules/breakglass-signin?api-version=2023-12-01 {"location":"<region>","kind":"LogAlert","properties":{"severity":0,"enabled":true,"scopes":["<workspace ARM id>"],"evaluationFrequency":"PT5M","windowSize":"PT5M","criteria":{"allOf":[{"query":"union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs | where UserId in~ (\\"<id1>\\", \\"<id2>\\")","timeAggregation":"Count","operator":"GreaterThan","threshold":0,"failingPeriods":{"numberOfEvaluationPeriods":1,"minFailingPeriodsToAlert":1}}]},"autoMitigate":false,"actions":{"actionGroups":["<action group ARM id>"]}}}',
  command:
    "az monitor scheduled-query create -g <rg> -n breakglass-signin --scopes <workspace ARM id> --condition \"count 'Q' > 0\" --condition-query Q=\"union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs | where UserId in~ ('<id1>', '<id2>')\" --evaluation-frequency 5m --window-size 5m --severity 0 --auto-mitigate false --action-groups <action group ARM id>",
};

/** Shortens a coverage verdict to what a reader needs: the best rule, and why the others fall short. */
export function coverageEvidence(c: RowCoverage): Record<string, unknown> {
  return {
    status: c.status,
    bestRule: c.best
      ? { name: c.best.rule, id: c.best.ruleId, reasons: c.best.reasons, query: c.best.excerpts }
      : null,
    otherRules: c.rules
      .filter((r) => r !== c.best)
      .slice(0, 5)
      .map((r) => ({ name: r.rule, id: r.ruleId, status: r.status, reasons: r.reasons, query: r.excerpts })),
  };
}

export const check = defineCheck(import.meta.url, {
  id: "EA-MON-03",
  title: "An alert that reaches a person watches every sign-in of every account",
  severity: "critical",
  sources: ["000", "001", "002", "004"],
  needs: [
    "azure.diagnosticSettings",
    { anyOf: ["azure.scheduledQueryRules", "azure.sentinelAlertRules"] },
    "subscribedSkus",
  ],
  appliesTo: (ctx) => lacksLicence(ctx, "p1", "exporting sign-in logs"),
  evaluate(ctx) {
    const s = ctx.snapshot;
    if (!isAvailable(s, "azure.diagnosticSettings")) return [];
    const accounts = sortedAccounts(ctx);
    if (accounts.length === 0)
      return [{ status: "unknown", message: "No emergency account is known, so no alert can be graded." }];
    const ws = resolveWorkspaces(s);
    if (ws.signInWorkspaces.length === 0)
      return [
        {
          status: "fail",
          subject: {
            type: "resource",
            id: "microsoft.aadiam/sign-in-workspace",
            displayName: "sign-in workspace",
          },
          message:
            "No workspace receives both SignInLogs and NonInteractiveUserSignInLogs, so no alert can watch every sign-in (see EA-MON-01).",
          evidence: { routes: Object.fromEntries(ws.routes) },
          remediation: SIGNIN_ALERT_REMEDIATION,
        },
      ];
    const rules = alertRules(s, ctx.config);
    const unreadable = unreadableAlertSources(s);
    const findings: Finding[] = [];
    for (const account of accounts) {
      const perTable: Record<string, Record<string, unknown>> = {};
      let status: CoverageStatus = "pass";
      for (const table of SIGNIN_TABLES) {
        const c = rowCoverage(
          rules,
          { table, user: accountEntity(account) },
          {
            workspaces: ws.signInWorkspaces,
            requireIdentity: true,
            timing: true,
            config: ctx.config,
          },
        );
        perTable[table] = coverageEvidence(c);
        status = worseOf(status, c.status);
      }
      // A rule in an unreadable source may be the one that watches: not proven either way.
      if (status === "fail" && unreadable.length > 0) status = "unknown";
      const name = account.userPrincipalName ?? account.id;
      findings.push({
        status,
        subject: userSubject(account),
        message:
          status === "pass"
            ? `Sign-ins of ${name} in both sign-in tables raise an alert that reaches a person.`
            : status === "warn"
              ? `Sign-ins of ${name} raise an alert, with a weakness to look at (see evidence).`
              : status === "unknown"
                ? `Whether sign-ins of ${name} raise an alert could not be decided${unreadable.length ? ` (unreadable: ${unreadable.join("; ")})` : ""}.`
                : `Sign-ins of ${name} do not reliably raise an alert that reaches a person.`,
        evidence: { signInWorkspaces: ws.signInWorkspaces, tables: perTable, rulesRead: rules.length },
        ...(status === "pass" ? {} : { remediation: SIGNIN_ALERT_REMEDIATION }),
      });
    }
    return findings;
  },
});
