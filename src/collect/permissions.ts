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
];

/** The permissions each command needs. Only commands that read the tenant are listed. */
export const COMMAND_PERMISSIONS: Record<string, { graph: PathPermission[]; azure: AzurePermission[] }> = {
  export: { graph: GRAPH_READS, azure: AZURE_READS },
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

/** Every distinct application permission a command needs, sorted. */
export function applicationPermissions(command = "export"): string[] {
  const entry = COMMAND_PERMISSIONS[command];
  if (!entry) return [];
  return [...new Set(entry.graph.flatMap((r) => r.application))].sort();
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
