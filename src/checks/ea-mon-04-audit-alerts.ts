/** EA-MON-04: alerts that reach a person cover every family of audit events on the emergency setup. */
import { accountEntity } from "../monitor/check-support.js";
import { defineCheck, lacksLicence, sortedAccounts, tenantSubject } from "./lib/index.js";
import { alertRules, resolveWorkspaces, unreadableAlertSources } from "../monitor/alerts.js";
import type { CoverageStatus } from "../monitor/coverage.js";
import { rowCoverage, worseOf } from "../monitor/coverage.js";
import type { AuditFamily } from "../monitor/families.js";
import { auditFamilies } from "../monitor/families.js";
import type { KqlEntity } from "../monitor/kql.js";
import { isAvailable } from "../snapshot/availability.js";
import type { Finding, Remediation } from "./types.js";
import { coverageEvidence } from "./ea-mon-03-signin-alert.js";

const remediationFor = (families: AuditFamily[]): Remediation => ({
  summary: `Add log search alerts (or Sentinel rules creating incidents) on the AuditLogs workspace for: ${families
    .map((f) => `(${f.id}) ${f.name}`)
    .join("; ")}.`,
  portal:
    "Azure portal > Log Analytics workspace > Alerts > Create > Alert rule > Custom log search; Count > 0, 1 of 1 periods, Sev 0, an action group with receivers. Queries: " +
    families.map((f) => f.sampleQuery).join(" ;; "),
  graph:
    "PUT https://management.azure.com/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Insights/scheduledQueryRules/<name>?api-version=2023-12-01 (same body as EA-MON-03, with the family's query)",
  command:
    'az monitor scheduled-query create -g <rg> -n <name> --scopes <workspace ARM id> --condition "count \'Q\' > 0" --condition-query Q="<family query>" --evaluation-frequency 5m --window-size 5m --severity 0 --auto-mitigate false --action-groups <action group ARM id>',
});

export const check = defineCheck(import.meta.url, {
  id: "EA-MON-04",
  title: "Alerts cover changes to the emergency setup and any action by the accounts",
  severity: "high",
  sources: ["000", "001"],
  needs: [
    "azure.diagnosticSettings",
    { anyOf: ["azure.scheduledQueryRules", "azure.sentinelAlertRules"] },
    "subscribedSkus",
  ],
  appliesTo: (ctx) => lacksLicence(ctx, "p1", "exporting audit logs"),
  evaluate(ctx) {
    const s = ctx.snapshot;
    if (!isAvailable(s, "azure.diagnosticSettings")) return [];
    if (ctx.accounts.resolved.length === 0)
      return [{ status: "unknown", message: "No emergency account is known, so no alert can be graded." }];
    const ws = resolveWorkspaces(s);
    const group: KqlEntity | undefined = ctx.accounts.group
      ? { id: ctx.accounts.group.id.toLowerCase(), type: "Group" }
      : undefined;
    const families = auditFamilies(sortedAccounts(ctx).map(accountEntity), group);
    if (ws.auditWorkspaces.length === 0)
      return [
        {
          status: "fail",
          subject: { type: "resource", id: "microsoft.aadiam/AuditLogs", displayName: "AuditLogs" },
          message:
            "AuditLogs are not sent to any workspace, so no alert can cover any family (see EA-MON-01).",
          evidence: { missingFamilies: families.filter((f) => !f.notApplicable).map((f) => f.name) },
          remediation: remediationFor(families),
        },
      ];
    const rules = alertRules(s, ctx.config);
    const unreadable = unreadableAlertSources(s);
    const findings: Finding[] = [];
    const missing: AuditFamily[] = [];
    const undecided: AuditFamily[] = [];
    for (const family of families) {
      const subject = {
        type: "resource" as const,
        id: `audit-family-${family.id}`,
        displayName: family.name,
      };
      if (family.notApplicable) {
        // A configured group that did not resolve cannot be looked for in the queries.
        const unresolved = family.id === 1 ? ctx.accounts.unresolvedGroup : undefined;
        findings.push(
          unresolved
            ? {
                status: "unknown",
                subject,
                message: `Family (${family.id}) ${family.name} cannot be checked: the configured group ${unresolved} was not found.`,
              }
            : {
                status: "pass",
                subject,
                message: `Family (${family.id}) ${family.name} does not apply: ${family.notApplicable}.`,
              },
        );
        continue;
      }
      let status: CoverageStatus = "pass";
      const events: Record<string, unknown> = {};
      for (const { label, row } of family.rows) {
        const c = rowCoverage(rules, row, {
          workspaces: ws.auditWorkspaces,
          requireIdentity: family.requireIdentity,
          config: ctx.config,
        });
        status = worseOf(status, c.status);
        events[label] = coverageEvidence(c);
      }
      if (status === "fail" && unreadable.length > 0) status = "unknown";
      if (status === "fail") missing.push(family);
      if (status === "unknown") undecided.push(family);
      findings.push({
        status,
        subject,
        message:
          status === "pass"
            ? `Family (${family.id}) ${family.name} raises an alert that reaches a person.`
            : status === "warn"
              ? `Family (${family.id}) ${family.name} raises an alert, with a weakness to look at.`
              : status === "unknown"
                ? `Whether family (${family.id}) ${family.name} raises an alert could not be decided.`
                : `Family (${family.id}) ${family.name} is not covered by an alert that reaches a person.`,
        evidence: { auditWorkspaces: ws.auditWorkspaces, events, unreadableSources: unreadable },
        ...(status === "pass" ? {} : { remediation: remediationFor([family]) }),
      });
    }
    if (missing.length > 0)
      findings.unshift({
        status: "fail",
        subject: tenantSubject(s),
        message: `Missing alert families: ${missing.map((f) => `(${f.id}) ${f.name}`).join("; ")}.`,
        evidence: {
          missingFamilies: missing.map((f) => f.id),
          undecidedFamilies: undecided.map((f) => f.id),
        },
        remediation: remediationFor(missing),
      });
    return findings;
  },
});
