/**
 * Per-resource query capabilities (docs/graph-contract.md property tables and the Graph API reference):
 * which properties accept which $filter operators, what $orderby/$search/$top allow, default
 * property sets. Routes combine these with their data sources.
 */
import { USER_PROPERTIES } from "../../src/snapshot/schema.js";
import type { ClauseOp } from "./odata/filter-clauses.js";
import type { CollectionSpec, TopSpec } from "./odata/query.js";

export type Ops = readonly ClauseOp[];
export const EQ: Ops = ["eq"];
export const EQ_IN: Ops = ["eq", "in"];
export const EQ_NE: Ops = ["eq", "ne"];
export const ID_OPS: Ops = ["eq", "ne", "not", "in"];
export const BOOL: Ops = ["eq", "ne", "not", "in"];
export const BOOL_NULL: Ops = ["eq", "ne", "not", "in", "eqNull"];
export const STR: Ops = ["eq", "ne", "not", "ge", "le", "in", "startsWith", "eqNull"];
export const STR_END: Ops = [...STR, "endsWith"];
export const DATE: Ops = ["eq", "ne", "not", "ge", "le", "in"];
export const EQ_START: Ops = ["eq", "startsWith"];

/** Directory objects: 100 per page by default, `$top` up to 999 (graph-contract 0.2). */
export const DIRECTORY_TOP: TopSpec = { default: 100, max: 999, overMax: "reject" };
/** Sign-ins and audits: default and max 1,000, newest first. */
export const LOG_TOP: TopSpec = { default: 1000, max: 1000, overMax: "cap" };
/** `$select=signInActivity` caps users pages at 120 (Graph's List users reference, example 11). */
export const SIGN_IN_ACTIVITY_PAGE = 120;

export const USER_DEFAULT_PROPERTIES = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
] as const;

/**
 * User properties Graph returns only for a single user: selecting them on a list is
 * `501 Not Implemented` (graph-contract 0.3, `/users?$select=aboutMe`).
 */
export const USER_SINGLE_ONLY_PROPERTIES: ReadonlySet<string> = new Set([
  "aboutMe",
  "birthday",
  "hireDate",
  "interests",
  "mySite",
  "pastProjects",
  "preferredName",
  "responsibilities",
  "schools",
  "skills",
  "mailboxSettings",
]);

/** user properties Graph knows (for `$select` validation), besides those present on stored users. */
export const USER_KNOWN_PROPERTIES: ReadonlySet<string> = new Set([
  ...USER_PROPERTIES,
  ...USER_DEFAULT_PROPERTIES,
  "signInActivity",
  ...USER_SINGLE_ONLY_PROPERTIES,
  "ageGroup",
  "assignedPlans",
  "city",
  "companyName",
  "consentProvidedForMinor",
  "country",
  "customSecurityAttributes",
  "deletedDateTime",
  "employeeHireDate",
  "employeeId",
  "employeeOrgData",
  "employeeType",
  "externalUserState",
  "externalUserStateChangeDateTime",
  "faxNumber",
  "imAddresses",
  "isResourceAccount",
  "legalAgeGroupClassification",
  "licenseAssignmentStates",
  "onPremisesDistinguishedName",
  "onPremisesDomainName",
  "onPremisesExtensionAttributes",
  "onPremisesProvisioningErrors",
  "onPremisesSamAccountName",
  "onPremisesSecurityIdentifier",
  "onPremisesUserPrincipalName",
  "passwordProfile",
  "postalCode",
  "preferredDataLocation",
  "provisionedPlans",
  "proxyAddresses",
  "refreshTokensValidFromDateTime",
  "securityIdentifier",
  "showInAddressList",
  "signInSessionsValidFromDateTime",
  "state",
  "streetAddress",
  "usageLocation",
]);

/** collection-valued user properties: Graph returns `[]`, not null, when unset. */
export const USER_ARRAY_PROPERTIES: ReadonlySet<string> = new Set([
  "businessPhones",
  "otherMails",
  "identities",
  "assignedLicenses",
  "assignedPlans",
  "proxyAddresses",
  "imAddresses",
  "provisionedPlans",
  "licenseAssignmentStates",
  "onPremisesProvisioningErrors",
]);

