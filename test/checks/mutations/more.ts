/** More single mutations of the good sample (catalog.ts has the first set and the shapes' notes). */
import type { Snapshot } from "../../../src/snapshot/schema.js";
import type { Mutation } from "./catalog.js";
import {
  adminUnit,
  azure,
  dedicatedPolicy,
  diagnosticLog,
  GROUP,
  group,
  type Json,
  policy,
  sections,
  signInQuery,
  signInRule,
  strength,
  table,
  user,
  ZT4P9W,
} from "./good.js";

const removeRef = (list: Json[], id: string) =>
  list.splice(
    list.findIndex((m) => m.id === id),
    1,
  );

const EXO = "00000002-0000-0ff1-ce00-000000000000";
/** The sign-in alert as a Sentinel scheduled rule on the same workspace (Azure Monitor rule removed). */
function toSentinel(s: Snapshot, o: { enabled?: boolean; createIncident?: boolean; severity?: string } = {}) {
  const a = azure(s);
  const rule = signInRule(s);
  a.scheduledQueryRules.splice(a.scheduledQueryRules.indexOf(rule), 1);
  const ws = a.workspaces[0].id;
  a.sentinelAlertRules.push({
    id: `${ws}/providers/Microsoft.SecurityInsights/alertRules/0b5e4f2a-7d61-4c39-9e8a-2f1c6d3b7a90`,
    name: "0b5e4f2a-7d61-4c39-9e8a-2f1c6d3b7a90",
    type: "Microsoft.SecurityInsights/alertRules",
    kind: "Scheduled",
    etag: '"ede5e723-bb25-473b-800c-757bbbcdf4f3"',
    properties: {
      displayName: "Core access sign-in",
      description: "Any sign-in of the core access accounts",
      severity: o.severity ?? "High",
      enabled: o.enabled ?? true,
      query: rule.properties.criteria.allOf[0].query,
      tactics: ["InitialAccess"],
      techniques: ["T1078"],
      suppressionEnabled: false,
      suppressionDuration: "PT1H",
      incidentConfiguration: {
        createIncident: o.createIncident ?? true,
        groupingConfiguration: {
          enabled: false,
          reopenClosedIncident: false,
          lookbackDuration: "PT5H",
          matchingMethod: "AllEntities",
          groupByEntities: [],
          groupByAlertDetails: [],
          groupByCustomDetails: [],
        },
      },
      eventGroupingSettings: { aggregationKind: "AlertPerResult" },
      entityMappings: [],
      alertRuleTemplateName: null,
      templateVersion: null,
      lastModifiedUtc: "2026-09-12T19:16:06.9014825Z",
      queryFrequency: "PT5M",
      queryPeriod: "PT5M",
      triggerOperator: "GreaterThan",
      triggerThreshold: 0,
    },
  });
}

