/**
 * Application permissions per resource, least privileged first, then the higher ones Graph also
 * accepts (docs/graph-contract.md Appendix B and each API's permissions table). Where Microsoft's current
 * docs name a narrower permission than the one Breakglass's default app holds (PIM schedules), both
 * are kept so either one grants access.
 */
export const P = {
  users: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  signInActivity: ["AuditLog.Read.All"],
  authMethods: ["UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"],
  // beta users/{id}/authentication/requirements: a policy permission, unusually (graph-contract 6.3)
  perUserMfa: ["Policy.Read.All", "Policy.ReadWrite.AuthenticationMethod"],
  userRelations: ["User.Read.All", "Directory.Read.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  memberOf: [
    "User.Read.All",
    "GroupMember.Read.All",
    "Directory.Read.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  deletedUsers: ["User.Read.All", "Directory.Read.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  riskyUsers: ["IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All"],
  groups: [
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  groupMembers: [
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  administrativeUnits: [
    "AdministrativeUnit.Read.All",
    "Directory.Read.All",
    "AdministrativeUnit.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  roleManagement: [
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "Directory.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.ReadWrite.All",
  ],
  roleAssignmentSchedules: [
    "RoleAssignmentSchedule.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
  ],
  roleEligibilitySchedules: [
    "RoleEligibilitySchedule.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleEligibilitySchedule.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
  ],
  roleManagementPolicies: [
    "RoleManagementPolicy.Read.Directory",
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagementPolicy.ReadWrite.Directory",
    "RoleManagement.ReadWrite.Directory",
  ],
  roleManagementPoliciesGroup: [
    "RoleManagementPolicy.Read.AzureADGroup",
    "RoleManagementPolicy.ReadWrite.AzureADGroup",
  ],
  pimGroupAssignments: [
    "PrivilegedAssignmentSchedule.Read.AzureADGroup",
    "PrivilegedAccess.Read.AzureADGroup",
    "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
    "PrivilegedAccess.ReadWrite.AzureADGroup",
  ],
  pimGroupEligibilities: [
    "PrivilegedEligibilitySchedule.Read.AzureADGroup",
    "PrivilegedAccess.Read.AzureADGroup",
    "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
    "PrivilegedAccess.ReadWrite.AzureADGroup",
  ],
  conditionalAccess: [
    "Policy.Read.All",
    "Policy.Read.ConditionalAccess",
    "Policy.ReadWrite.ConditionalAccess",
  ],
  authenticationStrengths: [
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Policy.ReadWrite.AuthenticationMethod",
  ],
  // The tenant-wide methods policy is read with the AuthenticationMethod permissions only; Policy.Read.All
  // does not grant it (docs/graph-contract.md §6.4: the docs list Policy.Read.AuthenticationMethod as least).
  authenticationMethodsPolicy: ["Policy.Read.AuthenticationMethod", "Policy.ReadWrite.AuthenticationMethod"],
  authorizationPolicy: ["Policy.Read.All", "Policy.ReadWrite.Authorization"],
  securityDefaults: ["Policy.Read.All", "Policy.ReadWrite.SecurityDefaults"],
  accessReviews: ["AccessReview.Read.All", "AccessReview.ReadWrite.All"],
  lifecycleWorkflows: ["LifecycleWorkflows.Read.All", "LifecycleWorkflows.ReadWrite.All"],
  // signIns: the docs' known issue (Directory.Read.All also needed) is deliberately not emulated
  auditLogs: ["AuditLog.Read.All"],
  organization: [
    "Organization.Read.All",
    "Directory.Read.All",
    "Organization.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  subscribedSkus: [
    "Organization.Read.All",
    "Directory.Read.All",
    "Organization.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  domains: ["Domain.Read.All", "Directory.Read.All", "Domain.ReadWrite.All", "Directory.ReadWrite.All"],
} as const satisfies Record<string, readonly string[]>;

/** The least-privileged set the default emulated app is granted: exactly what `breakglass export` needs. */
export const DEFAULT_APP_PERMISSIONS = [
  "User.Read.All",
  "AuditLog.Read.All",
  "GroupMember.Read.All",
  "AdministrativeUnit.Read.All",
  "RoleManagement.Read.Directory",
  "PrivilegedAccess.Read.AzureADGroup",
  "Policy.Read.All",
  "Policy.Read.AuthenticationMethod",
  "UserAuthenticationMethod.Read.All",
  "IdentityRiskyUser.Read.All",
  "Organization.Read.All",
  "Domain.Read.All",
  "AccessReview.Read.All",
  "LifecycleWorkflows.Read.All",
] as const;

/**
 * What an app needs to deploy (docs/graph-writes.md Appendix A, least privileged): every write of
 * `apply` and `enroll`. The emulator enforces each write's own permissions; this is only the set
 * `breakglass emulator --deployer` grants.
 */
export const DEPLOYER_APP_PERMISSIONS = [
  "User.ReadWrite.All",
  "LicenseAssignment.ReadWrite.All",
  "Group.ReadWrite.All",
  "RoleManagement.ReadWrite.Directory",
  "AdministrativeUnit.ReadWrite.All",
  "Policy.Read.All",
  "Policy.ReadWrite.ConditionalAccess",
  "Application.Read.All",
  "Policy.ReadWrite.AuthenticationMethod",
  "Policy.ReadWrite.Authorization",
  "UserAuthenticationMethod.ReadWrite.All",
] as const;

/**
 * Privileged Authentication Administrator, held by the deploying app: the accounts are protected
 * from the moment they join the role-assignable group (docs/graph-writes.md 0.6).
 */
export const DEPLOYER_DIRECTORY_ROLES = ["7be44c8a-adaf-4e2a-84d6-ab2649e08a13"] as const;
