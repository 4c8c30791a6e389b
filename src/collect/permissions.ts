/**
 * One table: which permission each snapshot path needs. `export` uses it to name the missing
 * permission in `unavailable` reasons; `breakglass permissions` prints it. Application permissions
 * are the least-privileged ones Graph documents (docs/graph-contract.md Appendix B, narrowed where Graph
 * has a narrower read permission); every listed permission of a path is needed (AND).
 */

export interface PathPermission {
  /** snapshot path in `unavailable` key syntax (section or `section.relationship`). */
  path: string;
  /** Graph application permissions, all needed. */
  application: string[];
  /** Graph delegated scopes, all needed. */
  delegated: string[];
  /** the least Entra role a signed-in admin needs for the delegated read. */
  role: string;
}

export interface AzurePermission {
  path: string;
  /** Azure RBAC role and the scope it must be assigned at. */
  role: string;
  scope: string;
}

const p = (
  path: string,
  application: string[],
  role = "Global Reader",
  delegated = application,
): PathPermission => ({
  path,
  application,
  delegated,
  role,
});

/** Graph reads of `export`, in docs/snapshot.md order. */
export const GRAPH_READS: PathPermission[] = [
  p("organization", ["Organization.Read.All"]),
  p("subscribedSkus", ["Organization.Read.All"]),
  p("domains", ["Domain.Read.All"]),
  p("users", ["User.Read.All"]),
  // signInActivity needs AuditLog.Read.All on top of the user read (and Entra ID P1).
  p("users.signInActivity", ["User.Read.All", "AuditLog.Read.All"], "Reports Reader"),
  p("users.authenticationMethods", ["UserAuthenticationMethod.Read.All"], "Authentication Administrator"),
  // per-user MFA state is read with a policy permission, unusually (docs/graph-contract.md §6.3).
  p("users.perUserMfaState", ["Policy.Read.All"], "Authentication Administrator"),
  p("users.ownedObjects", ["User.Read.All"]),
  p("deletedUsers", ["User.Read.All"]),
  p("riskyUsers", ["IdentityRiskyUser.Read.All"], "Security Reader"),
  p("groups", ["GroupMember.Read.All"]),
  p("groups.members", ["GroupMember.Read.All"]),
  p("groups.owners", ["GroupMember.Read.All"]),
  p("administrativeUnits", ["AdministrativeUnit.Read.All"]),
  p("administrativeUnits.members", ["AdministrativeUnit.Read.All"]),
  p("roleDefinitions", ["RoleManagement.Read.Directory"]),
  p("roleAssignments", ["RoleManagement.Read.Directory"]),
  p("roleAssignmentSchedules", ["RoleManagement.Read.Directory"]),
  p("roleEligibilitySchedules", ["RoleManagement.Read.Directory"]),
  p("roleManagementPolicyAssignments", ["RoleManagement.Read.Directory"]),
  p("privilegedAccessGroupAssignmentSchedules", ["PrivilegedAccess.Read.AzureADGroup"]),
  p("privilegedAccessGroupEligibilitySchedules", ["PrivilegedAccess.Read.AzureADGroup"]),
  p("conditionalAccessPolicies", ["Policy.Read.All"], "Security Reader"),
  p("namedLocations", ["Policy.Read.All"], "Security Reader"),
  p("authenticationStrengthPolicies", ["Policy.Read.All"], "Security Reader"),
  p("authenticationMethodsPolicy", ["Policy.Read.AuthenticationMethod"], "Security Reader"),
  p("authorizationPolicy", ["Policy.Read.All"]),
  p("securityDefaults", ["Policy.Read.All"], "Security Reader"),
  p("accessReviewDefinitions", ["AccessReview.Read.All"]),
  p("lifecycleWorkflows", ["LifecycleWorkflows.Read.All"], "Lifecycle Workflows Administrator"),
  p("signIns", ["AuditLog.Read.All"], "Reports Reader"),
  p("directoryAudits", ["AuditLog.Read.All"], "Reports Reader"),
  p("registrationDetails", ["AuditLog.Read.All"], "Reports Reader"),
];

/** ARM reads of `export`. */
export const AZURE_READS: AzurePermission[] = [
  { path: "azure.subscriptions", role: "Reader", scope: "each subscription to assess" },
  {
    path: "azure.diagnosticSettings",
    // microsoft.aadiam is a tenant-level provider: a role at a subscription does not reach it
    // (docs/monitoring.md §1, "Permissions").
    role: "Reader (or a custom role with microsoft.aadiam/diagnosticSettings/read)",
    scope: "/providers/Microsoft.aadiam",
  },
  { path: "azure.workspaces", role: "Reader", scope: "each subscription" },
  { path: "azure.tables", role: "Log Analytics Reader", scope: "each workspace (or its subscription)" },
  { path: "azure.scheduledQueryRules", role: "Reader", scope: "each subscription" },
  { path: "azure.actionGroups", role: "Reader", scope: "each subscription" },
  { path: "azure.sentinelAlertRules", role: "Microsoft Sentinel Reader", scope: "each Sentinel workspace" },
  { path: "azure.sentinelWatchlists", role: "Microsoft Sentinel Reader", scope: "each Sentinel workspace" },
  { path: "azure.alerts", role: "Reader", scope: "each subscription" },
];

