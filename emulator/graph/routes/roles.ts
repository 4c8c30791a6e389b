/**
 * Directory role management (`/roleManagement/directory`): role definitions, role assignments, the
 * PIM assignment and eligibility schedules with their derived instances, and transitive role
 * assignments.
 */
import { graphError } from "../errors.js";
import { parseFilter, type FilterNode } from "../odata/filter.js";
import { collectClauses } from "../odata/filter-clauses.js";
import { countTrue, isEventual, listResponse, type CollectionSpec, type Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import { ROLE_ASSIGNMENTS_SPEC, ROLE_DEFINITIONS_SPEC, ROLE_SCHEDULES_SPEC } from "../specs.js";
import type { Collection } from "../tenant-store.js";
import { principalOf } from "./directory-objects.js";
import { BETA, collectionRoutes, writeRoute, type RouteContext, type RouteDef } from "./route.js";
import { deriveInstances } from "./schedule-instances.js";
import { badRequest, strip, topLevelEq } from "./support.js";
import * as dir from "../writes/role-assignments.js";

const rm = "/roleManagement/directory";

/** isPrivileged is a beta property of unifiedRoleDefinition (docs/snapshot.md); v1.0 does not send it. */
function roleDefinitionView(ctx: RouteContext): (e: Wire) => Wire {
  return ctx.req.version === "beta" ? (e) => e : (e) => strip(e, ["isPrivileged"]);
}
function roleDefinitionsSpec(ctx: RouteContext): Omit<CollectionSpec, "context"> {
  if (ctx.req.version === "beta") return ROLE_DEFINITIONS_SPEC;
  const { isPrivileged: _beta, ...filter } = ROLE_DEFINITIONS_SPEC.filter!;
  return { ...ROLE_DEFINITIONS_SPEC, filter };
}

function roleDefinitionOf(ctx: RouteContext) {
  return (item: Wire): unknown => {
    const id = item.roleDefinitionId;
    return typeof id === "string" ? (ctx.store.roleDefinitions.get(id) ?? null) : null;
  };
}
const raExpand = (ctx: RouteContext) => ({
  principal: principalOf(ctx.store),
  roleDefinition: roleDefinitionOf(ctx),
});

/** the four schedule collections: [segment, section, permissions, source, note] */
const SCHEDULES: [
  string,
  string,
  readonly string[],
  (ctx: RouteContext) => Collection | readonly Wire[],
  string,
][] = [
  [
    "roleAssignmentSchedules",
    "roleAssignmentSchedules",
    P.roleAssignmentSchedules,
    (ctx) => ctx.store.roleAssignmentSchedules,
    "stored schedules",
  ],
  [
    "roleAssignmentScheduleInstances",
    "roleAssignmentSchedules",
    P.roleAssignmentSchedules,
    (ctx) => deriveInstances(ctx.store, "assignment"),
    "derived from roleAssignmentSchedules: active at tenant.capturedAt",
  ],
  [
    "roleEligibilitySchedules",
    "roleEligibilitySchedules",
    P.roleEligibilitySchedules,
    (ctx) => ctx.store.roleEligibilitySchedules,
    "stored schedules",
  ],
  [
    "roleEligibilityScheduleInstances",
    "roleEligibilitySchedules",
    P.roleEligibilitySchedules,
    (ctx) => deriveInstances(ctx.store, "eligibility"),
    "derived from roleEligibilitySchedules (id + '-e'): effective at tenant.capturedAt",
  ],
];

const transitiveRoleAssignments: RouteDef = {
  method: "GET",
  pattern: `${rm}/transitiveRoleAssignments`,
  versions: BETA,
  family: "directory",
  permissions: [P.roleManagement],
  section: "roleAssignments",
  doc: {
    query:
      "$filter principalId eq (required) and roleDefinitionId eq, directoryScopeId eq; $count=true (required), $select, $top. Group-held roles come back with the group as principalId",
    mandatory:
      "ConsistencyLevel: eventual (404 without), $count=true and $filter on principalId (400 without)",
    page: "1000 / 1000 (capped)",
  },
  handle(ctx) {
    const { req, store } = ctx;
    if (!isEventual(req))
      return graphError(
        404,
        "Request_ResourceNotFound",
        "Resource not found.",
        {},
        req.headers["client-request-id"],
      );
    if (!countTrue(req) || !req.query.has("$filter")) {
      return badRequest(
        req,
        "transitiveRoleAssignments requires $count=true and a $filter on principalId.",
        "Request_UnsupportedQuery",
      );
    }
    let node: FilterNode;
    try {
      node = parseFilter(req.query.get("$filter")!);
    } catch (e) {
      return badRequest(req, `Invalid filter clause: ${(e as Error).message}`);
    }
    const clauses = collectClauses(node);
    const eqs = topLevelEq(node);
    const allowed = new Set(["principalId", "roleDefinitionId", "directoryScopeId"]);
    if (
      clauses.some((c) => c.op !== "eq" || !allowed.has(c.property)) ||
      clauses.length !== eqs.size ||
      !eqs.has("principalId")
    ) {
      return badRequest(
        req,
        "Unsupported filter: principalId eq (required), roleDefinitionId eq and directoryScopeId eq joined by 'and' are supported.",
        "Request_UnsupportedQuery",
      );
    }
    const principal = eqs.get("principalId")!;
    const ids = new Set([
      principal.toLowerCase(),
      ...store
        .transitiveMemberOf(principal)
        .filter((r) => r["@odata.type"] === "#microsoft.graph.group")
        .map((r) => r.id.toLowerCase()),
    ]);
    const rows = store.roleAssignments
      .list()
      .filter(
        (a) =>
          ids.has(String(a.principalId).toLowerCase()) &&
          (!eqs.has("roleDefinitionId") ||
            String(a.roleDefinitionId).toLowerCase() === eqs.get("roleDefinitionId")!.toLowerCase()) &&
          (!eqs.has("directoryScopeId") ||
            String(a.directoryScopeId ?? "/").toLowerCase() === eqs.get("directoryScopeId")!.toLowerCase()),
      );
    return listResponse(
      req,
      {
        ...ROLE_ASSIGNMENTS_SPEC,
        context: "roleManagement/directory/transitiveRoleAssignments",
        expand: raExpand(ctx),
      },
      rows,
      { view: (e) => e, filterHandled: true },
    );
  },
};

export const roleRoutes: RouteDef[] = [
  ...collectionRoutes({
    path: `${rm}/roleDefinitions`,
    context: "roleManagement/directory/roleDefinitions",
    permissions: P.roleManagement,
    section: "roleDefinitions",
    // entityResponse ignores the filter table, so the beta-only filter property only matters to the list
    spec: roleDefinitionsSpec,
    source: (ctx) => ctx.store.roleDefinitions,
    view: roleDefinitionView,
    notFoundCode: "itemNotFound",
    doc: {
      list: {
        query:
          "$select, $filter (id, templateId eq/in; displayName eq/startsWith; isBuiltIn, isEnabled eq; beta: isPrivileged eq), $orderby displayName, $top, $count. isPrivileged is sent on beta only",
        page: "1000 / 1000 (capped)",
      },
    },
  }),
  ...collectionRoutes({
    path: `${rm}/roleAssignments`,
    context: "roleManagement/directory/roleAssignments",
    permissions: P.roleManagement,
    section: "roleAssignments",
    spec: (ctx) => ({ ...ROLE_ASSIGNMENTS_SPEC, expand: raExpand(ctx) }),
    source: (ctx) => ctx.store.roleAssignments,
    notFoundCode: "itemNotFound",
    doc: {
      list: {
        query:
          "$select, $filter (principalId, roleDefinitionId, directoryScopeId, appScopeId eq/in; id eq), $expand=principal,roleDefinition, $count, $top",
        page: "1000 / 1000 (capped)",
      },
      get: { query: "$select, $expand=principal,roleDefinition" },
    },
  }),
  ...SCHEDULES.flatMap(([seg, section, perms, source, note]) =>
    collectionRoutes({
      path: `${rm}/${seg}`,
      context: `roleManagement/directory/${seg}`,
      permissions: perms,
      section,
      spec: (ctx) => ({ ...ROLE_SCHEDULES_SPEC, expand: raExpand(ctx) }),
      source,
      notFoundCode: "itemNotFound",
      doc: {
        list: {
          query: `$select, $filter (principalId, roleDefinitionId, assignmentType, memberType, status, directoryScopeId, appScopeId, id: eq/ne), $expand=principal,roleDefinition, $count, $top; ${note}`,
          page: "1000 / 1000 (capped)",
        },
        get: { query: "$select, $expand=principal,roleDefinition" },
      },
    }),
  ),
  transitiveRoleAssignments,
  ...roleWriteRoutes(),
];

// ---------------------------------------------------------------- writes (handlers in ../writes/)

function roleWriteRoutes(): RouteDef[] {
  const rm = "/roleManagement/directory";
  return [
    writeRoute(
      "POST",
      `${rm}/roleAssignments`,
      "roleAssignments",
      dir.roleAssignmentPermissions,
      dir.createRoleAssignment,
      "none; duplicate (principal, role, scope) → 400",
    ),
    writeRoute(
      "DELETE",
      `${rm}/roleAssignments/{id}`,
      "roleAssignments",
      dir.roleAssignmentPermissions,
      dir.deleteRoleAssignment,
      "none; 204",
    ),
    writeRoute(
      "POST",
      `${rm}/roleAssignmentScheduleRequests`,
      "roleAssignmentSchedules",
      dir.scheduleRequestPermissions,
      dir.createScheduleRequest,
      "none; adminAssign (noExpiration, any casing) and adminRemove; RoleAssignmentExists, RoleAssignmentRequestPolicyValidationFailed",
    ),
    writeRoute(
      "POST",
      `${rm}/roleEligibilityScheduleRequests`,
      "roleEligibilitySchedules",
      dir.eligibilityRequestPermissions,
      dir.createEligibilityRequest,
      "none; adminRemove of an eligible assignment",
    ),
  ];
}
