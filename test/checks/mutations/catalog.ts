/**
 * Single mutations of the good sample tenant. Each breaks one recommendation
 * (docs/checks/) and declares exactly which checks change, to what.
 * A mutation edits a deep copy of the snapshot (and may edit a copy of the config).
 */
import type { CheckRecords } from "../../../src/records/check-records.js";
import type { Config } from "../../../src/config/schema.js";
import type { Status } from "../../../src/checks/types.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";
import {
  adminUnit,
  AUTHENTICATOR_IOS_AAGUID,
  azure,
  dedicatedPolicy,
  diagnosticLog,
  E5_SKU,
  gaAssignment,
  GLOBAL_ADMINISTRATOR,
  group,
  GROUP,
  HELPDESK_ADMINISTRATOR,
  type Json,
  methodConfig,
  MQ8R3X,
  PHISHING_RESISTANT_STRENGTH,
  policy,
  sections,
  signInQuery,
  signInRule,
  strength,
  table,
  UNHELD_AAGUID,
  user,
  userByUpn,
  ZT4P9W,
} from "./good.js";

export interface Mutation {
  name: string;
  /** the seed(s) (000-004) or "beyond seeds", and the recommendation broken. */
  breaks: string;
  /** every check whose status changes from the baseline, with its new status. */
  expect: Record<string, Status>;
  /** `r`: the records beside the configuration (custody registry, drills), for the EA-OPS mutations. */
  apply(s: Snapshot, c: Config, r: CheckRecords): void;
}

const CAPTURED = "2026-11-01T10:00:00Z";
const isoBefore = (days: number) => new Date(Date.parse(CAPTURED) - days * 86_400_000).toISOString();
const isoAfter = (days: number) => new Date(Date.parse(CAPTURED) + days * 86_400_000).toISOString();
const ref = (type: "user" | "group", id: string) => ({ "@odata.type": `#microsoft.graph.${type}`, id });
const addMethod = (s: Snapshot, id: string, method: Json) => user(s, id).authenticationMethods.push(method);
const removeRef = (list: Json[], id: string) =>
  list.splice(
    list.findIndex((m) => m.id === id),
    1,
  );

/** A Conditional Access policy in Graph's shape (as fixtures/build/builders.ts writes it). */
function caPolicy(s: Snapshot, o: { displayName: string; state?: string; users: Json; grant: string[] }) {
  const base = structuredClone(policy(s, "CA001")) as Json;
  Object.assign(base, {
    id: "7d0b1b5e-8a7e-4f43-9a52-3c0f1e9a6b01",
    displayName: o.displayName,
    state: o.state ?? "enabled",
    createdDateTime: "2026-10-30T09:12:44.1234567Z",
    modifiedDateTime: "2026-10-30T09:12:44.1234567Z",
  });
  base.conditions.users = {
    includeUsers: [],
    excludeUsers: [],
    includeGroups: [],
    excludeGroups: [],
    includeRoles: [],
    excludeRoles: [],
    includeGuestsOrExternalUsers: null,
    excludeGuestsOrExternalUsers: null,
    ...o.users,
  };
  base.conditions.applications = {
    includeApplications: ["All"],
    excludeApplications: [],
    includeUserActions: [],
    includeAuthenticationContextClassReferences: [],
    applicationFilter: null,
  };
  base.grantControls = {
    operator: "OR",
    builtInControls: o.grant,
    customAuthenticationFactors: [],
    termsOfUse: [],
    authenticationStrength: null,
  };
  sections(s).conditionalAccessPolicies.push(base);
}

/** The account moves to the custom domain; the config names it by its new UPN, as an admin would. */
function renameToCustomDomain(s: Snapshot, c: Config) {
  const u = user(s, ZT4P9W);
  const old = u.userPrincipalName;
  u.userPrincipalName = "zt4p9w@contosomedical.nl";
  u.identities[0].issuer = "contosomedical.nl";
  u.identities[0].issuerAssignedId = u.userPrincipalName;
  c.accounts = (c.accounts ?? []).map((a) => (a === old ? u.userPrincipalName : a));
}

