/**
 * The tenant snapshot, format v1 (docs/snapshot.md).
 *
 * Objects are kept exactly as Graph / ARM return them: every object schema is "loose" so unknown
 * properties survive a load/save round trip. Only the properties Breakglass reads are typed, and
 * they are typed as Graph documents them (nullable where Graph sends null), so a wrong type in a
 * hand-written or hostile snapshot is caught at load time with its JSON path.
 *
 * Keep it representable as JSON Schema (no refine, no transform): the loader's fast check,
 * src/snapshot/validate.generated.ts, is compiled from it by scripts/gen-snapshot-validator.ts.
 */
import { z } from "zod";

export const SNAPSHOT_SCHEMA = "breakglass.snapshot/v1";

const str = z.string();
const nstr = z.string().nullish();
const nbool = z.boolean().nullish();
const nint = z.number().int().nullish();
const strArr = z.array(z.string()).nullish();

/** A reference to a directory object as Graph lists it in members/owners/ownedObjects. */
export const DirectoryObjectRef = z.looseObject({
  "@odata.type": z.string().optional(),
  id: str,
});

export const AuthenticationMethod = z.looseObject({
  "@odata.type": str,
  id: str,
  displayName: nstr,
  createdDateTime: nstr,
  // fido2AuthenticationMethod
  aaGuid: nstr,
  model: nstr,
  attestationLevel: nstr,
  // phoneAuthenticationMethod
  phoneNumber: nstr,
  phoneType: nstr,
  // emailAuthenticationMethod
  emailAddress: nstr,
  // temporaryAccessPassAuthenticationMethod
  startDateTime: nstr,
  lifetimeInMinutes: nint,
  isUsableOnce: nbool,
  isUsable: nbool,
  methodUsabilityReason: nstr,
  // microsoftAuthenticatorAuthenticationMethod
  deviceTag: nstr,
  phoneAppVersion: nstr,
});

export const SignInActivity = z.looseObject({
  lastSignInDateTime: nstr,
  lastNonInteractiveSignInDateTime: nstr,
  lastSuccessfulSignInDateTime: nstr,
});

export const User = z.looseObject({
  id: str,
  userPrincipalName: nstr,
  displayName: nstr,
  mailNickname: nstr,
  mail: nstr,
  accountEnabled: nbool,
  userType: nstr,
  identities: z.array(z.looseObject({ signInType: nstr, issuer: nstr, issuerAssignedId: nstr })).nullish(),
  onPremisesSyncEnabled: nbool,
  onPremisesImmutableId: nstr,
  passwordPolicies: nstr,
  lastPasswordChangeDateTime: nstr,
  createdDateTime: nstr,
  assignedLicenses: z.array(z.looseObject({ skuId: nstr, disabledPlans: strArr })).nullish(),
  mobilePhone: nstr,
  otherMails: strArr,
  signInActivity: SignInActivity.nullish(),
  authenticationMethods: z.array(AuthenticationMethod).optional(),
  perUserMfaState: nstr,
  ownedObjects: z.array(DirectoryObjectRef).optional(),
  authorizationInfo: z.looseObject({ certificateUserIds: strArr }).nullish(),
});

export const DeletedUser = z.looseObject({ id: str, userPrincipalName: nstr, deletedDateTime: nstr });

export const RiskyUser = z.looseObject({
  id: str,
  userPrincipalName: nstr,
  riskLevel: nstr,
  riskState: nstr,
  riskLastUpdatedDateTime: nstr,
});

export const Group = z.looseObject({
  id: str,
  displayName: nstr,
  description: nstr,
  securityEnabled: nbool,
  mailEnabled: nbool,
  groupTypes: strArr,
  membershipRule: nstr,
  isAssignableToRole: nbool,
  members: z.array(DirectoryObjectRef).optional(),
  owners: z.array(DirectoryObjectRef).optional(),
});

export const AdministrativeUnit = z.looseObject({
  id: str,
  displayName: nstr,
  isMemberManagementRestricted: nbool,
  members: z.array(DirectoryObjectRef).optional(),
});

export const RoleDefinition = z.looseObject({
  id: str,
  displayName: nstr,
  templateId: nstr,
  isBuiltIn: nbool,
  isPrivileged: nbool,
});

export const RoleAssignment = z.looseObject({
  id: str,
  principalId: str,
  roleDefinitionId: str,
  directoryScopeId: nstr,
});

