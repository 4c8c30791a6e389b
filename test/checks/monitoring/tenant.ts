/**
 * A small synthetic tenant for the monitoring and policy checks: two emergency accounts in an
 * emergency group, P1, a dedicated Conditional Access policy with a custom strength, Entra logs
 * exported to one workspace, and alert rules that reach a person. Tests clone it and break one thing.
 */
import { runCheck } from "../../../src/checks/runner.js";
import type { AccountResolution, Check, CheckContext, CheckResult } from "../../../src/checks/types.js";
import type { Config } from "../../../src/config/schema.js";
import { Config as ConfigSchema } from "../../../src/config/schema.js";
import { Directory } from "../../../src/snapshot/directory.js";
import { parseSnapshot } from "../../../src/snapshot/load.js";

export const A = { id: "0a1b2c3d-0000-4000-8000-00000000000a", upn: "k7q2m@contoso.onmicrosoft.com" };
export const B = { id: "0a1b2c3d-0000-4000-8000-00000000000b", upn: "x9w4z@contoso.onmicrosoft.com" };
export const OTHER = { id: "0a1b2c3d-0000-4000-8000-0000000000ff", upn: "alice@contoso.com" };
export const GROUP = "6e0c0c1d-6a52-4c8e-8f7b-0f0c2e6c1a44";
export const KEY_AAGUID = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
export const STRENGTH = "5b0e0c1d-0000-4c8e-8f7b-000000000001";
export const DEDICATED = "d0d0d0d0-0000-4000-8000-000000000001";
export const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-logs/providers";
export const WS = `${SUB}/Microsoft.OperationalInsights/workspaces/log-signin`;
export const AG = `${SUB}/Microsoft.Insights/actionGroups/ag-breakglass`;

export const SIGNIN_QUERY = `let ids = dynamic(["${A.id}", "${B.id}"]);
union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs
| where UserId in~ (ids)`;

export const AUDIT_QUERY = `let ids = dynamic(["${A.id}", "${B.id}"]);
let groupIds = dynamic(["${GROUP}"]);
AuditLogs
| where TargetResources has_any (ids) or TargetResources has_any (groupIds)
    or tostring(InitiatedBy.user.id) in~ (ids)
    or OperationName has "conditional access policy"`;

export function sqr(name: string, query: string, props: Record<string, unknown> = {}) {
  return {
    id: `${SUB}/Microsoft.Insights/scheduledQueryRules/${name}`,
    name,
    type: "Microsoft.Insights/scheduledQueryRules",
    properties: {
      displayName: name,
      severity: 0,
      enabled: true,
      scopes: [WS],
      evaluationFrequency: "PT5M",
      windowSize: "PT5M",
      criteria: {
        allOf: [
          {
            query,
            timeAggregation: "Count",
            operator: "GreaterThan",
            threshold: 0,
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
          },
        ],
      },
      autoMitigate: false,
      actions: { actionGroups: [AG] },
      ...props,
    },
  };
}

export function sentinelRule(
  name: string,
  query: string,
  props: Record<string, unknown> = {},
  kind = "Scheduled",
) {
  return {
    id: `${WS}/providers/Microsoft.SecurityInsights/alertRules/${name}`,
    name,
    type: "Microsoft.SecurityInsights/alertRules",
    kind,
    properties: {
      displayName: name,
      severity: "High",
      enabled: true,
      query,
      queryFrequency: "PT5M",
      queryPeriod: "PT5M",
      triggerOperator: "GreaterThan",
      triggerThreshold: 0,
      suppressionEnabled: false,
      incidentConfiguration: { createIncident: true },
      ...props,
    },
  };
}

const fido2 = (id: string, aaGuid = KEY_AAGUID) => ({
  "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
  id,
  aaGuid,
  model: "YubiKey 5",
  attestationLevel: "attested",
});