/** One kind of Graph write `apply` or `enroll` sends (docs/graph-writes.md Appendix A, least privileged). */
export interface WritePermission {
  /** the plan's resource kind (docs/deploy.md), or "enroll" */
  kind: string;
  /** what the write does, as the operator reads it */
  write: string;
  /** the request, as the plan shows it (`POST /v1.0/users`) */
  request: string;
  /** Graph application permissions, all needed */
  application: string[];
  /** the least Entra role a signed-in admin needs */
  role: string;
  /** an Entra role the application itself also needs (docs/graph-writes.md 0.6), if any */
  applicationRole?: string;
}

const PAA = "Privileged Authentication Administrator";
/** Writes to the accounts' credentials, methods and sign-in state once they are administrators (docs/graph-writes.md 0.6). */
const PROTECTED = { role: PAA, applicationRole: PAA };

const w = (
  kind: string,
  write: string,
  request: string,
  application: string[],
  role: string,
  extra: Partial<WritePermission> = {},
): WritePermission => ({ kind, write, request, application, role, ...extra });

/** The writes of `apply`, in docs/deploy.md's order. */
export const APPLY_WRITES: WritePermission[] = [
  w("accounts", "create an emergency account", "POST /v1.0/users", ["User.Create"], "User Administrator"),
  w(
    "accounts",
    "set passwordPolicies, accountEnabled on an account",
    "PATCH /v1.0/users/{id}",
    ["User.ReadUpdate.All", "User.EnableDisableAccount.All"],
    PAA,
    PROTECTED,
  ),
  w(
    "accounts",
    "remove a licence from an account",
    "POST /v1.0/users/{id}/assignLicense",
    ["LicenseAssignment.ReadWrite.All"],
    "License Administrator",
  ),
  // a role-assignable group: creating it and changing its members need RoleManagement (docs/graph-writes.md 2.1, 2.2)
  w(
    "group",
    "create the role-assignable group",
    "POST /v1.0/groups",
    ["Group.Create", "RoleManagement.ReadWrite.Directory"],
    "Privileged Role Administrator",
  ),
  w(
    "group",
    "rename the group",
    "PATCH /v1.0/groups/{id}",
    ["Group.ReadWrite.All"],
    "Privileged Role Administrator",
  ),
  w(
    "group",
    "add or remove a member of the group",
    "POST /v1.0/groups/{id}/members/$ref",
    ["GroupMember.ReadWrite.All", "User.ReadWrite.All", "RoleManagement.ReadWrite.Directory"],
    "Privileged Role Administrator",
  ),
  w(
    "group",
    "remove an owner of the group",
    "DELETE /v1.0/groups/{id}/owners/{memberId}/$ref",
    ["Group.ReadWrite.All"],
    "Privileged Role Administrator",
  ),
  w(
    "strength",
    "create or change the authentication strength",
    "POST /v1.0/policies/authenticationStrengthPolicies",
    ["Policy.ReadWrite.ConditionalAccess"],
    "Conditional Access Administrator",
  ),
  // create and update also need Application.Read.All, a documented quirk (docs/graph-writes.md 6.1)
  w(
    "policy",
    "create the dedicated Conditional Access policy",
    "POST /v1.0/identity/conditionalAccess/policies",
    ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Application.Read.All"],
    "Conditional Access Administrator",
  ),
  w(
    "exclusions",
    "exclude the group from every other policy",
    "PATCH /v1.0/identity/conditionalAccess/policies/{id}",
    ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Application.Read.All"],
    "Conditional Access Administrator",
  ),
  w(
    "methods",
    "change a method configuration or the registration campaign",
    "PATCH /v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
    ["Policy.ReadWrite.AuthenticationMethod"],
    "Authentication Policy Administrator",
  ),
  w(
    "methods",
    "turn self-service password reset off for administrators",
    "PATCH /v1.0/policies/authorizationPolicy",
    ["Policy.ReadWrite.Authorization"],
    "Privileged Role Administrator",
  ),
  w(
    "methods",
    "turn per-user MFA off on an account",
    "PATCH /beta/users/{id}/authentication/requirements",
    ["Policy.ReadWrite.AuthenticationMethod"],
    PAA,
    PROTECTED,
  ),
  w(
    "methods",
    "delete a phishable method or usable pass of an account",
    "DELETE /v1.0/users/{id}/authentication/phoneMethods/{methodId}",
    ["UserAuthenticationMethod.ReadWrite.All"],
    PAA,
    PROTECTED,
  ),
  w(
    "activate",
    "switch the dedicated policy on",
    "PATCH /v1.0/identity/conditionalAccess/policies/{id}",
    ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Application.Read.All"],
    "Conditional Access Administrator",
  ),
  w(
    "role",
    "assign Global Administrator, permanent and active",
    "POST /v1.0/roleManagement/directory/roleAssignments",
    ["RoleManagement.ReadWrite.Directory"],
    "Privileged Role Administrator",
  ),
  w(
    "role",
    "remove an eligible or expiring assignment",
    "DELETE /v1.0/roleManagement/directory/roleAssignments/{id}",
    ["RoleManagement.ReadWrite.Directory"],
    "Privileged Role Administrator",
  ),
  w(
    "au",
    "create the restricted-management unit and add the accounts and group",
    "POST /v1.0/directory/administrativeUnits",
    ["AdministrativeUnit.ReadWrite.All"],
    "Privileged Role Administrator",
  ),
];