const SIA_OPS: Ops = ["eq", "ne", "not", "ge", "le"];

export const USER_FILTER: Record<string, Ops> = {
  id: ID_OPS,
  userPrincipalName: ["eq", "ne", "not", "ge", "le", "in", "startsWith", "endsWith"],
  displayName: STR,
  givenName: STR,
  surname: STR,
  jobTitle: STR,
  department: STR,
  mail: STR_END,
  mailNickname: STR_END,
  mobilePhone: STR,
  employeeId: STR,
  accountEnabled: BOOL,
  onPremisesSyncEnabled: BOOL_NULL,
  onPremisesImmutableId: ["eq", "ne", "not", "ge", "le", "in"],
  onPremisesLastSyncDateTime: DATE,
  onPremisesSamAccountName: STR,
  passwordPolicies: ["ne", "not", "eqNull"],
  lastPasswordChangeDateTime: DATE,
  userType: ["eq", "ne", "not", "in", "eqNull"],
  createdDateTime: DATE,
  employeeLeaveDateTime: DATE,
  employeeHireDate: DATE,
  creationType: ["eq", "ne", "not", "in", "eqNull"],
  externalUserState: ["eq", "ne", "not", "in"],
  assignedLicenses: ["any", "not"],
  "assignedLicenses/skuId": EQ,
  identities: ["any"],
  "identities/issuer": EQ,
  "identities/issuerAssignedId": EQ,
  "identities/signInType": EQ,
  otherMails: ["any", "not", "eq", "startsWith"],
  businessPhones: ["any", "not", "eq"],
  proxyAddresses: ["any", "not", "eq", "startsWith", "endsWith"],
  "signInActivity/lastSignInDateTime": SIA_OPS,
  "signInActivity/lastNonInteractiveSignInDateTime": SIA_OPS,
  "signInActivity/lastSuccessfulSignInDateTime": SIA_OPS,
};

export const USERS_SPEC = (known: ReadonlySet<string>): Omit<CollectionSpec, "context"> => ({
  typeName: "microsoft.graph.user",
  directoryObject: true,
  select: { defaults: USER_DEFAULT_PROPERTIES, known, emptyArrays: USER_ARRAY_PROPERTIES },
  filter: USER_FILTER,
  orderby: ["displayName", "userPrincipalName", "createdDateTime"],
  top: DIRECTORY_TOP,
  count: true,
  search: ["displayName", "mail", "userPrincipalName", "mailNickname", "givenName", "surname"],
});

export const GROUP_FILTER: Record<string, Ops> = {
  id: ID_OPS,
  displayName: STR,
  description: STR,
  mail: STR_END,
  mailNickname: STR_END,
  groupTypes: ["any", "not", "eq"],
  securityEnabled: BOOL,
  mailEnabled: ["eq", "ne", "not"],
  isAssignableToRole: ["eq", "ne", "not"],
  membershipRule: ["eq", "ne", "not", "ge", "le", "startsWith"],
  membershipRuleProcessingState: ["eq", "ne", "not", "in"],
  onPremisesSyncEnabled: BOOL_NULL,
  createdDateTime: DATE,
  visibility: ["eq", "ne", "not", "in"],
};

export const GROUPS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.group",
  directoryObject: true,
  select: {},
  filter: GROUP_FILTER,
  orderby: ["displayName"],
  top: DIRECTORY_TOP,
  count: true,
  search: ["displayName", "description", "mail", "mailNickname"],
};

/** members/owners/memberOf lists mix users, groups and others: the union of both property tables. */
export const DIRECTORY_OBJECT_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.directoryObject",
  directoryObject: true,
  select: {},
  filter: { ...GROUP_FILTER, ...USER_FILTER },
  orderby: ["displayName"],
  top: DIRECTORY_TOP,
  count: true,
  search: ["displayName", "mail", "userPrincipalName", "description"],
};