/** The raw snapshot JSON of a tenant that passes every check here. */
export function goodTenant(): Record<string, any> {
  return {
    schema: "breakglass.snapshot/v1",
    tenant: {
      id: "72f988bf-0000-0000-0000-000000000001",
      displayName: "Contoso",
      capturedAt: "2026-11-01T10:00:00Z",
    },
    subscribedSkus: [{ skuPartNumber: "AAD_PREMIUM", servicePlans: [{ servicePlanName: "AAD_PREMIUM" }] }],
    securityDefaults: { isEnabled: false },
    users: [
      { id: A.id, userPrincipalName: A.upn, accountEnabled: true, authenticationMethods: [fido2("k1")] },
      { id: B.id, userPrincipalName: B.upn, accountEnabled: true, authenticationMethods: [fido2("k2")] },
      { id: OTHER.id, userPrincipalName: OTHER.upn, accountEnabled: true },
    ],
    groups: [
      {
        id: GROUP,
        displayName: "grp-7731",
        securityEnabled: true,
        isAssignableToRole: true,
        members: [
          { "@odata.type": "#microsoft.graph.user", id: A.id },
          { "@odata.type": "#microsoft.graph.user", id: B.id },
        ],
        owners: [],
      },
    ],
    roleAssignments: [],
    conditionalAccessPolicies: [
      {
        id: DEDICATED,
        displayName: "Emergency Access",
        state: "enabled",
        conditions: {
          users: {
            includeUsers: [],
            excludeUsers: [],
            includeGroups: [GROUP],
            excludeGroups: [],
            includeRoles: [],
            excludeRoles: [],
          },
          applications: { includeApplications: ["All"], excludeApplications: [] },
          clientAppTypes: ["all"],
          locations: null,
          platforms: null,
          devices: null,
        },
        grantControls: { operator: "OR", builtInControls: [], authenticationStrength: { id: STRENGTH } },
        sessionControls: {
          signInFrequency: {
            isEnabled: true,
            type: null,
            value: null,
            frequencyInterval: "everyTime",
            authenticationType: "primaryAndSecondaryAuthentication",
          },
          persistentBrowser: { isEnabled: true, mode: "never" },
        },
      },
      {
        id: "c0c0c0c0-0000-4000-8000-000000000002",
        displayName: "MFA for everyone",
        state: "enabled",
        conditions: {
          users: {
            includeUsers: ["All"],
            excludeUsers: [],
            includeGroups: [],
            excludeGroups: [GROUP],
            includeRoles: [],
            excludeRoles: [],
          },
          applications: { includeApplications: ["All"], excludeApplications: [] },
          clientAppTypes: ["all"],
        },
        grantControls: { operator: "OR", builtInControls: ["mfa"] },
      },
    ],
    authenticationStrengthPolicies: [
      {
        id: STRENGTH,
        displayName: "Emergency Access",
        policyType: "custom",
        allowedCombinations: ["fido2"],
        combinationConfigurations: [
          {
            "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
            id: "cc1",
            appliesToCombinations: ["fido2"],
            allowedAAGUIDs: [KEY_AAGUID],
          },
        ],
      },
    ],
    azure: {
      subscriptions: [
        { subscriptionId: "11111111-2222-3333-4444-555555555555", displayName: "logs", state: "Enabled" },
      ],
      diagnosticSettings: [
        {
          id: "/providers/microsoft.aadiam/diagnosticSettings/entra-to-law",
          name: "entra-to-law",
          properties: {
            workspaceId: WS,
            logs: [
              { category: "AuditLogs", enabled: true },
              { category: "SignInLogs", enabled: true },
              { category: "NonInteractiveUserSignInLogs", enabled: true },
            ],
          },
        },
      ],
      workspaces: [{ id: WS, name: "log-signin", properties: { retentionInDays: 90 } }],
      tables: [],
      actionGroups: [
        {
          id: AG,
          name: "ag-breakglass",
          properties: {
            groupShortName: "bg",
            enabled: true,
            emailReceivers: [{ name: "soc", emailAddress: "soc@contoso.com", status: "Enabled" }],
          },
        },
      ],
      scheduledQueryRules: [sqr("bg-signin", SIGNIN_QUERY), sqr("bg-audit", AUDIT_QUERY)],
      sentinelAlertRules: [],
      sentinelWatchlists: [],
    },
  };
}

export interface TenantOptions {
  config?: Record<string, unknown>;
  accounts?: Partial<AccountResolution>;
}

export function contextOf(raw: Record<string, any>, opts: TenantOptions = {}): CheckContext {
  const snapshot = parseSnapshot(raw);
  const config: Config = ConfigSchema.parse({
    accounts: [A.upn, B.upn],
    group: GROUP,
    ...(opts.config ?? {}),
  });
  const accounts: AccountResolution = {
    method: "config+group",
    resolved: [
      { id: A.id, userPrincipalName: A.upn },
      { id: B.id, userPrincipalName: B.upn },
    ],
    unresolved: [],
    group: { id: GROUP, displayName: "grp-7731" },
    ...(opts.accounts ?? {}),
  };
  return {
    snapshot,
    directory: new Directory(snapshot),
    config,
    accounts,
    now: new Date(snapshot.tenant.capturedAt),
  };
}

export function run(check: Check, raw: Record<string, any>, opts: TenantOptions = {}): CheckResult {
  return runCheck(check, contextOf(raw, opts));
}

/** A tenant without Entra ID P1 (free tier). */
export function withoutP1(raw: Record<string, any>): Record<string, any> {
  raw.subscribedSkus = [
    { skuPartNumber: "O365_BUSINESS_PREMIUM", servicePlans: [{ servicePlanName: "EXCHANGE_S_STANDARD" }] },
  ];
  return raw;
}
