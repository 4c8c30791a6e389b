import { createGraphResourceLayer } from "../../../emulator/graph/index.js";
import type {
  GraphRequest,
  GraphResponse,
  GraphVersion,
  ResolvedGraphRequest,
} from "../../../emulator/graph/types.js";
import { parseSnapshot } from "../../../src/snapshot/load.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";

export const BASE = "https://127.0.0.1:8443/graph";
export const TENANT = "11111111-2222-3333-4444-555555555555";
export const GA = "62e90394-69f5-4237-9190-012177145e10";
export const BG1 = "aaaaaaaa-0000-0000-0000-000000000001";
export const BG2 = "aaaaaaaa-0000-0000-0000-000000000002";
export const GUEST = "aaaaaaaa-0000-0000-0000-000000000003";
export const ADMINS_GROUP = "bbbbbbbb-0000-0000-0000-000000000001";
export const NESTED_GROUP = "bbbbbbbb-0000-0000-0000-000000000002";
export const M365_GROUP = "bbbbbbbb-0000-0000-0000-000000000003";
export const AU = "cccccccc-0000-0000-0000-000000000001";
export const P2_SKU = "eec0eb4f-6444-4f95-aba0-50c24d67f998";

const fillerId = (i: number): string => `dddddddd-0000-0000-0000-${String(i).padStart(12, "0")}`;

