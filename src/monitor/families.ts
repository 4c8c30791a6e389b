/**
 * The five audit-event families of EA-MON-04, as synthetic AuditLogs rows a query must keep, and
 * which families one query covers. Operation names come from Microsoft's audit-activity reference
 * (docs/monitoring.md §4); each family is tested with every event that must raise it, so a query narrowed
 * to some of them (only "Add ... policy", only successful events) misses the family.
 */
import type { KqlEntity, LogRow, QueryAnalysis } from "./kql.js";
import { AUDIT_TABLE, watchVerdict } from "./kql.js";

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

// Operation names from Microsoft's audit-activity reference (docs/monitoring.md §4). Each family is tested
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

/** The families for these accounts (sorted) and the emergency group, if any. */
export function auditFamilies(accounts: KqlEntity[], group?: KqlEntity): AuditFamily[] {
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

/** The families (ids) a single query covers on its own: it keeps every event of the family. */
export function familiesCovered(q: QueryAnalysis, families: AuditFamily[]): number[] {
  return families
    .filter(
      (f) =>
        !f.notApplicable &&
        f.rows.length > 0 &&
        f.rows.every(({ row }) => watchVerdict(q, row, f.requireIdentity).status === "watched"),
    )
    .map((f) => f.id);
}