export const MUTATIONS: Mutation[] = [
  // ------------------------------------------------------------------ accounts
  {
    name: "one account synced from on-premises",
    breaks: "000/001/003/004: cloud-only accounts",
    expect: { "EA-ACC-03": "fail" },
    apply(s) {
      Object.assign(user(s, ZT4P9W), {
        onPremisesSyncEnabled: true,
        onPremisesImmutableId: "r2Xb0dA6nUqk3mZ1bWk5Yg==",
        onPremisesLastSyncDateTime: isoBefore(0.01),
      });
    },
  },
  {
    name: "one account is a guest (userType Guest)",
    breaks: "000/001: a member account of the tenant",
    expect: { "EA-ACC-03": "fail" },
    apply(s) {
      user(s, ZT4P9W).userType = "Guest";
    },
  },
  {
    name: "one account signs in with an identity from an external issuer",
    breaks: "000/001: no identity from an external issuer",
    expect: { "EA-ACC-03": "fail" },
    apply(s) {
      user(s, ZT4P9W).identities.push({
        signInType: "federated",
        issuer: "ExternalAzureAD",
        issuerAssignedId: null,
      });
    },
  },
  {
    name: "one account on a custom managed domain",
    breaks: "000/001/002: UPN on the initial onmicrosoft.com domain",
    expect: { "EA-ACC-04": "fail", "EA-OPS-02": "fail", "EA-OPS-03": "fail" },
    apply(s, c) {
      renameToCustomDomain(s, c);
    },
  },
  {
    name: "one account on a custom federated domain",
    breaks: "000/003: not on a federated domain (the takeover path)",
    expect: { "EA-ACC-04": "fail", "EA-OPS-02": "fail", "EA-OPS-03": "fail" },
    apply(s, c) {
      const d = sections(s).domains.find((x: Json) => x.id === "contosomedical.nl");
      d.authenticationType = "Federated";
      for (const v of sections(s).organization[0].verifiedDomains)
        if (v.name === "contosomedical.nl") v.type = "Federated";
      renameToCustomDomain(s, c);
    },
  },
  {
    name: "one account disabled",
    breaks: "001: every account enabled",
    expect: { "EA-ACC-02": "fail" },
    apply(s) {
      user(s, ZT4P9W).accountEnabled = false;
    },
  },
  {
    name: "both accounts disabled",
    breaks: "001: every account enabled; checks.md EA-CA-05: at least one account provably gets in",
    // Conditional Access still lets each account through, but no enabled account reaches the portals.
    expect: { "EA-ACC-02": "fail", "EA-CA-05": "fail" },
    apply(s) {
      user(s, ZT4P9W).accountEnabled = false;
      user(s, MQ8R3X).accountEnabled = false;
    },
  },
  {
    name: "one account deleted (in the recycle bin)",
    breaks: "000-004: at least two emergency accounts that resolve",
    expect: { "EA-ACC-01": "fail", "EA-OPS-03": "fail" },
    apply(s) {
      const j = sections(s);
      const u = user(s, MQ8R3X);
      j.users.splice(j.users.indexOf(u), 1);
      j.deletedUsers.push({
        id: u.id,
        displayName: u.displayName,
        userPrincipalName: `${u.id.replace(/-/g, "")}${u.userPrincipalName}`,
        deletedDateTime: isoBefore(3),
      });
      removeRef(group(s).members, MQ8R3X);
      removeRef(adminUnit(s).members, MQ8R3X);
      j.signIns = j.signIns.filter((x: Json) => x.userId !== MQ8R3X);
    },
  },
  {
    name: "the config asks for more accounts than exist",
    breaks: "000-004: accountCount.min accounts",
    expect: { "EA-ACC-01": "fail" },
    apply(_s, c) {
      c.profile.accountCount.min = 3;
    },
  },
  {
    name: "password expiry: no DisablePasswordExpiration, on a 90-day domain",
    breaks: "000/004: the password never expires",
    expect: { "EA-ACC-05": "fail" },
    apply(s) {
      user(s, ZT4P9W).passwordPolicies = null;
      sections(s).domains.find((d: Json) => d.isInitial).passwordValidityPeriodInDays = 90;
    },
  },
  {
    name: "password not changed for 400 days",
    breaks: "000: rotate the password",
    expect: { "EA-ACC-06": "fail" },
    apply(s) {
      const u = user(s, ZT4P9W);
      u.lastPasswordChangeDateTime = isoBefore(400);
      u.authenticationMethods.find((m: Json) =>
        m["@odata.type"].endsWith("passwordAuthenticationMethod"),
      ).createdDateTime = isoBefore(400);
    },
  },
  {
    name: "the password used to sign in after its last change",
    breaks: "000: change the password after each use",
    expect: { "EA-ACC-06": "fail" },
    apply(s) {
      const signIn = sections(s).signIns.find((x: Json) => x.userId === ZT4P9W && x.isInteractive);
      signIn.authenticationDetails = [
        {
          ...signIn.authenticationDetails[0],
          authenticationMethod: "Password",
          authenticationStepResultDetail: "Correct password",
        },
        {
          ...signIn.authenticationDetails[0],
          authenticationMethod: "FIDO2 security key",
          authenticationStepRequirement: "Secondary authentication",
        },
      ];
    },
  },
  {
    name: "the config allows one account at most",
    breaks: "000-004: don't overdo it (warn above accountCount.max)",
    expect: { "EA-ACC-01": "warn" },
    apply(_s, c) {
      c.profile.accountCount = { min: 1, max: 1 };
    },
  },
  {
    name: "a licence assigned",
    breaks: "000: no licence",
    expect: { "EA-ACC-07": "fail" },
    apply(s) {
      user(s, ZT4P9W).assignedLicenses.push({ disabledPlans: [], skuId: E5_SKU });
    },
  },
  {
    name: 'an account renamed "breakglass-1"',
    breaks: "000/002/004: obscure names",
    expect: { "EA-ACC-08": "fail" },
    apply(s) {
      Object.assign(user(s, ZT4P9W), { displayName: "breakglass-1", mailNickname: "breakglass-1" });
    },
  },
  {
    name: 'the group described as "Emergency access accounts"',
    breaks: "000/002/004: obscure names",
    expect: { "EA-ACC-08": "fail" },
    apply(s) {
      group(s).description = "Emergency access accounts (break glass)";
    },
  },
  {
    name: "an access review auto-applies Deny over Global Administrator",
    breaks: "001/003: out of automated clean-up",
    expect: { "EA-ACC-09": "fail" },
    apply(s) {
      const admin = userByUpn(s, "adm-tariq.martin");
      sections(s).accessReviewDefinitions.push({
        id: "5b1f0f8e-61d4-4e55-9d3e-2c7a4f0b9e12",
        displayName: "Quarterly review - Global Administrator",
        createdDateTime: "2026-01-05T09:00:00.0000000Z",
        lastModifiedDateTime: "2026-08-05T09:00:00.0000000Z",
        status: "InProgress",
        descriptionForAdmins: "Quarterly recertification of Global Administrator assignments",
        descriptionForReviewers: "Confirm that each assignee still needs Global Administrator",
        createdBy: {
          id: admin.id,
          displayName: admin.displayName,
          type: null,
          userPrincipalName: admin.userPrincipalName,
        },
        scope: {
          "@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
          principalScopes: [
            {
              "@odata.type": "#microsoft.graph.accessReviewQueryScope",
              query: "/users",
              queryType: "MicrosoftGraph",
              queryRoot: null,
            },
            {
              "@odata.type": "#microsoft.graph.accessReviewQueryScope",
              query: "/groups",
              queryType: "MicrosoftGraph",
              queryRoot: null,
            },
          ],
          resourceScopes: [
            {
              "@odata.type": "#microsoft.graph.accessReviewQueryScope",
              query: `/roleManagement/directory/roleDefinitions/${GLOBAL_ADMINISTRATOR}`,
              queryType: "MicrosoftGraph",
              queryRoot: null,
            },
          ],
        },
        instanceEnumerationScope: null,
        reviewers: [{ query: `/users/${admin.id}`, queryType: "MicrosoftGraph", queryRoot: null }],
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
          recommendationsEnabled: true,
          recommendationLookBackDuration: "P30D",
          decisionHistoriesForReviewersEnabled: false,
          recurrence: {
            pattern: {
              type: "absoluteMonthly",
              interval: 3,
              month: 0,
              dayOfMonth: 0,
              daysOfWeek: [],
              firstDayOfWeek: "sunday",
              index: "first",
            },
            range: {
              type: "noEnd",
              numberOfOccurrences: 0,
              recurrenceTimeZone: null,
              startDate: "2026-01-05",
              endDate: "9999-12-31",
            },
          },
          applyActions: [{ "@odata.type": "#microsoft.graph.removeAccessApplyAction" }],
        },
      });
    },
  },
  {
    name: "an inactive-users lifecycle workflow over all members",
    breaks: "001/003: out of automated clean-up",
    expect: { "EA-ACC-09": "fail" },
    apply(s) {
      sections(s).lifecycleWorkflows.push({
        id: "0c7e2c55-1f3a-4b7e-9e0a-6d2b8f4a1c33",
        category: "leaver",
        displayName: "Inactive users - disable after 90 days",
        description: "Disable members who have not signed in for 90 days",
        isEnabled: true,
        isSchedulingEnabled: true,
        createdDateTime: "2026-05-01T09:00:00.0000000Z",
        lastModifiedDateTime: "2026-05-01T09:00:00.0000000Z",
        version: 1,
        executionConditions: {
          "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
          scope: {
            "@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet",
            rule: "(userType eq 'Member')",
          },
          trigger: {
            "@odata.type": "#microsoft.graph.identityGovernance.inactivityTrigger",
            inactivityPeriodInDays: 90,
          },
        },
        tasks: [
          {
            id: "2f1c3a9e-7b64-4d2a-8e55-0a9f6c1d7b21",
            taskDefinitionId: "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
            displayName: "Disable user account",
            description: "Disable user account",
            category: "leaver",
            isEnabled: true,
            continueOnError: false,
            executionSequence: 1,
            arguments: [],
          },
        ],
      });
    },
  },
  {
    name: "an account is also in an everyday group",
    breaks: "004: isolated from everyday identity",
    expect: { "EA-ACC-10": "fail" },
    apply(s) {
      group(s, "d00b627d-81e3-46c1-943d-4c67673c7e69").members.push(ref("user", ZT4P9W));
    },
  },
  {
    name: "an account owns an everyday group",
    breaks: "004: isolated from everyday identity",
    expect: { "EA-ACC-10": "fail" },
    apply(s) {
      const g = group(s, "d00b627d-81e3-46c1-943d-4c67673c7e69");
      g.owners.push(ref("user", ZT4P9W));
      user(s, ZT4P9W).ownedObjects.push({
        "@odata.type": "#microsoft.graph.group",
        id: g.id,
        displayName: g.displayName,
      });
    },
  },
  {
    name: "an account also holds Helpdesk Administrator",
    breaks: "004: no directory role but Global Administrator",
    expect: { "EA-ACC-10": "fail" },
    apply(s) {
      const j = sections(s);
      const id = "qL2m9zXq4kO3xYy7TqvhHfZc-1";
      j.roleAssignments.push({
        id,
        principalId: ZT4P9W,
        directoryScopeId: "/",
        resourceScope: "/",
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
        appScopeId: null,
      });
      j.roleAssignmentSchedules.push({
        ...structuredClone(gaAssignment(s).schedule),
        id,
        principalId: ZT4P9W,
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
      });
    },
  },
  // ------------------------------------------------------------------ role
  {
    name: "Global Administrator eligible-only (moved to eligibility schedules)",
    breaks: "000/001/003/004: active, permanent Global Administrator",
    expect: { "EA-ROLE-02": "fail" },
    apply(s) {
      const j = sections(s);
      const { assignment, schedule } = gaAssignment(s);
      j.roleAssignments.splice(j.roleAssignments.indexOf(assignment), 1);
      j.roleAssignmentSchedules.splice(j.roleAssignmentSchedules.indexOf(schedule), 1);
      const { assignmentType: _a, ...eligibility } = schedule;
      j.roleEligibilitySchedules.push({
        ...eligibility,
        id: "9f1f3e6a-0a4b-4d6c-8c61-77b0a2d4e5f1",
        createdUsing: "9f1f3e6a-0a4b-4d6c-8c61-77b0a2d4e5f1",
        createdDateTime: "2024-12-01T00:30:00Z",
        modifiedDateTime: "0001-01-01T08:00:00Z",
      });
    },
  },
  {
    name: "Global Administrator assignment with an end date",
    breaks: "000/001/003/004: permanent Global Administrator",
    expect: { "EA-ROLE-02": "fail" },
    apply(s) {
      gaAssignment(s).schedule.scheduleInfo.expiration = {
        type: "afterDateTime",
        endDateTime: isoAfter(180),
        duration: null,
      };
    },
  },
  {
    name: "an owner added to the emergency group",
    breaks: "000/002/003: the group has no owners",
    expect: { "EA-ROLE-03": "fail" },
    apply(s) {
      group(s).owners.push(ref("user", userByUpn(s, "adm-tariq.martin").id));
    },
  },
  {
    name: "the emergency group is not role-assignable",
    breaks: "000/002/003: a role-assignable group",
    expect: { "EA-ROLE-03": "fail" },
    apply(s) {
      group(s).isAssignableToRole = false;
    },
  },
  {
    name: "a second, unrelated member in the emergency group",
    breaks: "000/002/003: members exactly the emergency accounts",
    // The member now holds Global Administrator through the group: a privileged user whose methods
    // the sample file never collected (it was not an export subject), so EA-AUTH-04 cannot pass.
    expect: { "EA-ROLE-03": "fail", "EA-AUTH-04": "unknown" },
    apply(s) {
      group(s).members.push(ref("user", userByUpn(s, "tariq.martin@").id));
    },
  },
  {
    name: "the administrative unit no longer restricts management",
    breaks: "beyond seeds: restricted-management AU",
    // EA-ACC-10 also counts a non-restricted AU as a tie to everyday identity (see the report).
    expect: { "EA-ROLE-04": "fail", "EA-ACC-10": "fail" },
    apply(s) {
      adminUnit(s).isMemberManagementRestricted = false;
    },
  },
  {
    name: "the emergency group moved to a non-restricted AU",
    breaks: "beyond seeds: restricted-management AU",
    expect: { "EA-ROLE-04": "fail" },
    apply(s) {
      removeRef(adminUnit(s).members, GROUP);
      sections(s).administrativeUnits.push({
        ...structuredClone(adminUnit(s)),
        id: "3e0b7c41-9d2f-4a8e-b6c5-1f7a2e9d0c84",
        displayName: "AU-Groups",
        description: "Group administration",
        isMemberManagementRestricted: false,
        members: [ref("group", GROUP)],
      });
    },
  },
  {
    name: "no other Global Administrator (the everyday admins lose GA)",
    breaks: "004: zero daily use, another GA exists",
    expect: { "EA-ROLE-05": "fail" },
    apply(s) {
      const j = sections(s);
      j.roleEligibilitySchedules = j.roleEligibilitySchedules.filter(
        (e: Json) => e.roleDefinitionId !== GLOBAL_ADMINISTRATOR,
      );
    },
  },
  {
    name: "Global Administrator removed from the emergency group",
    breaks: "all seeds: every account holds Global Administrator",
    // no Global Administrator at all is no active, permanent one either (EA-ROLE-02)
    expect: { "EA-ROLE-01": "fail", "EA-ROLE-02": "fail" },
    apply(s) {
      const j = sections(s);
      const { assignment, schedule } = gaAssignment(s);
      j.roleAssignments.splice(j.roleAssignments.indexOf(assignment), 1);
      j.roleAssignmentSchedules.splice(j.roleAssignmentSchedules.indexOf(schedule), 1);
    },
  },
  {
    name: "GA activation needs approval by a disabled admin",
    breaks: "003: PIM approval cannot lock admins out",
    expect: { "EA-ROLE-06": "fail" },
    apply(s) {
      const approver = userByUpn(s, "adm-diego.keller");
      approver.accountEnabled = false;
      const rule = sections(s)
        .roleManagementPolicyAssignments.find((a: Json) => a.roleDefinitionId === GLOBAL_ADMINISTRATOR)
        .policy.rules.find((r: Json) => r.id === "Approval_EndUser_Assignment");
      rule.setting.isApprovalRequired = true;
      rule.setting.approvalStages[0].primaryApprovers = [
        {
          "@odata.type": "#microsoft.graph.singleUser",
          userId: approver.id,
          description: approver.displayName,
        },
      ];
    },
  },
  // ------------------------------------------------------------------ authentication
  {
    name: "an account without any FIDO2 key",
    breaks: "000-004: a phishing-resistant method on every account",
    // no key: no diversity (EA-AUTH-02), the strength admits no key it holds (EA-CA-03), locked out (EA-CA-05)
    expect: {
      "EA-AUTH-01": "fail",
      "EA-AUTH-02": "fail",
      "EA-CA-03": "fail",
      "EA-CA-05": "fail",
      "EA-OPS-03": "fail",
    },
    apply(s) {
      const u = user(s, ZT4P9W);
      u.authenticationMethods = u.authenticationMethods.filter(
        (m: Json) => !m["@odata.type"].endsWith("fido2AuthenticationMethod"),
      );
    },
  },
  {
    name: "an everyday admin holds a key of the same model as an emergency account",
    breaks: "001: independent of everyday admins",
    expect: { "EA-AUTH-04": "fail" },
    apply(s) {
      addMethod(s, userByUpn(s, "adm-tariq.martin").id, {
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: "YWRtLWtleS1zYW1lLW1vZGVsLWFzLWVtZXJnZW5jeS0wMDAwMDAwMDAwMDAwMDAwMDAwMDAw",
        displayName: "YubiKey",
        createdDateTime: "2026-09-10T08:14:02.1234567Z",
        aaGuid: "2fc0579f-8113-47ea-b116-bb5a8db9202a",
        model: "YubiKey 5 Series with NFC",
        attestationCertificates: ["0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"],
        attestationLevel: "attested",
      });
    },
  },
  {
    name: "an SMS phone method",
    breaks: "000/001/004: no phishable method",
    expect: { "EA-AUTH-03": "fail" },
    apply(s) {
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "3179e48a-750b-4051-897c-87b9720928f7",
        phoneNumber: "+31 612345670",
        phoneType: "mobile",
        smsSignInState: "notEnabled",
      });
    },
  },
  {
    name: "a passkey in Microsoft Authenticator",
    breaks: "000/001/004: no Authenticator passkey (a phone, not a hardware key)",
    expect: { "EA-AUTH-03": "fail", "EA-OPS-03": "fail" },
    apply(s) {
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: "cGFzc2tleS1pbi1hdXRoZW50aWNhdG9yLW9uLWFuLWlQaG9uZS0wMDAwMDAwMDAwMDAwMDAw",
        displayName: "iPhone 13 mini",
        createdDateTime: "2026-10-20T08:14:02.1234567Z",
        aaGuid: AUTHENTICATOR_IOS_AAGUID,
        model: "Microsoft Authenticator - iOS",
        attestationCertificates: [],
        attestationLevel: "notAttested",
      });
    },
  },
  {
    name: "a passkey in Microsoft Authenticator on an everyday admin's phone",
    breaks:
      "001: methods independent of the everyday admins' (the passkey names adm-tariq.martin's Authenticator phone)",
    expect: { "EA-AUTH-03": "fail", "EA-AUTH-04": "fail", "EA-OPS-03": "fail" },
    apply(s) {
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: "cGFzc2tleS1vbi1hbi1hZG1pbnMtaVBob25lLTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw",
        displayName: "iPhone 15",
        createdDateTime: "2026-10-20T08:14:02.1234567Z",
        aaGuid: AUTHENTICATOR_IOS_AAGUID,
        model: "Microsoft Authenticator - iOS",
        attestationCertificates: [],
        attestationLevel: "notAttested",
      });
    },
  },
  {
    name: "an e-mail method",
    breaks: "000/001/004: no phishable method",
    expect: { "EA-AUTH-03": "fail" },
    apply(s) {
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
        id: "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
        emailAddress: "someone@example.com",
      });
    },
  },
  {
    name: "a software OATH token",
    breaks: "000/001/004: no phishable method",
    expect: { "EA-AUTH-03": "fail" },
    apply(s) {
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
        id: "b172893e-9f2b-4d43-8a50-2e9d8f0d2a11",
        secretKey: null,
      });
    },
  },
  {
    name: "a mobilePhone on the user object",
    breaks: "000/001: no recovery phone",
    expect: { "EA-AUTH-03": "fail" },
    apply(s) {
      user(s, ZT4P9W).mobilePhone = "+31 612345670";
    },
  },
  {
    name: "an unattested FIDO2 key instead of an attested one",
    breaks: "004: attested hardware keys, two per account",
    expect: { "EA-AUTH-01": "warn", "EA-AUTH-02": "fail", "EA-AUTH-03": "fail" },
    apply(s) {
      const key = user(s, ZT4P9W).authenticationMethods.find((m: Json) => m.displayName === "Key ZT4P9W-B");
      key.attestationLevel = "notAttested";
      key.attestationCertificates = [];
    },
  },
  {
    name: "both keys of an account of the same model",
    breaks: "004: key diversity",
    expect: { "EA-AUTH-02": "fail" },
    apply(s) {
      const keys = user(s, ZT4P9W).authenticationMethods.filter((m: Json) =>
        m["@odata.type"].endsWith("fido2AuthenticationMethod"),
      );
      keys[1].aaGuid = keys[0].aaGuid;
      keys[1].model = keys[0].model;
    },
  },
  {
    name: "FIDO2 disabled in the methods policy",
    breaks: "beyond seeds: the tenant lets the keys work",
    // the dedicated strength can then not be met: a lockout (EA-CA-05)
    expect: { "EA-AUTH-05": "fail", "EA-CA-05": "fail" },
    apply(s) {
      methodConfig(s, "Fido2").state = "disabled";
    },
  },
  {
    name: "FIDO2 key restriction allows only a model the accounts do not hold",
    breaks: "beyond seeds: any enforced key restriction admits every registered AAGUID",
    // the dedicated strength can then not be met: a lockout (EA-CA-05)
    expect: { "EA-AUTH-05": "fail", "EA-CA-05": "fail" },
    apply(s) {
      methodConfig(s, "Fido2").keyRestrictions = {
        isEnforced: true,
        enforcementType: "allow",
        aaGuids: [UNHELD_AAGUID],
      };
    },
  },
  {
    name: "FIDO2 excludes the emergency group",
    breaks: "beyond seeds: every account covered by the FIDO2 method",
    // the dedicated strength can then not be met: a lockout (EA-CA-05)
    expect: { "EA-AUTH-05": "fail", "EA-CA-05": "fail" },
    apply(s) {
      methodConfig(s, "Fido2").excludeTargets.push({ targetType: "group", id: GROUP });
    },
  },
  {
    name: "per-user MFA enabled",
    breaks: "000/003: per-user MFA disabled",
    expect: { "EA-AUTH-06": "fail" },
    apply(s) {
      user(s, ZT4P9W).perUserMfaState = "enabled";
    },
  },
  {
    name: "SSPR on for admins, an account with an e-mail method",
    breaks: "000: SSPR cannot take them over",
    expect: { "EA-AUTH-03": "fail", "EA-AUTH-07": "fail" },
    apply(s) {
      sections(s).authorizationPolicy.allowedToUseSSPR = true;
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
        id: "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
        emailAddress: "someone@example.com",
      });
    },
  },
  {
    name: "a usable Temporary Access Pass",
    breaks: "beyond seeds: no TAP backdoor",
    expect: { "EA-AUTH-08": "fail" },
    apply(s) {
      const start = isoBefore(0.01);
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        id: "6f0c2a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
        temporaryAccessPass: null,
        createdDateTime: start,
        startDateTime: start,
        lifetimeInMinutes: 480,
        isUsableOnce: false,
        isUsable: true,
        methodUsabilityReason: "EnabledByPolicy",
      });
    },
  },
  {
    name: "the registration campaign no longer excludes the group",
    breaks: "001: registration campaigns exclude the accounts",
    expect: { "EA-AUTH-09": "fail" },
    apply(s) {
      sections(
        s,
      ).authenticationMethodsPolicy.registrationEnforcement.authenticationMethodsRegistrationCampaign.excludeTargets =
        [];
    },
  },
  {
    name: "an account is risky",
    breaks: "beyond seeds: no account at risk",
    expect: { "EA-AUTH-10": "fail" },
    apply(s) {
      const u = user(s, ZT4P9W);
      sections(s).riskyUsers.push({
        id: u.id,
        isDeleted: false,
        isProcessing: false,
        riskLastUpdatedDateTime: "2026-10-31T16:50:17.9526133Z",
        riskLevel: "high",
        riskState: "atRisk",
        riskDetail: "none",
        userDisplayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
      });
    },
  },
  // ------------------------------------------------------------------ Conditional Access
  {
    name: "security defaults enabled",
    breaks: "003: security defaults off",
    expect: {
      "EA-CA-01": "skip",
      "EA-CA-02": "skip",
      "EA-CA-03": "skip",
      "EA-CA-04": "skip",
      "EA-CA-05": "skip",
      "EA-CA-06": "skip",
      "EA-CA-07": "skip",
      "EA-CA-08": "fail",
    },
    apply(s) {
      sections(s).securityDefaults.isEnabled = true;
    },
  },
  {
    name: "the dedicated policy switched to report-only",
    breaks: "000/001/002: an enabled dedicated policy",
    expect: { "EA-CA-02": "fail" },
    apply(s) {
      dedicatedPolicy(s).state = "enabledForReportingButNotEnforced";
    },
  },
  {
    name: "the dedicated policy excludes an app",
    breaks: "000/001/002: the dedicated policy targets all resources",
    expect: { "EA-CA-02": "fail" },
    apply(s) {
      dedicatedPolicy(s).conditions.applications.excludeApplications = [
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
      ];
    },
  },
  {
    name: "the dedicated policy grants plain MFA, not an authentication strength",
    breaks: "000/001/002: grant by authentication strength",
    // EA-CA-03 grades the dedicated policy's strength: there is none
    expect: { "EA-CA-02": "fail", "EA-CA-03": "fail" },
    apply(s) {
      const g = dedicatedPolicy(s).grantControls;
      g.authenticationStrength = null;
      g.builtInControls = ["mfa"];
    },
  },
  {
    name: "the dedicated policy applies only outside trusted locations",
    breaks: "000/001/002: no location condition",
    expect: { "EA-CA-02": "warn" },
    apply(s) {
      dedicatedPolicy(s).conditions.locations = {
        includeLocations: ["All"],
        excludeLocations: ["AllTrusted"],
      };
    },
  },
  {
    name: "the strength restricted to a key model the accounts do not hold",
    breaks: "000/001: the strength admits a key every account holds",
    expect: { "EA-CA-03": "fail", "EA-CA-05": "fail" },
    apply(s) {
      for (const st of [strength(s), dedicatedPolicy(s).grantControls.authenticationStrength])
        if (st.combinationConfigurations) st.combinationConfigurations[0].allowedAAGUIDs = [UNHELD_AAGUID];
    },
  },
  {
    name: "the dedicated policy uses the built-in Phishing-resistant MFA strength",
    breaks: "000/001: a custom strength used by no other policy",
    expect: { "EA-CA-03": "fail" },
    apply(s) {
      dedicatedPolicy(s).grantControls.authenticationStrength = structuredClone(
        strength(s, PHISHING_RESISTANT_STRENGTH),
      );
    },
  },
  {
    name: "the custom strength also allows SMS",
    breaks: "000/001: a phishing-resistant strength",
    expect: { "EA-CA-03": "fail" },
    apply(s) {
      for (const st of [strength(s), dedicatedPolicy(s).grantControls.authenticationStrength])
        st.allowedCombinations = ["fido2", "password,sms"];
    },
  },
  {
    name: "sign-in frequency of 8 hours",
    breaks: "000/002: sign-in frequency every time",
    expect: { "EA-CA-04": "fail" },
    apply(s) {
      dedicatedPolicy(s).sessionControls.signInFrequency = {
        value: 8,
        type: "hours",
        authenticationType: "primaryAndSecondaryAuthentication",
        frequencyInterval: "timeBased",
        isEnabled: true,
      };
    },
  },
  {
    name: "persistent browser always",
    breaks: "000/002: persistent browser never",
    expect: { "EA-CA-04": "fail" },
    apply(s) {
      dedicatedPolicy(s).sessionControls.persistentBrowser = { mode: "always", isEnabled: true };
    },
  },
  {
    name: 'an enabled "Require MFA for all users" without the exclusion',
    breaks: "000-004: no other policy applies to the accounts",
    expect: { "EA-CA-01": "fail" },
    apply(s) {
      caPolicy(s, {
        displayName: "Require MFA for all users",
        users: { includeUsers: ["All"] },
        grant: ["mfa"],
      });
    },
  },
  {
    name: "an enabled block-all policy without the exclusion",
    breaks: "000/001/004: lockout proof",
    expect: { "EA-CA-01": "fail", "EA-CA-05": "fail" },
    apply(s) {
      caPolicy(s, { displayName: "Block everyone", users: { includeUsers: ["All"] }, grant: ["block"] });
    },
  },
  {
    name: "a report-only block-all policy without the exclusion",
    breaks: "000: dormant policies that would lock the accounts out",
    // listed, and it would block the accounts if switched on: fail (as midsize's CA019)
    expect: { "EA-CA-06": "fail" },
    apply(s) {
      caPolicy(s, {
        displayName: "Block everyone (report-only)",
        state: "enabledForReportingButNotEnforced",
        users: { includeUsers: ["All"] },
        grant: ["block"],
      });
    },
  },
  {
    name: "the emergency group removed from the country-block policy's exclusions",
    breaks: "000/001/004: lockout proof (any location)",
    expect: { "EA-CA-01": "fail", "EA-CA-05": "fail" },
    apply(s) {
      policy(s, "CA004").conditions.users.excludeGroups = [];
    },
  },
  {
    name: "the emergency group removed from the legacy-auth block's exclusions",
    breaks: "000-004: no other policy applies (legacy clients are outside the envelope)",
    expect: { "EA-CA-01": "fail" },
    apply(s) {
      policy(s, "CA003").conditions.users.excludeGroups = [];
    },
  },
  {
    name: "a policy excludes the accounts per user instead of by group",
    breaks: "000/002/003: exclusions through the emergency group",
    expect: { "EA-CA-07": "fail" },
    apply(s) {
      const u = policy(s, "CA001").conditions.users;
      u.excludeGroups = [];
      u.excludeUsers = [ZT4P9W, MQ8R3X];
    },
  },
  {
    name: "the admin-roles policy no longer excludes the group (GA role path)",
    breaks: "000-004: no other policy applies (through an active role)",
    // its phishing-resistant strength is met by the keys: no lockout (EA-CA-05 unchanged)
    expect: { "EA-CA-01": "fail" },
    apply(s) {
      policy(s, "CA002").conditions.users.excludeGroups = [];
    },
  },
  {
    name: "a policy excludes the Global Administrator role instead of the group",
    breaks: "000/002/003: exclusions through the emergency group, not per role",
    expect: { "EA-CA-07": "fail" },
    apply(s) {
      const u = policy(s, "CA001").conditions.users;
      u.excludeGroups = [];
      u.excludeRoles = [GLOBAL_ADMINISTRATOR];
    },
  },
  // ------------------------------------------------------------------ monitoring
  {
    name: "the diagnostic setting drops NonInteractiveUserSignInLogs",
    breaks: "000/001/002/004: sign-in logs exported",
    // nothing is sent to AADNonInteractiveUserSignInLogs, so nothing retains it (EA-MON-02) and no
    // workspace receives both sign-in categories (EA-MON-03)
    expect: { "EA-MON-01": "fail", "EA-MON-02": "fail", "EA-MON-03": "fail" },
    apply(s) {
      diagnosticLog(s, "NonInteractiveUserSignInLogs").enabled = false;
    },
  },
  {
    name: "SigninLogs kept 30 days interactively (730 in total)",
    breaks: "002: retention (total retention alone only warns)",
    expect: { "EA-MON-02": "warn" },
    apply(s) {
      Object.assign(table(s, "SigninLogs").properties, { retentionInDays: 30, archiveRetentionInDays: 700 });
    },
  },
  {
    name: "SigninLogs kept 30 days in all",
    breaks: "002: retention",
    expect: { "EA-MON-02": "fail" },
    apply(s) {
      Object.assign(table(s, "SigninLogs").properties, {
        retentionInDays: 30,
        totalRetentionInDays: 30,
        archiveRetentionInDays: 0,
      });
    },
  },
  {
    name: "an account dropped from the sign-in alert's KQL",
    breaks: "000/001/002/004: an alert watches every account",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query
        .replace(', "71b91a45-f4df-49fc-85a0-d42f9db61b6e"', "")
        .replace(', "mq8r3x@contosomedical.onmicrosoft.com"', "");
    },
  },
  {
    name: "the sign-in alert's comparison negated",
    breaks: "000/001/002/004: an alert watches every account",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "| where UserId in~ (ids) or UserPrincipalName in~ (upns)",
        "| where UserId !in~ (ids) and UserPrincipalName !in~ (upns)",
      );
    },
  },
  {
    name: "the sign-in alert reads SigninLogs only",
    breaks: "000/001/002/004: both sign-in tables",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      const q = signInQuery(s);
      q.query = q.query.replace(
        "union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs",
        "SigninLogs",
      );
    },
  },
  {
    name: "the sign-in alert muted for an hour",
    breaks: "000/001/002/004: the alert reaches a person",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      signInRule(s).properties.muteActionsDuration = "PT1H";
    },
  },
  {
    name: "the sign-in alert disabled",
    breaks: "000/001/002/004: the alert reaches a person",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      signInRule(s).properties.enabled = false;
    },
  },
  {
    name: "the sign-in alert fires only above 5 rows",
    breaks: "000/001/002/004: threshold greater than 0",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      signInQuery(s).threshold = 5;
    },
  },
  {
    name: "the sign-in alert runs hourly",
    breaks: "000/001/002/004: frequency at most alert.maxFrequency",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      Object.assign(signInRule(s).properties, { evaluationFrequency: "PT1H", windowSize: "PT1H" });
    },
  },
  {
    name: "the sign-in alert auto-mitigates",
    breaks: "000/001: a second sign-in must not stay silent",
    expect: { "EA-MON-03": "warn" },
    apply(s) {
      signInRule(s).properties.autoMitigate = true;
    },
  },
  {
    name: "the action group disabled",
    breaks: "000/001/002/004: alerts reach a person",
    expect: { "EA-MON-03": "fail", "EA-MON-04": "fail" },
    apply(s) {
      azure(s).actionGroups[0].properties.enabled = false;
    },
  },
  {
    name: "the diagnostic setting drops AuditLogs",
    breaks: "000/001/002/004: audit logs exported",
    // nothing retains AuditLogs (EA-MON-02) and the audit alerts read a table that gets nothing (EA-MON-04)
    expect: { "EA-MON-01": "fail", "EA-MON-02": "fail", "EA-MON-04": "fail" },
    apply(s) {
      diagnosticLog(s, "AuditLogs").enabled = false;
    },
  },
  {
    name: "the sign-in alert at severity 3",
    breaks: "000/001: severity at most alert.maxSeverity",
    expect: { "EA-MON-03": "fail" },
    apply(s) {
      signInRule(s).properties.severity = 3;
    },
  },
  {
    name: "the alert on events initiated by an account disabled",
    breaks: "000/001: every audit family alerted (5: any event an account initiates)",
    expect: { "EA-MON-04": "fail" },
    apply(s) {
      azure(s).scheduledQueryRules.find(
        (r: Json) => r.name === "sqr-core-access-activity",
      ).properties.enabled = false;
    },
  },
  {
    name: "the Conditional Access change alert deleted",
    breaks: "000/001: every audit family alerted",
    expect: { "EA-MON-04": "fail" },
    apply(s) {
      const rules = azure(s).scheduledQueryRules;
      rules.splice(
        rules.findIndex((r: Json) => r.name === "sqr-conditional-access-change"),
        1,
      );
    },
  },
];