/** The writes of `enroll`. */
export const ENROLL_WRITES: WritePermission[] = [
  w(
    "enroll",
    "target the Temporary Access Pass method at the group",
    "PATCH /v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
    ["Policy.ReadWrite.AuthenticationMethod"],
    "Authentication Policy Administrator",
  ),
  w(
    "enroll",
    "create the one-time pass",
    "POST /v1.0/users/{id}/authentication/temporaryAccessPassMethods",
    ["UserAuthMethod-TAP.ReadWrite.All"],
    PAA,
    PROTECTED,
  ),
  w(
    "enroll",
    "delete the pass, older keys and other methods",
    "DELETE /v1.0/users/{id}/authentication/fido2Methods/{methodId}",
    ["UserAuthenticationMethod.ReadWrite.All"],
    PAA,
    PROTECTED,
  ),
  w(
    "enroll",
    "revoke the account's sessions",
    "POST /v1.0/users/{id}/revokeSignInSessions",
    ["User.RevokeSessions.All"],
    PAA,
    PROTECTED,
  ),
];

const readsOf = (...paths: string[]) => GRAPH_READS.filter((r) => paths.includes(r.path));

/** The permissions each command needs: its reads, and for `apply` and `enroll` their writes. */
export const COMMAND_PERMISSIONS: Record<
  string,
  { graph: PathPermission[]; azure: AzurePermission[]; writes?: WritePermission[] }
> = {
  export: { graph: GRAPH_READS, azure: AZURE_READS },
  // plan reads what export reads, and nothing more: it never needs a write permission
  plan: { graph: GRAPH_READS, azure: AZURE_READS },
  apply: { graph: GRAPH_READS, azure: AZURE_READS, writes: APPLY_WRITES },
  enroll: {
    graph: readsOf(
      "users",
      "users.authenticationMethods",
      "groups",
      "groups.members",
      "authenticationMethodsPolicy",
    ),
    azure: [],
    writes: ENROLL_WRITES,
  },
  // drill start/finish and due (src/drills/drill.ts): the account, its keys, its sign-ins, and the
  // alert rules and fired alerts of the subscriptions.
  drill: {
    graph: readsOf("users", "users.authenticationMethods", "signIns"),
    azure: [
      { path: "azure.scheduledQueryRules", role: "Reader", scope: "each subscription" },
      { path: "azure.alerts", role: "Reader", scope: "each subscription" },
    ],
  },
};

/**
 * Application permissions a broader one already grants (Graph accepts the broader one on every
 * endpoint of the narrower), so a command's list does not ask for both.
 */
const COVERED_BY: Record<string, string[]> = {
  "User.ReadWrite.All": [
    "User.Read.All",
    "User.Create",
    "User.ReadUpdate.All",
    "User.EnableDisableAccount.All",
    "User.RevokeSessions.All",
  ],
  "Group.ReadWrite.All": [
    "Group.Read.All",
    "Group.Create",
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
  ],
  "GroupMember.ReadWrite.All": ["GroupMember.Read.All"],
  "UserAuthenticationMethod.ReadWrite.All": [
    "UserAuthenticationMethod.Read.All",
    "UserAuthMethod-TAP.ReadWrite.All",
  ],
  "RoleManagement.ReadWrite.Directory": ["RoleManagement.Read.Directory"],
  "Policy.ReadWrite.AuthenticationMethod": ["Policy.Read.AuthenticationMethod"],
  "AdministrativeUnit.ReadWrite.All": ["AdministrativeUnit.Read.All"],
};

