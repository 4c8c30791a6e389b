/**
 * The write routes, by family. Each list is added to the route table beside the family's reads.
 */
import type { RouteDef } from "../routes.js";
import { METHOD_COLLECTIONS } from "../specs.js";
import type { GraphVersion } from "../types.js";
import * as dir from "./directory.js";
import * as pol from "./policies.js";
import * as users from "./users.js";

const BOTH: readonly GraphVersion[] = ["v1.0", "beta"];
const BETA: readonly GraphVersion[] = ["beta"];
const V1: readonly GraphVersion[] = ["v1.0"];

const write = (
  method: RouteDef["method"],
  pattern: string,
  section: string,
  permissions: RouteDef["permissions"],
  handle: RouteDef["handle"],
  query = "none; JSON body",
  extra: Partial<RouteDef> = {},
): RouteDef => ({
  method,
  pattern,
  versions: BOTH,
  family: "directory",
  permissions,
  section,
  doc: { query },
  handle,
  ...extra,
});

export function userWriteRoutes(): RouteDef[] {
  const routes: RouteDef[] = [
    write(
      "POST",
      "/users",
      "users",
      users.createUserPermissions,
      users.createUser,
      "none; 400 ObjectConflict on a duplicate userPrincipalName; 201 with the default property set",
    ),
    write(
      "PATCH",
      "/users/{id}",
      "users",
      users.updateUserPermissions,
      users.updateUser,
      "none; 204; accountEnabled/passwordProfile of an administrator need Privileged Authentication Administrator",
      { objectParam: "id" },
    ),
    write(
      "DELETE",
      "/users/{id}",
      "users",
      users.deleteUserPermissions,
      users.deleteUser,
      "none; 204; into deletedItems",
      { objectParam: "id" },
    ),
    write(
      "POST",
      "/users/{id}/assignLicense",
      "users",
      users.assignLicensePermissions,
      users.assignLicense,
      "none; { addLicenses, removeLicenses }; 200 the user",
      { objectParam: "id" },
    ),
    write(
      "POST",
      "/users/{id}/revokeSignInSessions",
      "users",
      users.revokePermissions,
      users.revokeSignInSessions,
      "none; 200 { value: true }",
      { objectParam: "id" },
    ),
    write(
      "PATCH",
      "/users/{id}/authentication/requirements",
      "users.perUserMfaState",
      users.perUserMfaPermissions,
      users.updatePerUserMfa,
      "none; { perUserMfaState }; 204",
      { objectParam: "id", versions: BETA },
    ),
    write(
      "POST",
      "/users/{id}/authentication/temporaryAccessPassMethods",
      "users.authenticationMethods",
      users.createTapPermissions,
      users.createTemporaryAccessPass,
      "none; the pass only in the 201; one usable pass per user; lifetime within the policy",
      { objectParam: "id" },
    ),
  ];
  for (const segment of Object.keys(users.DELETABLE_METHODS)) {
    if (!METHOD_COLLECTIONS[segment]) continue;
    routes.push(
      write(
        "DELETE",
        `/users/{id}/authentication/${segment}/{methodId}`,
        "users.authenticationMethods",
        users.deleteMethodPermissions(segment),
        (ctx) => users.deleteMethod(ctx, segment),
        "none; 204",
        { objectParam: "id" },
      ),
    );
  }
  return routes;
}

export function groupWriteRoutes(): RouteDef[] {
  return [
    write(
      "POST",
      "/groups",
      "groups",
      dir.createGroupPermissions,
      dir.createGroup,
      "none; members@odata.bind/owners@odata.bind (at most 20); no duplicate detection",
    ),
    write(
      "PATCH",
      "/groups/{id}",
      "groups",
      dir.updateGroupPermissions,
      dir.updateGroup,
      "none; 204; isAssignableToRole immutable",
      { objectParam: "id" },
    ),
    write("DELETE", "/groups/{id}", "groups", dir.deleteGroupPermissions, dir.deleteGroup, "none; 204", {
      objectParam: "id",
    }),
    write(
      "POST",
      "/groups/{id}/members/$ref",
      "groups.members",
      dir.memberWritePermissions,
      (ctx) => dir.addGroupLink(ctx, "members"),
      "none; { @odata.id }; 204; existing member 400",
      { objectParam: "id" },
    ),
    write(
      "DELETE",
      "/groups/{id}/members/{memberId}/$ref",
      "groups.members",
      dir.memberWritePermissions,
      (ctx) => dir.removeGroupLink(ctx, "members"),
      "none; 204",
      { objectParam: "id" },
    ),
    write(
      "DELETE",
      "/groups/{id}/members/{memberId}",
      "groups.members",
      users.deleteUserPermissions,
      dir.deleteMemberObject,
      "none; deletes the member object itself (no /$ref)",
      { objectParam: "id" },
    ),
    write(
      "POST",
      "/groups/{id}/owners/$ref",
      "groups.owners",
      dir.ownerWritePermissions,
      (ctx) => dir.addGroupLink(ctx, "owners"),
      "none; { @odata.id }; 204",
      { objectParam: "id" },
    ),
    write(
      "DELETE",
      "/groups/{id}/owners/{memberId}/$ref",
      "groups.owners",
      dir.ownerWritePermissions,
      (ctx) => dir.removeGroupLink(ctx, "owners"),
      "none; 204",
      { objectParam: "id" },
    ),
  ];
}