const Expiration = z.looseObject({ type: nstr, endDateTime: nstr, duration: nstr });
const ScheduleInfo = z.looseObject({ startDateTime: nstr, expiration: Expiration.nullish() });

export const RoleSchedule = z.looseObject({
  id: str,
  principalId: str,
  roleDefinitionId: str,
  directoryScopeId: nstr,
  status: nstr,
  assignmentType: nstr,
  memberType: nstr,
  scheduleInfo: ScheduleInfo.nullish(),
});

export const GroupSchedule = z.looseObject({
  id: str,
  principalId: str,
  groupId: str,
  accessId: nstr,
  status: nstr,
  memberType: nstr,
  scheduleInfo: ScheduleInfo.nullish(),
});

/** A PIM approver (singleUser, groupMembers, requestorManager...) as an approval stage names it. */
const RoleApprover = z.looseObject({ "@odata.type": z.string().optional(), userId: nstr, groupId: nstr });

export const RoleManagementPolicyAssignment = z.looseObject({
  id: str,
  policyId: nstr,
  scopeId: nstr,
  scopeType: nstr,
  roleDefinitionId: nstr,
  policy: z
    .looseObject({
      id: str,
      rules: z
        .array(
          z.looseObject({
            "@odata.type": z.string().optional(),
            id: str,
            // unifiedRoleManagementPolicyApprovalRule.setting
            setting: z
              .looseObject({
                isApprovalRequired: nbool,
                approvalStages: z
                  .array(
                    z.looseObject({
                      primaryApprovers: z.array(RoleApprover).nullish(),
                    }),
                  )
                  .nullish(),
              })
              .nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

const CaUsers = z.looseObject({
  includeUsers: strArr,
  excludeUsers: strArr,
  includeGroups: strArr,
  excludeGroups: strArr,
  includeRoles: strArr,
  excludeRoles: strArr,
});

export const AuthenticationStrengthPolicy = z.looseObject({
  id: str,
  displayName: nstr,
  policyType: nstr,
  allowedCombinations: strArr,
  combinationConfigurations: z
    .array(
      z.looseObject({
        "@odata.type": z.string().optional(),
        // fido2CombinationConfiguration
        appliesToCombinations: strArr,
        allowedAAGUIDs: strArr,
      }),
    )
    .nullish(),
});

export const ConditionalAccessPolicy = z.looseObject({
  id: str,
  displayName: nstr,
  state: str,
  conditions: z
    .looseObject({
      users: CaUsers.nullish(),
      applications: z.looseObject({ includeApplications: strArr, excludeApplications: strArr }).nullish(),
      clientAppTypes: strArr,
      locations: z.looseObject({ includeLocations: strArr, excludeLocations: strArr }).nullish(),
      platforms: z.looseObject({ includePlatforms: strArr, excludePlatforms: strArr }).nullish(),
      devices: z
        .looseObject({
          includeDevices: strArr,
          excludeDevices: strArr,
          deviceFilter: z.looseObject({ mode: nstr, rule: nstr }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  grantControls: z
    .looseObject({
      operator: nstr,
      builtInControls: strArr,
      customAuthenticationFactors: strArr,
      termsOfUse: strArr,
      // Graph may inline the whole strength; a reference holds its id only.
      authenticationStrength: AuthenticationStrengthPolicy.nullish(),
    })
    .nullish(),
  sessionControls: z
    .looseObject({
      signInFrequency: z
        .looseObject({ isEnabled: nbool, value: nint, type: nstr, frequencyInterval: nstr })
        .nullish(),
      persistentBrowser: z.looseObject({ isEnabled: nbool, mode: nstr }).nullish(),
    })
    .nullish(),
});

export const NamedLocation = z.looseObject({ "@odata.type": str, id: str, displayName: nstr });

/** Who a method configuration or a registration campaign targets (read by the checks and the CA engine). */
const MethodTargets = z
  .array(
    z.looseObject({
      id: str,
      targetType: nstr,
      isRegistrationRequired: nbool,
      // a registration campaign's target
      targetedAuthenticationMethod: nstr,
    }),
  )
  .nullish();

export const AuthenticationMethodConfiguration = z.looseObject({
  id: str,
  state: nstr,
  includeTargets: MethodTargets,
  excludeTargets: MethodTargets,
  // fido2AuthenticationMethodConfiguration
  keyRestrictions: z.looseObject({ isEnforced: nbool, enforcementType: nstr, aaGuids: strArr }).nullish(),
});

export const AuthenticationMethodsPolicy = z.looseObject({
  authenticationMethodConfigurations: z.array(AuthenticationMethodConfiguration).nullish(),
  registrationEnforcement: z
    .looseObject({
      authenticationMethodsRegistrationCampaign: z
        .looseObject({ state: nstr, includeTargets: MethodTargets, excludeTargets: MethodTargets })
        .nullish(),
    })
    .nullish(),
});

export const AuthorizationPolicy = z.looseObject({ allowedToUseSSPR: nbool });
export const SecurityDefaults = z.looseObject({ isEnabled: nbool });

export const ArmResource = z.looseObject({
  id: nstr,
  name: nstr,
  type: nstr,
  properties: z.looseObject({}).nullish(),
});

export const Azure = z.looseObject({
  subscriptions: z.array(z.looseObject({ subscriptionId: str, displayName: nstr, state: nstr })).optional(),
  diagnosticSettings: z.array(ArmResource).optional(),
  workspaces: z.array(ArmResource).optional(),
  tables: z.array(ArmResource).optional(),
  scheduledQueryRules: z.array(ArmResource).optional(),
  actionGroups: z.array(ArmResource).optional(),
  sentinelAlertRules: z.array(ArmResource.extend({ kind: nstr })).optional(),
  sentinelWatchlists: z.array(ArmResource).optional(),
  /** the alerts the sign-in rules raised in the last 30 days (Microsoft.AlertsManagement/alerts) */
  alerts: z.array(ArmResource).optional(),
});

const loose = z.looseObject({});

export const AccessReviewDefinition = z.looseObject({
  id: str,
  displayName: nstr,
  status: nstr,
  settings: z
    .looseObject({ defaultDecisionEnabled: nbool, defaultDecision: nstr, autoApplyDecisionsEnabled: nbool })
    .nullish(),
});

export const LifecycleWorkflow = z.looseObject({
  id: str,
  displayName: nstr,
  category: nstr,
  isEnabled: nbool,
  isSchedulingEnabled: nbool,
  executionConditions: z
    .looseObject({
      trigger: z.looseObject({ "@odata.type": z.string().optional() }).nullish(),
      scope: z.looseObject({ rule: nstr }).nullish(),
    })
    .nullish(),
  tasks: z.array(z.looseObject({ isEnabled: nbool, taskDefinitionId: nstr })).nullish(),
});

/** A row of Graph's userRegistrationDetails report (src/snapshot/registration.ts). */
export const RegistrationDetails = z.looseObject({
  id: str,
  userPrincipalName: nstr,
  methodsRegistered: z.array(z.string()).nullish(),
});

export const Snapshot = z.looseObject({
  schema: z.literal(SNAPSHOT_SCHEMA, {
    error: () => `expected "${SNAPSHOT_SCHEMA}" (the only snapshot format this version reads)`,
  }),
  tenant: z.looseObject({ id: str, displayName: nstr, capturedAt: z.iso.datetime({ offset: true }) }),
  organization: z.array(loose).optional(),
  subscribedSkus: z
    .array(
      z.looseObject({
        skuId: nstr,
        skuPartNumber: nstr,
        servicePlans: z.array(z.looseObject({ servicePlanName: nstr, servicePlanId: nstr })).nullish(),
      }),
    )
    .optional(),
  domains: z
    .array(
      z.looseObject({
        id: str,
        isDefault: nbool,
        isInitial: nbool,
        authenticationType: nstr,
        passwordValidityPeriodInDays: nint,
      }),
    )
    .optional(),
  users: z.array(User).optional(),
  deletedUsers: z.array(DeletedUser).optional(),
  riskyUsers: z.array(RiskyUser).optional(),
  groups: z.array(Group).optional(),
  administrativeUnits: z.array(AdministrativeUnit).optional(),
  roleDefinitions: z.array(RoleDefinition).optional(),
  roleAssignments: z.array(RoleAssignment).optional(),
  roleAssignmentSchedules: z.array(RoleSchedule).optional(),
  roleEligibilitySchedules: z.array(RoleSchedule).optional(),
  roleManagementPolicyAssignments: z.array(RoleManagementPolicyAssignment).optional(),
  privilegedAccessGroupAssignmentSchedules: z.array(GroupSchedule).optional(),
  privilegedAccessGroupEligibilitySchedules: z.array(GroupSchedule).optional(),
  conditionalAccessPolicies: z.array(ConditionalAccessPolicy).optional(),
  namedLocations: z.array(NamedLocation).optional(),
  authenticationStrengthPolicies: z.array(AuthenticationStrengthPolicy).optional(),
  authenticationMethodsPolicy: AuthenticationMethodsPolicy.optional(),
  authorizationPolicy: AuthorizationPolicy.optional(),
  securityDefaults: SecurityDefaults.optional(),
  accessReviewDefinitions: z.array(AccessReviewDefinition).optional(),
  lifecycleWorkflows: z.array(LifecycleWorkflow).optional(),
  signIns: z.array(z.looseObject({ id: str, userId: nstr, createdDateTime: nstr })).optional(),
  directoryAudits: z.array(z.looseObject({ id: str, activityDateTime: nstr })).optional(),
  registrationDetails: z.array(RegistrationDetails).optional(),
  azure: Azure.optional(),
  unavailable: z.record(z.string(), z.string()).optional(),
});

export type Snapshot = z.infer<typeof Snapshot>;
export type User = z.infer<typeof User>;
export type Group = z.infer<typeof Group>;
export type AuthenticationMethod = z.infer<typeof AuthenticationMethod>;
export type RegistrationDetails = z.infer<typeof RegistrationDetails>;
export type RoleAssignment = z.infer<typeof RoleAssignment>;
export type RoleSchedule = z.infer<typeof RoleSchedule>;
export type GroupSchedule = z.infer<typeof GroupSchedule>;
export type ConditionalAccessPolicy = z.infer<typeof ConditionalAccessPolicy>;
export type ArmResource = z.infer<typeof ArmResource>;
export type RoleApprover = z.infer<typeof RoleApprover>;
export type AuthenticationStrengthPolicy = z.infer<typeof AuthenticationStrengthPolicy>;
export type AuthenticationMethodConfiguration = z.infer<typeof AuthenticationMethodConfiguration>;

/**
 * The user properties `export` selects (Graph returns only a small default set without $select).
 * Sample tenants give users these properties and no others, besides the relationships
 * (authenticationMethods, perUserMfaState, ownedObjects) and signInActivity, which are read separately.
 */
export const USER_PROPERTIES = [
  "id",
  "userPrincipalName",
  "displayName",
  "givenName",
  "surname",
  "mail",
  "mailNickname",
  "jobTitle",
  "department",
  "accountEnabled",
  "userType",
  "creationType",
  "identities",
  "onPremisesSyncEnabled",
  "onPremisesImmutableId",
  "onPremisesLastSyncDateTime",
  "passwordPolicies",
  "lastPasswordChangeDateTime",
  "createdDateTime",
  "assignedLicenses",
  "mobilePhone",
  "businessPhones",
  "otherMails",
  "employeeLeaveDateTime",
] as const;

/** The Graph sections of a snapshot that are arrays of objects (everything but tenant/azure/singletons). */
export const GRAPH_LIST_SECTIONS = [
  "organization",
  "subscribedSkus",
  "domains",
  "users",
  "deletedUsers",
  "riskyUsers",
  "groups",
  "administrativeUnits",
  "roleDefinitions",
  "roleAssignments",
  "roleAssignmentSchedules",
  "roleEligibilitySchedules",
  "roleManagementPolicyAssignments",
  "privilegedAccessGroupAssignmentSchedules",
  "privilegedAccessGroupEligibilitySchedules",
  "conditionalAccessPolicies",
  "namedLocations",
  "authenticationStrengthPolicies",
  "accessReviewDefinitions",
  "lifecycleWorkflows",
  "signIns",
  "directoryAudits",
  "registrationDetails",
] as const;
export type GraphListSection = (typeof GRAPH_LIST_SECTIONS)[number];

export const GRAPH_SINGLETON_SECTIONS = [
  "authenticationMethodsPolicy",
  "authorizationPolicy",
  "securityDefaults",
] as const;
export type GraphSingletonSection = (typeof GRAPH_SINGLETON_SECTIONS)[number];

export const AZURE_SECTIONS = [
  "subscriptions",
  "diagnosticSettings",
  "workspaces",
  "tables",
  "scheduledQueryRules",
  "actionGroups",
  "sentinelAlertRules",
  "sentinelWatchlists",
  "alerts",
] as const;
export type AzureSection = (typeof AZURE_SECTIONS)[number];