/** A small tenant: two break-glass accounts, a guest, 250 ordinary users (for paging), groups, roles, logs. */
export function tenant(): Snapshot {
  const users: Record<string, unknown>[] = [
    {
      id: BG1,
      userPrincipalName: "bg1@contoso.onmicrosoft.com",
      displayName: "Break Glass 1",
      mailNickname: "bg1",
      accountEnabled: true,
      userType: "Member",
      onPremisesSyncEnabled: null,
      passwordPolicies: "DisablePasswordExpiration",
      createdDateTime: "2024-01-01T00:00:00Z",
      assignedLicenses: [{ skuId: P2_SKU, disabledPlans: [] }],
      otherMails: [],
      signInActivity: {
        lastSignInDateTime: "2026-10-01T00:00:00Z",
        lastNonInteractiveSignInDateTime: "0001-01-01T00:00:00Z",
      },
      authenticationMethods: [
        {
          "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
          id: "28c10230-6103-485e-b985-444c60001490",
        },
        {
          "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
          id: "f1d0f1d0-0000-0000-0000-000000000001",
          displayName: "YubiKey 5",
          aaGuid: "cb69481e-8ff7-4039-93ec-0a2729a154a8",
          attestationLevel: "attested",
        },
      ],
      perUserMfaState: "disabled",
      ownedObjects: [{ "@odata.type": "#microsoft.graph.group", id: ADMINS_GROUP }],
    },
    {
      id: BG2,
      userPrincipalName: "bg2@contoso.onmicrosoft.com",
      displayName: "Break Glass 2",
      accountEnabled: false,
      userType: "Member",
      passwordPolicies: null,
      createdDateTime: "2025-06-01T00:00:00Z",
      authenticationMethods: [
        {
          "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
          id: "3179e48a-750b-4051-897c-87b9720928f7",
          phoneNumber: "+1 5555551234",
          phoneType: "mobile",
        },
      ],
      perUserMfaState: "enforced",
    },
    {
      id: GUEST,
      userPrincipalName: "ext_user_fabrikam.com#EXT#@contoso.onmicrosoft.com",
      displayName: "External User",
      accountEnabled: true,
      userType: "Guest",
      mail: "user@fabrikam.com",
    },
  ];
  for (let i = 0; i < 250; i++) {
    users.push({
      id: fillerId(i),
      userPrincipalName: `user${i}@contoso.com`,
      displayName: `User ${String(i).padStart(3, "0")}`,
      accountEnabled: i % 10 !== 0,
      userType: "Member",
      createdDateTime: `2023-01-${String((i % 28) + 1).padStart(2, "0")}T00:00:00Z`,
      givenName: `Given${i}`,
    });
  }
  const signIns = [
    {
      id: "s1",
      createdDateTime: "2026-10-30T10:00:00Z",
      userId: BG1,
      userPrincipalName: "bg1@contoso.onmicrosoft.com",
      isInteractive: true,
      signInEventTypes: ["interactiveUser"],
      status: { errorCode: 0 },
      authenticationDetails: [{ authenticationMethod: "FIDO2 security key", succeeded: true }],
      appDisplayName: "Azure Portal",
    },
    {
      id: "s2",
      createdDateTime: "2026-10-31T10:00:00Z",
      userId: BG1,
      userPrincipalName: "bg1@contoso.onmicrosoft.com",
      isInteractive: false,
      signInEventTypes: ["nonInteractiveUser"],
      status: { errorCode: 0 },
      appDisplayName: "Graph Explorer",
    },
    {
      id: "s3",
      createdDateTime: "2026-10-29T10:00:00Z",
      userId: BG2,
      userPrincipalName: "bg2@contoso.onmicrosoft.com",
      isInteractive: true,
      signInEventTypes: ["interactiveUser"],
      status: { errorCode: 50126 },
      appDisplayName: "Azure Portal",
    },
  ];
  return parseSnapshot({
    schema: "breakglass.snapshot/v1",
    tenant: { id: TENANT, displayName: "Contoso", capturedAt: "2026-11-01T10:00:00Z" },
    organization: [{ id: TENANT, displayName: "Contoso", onPremisesSyncEnabled: null }],
    subscribedSkus: [
      {
        skuId: P2_SKU,
        skuPartNumber: "AAD_PREMIUM_P2",
        servicePlans: [{ servicePlanName: "AAD_PREMIUM_P2", servicePlanId: P2_SKU }],
      },
    ],
    domains: [
      { id: "contoso.onmicrosoft.com", isDefault: false, isInitial: true, authenticationType: "Managed" },
      { id: "contoso.com", isDefault: true, isInitial: false, authenticationType: "Federated" },
    ],
    users,
    deletedUsers: [
      {
        id: "eeeeeeee-0000-0000-0000-000000000001",
        userPrincipalName: "gone@contoso.com",
        deletedDateTime: "2026-10-01T00:00:00Z",
      },
    ],
    riskyUsers: [
      {
        id: BG2,
        userPrincipalName: "bg2@contoso.onmicrosoft.com",
        riskLevel: "high",
        riskState: "atRisk",
        riskLastUpdatedDateTime: "2026-10-20T00:00:00Z",
      },
    ],
    groups: [
      {
        id: ADMINS_GROUP,
        displayName: "Emergency Admins",
        securityEnabled: true,
        mailEnabled: false,
        groupTypes: [],
        isAssignableToRole: true,
        members: [
          { "@odata.type": "#microsoft.graph.user", id: BG1 },
          { "@odata.type": "#microsoft.graph.group", id: NESTED_GROUP },
        ],
        owners: [{ "@odata.type": "#microsoft.graph.user", id: BG2 }],
      },
      {
        id: NESTED_GROUP,
        displayName: "Nested",
        securityEnabled: true,
        groupTypes: [],
        members: [
          { "@odata.type": "#microsoft.graph.user", id: BG2 },
          { "@odata.type": "#microsoft.graph.servicePrincipal", id: "ffffffff-0000-0000-0000-000000000001" },
        ],
      },
      {
        id: M365_GROUP,
        displayName: "Marketing",
        securityEnabled: false,
        mailEnabled: true,
        groupTypes: ["Unified", "DynamicMembership"],
        members: [],
      },
    ],
    administrativeUnits: [
      {
        id: AU,
        displayName: "Break-glass RMAU",
        isMemberManagementRestricted: true,
        members: [{ "@odata.type": "#microsoft.graph.user", id: BG1 }],
      },
    ],
    roleDefinitions: [
      { id: GA, displayName: "Global Administrator", templateId: GA, isBuiltIn: true, isPrivileged: true },
    ],
    roleAssignments: [
      { id: "ra-bg1", principalId: BG1, roleDefinitionId: GA, directoryScopeId: "/" },
      { id: "ra-group", principalId: NESTED_GROUP, roleDefinitionId: GA, directoryScopeId: "/" },
    ],
    roleAssignmentSchedules: [
      {
        id: "ra-bg1",
        principalId: BG1,
        roleDefinitionId: GA,
        directoryScopeId: "/",
        status: "Provisioned",
        assignmentType: "Assigned",
        memberType: "Direct",
        createdUsing: null,
        scheduleInfo: {
          startDateTime: "2024-01-01T00:00:00Z",
          expiration: { type: "noExpiration", endDateTime: null, duration: null },
        },
      },
      {
        id: "ra-expired",
        principalId: BG2,
        roleDefinitionId: GA,
        directoryScopeId: "/",
        status: "Provisioned",
        assignmentType: "Assigned",
        memberType: "Direct",
        createdUsing: "x",
        scheduleInfo: {
          startDateTime: "2025-01-01T00:00:00Z",
          expiration: { type: "afterDateTime", endDateTime: "2026-01-01T00:00:00Z" },
        },
      },
    ],
    roleEligibilitySchedules: [
      {
        id: "el-bg2",
        principalId: BG2,
        roleDefinitionId: GA,
        directoryScopeId: "/",
        status: "Provisioned",
        memberType: "Direct",
        createdUsing: "el-bg2",
        scheduleInfo: {
          startDateTime: "2026-10-01T00:00:00Z",
          expiration: { type: "afterDuration", duration: "P365D" },
        },
      },
    ],
    roleManagementPolicyAssignments: [
      {
        id: `DirectoryRole_${TENANT}_pol1_${GA}`,
        policyId: `DirectoryRole_${TENANT}_pol1`,
        scopeId: "/",
        scopeType: "DirectoryRole",
        roleDefinitionId: GA,
        policy: {
          id: `DirectoryRole_${TENANT}_pol1`,
          rules: [
            {
              "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
              id: "Expiration_Admin_Assignment",
              isExpirationRequired: false,
            },
          ],
        },
      },
    ],
    privilegedAccessGroupAssignmentSchedules: [
      {
        id: "pag1",
        principalId: BG1,
        groupId: ADMINS_GROUP,
        accessId: "member",
        status: "Provisioned",
        memberType: "Direct",
      },
    ],
    privilegedAccessGroupEligibilitySchedules: [
      {
        id: "peg1",
        principalId: BG2,
        groupId: ADMINS_GROUP,
        accessId: "owner",
        status: "Provisioned",
        memberType: "Direct",
      },
    ],
    conditionalAccessPolicies: [
      {
        id: "ca1",
        displayName: "Require phishing-resistant MFA for admins",
        state: "enabled",
        conditions: { users: { includeRoles: [GA], excludeUsers: [BG1] } },
        grantControls: {
          operator: "OR",
          builtInControls: [],
          authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" },
        },
      },
      {
        id: "ca2",
        displayName: "Block legacy auth",
        state: "enabledForReportingButNotEnforced",
        conditions: { clientAppTypes: ["other"] },
        grantControls: { operator: "OR", builtInControls: ["block"] },
      },
    ],
    namedLocations: [
      {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        id: "nl1",
        displayName: "HQ",
        isTrusted: true,
        ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "6.5.4.3/32" }],
      },
      {
        "@odata.type": "#microsoft.graph.countryNamedLocation",
        id: "nl2",
        displayName: "Canada",
        countriesAndRegions: ["CA"],
        includeUnknownCountriesAndRegions: false,
      },
    ],
    authenticationStrengthPolicies: [
      {
        id: "00000000-0000-0000-0000-000000000004",
        displayName: "Phishing-resistant MFA",
        policyType: "builtIn",
        requirementsSatisfied: "mfa",
        allowedCombinations: ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
        combinationConfigurations: [],
      },
      {
        id: "custom-1",
        displayName: "YubiKeys only",
        policyType: "custom",
        requirementsSatisfied: "mfa",
        allowedCombinations: ["fido2"],
        combinationConfigurations: [
          {
            "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
            id: "cc1",
            appliesToCombinations: ["fido2"],
            allowedAAGUIDs: ["cb69481e-8ff7-4039-93ec-0a2729a154a8"],
          },
        ],
      },
    ],
    authenticationMethodsPolicy: {
      id: "authenticationMethodsPolicy",
      authenticationMethodConfigurations: [
        {
          "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
          id: "Fido2",
          state: "enabled",
        },
      ],
      registrationEnforcement: {},
    },
    authorizationPolicy: { allowedToUseSSPR: false },
    securityDefaults: { isEnabled: false },
    accessReviewDefinitions: [{ id: "ar1", displayName: "Guests", status: "InProgress" }],
    lifecycleWorkflows: [{ id: "wf1", displayName: "Leaver", category: "leaver", isEnabled: true }],
    signIns,
    directoryAudits: [
      {
        id: "Directory_1",
        activityDateTime: "2026-10-01T00:00:00Z",
        activityDisplayName: "Update user",
        category: "UserManagement",
        targetResources: [{ id: BG1 }],
      },
      {
        id: "Directory_2",
        activityDateTime: "2026-10-02T00:00:00Z",
        activityDisplayName: "Add member to group",
        category: "GroupManagement",
        targetResources: [{ id: ADMINS_GROUP }],
      },
    ],
  });
}