export const MORE_MUTATIONS: Mutation[] = [
  {
    name: "the Sentinel sign-in rule creates no incidents",
    breaks: "000/001/002/004: a Sentinel rule reaches a person through incidents",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      toSentinel(s, { createIncident: false });
    },
  },
  {
    name: "the Sentinel sign-in rule disabled",
    breaks: "000/001/002/004: the alert is enabled",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      toSentinel(s, { enabled: false });
    },
  },
  {
    name: "the Sentinel sign-in rule at Medium severity",
    breaks: "000/001: severity at most alert.maxSeverity (Medium maps to 2)",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      toSentinel(s, { severity: "Medium" });
    },
  },
  {
    name: "the dedicated policy excludes an account",
    breaks: "000/001/002: the dedicated policy has no exclusions",
    expect: { "EA-CA-02": "fail" },
    apply(s) {
      dedicatedPolicy(s).conditions.users.excludeUsers = [ZT4P9W];
    },
  },
  {
    name: "the emergency group nested in an everyday group",
    breaks: "004: isolated from everyday identity (transitive membership)",
    expect: { "EA-ACC-10": "fail" },
    apply(s) {
      sections(s)
        .groups.find((g: Json) => g.displayName === "IT Operations")
        .members.push({ "@odata.type": "#microsoft.graph.group", id: GROUP });
    },
  },
  {
    name: "Exchange Online block without the exclusion",
    breaks: "000-004: no other policy applies (a block on an app outside the envelope is no lockout)",
    expect: { "EA-CA-01": "fail" },
    apply(s) {
      const p = structuredClone(policy(s, "CA001"));
      p.id = "7d0b1b5e-8a7e-4f43-9a52-3c0f1e9a6b02";
      p.displayName = "Block Exchange";
      p.conditions.users.excludeGroups = [];
      p.conditions.applications = {
        includeApplications: [EXO],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
      };
      p.grantControls.builtInControls = ["block"];
      sections(s).conditionalAccessPolicies.push(p);
    },
  },
  {
    name: "the sign-in alert's watch wrapped in not()",
    breaks: "000/001/002/004: the watch is negated",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)",
        "| where not(UserId in~ (ids) or UserPrincipalName in~ (upns))",
      );
    },
  },
  {
    name: "the sign-in alert compares the ids with unrelated columns",
    breaks: "000/001/002/004: ids must be compared on UserId/UserPrincipalName",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)",
        "| where CorrelationId in~ (ids) or AppDisplayName in~ (upns)",
      );
    },
  },
  {
    name: "the sign-in alert scoped to another workspace",
    breaks: "000/001/002/004: the alert runs on the sign-in workspace",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      signInRule(s).properties.scopes = [
        azure(s).workspaces[0].id.replace("log-identity-prod-weu", "log-app-weu"),
      ];
    },
  },
  {
    name: "FIDO2 included only for an onboarding group",
    breaks: "beyond seeds: every account covered by the FIDO2 method (then locked out: EA-CA-05)",
    expect: { "EA-AUTH-05": "fail", "EA-CA-05": "fail" },
    apply(s) {
      const f = sections(s).authenticationMethodsPolicy.authenticationMethodConfigurations.find(
        (x: Json) => x.id === "Fido2",
      );
      f.includeTargets = [
        { targetType: "group", id: "e410e39d-d39a-4353-9cb0-95d0c168fb2d", isRegistrationRequired: false },
      ];
    },
  },
  {
    name: "FIDO2 block list with a held model",
    breaks:
      "beyond seeds: a key restriction admits every registered AAGUID (the other key still works: no lockout)",
    expect: { "EA-AUTH-05": "fail" },
    apply(s) {
      const f = sections(s).authenticationMethodsPolicy.authenticationMethodConfigurations.find(
        (x: Json) => x.id === "Fido2",
      );
      f.keyRestrictions = {
        isEnforced: true,
        enforcementType: "block",
        aaGuids: ["2fc0579f-8113-47ea-b116-bb5a8db9202a"],
      };
    },
  },
  {
    name: "persistent browser control missing",
    breaks: "000/002: persistent browser never",
    expect: { "EA-CA-04": "fail" },
    apply(s) {
      dedicatedPolicy(s).sessionControls.persistentBrowser = null;
    },
  },
  {
    name: "sign-in frequency missing",
    breaks: "000/002: sign-in frequency every time",
    expect: { "EA-CA-04": "fail" },
    apply(s) {
      dedicatedPolicy(s).sessionControls.signInFrequency = null;
    },
  },
  {
    name: "Global Administrator at administrative-unit scope, not /",
    breaks:
      "all seeds: Global Administrator at scope / (none at /: none active and permanent either, EA-ROLE-02)",
    expect: { "EA-ROLE-01": "fail", "EA-ROLE-02": "fail" },
    apply(s) {
      const j = sections(s);
      const a = j.roleAssignments.find((x: Json) => x.principalId === GROUP);
      const sc = j.roleAssignmentSchedules.find((x: Json) => x.id === a.id);
      a.directoryScopeId = sc.directoryScopeId = `/administrativeUnits/${adminUnit(s).id}`;
      a.resourceScope = a.directoryScopeId;
    },
  },
  {
    name: "SSPR on for admins, an account with a phone",
    breaks: "000: SSPR cannot take them over (the phone also fails EA-AUTH-03)",
    expect: { "EA-AUTH-03": "fail", "EA-AUTH-07": "fail" },
    apply(s) {
      sections(s).authorizationPolicy.allowedToUseSSPR = true;
      user(s, ZT4P9W).authenticationMethods.push({
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "3179e48a-750b-4051-897c-87b9720928f7",
        phoneNumber: "+31 612345670",
        phoneType: "mobile",
        smsSignInState: "notEnabled",
      });
    },
  },
  {
    name: "a Temporary Access Pass valid from tomorrow",
    breaks: "beyond seeds: a pass that becomes valid tomorrow is a backdoor too (NotYetValid)",
    expect: { "EA-AUTH-08": "fail" },
    apply(s) {
      user(s, ZT4P9W).authenticationMethods.push({
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        id: "6f0c2a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5c",
        temporaryAccessPass: null,
        createdDateTime: "2026-11-01T09:00:00Z",
        startDateTime: "2026-11-02T09:00:00Z",
        lifetimeInMinutes: 480,
        isUsableOnce: false,
        isUsable: false,
        methodUsabilityReason: "NotYetValid",
      });
    },
  },
  {
    name: "CA excludes one account per user only, in a block policy",
    breaks: "000/002/003: exclusions through the group (the other account is then blocked: EA-CA-01/05)",
    expect: { "EA-CA-01": "fail", "EA-CA-05": "fail", "EA-CA-07": "fail" },
    apply(s) {
      const u = policy(s, "CA004").conditions.users;
      u.excludeGroups = [];
      u.excludeUsers = [ZT4P9W];
    },
  },
  {
    name: "access review over the emergency group, deny by default",
    breaks: "001/003: out of automated clean-up (the group)",
    expect: { "EA-ACC-09": "fail" },
    apply(s) {
      sections(s).accessReviewDefinitions.push({
        id: "5b1f0f8e-61d4-4e55-9d3e-2c7a4f0b9e14",
        displayName: "Group review",
        status: "InProgress",
        scope: {
          "@odata.type": "#microsoft.graph.accessReviewQueryScope",
          query: `/groups/${GROUP}/transitiveMembers`,
          queryType: "MicrosoftGraph",
          queryRoot: null,
        },
        instanceEnumerationScope: null,
        reviewers: [],
        fallbackReviewers: [],
        backupReviewers: [],
        settings: {
          mailNotificationsEnabled: true,
          reminderNotificationsEnabled: true,
          justificationRequiredOnApproval: true,
          defaultDecisionEnabled: true,
          defaultDecision: "Deny",
          instanceDurationInDays: 14,
          autoApplyDecisionsEnabled: true,
          recommendationsEnabled: false,
          recommendationLookBackDuration: null,
          decisionHistoriesForReviewersEnabled: false,
          recurrence: null,
          applyActions: [{ "@odata.type": "#microsoft.graph.removeAccessApplyAction" }],
        },
      });
    },
  },
  {
    name: "synced passkey (iCloud Keychain)",
    breaks: "000/001/004: no synced passkey",
    expect: { "EA-AUTH-03": "fail", "EA-OPS-03": "fail" },
    apply(s) {
      user(s, ZT4P9W).authenticationMethods.push({
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: "aWNsb3VkLWtleWNoYWluLXBhc3NrZXktMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw",
        displayName: "iPhone",
        createdDateTime: "2026-10-20T08:14:02.1234567Z",
        aaGuid: "dd4ec289-e01d-41c9-bb89-70fa845d4bf2",
        model: "iCloud Keychain (Managed)",
        attestationCertificates: [],
        attestationLevel: "notAttested",
      });
    },
  },
  {
    name: "voice office phone",
    breaks: "000/001/004: no voice method",
    expect: { "EA-AUTH-03": "fail" },
    apply(s) {
      user(s, ZT4P9W).authenticationMethods.push({
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "e37fc753-ff3b-4958-9484-eaa9425c82bc",
        phoneNumber: "+31 302345670",
        phoneType: "office",
        smsSignInState: "notSupported",
      });
    },
  },
  {
    name: "otherMails recovery data",
    breaks: "000/001: no otherMails recovery data",
    expect: { "EA-AUTH-03": "fail" },
    apply(s) {
      user(s, ZT4P9W).otherMails = ["private@example.com"];
    },
  },
  {
    name: "per-user MFA enforced",
    breaks: "000/003: per-user MFA disabled",
    expect: { "EA-AUTH-06": "fail" },
    apply(s) {
      user(s, ZT4P9W).perUserMfaState = "enforced";
    },
  },
  {
    name: "an onPremisesImmutableId on a cloud account",
    breaks: "000/001/003/004: onPremisesImmutableId empty",
    expect: { "EA-ACC-03": "fail" },
    apply(s) {
      user(s, ZT4P9W).onPremisesImmutableId = "r2Xb0dA6nUqk3mZ1bWk5Yg==";
    },
  },
  {
    name: "group not security enabled",
    breaks: "000/002/003: a security group",
    expect: { "EA-ROLE-03": "fail" },
    apply(s) {
      group(s).securityEnabled = false;
    },
  },
  {
    name: "group membership PIM-eligible",
    breaks: "000/001/003/004: permanent group membership, no PIM-for-Groups eligibility",
    // Out of the group until activated: GA eligible only (EA-ROLE-02), not a member (EA-ROLE-03), and
    // every exclusion and the campaign's exclusion made through the group miss it (EA-AUTH-09,
    // EA-CA-01, EA-CA-05: CA005 asks a password change it cannot make at high user risk).
    expect: {
      "EA-ROLE-02": "fail",
      "EA-ROLE-03": "fail",
      "EA-AUTH-09": "fail",
      "EA-CA-01": "fail",
      "EA-CA-05": "fail",
    },
    apply(s) {
      removeRef(group(s).members, ZT4P9W);
      sections(s).privilegedAccessGroupEligibilitySchedules.push({
        id: "1c3f65b0-3a20-4440-b89a-74acea4b7e5d",
        principalId: ZT4P9W,
        groupId: GROUP,
        accessId: "member",
        createdUsing: "1c3f65b0-3a20-4440-b89a-74acea4b7e5d",
        createdDateTime: "2026-08-03T04:00:00Z",
        modifiedDateTime: null,
        status: "Provisioned",
        memberType: "direct",
        scheduleInfo: {
          startDateTime: "2026-08-03T04:00:00Z",
          recurrence: null,
          expiration: { type: "noExpiration", endDateTime: null, duration: null },
        },
      });
    },
  },
  {
    name: "the profile allows at most 4 Global Administrators (there are 5)",
    breaks: "004: Global Administrator count within gaCount",
    expect: { "EA-ROLE-05": "fail" },
    apply(_s, c) {
      c.profile.gaCount = { min: 2, max: 4 };
    },
  },
  {
    name: "account removed from AU",
    breaks: "beyond seeds: the accounts in a restricted AU",
    expect: { "EA-ROLE-04": "fail" },
    apply(s) {
      removeRef(adminUnit(s).members, ZT4P9W);
    },
  },
  {
    name: "an account's UPN says emergency",
    breaks: "000/002/004: obscure names",
    expect: { "EA-ACC-08": "fail", "EA-OPS-02": "fail", "EA-OPS-03": "fail" },
    apply(s, c) {
      const u = user(s, ZT4P9W);
      const old = u.userPrincipalName;
      u.userPrincipalName = "emergency1@contosomedical.onmicrosoft.com";
      c.accounts = (c.accounts ?? []).map((a) => (a === old ? u.userPrincipalName : a));
    },
  },
  {
    name: "strength allows Windows Hello too",
    breaks: "000/001: allowedCombinations within allowedMethods",
    expect: { "EA-CA-03": "fail" },
    apply(s) {
      for (const st of [strength(s), dedicatedPolicy(s).grantControls.authenticationStrength])
        st.allowedCombinations = ["fido2", "windowsHelloForBusiness"];
    },
  },
  {
    name: "another policy uses the custom strength",
    breaks: "000/001: the strength is used by no other policy",
    expect: { "EA-CA-03": "fail" },
    apply(s) {
      policy(s, "CA002").grantControls.authenticationStrength = structuredClone(
        dedicatedPolicy(s).grantControls.authenticationStrength,
      );
    },
  },
  {
    name: "device-code block without the exclusion",
    breaks: "000-004: no other policy applies (device code is outside the envelope)",
    expect: { "EA-CA-01": "fail" },
    apply(s) {
      policy(s, "CA008").conditions.users.excludeGroups = [];
    },
  },
  {
    name: "disabled block-all policy",
    breaks: "000: dormant policies that would lock the accounts out",
    expect: { "EA-CA-06": "fail" },
    apply(s) {
      const p = structuredClone(policy(s, "CA001"));
      p.id = "7d0b1b5e-8a7e-4f43-9a52-3c0f1e9a6b03";
      p.displayName = "Block all (off)";
      p.state = "disabled";
      p.conditions.users.excludeGroups = [];
      p.grantControls.builtInControls = ["block"];
      sections(s).conditionalAccessPolicies.push(p);
    },
  },
  {
    name: "an account named only in a KQL comment",
    breaks: "000/001/002/004: ids in comments do not count",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      const q = signInQuery(s);
      q.query =
        "// watches 71b91a45-f4df-49fc-85a0-d42f9db61b6e and mq8r3x@contosomedical.onmicrosoft.com\n" +
        q.query
          .replace(', "71b91a45-f4df-49fc-85a0-d42f9db61b6e"', "")
          .replace(', "mq8r3x@contosomedical.onmicrosoft.com"', "");
    },
  },
  {
    name: "the sign-in alert also filters on ResultType == 0",
    breaks: "000/001/002/004: no result filter narrows the watch",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)",
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)\n| where ResultType == 0",
      );
    },
  },
  {
    name: "the sign-in alert matches UPNs with case-sensitive == only",
    breaks: "000/001/002/004: UPNs compared with case-sensitive == only warn",
    expect: { "EA-MON-03": "warn" },
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)",
        '| where UserPrincipalName == "zt4p9w@contosomedical.onmicrosoft.com" or UserPrincipalName == "mq8r3x@contosomedical.onmicrosoft.com"',
      );
    },
  },
  {
    name: "action group without receivers",
    breaks: "000/001/002/004: an action group with a receiver",
    expect: { "EA-MON-03": "fail", "EA-MON-04": "fail" },
    apply(s) {
      Object.assign(azure(s).actionGroups[0].properties, { emailReceivers: [], smsReceivers: [] });
    },
  },
  {
    name: "the sign-in alert window shorter than its frequency",
    breaks: "000/001/002/004: window at least the frequency",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      Object.assign(signInRule(s).properties, { evaluationFrequency: "PT5M", windowSize: "PT1M" });
    },
  },
  {
    name: "the sign-in alert needs 2 of 2 evaluation periods",
    breaks: "000/001/002/004: one of one evaluation periods",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      signInQuery(s).failingPeriods = { numberOfEvaluationPeriods: 2, minFailingPeriodsToAlert: 2 };
    },
  },
  {
    name: "AuditLogs inherits a 30-day workspace retention",
    breaks: "002: retention (inherited from the workspace)",
    expect: { "EA-MON-02": "fail" },
    apply(s) {
      azure(s).workspaces[0].properties.retentionInDays = 30;
      Object.assign(table(s, "AuditLogs").properties, {
        retentionInDays: 30,
        retentionInDaysAsDefault: true,
        totalRetentionInDays: 30,
        totalRetentionInDaysAsDefault: true,
        archiveRetentionInDays: 0,
      });
    },
  },
  {
    name: "non-interactive sign-ins sent to another workspace",
    breaks: "000/001/002/004: one workspace receives both sign-in categories",
    expect: { "EA-MON-01": "warn", "EA-MON-03": "fail" },
    apply(s) {
      const a = azure(s);
      const ds = structuredClone(a.diagnosticSettings[0]);
      diagnosticLog(s, "NonInteractiveUserSignInLogs").enabled = false;
      ds.id = "/providers/microsoft.aadiam/diagnosticSettings/noninteractive-elsewhere";
      ds.name = "noninteractive-elsewhere";
      ds.properties.workspaceId = a.workspaces[0].id.replace("log-identity-prod-weu", "log-other-weu");
      for (const l of ds.properties.logs) l.enabled = l.category === "NonInteractiveUserSignInLogs";
      const ws = structuredClone(a.workspaces[0]);
      ws.id = ds.properties.workspaceId;
      ws.name = "log-other-weu";
      ws.properties.customerId = "e55235b8-cb11-4dea-8ccf-f26ae6d39db4";
      a.workspaces.push(ws);
      a.diagnosticSettings.push(ds);
    },
  },
];