/** `users[<id>].authenticationMethods` -> `users.authenticationMethods`. */
export function tablePath(path: string): string {
  return path.replace(/\[[^\]]*\]/g, "");
}

export function graphPermissionsOf(path: string): string[] {
  return graphEntryOf(path).application;
}

export function graphEntryOf(path: string): PathPermission {
  const key = tablePath(path);
  const hit = GRAPH_READS.find((r) => r.path === key);
  if (!hit) throw new Error(`permissions.ts: no permission entry for ${key}`);
  return hit;
}

/** Which permissions a token granted `granted` lacks to read `path` (a ReadWrite counterpart counts). */
export function missingPermissions(path: string, granted: string[]): string[] {
  const entry = graphEntryOf(path);
  const have = new Set(granted.map((g) => g.toLowerCase()));
  const covered = (perm: string) =>
    have.has(perm.toLowerCase()) || have.has(perm.replace(".Read.", ".ReadWrite.").toLowerCase());
  return entry.application.filter((perm) => !covered(perm));
}

/** Every distinct application permission a command needs, sorted, without those a broader one in the list grants. */
export function applicationPermissions(command = "export"): string[] {
  const entry = COMMAND_PERMISSIONS[command];
  if (!entry) return [];
  const all = new Set([
    ...entry.graph.flatMap((r) => r.application),
    ...(entry.writes ?? []).flatMap((r) => r.application),
  ]);
  const covered = new Set([...all].flatMap((p) => COVERED_BY[p] ?? []));
  return [...all].filter((p) => !covered.has(p)).sort();
}

/** The Entra roles the application itself needs for a command's writes (docs/graph-writes.md 0.6). */
export function applicationRoles(command: string): string[] {
  return [
    ...new Set((COMMAND_PERMISSIONS[command]?.writes ?? []).flatMap((r) => r.applicationRole ?? [])),
  ].sort();
}

/** The least Entra roles a signed-in administrator needs for a command's writes. */
export function delegatedWriteRoles(command: string): string[] {
  return [...new Set((COMMAND_PERMISSIONS[command]?.writes ?? []).map((r) => r.role))].sort();
}

/**
 * What a token lacks for a command's writes (the write-permission gate): the application
 * permissions of `granted` checked against every write, a broader permission counting for a
 * narrower one; the directory roles by name against `roles`.
 */
export function missingWritePermissions(
  command: string,
  granted: string[],
  roles: string[] = [],
): { permissions: string[]; roles: string[] } {
  return missingForWrites(COMMAND_PERMISSIONS[command]?.writes ?? [], granted, roles);
}

/**
 * The same for the writes of some resource kinds only: an `apply --target exclusions` identity
 * needs the Conditional Access writes and nothing else (least privilege for a scheduled job).
 */
export function missingApplyPermissions(
  kinds: readonly string[],
  granted: string[],
  roles: string[] = [],
): { permissions: string[]; roles: string[] } {
  return missingForWrites(
    APPLY_WRITES.filter((w) => kinds.includes(w.kind)),
    granted,
    roles,
  );
}

function missingForWrites(
  writes: readonly WritePermission[],
  granted: string[],
  roles: string[],
): { permissions: string[]; roles: string[] } {
  const have = new Set(granted.map((g) => g.toLowerCase()));
  for (const [broad, narrow] of Object.entries(COVERED_BY)) {
    if (have.has(broad.toLowerCase())) for (const n of narrow) have.add(n.toLowerCase());
  }
  const permissions = new Set<string>();
  for (const write of writes) {
    for (const p of write.application) if (!have.has(p.toLowerCase())) permissions.add(p);
  }
  const heldRoles = new Set(roles.map((r) => r.toLowerCase()));
  const needed = [...new Set(writes.flatMap((w) => w.applicationRole ?? []))].sort();
  // Global Administrator holds every role's rights
  const missingRoles = heldRoles.has("global administrator")
    ? []
    : needed.filter((r) => !heldRoles.has(r.toLowerCase()));
  return { permissions: [...permissions].sort(), roles: missingRoles };
}

/**
 * The `unavailable` reason of a 403. When the token's roles are known, it names exactly the
 * permissions the path needs and the token lacks; when all are granted, the 403 has another cause
 * (licence, role scope), and the service's own message says which.
 */
export function forbiddenReason(path: string, granted: string[] | undefined, serviceMessage: string): string {
  // Without readable roles (an opaque or delegated token), name everything the read needs.
  const missing = granted && granted.length ? missingPermissions(path, granted) : graphPermissionsOf(path);
  if (missing.length) return `403 Forbidden: ${missing.join(", ")} not granted`;
  return `403 Forbidden: ${serviceMessage}`;
}
