/**
 * The detection rules deploy writes (docs/deploy.md steps 13-15), as data independent of where they
 * run: a name, a description and a checked query. `alerts.ts` renders them as Azure Monitor log
 * search alerts or Sentinel analytics rules, `export-rules` as files.
 *
 * Queries name principals by object id only (never a display name or UPN, which can be renamed), as
 * escaped literals (kql-build.ts), and each is parsed and checked against the table schema before it
 * is returned. Each starts with `ingestion_time() > ago(<frequency>)`: an event is selected in the one
 * run after it reaches the workspace, however late its TimeGenerated, while the rule's query time
 * range (Sentinel: look-back) of LOOKBACK admits events that arrive up to that late (Microsoft's
 * "Handle ingestion delay in scheduled analytics rules"; the same pattern for Azure Monitor).
 */
import { checkedQuery, kqlList, kqlString, kqlTimespan } from "./kql-build.js";

export type RuleFamily = "signin" | "group" | "roles" | "policies" | "credentials" | "activity";

export interface RuleSpec {
  family: RuleFamily;
  kind: "signinAlert" | "auditAlerts";
  /** the rule's name suffix, after the configured prefix */
  suffix: string;
  displayName: string;
  description: string;
  query: string;
  satisfies: string[];
  /** MITRE ATT&CK tactics, for Sentinel */
  tactics: string[];
}

/** What the rules are about: object ids (lower-case), or `{{ref:...}}` for objects the plan creates. */
export interface RuleSubjects {
  accountIds: string[];
  groupId?: string;
  /** the run interval, ISO 8601 (profile.alert.maxFrequency) */
  frequency: string;
}

// Operation names from Entra's audit-activity reference (docs/monitoring.md §4), compared with in~.
const GROUP_OPERATIONS = [
  "Add member to group",
  "Remove member from group",
  "Add owner to group",
  "Remove owner from group",
  "Update group",
  "Delete group",
  "Hard delete group",
  "Restore Group",
];
const POLICY_OPERATIONS = [
  "Add conditional access policy",
  "Update conditional access policy",
  "Delete conditional access policy",
];
const CREDENTIAL_OPERATIONS = [
  "User registered security info",
  "User deleted security info",
  "User changed default security info",
  "User registered all required security info",
  "Admin registered security info",
  "Admin updated security info",
  "Admin deleted security info",
  "Reset password (by admin)",
  "Reset user password",
  "Change user password",
  "Change password (self-service)",
  "Reset password (self-service)",
];

export function ruleSpecs(s: RuleSubjects): RuleSpec[] {
  const since = `| where ingestion_time() > ago(${kqlTimespan(s.frequency)})`;
  const ids = kqlList(s.accountIds);
  const principals = kqlList([...s.accountIds, ...(s.groupId ? [s.groupId] : [])]);
  const audit = (...lines: string[]) => checkedQuery(["AuditLogs", since, ...lines].join("\n"));
  const out: RuleSpec[] = [
    {
      family: "signin",
      kind: "signinAlert",
      suffix: "signin",
      displayName: "Emergency access account sign-in",
      description:
        "Any sign-in, successful or failed, interactive or not, of an emergency access account (by object id).",
      query: checkedQuery(
        [
          "union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs",
          since,
          `| where UserId in~ ${ids}`,
          "| project TimeGenerated, Type, UserId, UserPrincipalName, ResultType, ResultDescription, IPAddress, AppDisplayName, CorrelationId",
        ].join("\n"),
      ),
      satisfies: ["EA-MON-03"],
      tactics: ["InitialAccess", "PrivilegeEscalation"],
    },
  ];
  if (s.groupId)
    out.push({
      family: "group",
      kind: "auditAlerts",
      suffix: "group",
      displayName: "Emergency access group changed",
      description:
        "A member or owner added to or removed from the emergency access group, or the group changed.",
      query: audit(
        `| where OperationName in~ ${kqlList(GROUP_OPERATIONS)}`,
        `| where TargetResources has ${kqlString(s.groupId)}`,
      ),
      satisfies: ["EA-MON-04"],
      tactics: ["Persistence", "PrivilegeEscalation"],
    });
  out.push(
    {
      family: "roles",
      kind: "auditAlerts",
      suffix: "roles",
      displayName: "Emergency access role changed",
      description: "A directory role assigned to or removed from an emergency access account or group.",
      query: audit('| where Category =~ "RoleManagement"', `| where TargetResources has_any ${principals}`),
      satisfies: ["EA-MON-04"],
      tactics: ["PrivilegeEscalation"],
    },
    {
      family: "policies",
      kind: "auditAlerts",
      suffix: "policies",
      displayName: "Conditional Access policy changed",
      description:
        "A Conditional Access policy added, updated or deleted (an exclusion of the emergency group may be gone).",
      query: audit(`| where OperationName in~ ${kqlList(POLICY_OPERATIONS)}`),
      satisfies: ["EA-MON-04"],
      tactics: ["DefenseEvasion"],
    },
    {
      family: "credentials",
      kind: "auditAlerts",
      suffix: "credentials",
      displayName: "Emergency access account credentials changed",
      description:
        "Security info registered or deleted, or a password reset or changed, on an emergency access account.",
      query: audit(
        `| where OperationName in~ ${kqlList(CREDENTIAL_OPERATIONS)}`,
        `| where TargetResources has_any ${ids}`,
      ),
      satisfies: ["EA-MON-04"],
      tactics: ["Persistence", "CredentialAccess"],
    },
    {
      family: "activity",
      kind: "auditAlerts",
      suffix: "activity",
      displayName: "Emergency access account activity",
      description: "Any audited change made by an emergency access account.",
      query: audit(`| where tostring(InitiatedBy.user.id) in~ ${ids}`),
      satisfies: ["EA-MON-04"],
      tactics: ["PrivilegeEscalation"],
    },
  );
  return out;
}
