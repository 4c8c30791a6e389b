/**
 * What `export` reads from Graph, as data: the top-level sections (one list or entity request
 * each, sent together in `$batch`es in the first wave) and the per-object relationships. Paths and
 * query options follow docs/graph-contract.md; `$top` is the largest page each endpoint allows, so a
 * mid-size tenant needs few pages (each page is a round trip of depth).
 */
import { USER_PROPERTIES } from "../snapshot/schema.js";
import type { GraphVersion } from "../graph/index.js";

export interface SectionRead {
  /** snapshot path (`unavailable` key) */
  path: string;
  version: GraphVersion;
  url: string;
  headers?: Record<string, string>;
  /** an entity (singleton policy), not a collection */
  entity?: boolean;
  /** return the first page and its nextLink; the caller decides how to read the rest */
  firstPageOnly?: boolean;
}

const q = (s: string) => encodeURIComponent(s).replace(/%24/g, "$").replace(/%2C/g, ",");

/** First wave: everything that depends on nothing. */
export const TOP_LEVEL_READS: SectionRead[] = [
  { path: "organization", version: "v1.0", url: "/organization" },
  { path: "subscribedSkus", version: "v1.0", url: "/subscribedSkus" },
  { path: "domains", version: "v1.0", url: "/domains" },
  { path: "users", version: "v1.0", url: `/users?$select=${USER_PROPERTIES.join(",")}&$top=999` },
  // Read apart from users: it needs AuditLog.Read.All and P1, and its failure must not lose users.
  // Graph caps this page at 120.
  {
    path: "users.signInActivity",
    version: "v1.0",
    url: "/users?$select=id,signInActivity&$top=120",
    firstPageOnly: true,
  },
  { path: "deletedUsers", version: "v1.0", url: "/directory/deletedItems/microsoft.graph.user?$top=999" },
  { path: "groups", version: "v1.0", url: "/groups?$top=999" },
  { path: "administrativeUnits", version: "v1.0", url: "/directory/administrativeUnits?$top=999" },
  // beta: isPrivileged is not in v1.0.
  { path: "roleDefinitions", version: "beta", url: "/roleManagement/directory/roleDefinitions" },
  { path: "roleAssignments", version: "v1.0", url: "/roleManagement/directory/roleAssignments" },
  {
    path: "roleAssignmentSchedules",
    version: "v1.0",
    url: "/roleManagement/directory/roleAssignmentSchedules",
  },
  {
    path: "roleEligibilitySchedules",
    version: "v1.0",
    url: "/roleManagement/directory/roleEligibilitySchedules",
  },
  {
    path: "roleManagementPolicyAssignments",
    version: "v1.0",
    url: `/policies/roleManagementPolicyAssignments?$filter=${q("scopeId eq '/' and scopeType eq 'DirectoryRole'")}&$expand=${q("policy($expand=rules)")}`,
  },
  { path: "conditionalAccessPolicies", version: "v1.0", url: "/identity/conditionalAccess/policies" },
  { path: "namedLocations", version: "v1.0", url: "/identity/conditionalAccess/namedLocations" },
  // Last of its family (1 request per second, docs/reads.md): the policies above decide the subjects
  // (their exclusions), so wave 4 waits for them, never for risky users.
  { path: "riskyUsers", version: "v1.0", url: "/identityProtection/riskyUsers?$top=500" },
  {
    path: "authenticationStrengthPolicies",
    version: "v1.0",
    url: "/policies/authenticationStrengthPolicies",
  },
  {
    path: "authenticationMethodsPolicy",
    version: "v1.0",
    url: "/policies/authenticationMethodsPolicy",
    entity: true,
  },
  { path: "authorizationPolicy", version: "v1.0", url: "/policies/authorizationPolicy", entity: true },
  {
    path: "securityDefaults",
    version: "v1.0",
    url: "/policies/identitySecurityDefaultsEnforcementPolicy",
    entity: true,
  },
  {
    path: "accessReviewDefinitions",
    version: "v1.0",
    url: "/identityGovernance/accessReviews/definitions?$top=100",
  },
  { path: "lifecycleWorkflows", version: "beta", url: "/identityGovernance/lifecycleWorkflows/workflows" },
  // Changes to Conditional Access policies, whoever made them; audits of the subjects come later.
  {
    path: "directoryAudits",
    version: "v1.0",
    url: `/auditLogs/directoryAudits?$filter=${q("loggedByService eq 'Conditional Access'")}&$top=1000`,
  },
];

/**
 * The registration report, every page: which methods each user registered, so export reads one by
 * one only the everyday admins whose methods could match the accounts' (docs/reads.md). Graph
 * documents `$filter` and `$orderby` only here (no `$top`), and disabled users have no row.
 */
export const REGISTRATION_REPORT: SectionRead = {
  path: "registrationDetails",
  version: "v1.0",
  url: "/reports/authenticationMethods/userRegistrationDetails",
};

/** Per-object relationship reads. `{id}` is the object id. */
export interface RelationshipRead {
  /** snapshot path of the relationship for every object (`users.authenticationMethods`) */
  path: string;
  section: "users" | "groups" | "administrativeUnits";
  property: string;
  version: GraphVersion;
  url: (id: string) => string;
  /** the response is one object; `pick` takes the value stored on the snapshot object */
  pick?: (body: Record<string, unknown>) => unknown;
}