export function administrativeUnitWriteRoutes(): RouteDef[] {
  const routes: RouteDef[] = [];
  for (const [prefix, versions] of [
    ["/directory/administrativeUnits", V1],
    ["/administrativeUnits", BETA],
  ] as const) {
    const context = prefix.slice(1);
    routes.push(
      write(
        "POST",
        prefix,
        "administrativeUnits",
        dir.auWritePermissions,
        (ctx) => dir.createAdministrativeUnit(ctx, context),
        "none; isMemberManagementRestricted on create only",
        { versions },
      ),
      write(
        "PATCH",
        `${prefix}/{id}`,
        "administrativeUnits",
        dir.auWritePermissions,
        dir.updateAdministrativeUnit,
        "none; 204",
        { versions },
      ),
      write(
        "DELETE",
        `${prefix}/{id}`,
        "administrativeUnits",
        dir.auWritePermissions,
        dir.deleteAdministrativeUnit,
        "none; 204",
        { versions },
      ),
      write(
        "POST",
        `${prefix}/{id}/members/$ref`,
        "administrativeUnits.members",
        dir.auWritePermissions,
        dir.addAdministrativeUnitMember,
        "none; { @odata.id }; 204",
        { versions, objectParam: "id" },
      ),
      write(
        "DELETE",
        `${prefix}/{id}/members/{memberId}/$ref`,
        "administrativeUnits.members",
        dir.auWritePermissions,
        dir.removeAdministrativeUnitMember,
        "none; 204",
        { versions, objectParam: "id" },
      ),
    );
  }
  return routes;
}

export function roleWriteRoutes(): RouteDef[] {
  const rm = "/roleManagement/directory";
  return [
    write(
      "POST",
      `${rm}/roleAssignments`,
      "roleAssignments",
      dir.roleAssignmentPermissions,
      dir.createRoleAssignment,
      "none; duplicate (principal, role, scope) → 400",
    ),
    write(
      "DELETE",
      `${rm}/roleAssignments/{id}`,
      "roleAssignments",
      dir.roleAssignmentPermissions,
      dir.deleteRoleAssignment,
      "none; 204",
    ),
    write(
      "POST",
      `${rm}/roleAssignmentScheduleRequests`,
      "roleAssignmentSchedules",
      dir.scheduleRequestPermissions,
      dir.createScheduleRequest,
      "none; adminAssign (noExpiration, any casing) and adminRemove; RoleAssignmentExists, RoleAssignmentRequestPolicyValidationFailed",
    ),
    write(
      "POST",
      `${rm}/roleEligibilityScheduleRequests`,
      "roleEligibilitySchedules",
      dir.eligibilityRequestPermissions,
      dir.createEligibilityRequest,
      "none; adminRemove of an eligible assignment",
    ),
  ];
}

export function strengthWriteRoutes(): RouteDef[] {
  const routes: RouteDef[] = [];
  for (const prefix of [
    "/policies/authenticationStrengthPolicies",
    "/identity/conditionalAccess/authenticationStrength/policies",
  ]) {
    routes.push(
      write(
        "POST",
        prefix,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.createStrength,
        "none; server-assigned ids; invalid combination → 400 badRequest",
      ),
      write(
        "PATCH",
        `${prefix}/{id}`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.updateStrength,
        "none; displayName, description only",
      ),
      write(
        "DELETE",
        `${prefix}/{id}`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.deleteStrength,
        "none; refused while a policy references it",
      ),
      write(
        "POST",
        `${prefix}/{id}/updateAllowedCombinations`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.updateAllowedCombinations,
        "none; 200 updateAllowedCombinationsResult",
      ),
      write(
        "POST",
        `${prefix}/{id}/combinationConfigurations`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.createCombinationConfiguration,
        "none; @odata.type and appliesToCombinations required; 201 with a server id",
      ),
      write(
        "PATCH",
        `${prefix}/{id}/combinationConfigurations/{configId}`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.updateCombinationConfiguration,
        "none; @odata.type required; 204",
      ),
    );
  }
  return routes;
}

export function conditionalAccessWriteRoutes(): RouteDef[] {
  const ca = "/identity/conditionalAccess/policies";
  const extra = { family: "conditionalAccess" as const };
  return [
    write(
      "POST",
      ca,
      "conditionalAccessPolicies",
      pol.caWritePermissions,
      pol.createCaPolicy,
      "none; 201 full policy; 195-policy limit; 1 request/s per tenant",
      extra,
    ),
    write(
      "PATCH",
      `${ca}/{id}`,
      "conditionalAccessPolicies",
      pol.caWritePermissions,
      pol.updateCaPolicy,
      "none; 204; objects merged, arrays replaced",
      extra,
    ),
    write(
      "DELETE",
      `${ca}/{id}`,
      "conditionalAccessPolicies",
      pol.caDeletePermissions,
      pol.deleteCaPolicy,
      "none; 204",
      extra,
    ),
  ];
}

export function methodsPolicyWriteRoutes(): RouteDef[] {
  return [
    write(
      "PATCH",
      "/policies/authenticationMethodsPolicy",
      "authenticationMethodsPolicy",
      pol.methodsPolicyPermissions,
      pol.updateMethodsPolicy,
      "none; 204",
    ),
    write(
      "PATCH",
      "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
      "authenticationMethodsPolicy",
      pol.methodsPolicyPermissions,
      pol.updateMethodConfiguration,
      "none; @odata.type required; includeTargets replaced whole; unknown fields kept; 204",
    ),
  ];
}