export const AU_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.administrativeUnit",
  directoryObject: true,
  select: {},
  filter: {
    id: ID_OPS,
    displayName: STR,
    description: STR,
    isMemberManagementRestricted: ["eq", "ne", "not"],
    membershipType: ["eq", "ne", "not", "in"],
    visibility: ["eq", "ne", "not", "in"],
  },
  orderby: ["displayName"],
  top: DIRECTORY_TOP,
  count: true,
  search: ["displayName", "description"],
};

export const DELETED_USERS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.user",
  directoryObject: true,
  select: {},
  filter: {
    id: ID_OPS,
    displayName: STR,
    userPrincipalName: ["eq", "ne", "not", "ge", "le", "in", "startsWith", "endsWith"],
    deletedDateTime: DATE,
  },
  orderby: ["deletedDateTime", "displayName", "userPrincipalName"],
  top: DIRECTORY_TOP,
  count: true,
};

export const RISKY_USERS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.riskyUser",
  directoryObject: false,
  select: {},
  filter: {
    id: EQ_IN,
    riskLevel: EQ_IN,
    riskState: EQ_IN,
    riskDetail: EQ_IN,
    userPrincipalName: EQ_START,
    userDisplayName: EQ_START,
    riskLastUpdatedDateTime: ["eq", "ge", "le", "gt", "lt"],
    isDeleted: EQ,
    isProcessing: EQ,
  },
  orderby: ["riskLastUpdatedDateTime", "userPrincipalName", "riskLevel"],
  // Graph's List riskyUsers reference: "The maximum page size with $top is 500 objects."
  top: { default: 100, max: 500, overMax: "cap" },
};

const ROLE_ASSIGNMENT_FILTER: Record<string, Ops> = {
  id: EQ,
  principalId: EQ_IN,
  roleDefinitionId: EQ_IN,
  directoryScopeId: EQ_IN,
  appScopeId: EQ_IN,
};

export const ROLE_DEFINITIONS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.unifiedRoleDefinition",
  directoryObject: false,
  select: {},
  filter: {
    id: EQ_IN,
    displayName: EQ_START,
    templateId: EQ_IN,
    isBuiltIn: EQ,
    isEnabled: EQ,
    isPrivileged: EQ,
  },
  orderby: ["displayName"],
  top: { default: 1000, max: 1000, overMax: "cap" },
  count: true,
};

export const ROLE_ASSIGNMENTS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.unifiedRoleAssignment",
  directoryObject: false,
  select: {},
  filter: ROLE_ASSIGNMENT_FILTER,
  top: { default: 1000, max: 1000, overMax: "cap" },
  count: true,
};

const SCHEDULE_FILTER: Record<string, Ops> = {
  id: EQ_NE,
  principalId: EQ_NE,
  roleDefinitionId: EQ_NE,
  assignmentType: EQ_NE,
  memberType: EQ_NE,
  status: EQ_NE,
  directoryScopeId: EQ_NE,
  appScopeId: EQ_NE,
};

export const ROLE_SCHEDULES_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.unifiedRoleAssignmentSchedule",
  directoryObject: false,
  select: {},
  filter: SCHEDULE_FILTER,
  top: { default: 1000, max: 1000, overMax: "cap" },
  count: true,
};

export const POLICY_ASSIGNMENTS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.unifiedRoleManagementPolicyAssignment",
  directoryObject: false,
  select: {},
  filter: { scopeId: EQ, scopeType: EQ, roleDefinitionId: EQ, policyId: EQ, id: EQ },
  top: { default: 1000, max: 1000, overMax: "cap" },
};

export const PIM_GROUP_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.privilegedAccessGroupAssignmentSchedule",
  directoryObject: false,
  select: {},
  filter: {
    id: EQ,
    groupId: EQ,
    principalId: EQ,
    accessId: EQ,
    memberType: EQ,
    status: EQ,
    assignmentType: EQ,
  },
  top: { default: 1000, max: 1000, overMax: "cap" },
  count: true,
};

