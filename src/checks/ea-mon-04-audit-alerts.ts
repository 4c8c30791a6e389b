/** EA-MON-04: alerts that reach a person cover every family of audit events on the emergency setup. */
import { accountEntity, needsP1, readDoc, sortedAccounts } from "../monitor/check-support.js";
import { alertRules, resolveWorkspaces, unreadableAlertSources } from "../monitor/alerts.js";
import type { CoverageStatus } from "../monitor/coverage.js";
import { rowCoverage, worseOf } from "../monitor/coverage.js";
import type { KqlEntity, LogRow } from "../monitor/kql.js";
import { AUDIT_TABLE } from "../monitor/kql.js";
import { isAvailable } from "../snapshot/availability.js";
import type { Check, CheckContext, Finding, Remediation } from "./types.js";
import { coverageEvidence } from "./ea-mon-03-signin-alert.js";

/** One family of EA-MON-04: the audit events an alert must keep, as synthetic AuditLogs rows. */
export interface AuditFamily {
  id: number;
  name: string;
  /** the rule must name the principal (family 3 names no account). */
  requireIdentity: boolean;
  rows: Array<{ label: string; row: LogRow }>;
  /** why the family does not apply to this tenant. */
  notApplicable?: string;
  /** a query that covers the family, for the remediation. */
  sampleQuery: string;
}

const audit = (operation: string, category: string, extra: Partial<LogRow>): LogRow => ({
  table: AUDIT_TABLE,
  operation,
  category,
  ...extra,
});

// Operation names from Microsoft's audit-activity reference (monitoring.md §4). Each family is tested
// with the events that must raise it; a query narrowed to some of them misses the rest.
const GROUP_OPERATIONS = [
  "Add member to group",
  "Remove member from group",
  "Add owner to group",
  "Remove owner from group",
];
const ROLE_OPERATIONS = [
  "Add member to role",
  "Remove member from role",
  "Add eligible member to role",
  "Remove eligible member from role",
];
const CA_OPERATIONS = [
  "Add conditional access policy",
  "Update conditional access policy",
  "Delete conditional access policy",
];
const CREDENTIAL_OPERATIONS: Array<[string, boolean]> = [
  // [operation, the account itself initiates it]
  ["User registered security info", true],
  ["User deleted security info", true],
  ["Reset password (by admin)", false],
  ["Change user password", false],
];

export function auditFamilies(ctx: CheckContext): AuditFamily[] {
  const accounts = sortedAccounts(ctx).map(accountEntity);
  const group: KqlEntity | undefined = ctx.accounts.group
    ? { id: ctx.accounts.group.id.toLowerCase(), type: "Group" }
    : undefined;
  const ids = accounts.map((a) => `"${a.id}"`).join(", ");
  return [
    {
      id: 1,
      name: "emergency group membership and owner changes",
      requireIdentity: true,
      notApplicable: group ? undefined : "no emergency group is configured",
      rows: group
        ? GROUP_OPERATIONS.map((op) => ({
            label: `${op}: ${group.id}`,
            row: audit(op, "GroupManagement", { targets: [group] }),
          }))
        : [],
      sampleQuery: `AuditLogs | where OperationName has_any ("member to group", "member from group", "owner to group", "owner from group") | where TargetResources has "${group?.id ?? "<group id>"}"`,
    },
    {
      id: 2,
      name: "role changes of the accounts or group",
      requireIdentity: true,
      rows: [...accounts, ...(group ? [group] : [])].flatMap((principal) =>
        ROLE_OPERATIONS.map((op) => ({
          label: `${op}: ${principal.userPrincipalName ?? principal.id}`,
          row: audit(op, "RoleManagement", { targets: [principal] }),
        })),
      ),
      sampleQuery: `AuditLogs | where Category =~ "RoleManagement" | where TargetResources has_any (${ids}${group ? `, "${group.id}"` : ""})`,
    },
    {
      id: 3,
      name: "Conditional Access policy added, updated or deleted",
      requireIdentity: false,
      rows: CA_OPERATIONS.map((op) => ({ label: op, row: audit(op, "Policy", { targets: [] }) })),
      sampleQuery: 'AuditLogs | where OperationName has "conditional access policy"',
    },
    {
      id: 4,
      name: "security info registered or deleted, password reset or changed on an account",
      requireIdentity: true,
      rows: accounts.flatMap((a) =>
        CREDENTIAL_OPERATIONS.map(([op, self]) => ({
          label: `${op}: ${a.userPrincipalName ?? a.id}`,
          row: audit(op, "UserManagement", { targets: [a], ...(self ? { initiator: a } : {}) }),
        })),
      ),
      sampleQuery: `AuditLogs | where OperationName has "security info" or (OperationName has_any ("password") and OperationName has_any ("change", "changed", "reset")) | where TargetResources has_any (${ids})`,
    },
    {
      id: 5,
      name: "any audit event initiated by an account",
      requireIdentity: true,
      rows: accounts.map((a) => ({
        label: `any operation by ${a.userPrincipalName ?? a.id}`,
        row: { table: AUDIT_TABLE, initiator: a },
      })),
      sampleQuery: `AuditLogs | where tostring(InitiatedBy.user.id) in~ (${ids})`,
    },
  ];
}

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

export const check: Check = {
  id: "EA-MON-04",
  title: "Alerts cover changes to the emergency setup and any action by the accounts",
  severity: "high",
  sources: ["000", "001"],
  needs: [
    "azure.diagnosticSettings",
    { anyOf: ["azure.scheduledQueryRules", "azure.sentinelAlertRules"] },
    "subscribedSkus",
  ],
  get docs() {
    return readDoc(import.meta.url);
  },
  appliesTo: (ctx) => needsP1(ctx, "exporting audit logs"),
  evaluate(ctx) {
    const s = ctx.snapshot;
    if (!isAvailable(s, "azure.diagnosticSettings")) return [];
    if (ctx.accounts.resolved.length === 0)
      return [{ status: "unknown", message: "No emergency account is known, so no alert can be graded." }];
    const ws = resolveWorkspaces(s);
    const families = auditFamilies(ctx);
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
        findings.push({
          status: "pass",
          subject,
          message: `Family (${family.id}) ${family.name} does not apply: ${family.notApplicable}.`,
        });
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
        subject: { type: "tenant", id: s.tenant.id },
        message: `Missing alert families: ${missing.map((f) => `(${f.id}) ${f.name}`).join("; ")}.`,
        evidence: {
          missingFamilies: missing.map((f) => f.id),
          undecidedFamilies: undecided.map((f) => f.id),
        },
        remediation: remediationFor(missing),
      });
    return findings;
  },
};