/**
 * Changes that look like a broken recommendation but are met another way (docs/checks.md): they must
 * change nothing. They guard against checks that read one field where the catalogue allows two.
 */
export const CONTROLS: Mutation[] = [
  {
    name: "DisablePasswordExpiration removed, but the domain's passwords never expire",
    breaks: "nothing: 000/004 allow either the user policy or the domain's 2147483647 days",
    expect: {},
    apply(s) {
      user(s, ZT4P9W).passwordPolicies = null;
    },
  },
  {
    name: "SSPR on for admins, but no account has an SSPR-usable method",
    breaks: "nothing: 000 is met when no account can use SSPR",
    expect: {},
    apply(s) {
      sections(s).authorizationPolicy.allowedToUseSSPR = true;
    },
  },
  {
    name: "an expired, unusable Temporary Access Pass",
    breaks: "nothing: only a usable pass is a backdoor",
    expect: {},
    apply(s) {
      const start = isoBefore(30);
      addMethod(s, ZT4P9W, {
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        id: "6f0c2a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
        temporaryAccessPass: null,
        createdDateTime: start,
        startDateTime: start,
        lifetimeInMinutes: 60,
        isUsableOnce: true,
        isUsable: false,
        methodUsabilityReason: "Expired",
      });
    },
  },
];