export function makeLayer(snap: Snapshot = tenant()) {
  return createGraphResourceLayer(snap);
}

export function request(
  path: string,
  opts: { query?: string; headers?: Record<string, string>; version?: GraphVersion; method?: string } = {},
): GraphRequest {
  return {
    method: opts.method ?? "GET",
    version: opts.version ?? "v1.0",
    path,
    query: new URLSearchParams(opts.query ?? ""),
    headers: opts.headers ?? {},
    baseUrl: BASE,
  };
}

export const EVENTUAL = { consistencylevel: "eventual" };

export type Layer = ReturnType<typeof makeLayer>;

export function resolveOk(layer: Layer, req: GraphRequest): ResolvedGraphRequest {
  const r = layer.resolve(req);
  if ("error" in r) throw new Error(`expected a route, got ${JSON.stringify(r.error.body)}`);
  return r;
}

export function get(
  layer: Layer,
  path: string,
  opts: Parameters<typeof request>[1] = {},
): GraphResponse & { json: any } {
  const r = layer.resolve(request(path, opts));
  const res = "error" in r ? r.error : r.handle();
  return { ...res, json: res.body as any };
}

/** Follow a nextLink the way a client does: parse the absolute URL back into a request. */
export function follow(
  layer: Layer,
  link: string,
  headers: Record<string, string> = {},
): GraphResponse & { json: any } {
  const u = new URL(link);
  const prefix = new URL(BASE).pathname;
  const rest = u.pathname.slice(prefix.length); // "/v1.0/users"
  const [, version, ...segs] = rest.split("/");
  const path = "/" + segs.map((s) => decodeURIComponent(s)).join("/");
  const req: GraphRequest = {
    method: "GET",
    version: version as GraphVersion,
    path,
    query: u.searchParams,
    headers,
    baseUrl: BASE,
  };
  const r = layer.resolve(req);
  const res = "error" in r ? r.error : r.handle();
  return { ...res, json: res.body as any };
}