export const CA_POLICIES_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.conditionalAccessPolicy",
  directoryObject: false,
  select: {},
  filter: {
    id: EQ_IN,
    displayName: ["eq", "ne", "startsWith"],
    state: EQ_NE,
    createdDateTime: ["eq", "ge", "le", "gt", "lt"],
    modifiedDateTime: ["eq", "ge", "le", "gt", "lt"],
    templateId: EQ,
  },
  orderby: ["displayName", "createdDateTime", "modifiedDateTime"],
  top: { default: 1000, max: 1000, overMax: "cap" },
  count: true,
  skip: true,
};

export const NAMED_LOCATIONS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.namedLocation",
  directoryObject: false,
  select: {},
  filter: {
    $this: ["isof"],
    id: EQ_IN,
    displayName: ["eq", "ne", "startsWith"],
    createdDateTime: ["eq", "ge", "le", "gt", "lt"],
    modifiedDateTime: ["eq", "ge", "le", "gt", "lt"],
    "microsoft.graph.ipNamedLocation/isTrusted": EQ,
    "microsoft.graph.countryNamedLocation/countriesAndRegions": ["any", "eq"],
    "microsoft.graph.countryNamedLocation/countryLookupMethod": EQ,
  },
  orderby: ["displayName", "createdDateTime", "modifiedDateTime"],
  top: { default: 1000, max: 1000, overMax: "cap" },
  count: true,
  skip: true,
};

export const AUTH_STRENGTH_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.authenticationStrengthPolicy",
  directoryObject: false,
  select: {},
  filter: {
    id: EQ,
    policyType: EQ,
    displayName: EQ_START,
    requirementsSatisfied: EQ,
    allowedCombinations: ["any", "eq", "has"],
  },
};

export const COMBINATION_CONFIG_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.authenticationCombinationConfiguration",
  directoryObject: false,
  select: {},
};

export const ACCESS_REVIEWS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.accessReviewScheduleDefinition",
  directoryObject: false,
  select: {},
  filter: { id: EQ, displayName: EQ_START, status: EQ_NE, createdDateTime: ["eq", "ge", "le"] },
  orderby: ["displayName", "createdDateTime"],
  top: { default: 100, max: 100, overMax: "cap" },
  skip: true,
  count: true,
};

export const WORKFLOWS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.identityGovernance.workflow",
  directoryObject: false,
  select: {},
  filter: {
    id: EQ,
    displayName: EQ_START,
    category: EQ_NE,
    isEnabled: EQ_NE,
    isSchedulingEnabled: EQ_NE,
  },
  orderby: ["displayName", "category", "createdDateTime", "lastModifiedDateTime"],
  top: { default: 100, max: 100, overMax: "cap" },
  skip: true,
  count: true,
  search: ["displayName", "description"],
};

export const ORGANIZATION_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.organization",
  directoryObject: true,
  select: {},
};

export const SUBSCRIBED_SKUS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.subscribedSku",
  directoryObject: true,
  select: {},
  top: "reject",
};

export const DOMAINS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.domain",
  directoryObject: true,
  select: {},
};

export const METHODS_SPEC: Omit<CollectionSpec, "context"> = {
  typeName: "microsoft.graph.authenticationMethod",
  directoryObject: false,
};

/** typed per-user method collections → the @odata.type of their items. */
export const METHOD_COLLECTIONS: Record<string, string> = {
  fido2Methods: "#microsoft.graph.fido2AuthenticationMethod",
  passwordMethods: "#microsoft.graph.passwordAuthenticationMethod",
  phoneMethods: "#microsoft.graph.phoneAuthenticationMethod",
  microsoftAuthenticatorMethods: "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
  emailMethods: "#microsoft.graph.emailAuthenticationMethod",
  temporaryAccessPassMethods: "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
  softwareOathMethods: "#microsoft.graph.softwareOathAuthenticationMethod",
  windowsHelloForBusinessMethods: "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
  platformCredentialMethods: "#microsoft.graph.platformCredentialAuthenticationMethod",
};
