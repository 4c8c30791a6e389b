/**
 * Privileged Identity Management policies and PIM for Groups: role management policy assignments
 * (with their rules) and the group assignment and eligibility schedules. The directory roles' PIM
 * schedules live with the roles (roles.ts), under the same `/roleManagement/directory` path.
 */
import type { Wire } from "../odata/query.js";
import { listResponse } from "../odata/query.js";
import { P } from "../permissions.js";
import { PIM_GROUP_SPEC, POLICY_ASSIGNMENTS_SPEC } from "../specs.js";
import { groupOf, principalOf } from "./directory-objects.js";
import { BOTH, collectionRoutes, type RouteContext, type RouteDef } from "./route.js";
import { badRequest, strip, topLevelEq, tryParse } from "./support.js";

const policyAssignments: RouteDef = {
  method: "GET",
  pattern: "/policies/roleManagementPolicyAssignments",
  versions: BOTH,
  family: "directory",
  permissions: (ctx) => [
    [
      ...(topLevelEq(tryParse(ctx.req)).get("scopeType") === "Group"
        ? P.roleManagementPoliciesGroup
        : P.roleManagementPolicies),
    ],
  ],
  section: "roleManagementPolicyAssignments",
  doc: {
    query:
      "$filter (scopeId, scopeType, roleDefinitionId, policyId eq, joined by and), $expand=policy or policy($expand=rules), $select, $top",
    mandatory:
      "$filter with scopeId eq and scopeType eq (400 without); scopeType 'Group' needs RoleManagementPolicy.Read.AzureADGroup",
    page: "1000 / 1000 (capped)",
  },
  handle(ctx) {
    const eqs = topLevelEq(tryParse(ctx.req));
    // a syntactically invalid filter falls through to listResponse, which reports the syntax error
    if (
      !ctx.req.query.has("$filter") ||
      (tryParse(ctx.req) && (!eqs.has("scopeId") || !eqs.has("scopeType")))
    ) {
      return badRequest(
        ctx.req,
        "The filter must include scopeId and scopeType, e.g. $filter=scopeId eq '/' and scopeType eq 'DirectoryRole'.",
        "InvalidFilter",
      );
    }
    const expands = ctx.req.query.get("$expand") ?? "";
    const withRules = /policy\s*\(\s*\$expand\s*=\s*rules\s*\)/i.test(expands);
    // 'Directory' and 'DirectoryRole' are both accepted for Entra roles (graph-contract 2.5)
    const st = eqs.get("scopeType");
    const items = ctx.store.roleManagementPolicyAssignments
      .list()
      .map((e) =>
        st === "Directory" && e.scopeType === "DirectoryRole" ? { ...e, scopeType: "Directory" } : e,
      );
    const policyOf = (item: Wire): unknown => {
      // the snapshot stores `policy` expanded with its rules; the view strips it, so read the store
      const p = ctx.store.roleManagementPolicyAssignments.get(String(item.id))?.policy as
        Wire | null | undefined;
      if (!p) return null;
      return withRules ? p : strip(p, ["rules"]);
    };
    return listResponse(
      ctx.req,
      {
        ...POLICY_ASSIGNMENTS_SPEC,
        context: "policies/roleManagementPolicyAssignments",
        expand: { policy: policyOf },
      },
      items,
      { view: (e) => strip(e, ["policy"]) },
    );
  },
};

/** Graph refuses an unscoped list of PIM for Groups schedules. */
function requireGroupOrPrincipal(ctx: RouteContext) {
  const eqs = topLevelEq(tryParse(ctx.req));
  if (
    !ctx.req.query.has("$filter") ||
    (tryParse(ctx.req) && !eqs.has("groupId") && !eqs.has("principalId"))
  ) {
    return badRequest(
      ctx.req,
      "This method requires the $filter (eq) query parameter to scope the request to a principalId or a groupId.",
    );
  }
  return undefined;
}

export const pimRoutes: RouteDef[] = [
  policyAssignments,
  ...(
    [
      ["assignmentSchedules", "privilegedAccessGroupAssignmentSchedules", P.pimGroupAssignments],
      ["eligibilitySchedules", "privilegedAccessGroupEligibilitySchedules", P.pimGroupEligibilities],
    ] as const
  ).flatMap(([seg, section, perms]) =>
    collectionRoutes({
      path: `/identityGovernance/privilegedAccess/group/${seg}`,
      context: `identityGovernance/privilegedAccess/group/${seg}`,
      permissions: perms,
      section,
      spec: (ctx) => ({
        ...PIM_GROUP_SPEC,
        expand: { group: groupOf(ctx.store), principal: principalOf(ctx.store) },
      }),
      source: (ctx) =>
        seg === "assignmentSchedules"
          ? ctx.store.privilegedAccessGroupAssignmentSchedules
          : ctx.store.privilegedAccessGroupEligibilitySchedules,
      notFoundCode: "itemNotFound",
      listGuard: requireGroupOrPrincipal,
      doc: {
        list: {
          query:
            "$filter (groupId, principalId, accessId, memberType, status, assignmentType eq), $select, $expand=group,principal, $count, $top",
          page: "1000 / 1000 (capped)",
          mandatory: "$filter with groupId eq or principalId eq (400 without)",
        },
        get: { query: "$select, $expand=group,principal" },
      },
    }),
  ),
];