const seg = (id: string) => encodeURIComponent(id);

export const GROUP_RELATIONSHIPS: RelationshipRead[] = [
  {
    path: "groups.members",
    section: "groups",
    property: "members",
    version: "v1.0",
    url: (id) => `/groups/${seg(id)}/members?$select=id&$top=999`,
  },
  {
    path: "groups.owners",
    section: "groups",
    property: "owners",
    version: "v1.0",
    url: (id) => `/groups/${seg(id)}/owners?$select=id&$top=999`,
  },
];

export const AU_RELATIONSHIPS: RelationshipRead[] = [
  {
    path: "administrativeUnits.members",
    section: "administrativeUnits",
    property: "members",
    version: "v1.0",
    url: (id) => `/directory/administrativeUnits/${seg(id)}/members?$select=id&$top=999`,
  },
];

export const USER_RELATIONSHIPS: RelationshipRead[] = [
  {
    path: "users.authenticationMethods",
    section: "users",
    property: "authenticationMethods",
    version: "v1.0",
    url: (id) => `/users/${seg(id)}/authentication/methods`,
  },
  {
    path: "users.perUserMfaState",
    section: "users",
    property: "perUserMfaState",
    version: "beta",
    url: (id) => `/users/${seg(id)}/authentication/requirements`,
    pick: (body) => body.perUserMfaState ?? null,
  },
  {
    path: "users.ownedObjects",
    section: "users",
    property: "ownedObjects",
    version: "v1.0",
    url: (id) => `/users/${seg(id)}/ownedObjects?$select=id&$top=999`,
  },
];

/** Graph caps a page of users with signInActivity at 120 (docs/graph-contract.md §0.2). */
export const SIGN_IN_ACTIVITY_PAGE = 120;
/** Graph accepts at most 15 values in an `in` filter. */
export const IN_FILTER_MAX = 15;

/** signInActivity of the given users, 15 per request, so any number of them costs one round trip. */
export function signInActivityReads(userIds: string[]): SectionRead[] {
  const out: SectionRead[] = [];
  for (let i = 0; i < userIds.length; i += IN_FILTER_MAX) {
    const ids = userIds
      .slice(i, i + IN_FILTER_MAX)
      .map(quoted)
      .join(",");
    out.push({
      path: "users.signInActivity",
      version: "v1.0",
      url: `/users?$filter=${q(`id in (${ids})`)}&$select=id,signInActivity&$top=${SIGN_IN_ACTIVITY_PAGE}`,
    });
  }
  return out;
}

const quoted = (id: string) => `'${id.replace(/'/g, "''")}'`;

/**
 * PIM for groups: Graph requires a groupId (or principalId) filter, so these sections are read
 * group by group, once the groups are listed (docs/graph-contract.md §2.6).
 */
export const PIM_GROUP_SECTIONS = [
  { path: "privilegedAccessGroupAssignmentSchedules", segment: "assignmentSchedules" },
  { path: "privilegedAccessGroupEligibilitySchedules", segment: "eligibilitySchedules" },
] as const;

export function pimGroupReads(
  path: (typeof PIM_GROUP_SECTIONS)[number]["path"],
  groupIds: string[],
): SectionRead[] {
  const segment = PIM_GROUP_SECTIONS.find((s) => s.path === path)!.segment;
  return groupIds.map((id) => ({
    path,
    version: "v1.0" as const,
    url: `/identityGovernance/privilegedAccess/group/${segment}?$filter=${q(`groupId eq ${quoted(id)}`)}`,
  }));
}

/**
 * Subjects per sign-in or audit request. The reports endpoints document `eq` (no `in`) on `userId`,
 * `initiatedBy/user/id` and `targetResources/any(t: t/id ...)`, joined by `or`; Graph allows 15
 * clauses in an `or` chain on directory objects and documents no figure for the reports, so the
 * same 15 keeps each URL well inside every limit (docs/reads.md).
 */
export const OR_CHAIN_MAX = 15;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const orChain = (ids: readonly string[], clause: (quotedId: string) => string) =>
  ids.map((id) => clause(quoted(id))).join(" or ");

/**
 * Sign-ins of the subjects: beta (authenticationDetails, non-interactive), both event types, every
 * page, 15 subjects per request; no date filter, the service's retention bounds them.
 */
export function signInReads(userIds: readonly string[]): SectionRead[] {
  return chunks(userIds, OR_CHAIN_MAX).map((ids) => ({
    path: "signIns",
    version: "beta" as const,
    url: `/auditLogs/signIns?$filter=${q(
      `(${orChain(ids, (id) => `userId eq ${id}`)}) and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')`,
    )}&$top=1000`,
  }));
}

/** Directory audits whose target or initiator is a subject, 15 subjects per request. */
export function auditReads(userIds: readonly string[]): SectionRead[] {
  return chunks(userIds, OR_CHAIN_MAX).flatMap((ids) => [
    {
      path: "directoryAudits",
      version: "v1.0" as const,
      url: `/auditLogs/directoryAudits?$filter=${q(`targetResources/any(t: ${orChain(ids, (id) => `t/id eq ${id}`)})`)}&$top=1000`,
    },
    {
      path: "directoryAudits",
      version: "v1.0" as const,
      url: `/auditLogs/directoryAudits?$filter=${q(orChain(ids, (id) => `initiatedBy/user/id eq ${id}`))}&$top=1000`,
    },
  ]);
}