export const MORE_CONTROLS: Mutation[] = [
  {
    name: "the sign-in alert as a Sentinel scheduled rule instead of Azure Monitor",
    breaks: "nothing: a Sentinel rule that creates incidents is an alternative",
    expect: {},
    apply(s) {
      toSentinel(s);
    },
  },
  {
    name: "the config names only the group",
    breaks: "nothing: the group's members are the same accounts",
    expect: {},
    apply(_s, c) {
      c.accounts = [];
    },
  },
  {
    name: "the dedicated policy also includes an account by id",
    breaks: "nothing: an account is an emergency principal",
    expect: {},
    apply(s) {
      dedicatedPolicy(s).conditions.users.includeUsers = [ZT4P9W];
    },
  },
  {
    name: "a policy without the exclusion, allowed by allowedPolicyIds",
    breaks: "nothing: allowedPolicyIds lists policies the admin accepts",
    expect: {},
    apply(s, c) {
      const p = sections(s).conditionalAccessPolicies.find((x: Json) => x.displayName.startsWith("CA001"));
      p.conditions.users.excludeGroups = [];
      c.allowedPolicyIds = [p.id];
    },
  },
  {
    name: "a mixed-case UPN compared with in~",
    breaks: "nothing: in~ is case-insensitive",
    expect: {},
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace("zt4p9w@", "ZT4P9W@");
    },
  },
  {
    name: "the sign-in alert also ORs an unrelated app condition",
    breaks: "nothing: an OR'd condition only widens the alert",
    expect: {},
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)",
        '| where UserId in~ (ids) or UserPrincipalName in~ (upns) or AppDisplayName == "Azure Portal"',
      );
    },
  },
  {
    name: "the sign-in alert compares ids with has",
    breaks: "nothing: `has` on UserId is a positive comparison",
    expect: {},
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)",
        '| where UserId has "83aa1184-132f-401e-91ba-ace0a55b661a" or UserId has "71b91a45-f4df-49fc-85a0-d42f9db61b6e"',
      );
    },
  },
  {
    name: "direct time-bound GA besides permanent group GA",
    breaks: "nothing: one permanent active path is enough",
    expect: {},
    apply(s) {
      const j = sections(s);
      const sc = structuredClone(j.roleAssignmentSchedules.find((x: Json) => x.principalId === GROUP));
      sc.id = "dirga-1";
      sc.principalId = ZT4P9W;
      sc.scheduleInfo.expiration = {
        type: "afterDateTime",
        endDateTime: "2027-01-01T00:00:00Z",
        duration: null,
      };
      j.roleAssignmentSchedules.push(sc);
      j.roleAssignments.push({
        id: "dirga-1",
        principalId: ZT4P9W,
        directoryScopeId: "/",
        resourceScope: "/",
        roleDefinitionId: "62e90394-69f5-4237-9190-012177145e10",
        appScopeId: null,
      });
    },
  },
  {
    name: "access review auto-apply but no default decision, no recommendations",
    breaks: "nothing: an auto-applied review that removes nobody by default",
    expect: {},
    apply(s) {
      sections(s).accessReviewDefinitions.push({
        id: "5b1f0f8e-61d4-4e55-9d3e-2c7a4f0b9e13",
        displayName: "GA review",
        status: "InProgress",
        scope: {
          "@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
          principalScopes: [
            {
              "@odata.type": "#microsoft.graph.accessReviewQueryScope",
              query: "/users",
              queryType: "MicrosoftGraph",
              queryRoot: null,
            },
          ],
          resourceScopes: [
            {
              "@odata.type": "#microsoft.graph.accessReviewQueryScope",
              query: "/roleManagement/directory/roleDefinitions/62e90394-69f5-4237-9190-012177145e10",
              queryType: "MicrosoftGraph",
              queryRoot: null,
            },
          ],
        },
        instanceEnumerationScope: null,
        reviewers: [],
        fallbackReviewers: [],
        backupReviewers: [],
        settings: {
          mailNotificationsEnabled: true,
          reminderNotificationsEnabled: true,
          justificationRequiredOnApproval: true,
          defaultDecisionEnabled: false,
          defaultDecision: "None",
          instanceDurationInDays: 14,
          autoApplyDecisionsEnabled: true,
          recommendationsEnabled: false,
          recommendationLookBackDuration: null,
          decisionHistoriesForReviewersEnabled: false,
          recurrence: null,
          applyActions: [{ "@odata.type": "#microsoft.graph.removeAccessApplyAction" }],
        },
      });
    },
  },
  {
    name: "risky remediated",
    breaks: "nothing: remediated risk",
    expect: {},
    apply(s) {
      const u = user(s, ZT4P9W);
      sections(s).riskyUsers.push({
        id: u.id,
        isDeleted: false,
        isProcessing: false,
        riskLastUpdatedDateTime: "2026-10-31T16:50:17.9526133Z",
        riskLevel: "none",
        riskState: "remediated",
        riskDetail: "userPerformedSecuredPasswordChange",
        userDisplayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
      });
    },
  },
  {
    name: "risky dismissed",
    breaks: "nothing: dismissed risk",
    expect: {},
    apply(s) {
      const u = user(s, ZT4P9W);
      sections(s).riskyUsers.push({
        id: u.id,
        isDeleted: false,
        isProcessing: false,
        riskLastUpdatedDateTime: "2026-10-31T16:50:17.9526133Z",
        riskLevel: "none",
        riskState: "dismissed",
        riskDetail: "adminDismissedAllRiskForUser",
        userDisplayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
      });
    },
  },
  {
    name: "password policies with a space",
    breaks: "nothing: passwordPolicies is a comma-separated list",
    expect: {},
    apply(s) {
      user(s, ZT4P9W).passwordPolicies = "DisableStrongPassword, DisablePasswordExpiration";
      sections(s).domains.find((d: Json) => d.isInitial).passwordValidityPeriodInDays = 90;
    },
  },
  {
    name: "group also in a non-restricted AU",
    breaks: "nothing: the group still sits in the restricted AU",
    expect: {},
    apply(s) {
      sections(s).administrativeUnits.push({
        ...structuredClone(adminUnit(s)),
        id: "3e0b7c41-9d2f-4a8e-b6c5-1f7a2e9d0c84",
        displayName: "AU-Groups",
        description: "Group administration",
        isMemberManagementRestricted: false,
        members: [{ "@odata.type": "#microsoft.graph.group", id: GROUP }],
      });
    },
  },
  {
    name: "lifecycle workflow for Sales leavers",
    breaks: "nothing: a workflow whose scope takes no account in",
    expect: {},
    apply(s) {
      sections(s).lifecycleWorkflows.push({
        id: "3f4b6f76-f2e5-4aac-9277-02faf0b83331",
        category: "leaver",
        displayName: "Leaver - Sales",
        description: "",
        isEnabled: true,
        isSchedulingEnabled: true,
        createdDateTime: "2025-06-19T16:03:18.3814014Z",
        lastModifiedDateTime: "2026-07-24T19:17:53.7949442Z",
        version: 3,
        executionConditions: {
          "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
          scope: {
            "@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet",
            rule: "(department eq 'Sales')",
          },
          trigger: {
            "@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
            timeBasedAttribute: "employeeLeaveDateTime",
            offsetInDays: 0,
          },
        },
        tasks: [],
      });
    },
  },
];
