/**
 * Deterministic generated tenants for the Conditional Access benchmark: a policy mix shaped like
 * real tenants (MFA for all, legacy-auth block, admin strength, location and risk policies,
 * per-app and per-group policies, device filters, platform blocks, report-only copies), nested
 * groups, privileged users active and eligible, directly and through role-assignable groups.
 */
import type { Snapshot } from "../../src/snapshot/schema.js";

export interface TenantShape {
  name: string;
  policies: number;
  groups: number;
  users: number;
  nestingDepth: number;
  admins: number;
  seed: number;
}

export const REALISTIC: TenantShape = {
  name: "realistic",
  policies: 195,
  groups: 2_000,
  users: 20_000,
  nestingDepth: 3,
  admins: 200,
  seed: 1,
};
export const STRESS: TenantShape = {
  name: "stress",
  policies: 1_000,
  groups: 10_000,
  users: 50_000,
  nestingDepth: 5,
  admins: 200,
  seed: 2,
};
export const SMALL: TenantShape = {
  name: "small",
  policies: 30,
  groups: 60,
  users: 300,
  nestingDepth: 3,
  admins: 20,
  seed: 3,
};

const GA = "62e90394-69f5-4237-9190-012177145e10";
const PRIV_ROLES = [
  GA,
  "e8611ab8-c189-46e8-94e1-60213ab1f814",
  "194ae4cb-b126-40b2-bd5b-6091b380977d",
  "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
  "fe930be7-5e62-47db-91af-98c3a49a38b1",
  "729827e3-9c14-49f7-bb1b-9608f156bbb8",
  "29232cdf-9323-42fd-ade2-1d097af3e4de",
];
const YUBIKEY = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
const FEITIAN = "ee882879-721c-4913-9775-3dfcce97072a";
const PR = "00000000-0000-0000-0000-000000000004";

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
const guid = (kind: number, i: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(i, 12)}`;

export function generateTenant(shape: TenantShape): {
  snapshot: Snapshot;
  emergencyIds: string[];
  adminIds: string[];
} {
  const r = rng(shape.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const some = <T>(xs: readonly T[], max: number): T[] => {
    const n = 1 + Math.floor(r() * max);
    return [...new Set(Array.from({ length: n }, () => pick(xs)))];
  };
  const userId = (i: number) => guid(1, i);
  const groupId = (i: number) => guid(2, i);
  const emergencyGroup = guid(3, 0);
  const apps = Array.from({ length: 60 }, (_, i) => guid(4, i));

  // groups in levels: level 0 = top; each group below level 0 is a member of one group a level up
  const perLevel = Math.ceil(shape.groups / shape.nestingDepth);
  const groupMembers: Array<Array<{ "@odata.type": string; id: string }>> = Array.from(
    { length: shape.groups },
    () => [],
  );
  for (let g = perLevel; g < shape.groups; g++) {
    const level = Math.floor(g / perLevel);
    const parent = (level - 1) * perLevel + Math.floor(r() * perLevel);
    groupMembers[Math.min(parent, shape.groups - 1)]!.push({
      "@odata.type": "#microsoft.graph.group",
      id: groupId(g),
    });
  }

  const users: Array<Record<string, unknown>> = [];
  const emergencyIds = [userId(0), userId(1)];
  const adminIds: string[] = [];
  for (let i = 0; i < shape.users; i++) {
    const id = userId(i);
    const isEmergency = i < 2;
    const isAdmin = !isEmergency && i < 2 + shape.admins;
    if (isAdmin) adminIds.push(id);
    const methods: Array<Record<string, unknown>> = [];
    if (isEmergency)
      methods.push({
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: `k${i}`,
        aaGuid: i === 0 ? YUBIKEY : FEITIAN,
      });
    else if (isAdmin) {
      const kind = r();
      if (kind < 0.4)
        methods.push({
          "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
          id: `k${i}`,
          aaGuid: pick([YUBIKEY, FEITIAN]),
        });
      if (kind > 0.2)
        methods.push({
          "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
          id: `a${i}`,
        });
      if (kind > 0.8)
        methods.push({
          "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
          id: `p${i}`,
          phoneType: "mobile",
        });
    }
    users.push({
      id,
      userPrincipalName: isEmergency ? `bg${i}@contoso.onmicrosoft.com` : `user${i}@contoso.com`,
      userType: i % 97 === 5 ? "Guest" : "Member",
      accountEnabled: true,
      ...(isEmergency || isAdmin ? { authenticationMethods: methods } : {}),
    });
    if (!isEmergency) {
      const deepest = (shape.nestingDepth - 1) * perLevel;
      // A user is a member of a group once (a snapshot with a repeated member id is refused).
      const joined = new Set<number>();
      for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
        const g = Math.min(shape.groups - 1, deepest + Math.floor(r() * (shape.groups - deepest)));
        if (!joined.has(g)) groupMembers[g]!.push({ "@odata.type": "#microsoft.graph.user", id });
        joined.add(g);
      }
    }
  }
  const groups = groupMembers.map((members, g) => ({
    id: groupId(g),
    displayName: `Group ${g}`,
    securityEnabled: true,
    isAssignableToRole: g < 10,
    members,
  }));
  groups.push({
    id: emergencyGroup,
    displayName: "Emergency",
    securityEnabled: true,
    isAssignableToRole: true,
    members: emergencyIds.map((id) => ({ "@odata.type": "#microsoft.graph.user", id })),
  });

  const roleAssignments: Array<Record<string, unknown>> = emergencyIds.map((id, k) => ({
    id: `ra-e${k}`,
    principalId: id,
    roleDefinitionId: GA,
    directoryScopeId: "/",
  }));
  const roleEligibilitySchedules: Array<Record<string, unknown>> = [];
  adminIds.forEach((id, k) => {
    const role = k < 20 ? GA : pick(PRIV_ROLES);
    if (r() < 0.5)
      roleAssignments.push({ id: `ra${k}`, principalId: id, roleDefinitionId: role, directoryScopeId: "/" });
    else
      roleEligibilitySchedules.push({
        id: `es${k}`,
        principalId: id,
        roleDefinitionId: role,
        directoryScopeId: "/",
        status: "Provisioned",
      });
  });
  for (let g = 0; g < 10; g++)
    roleAssignments.push({
      id: `rag${g}`,
      principalId: groupId(g),
      roleDefinitionId: pick(PRIV_ROLES),
      directoryScopeId: "/",
    });

  const ipLocations = Array.from({ length: 20 }, (_, i) => ({
    "@odata.type": "#microsoft.graph.ipNamedLocation",
    id: guid(5, i),
    displayName: `Site ${i}`,
    isTrusted: i < 6,
    ipRanges: some([0, 1, 2], 3).map((k) => ({
      cidrAddress:
        k === 2
          ? `2001:db8:${hex(i, 4)}::/48`
          : `${10 + (i % 50)}.${(i * 7 + k * 31) % 256}.0.0/${k === 0 ? 16 : 24}`,
    })),
  }));
  const countryLocations = Array.from({ length: 5 }, (_, i) => ({
    "@odata.type": "#microsoft.graph.countryNamedLocation",
    id: guid(6, i),
    displayName: `Countries ${i}`,
    countriesAndRegions: some(["US", "CA", "GB", "DE", "FR", "NL", "SE", "CN", "RU", "KP", "IR", "BR"], 4),
    includeUnknownCountriesAndRegions: i === 4,
    countryLookupMethod: "clientIpAddress",
  }));
  const blockedCountries = {
    "@odata.type": "#microsoft.graph.countryNamedLocation",
    id: guid(6, 99),
    displayName: "Blocked countries",
    countriesAndRegions: ["KP", "IR", "RU", "CN"],
    includeUnknownCountriesAndRegions: false,
    countryLookupMethod: "clientIpAddress",
  };
  countryLocations.push(blockedCountries);

  const excludeEmergency = { excludeGroups: [emergencyGroup] };
  const base = (i: number, name: string, over: Record<string, any>): Record<string, unknown> => ({
    id: guid(7, i),
    displayName: `${name} ${i}`,
    state:
      over.state ?? (r() < 0.15 ? "enabledForReportingButNotEnforced" : r() < 0.05 ? "disabled" : "enabled"),
    conditions: {
      users: {
        includeUsers: [],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
        ...over.users,
      },
      applications: {
        includeApplications: ["All"],
        excludeApplications: [],
        includeUserActions: [],
        ...over.apps,
      },
      clientAppTypes: over.clientAppTypes ?? ["all"],
      platforms: over.platforms ?? null,
      locations: over.locations ?? null,
      signInRiskLevels: over.signInRiskLevels ?? [],
      userRiskLevels: over.userRiskLevels ?? [],
      devices: over.devices ?? null,
    },
    grantControls: over.grant ?? { operator: "OR", builtInControls: ["mfa"] },
    sessionControls: over.session ?? null,
  });
  const policies: Array<Record<string, unknown>> = [
    {
      ...base(0, "Emergency access", {
        state: "enabled",
        users: { includeGroups: [emergencyGroup] },
        grant: { operator: "OR", builtInControls: [], authenticationStrength: { id: PR } },
      }),
      sessionControls: {
        signInFrequency: { isEnabled: true, frequencyInterval: "everyTime" },
        persistentBrowser: { isEnabled: true, mode: "never" },
      },
    },
  ];
  const kinds = [
    () => ({ name: "MFA all users", users: { includeUsers: ["All"], ...excludeEmergency } }),
    () => ({
      name: "Block legacy auth",
      users: { includeUsers: ["All"], ...excludeEmergency },
      clientAppTypes: ["exchangeActiveSync", "other"],
      grant: { operator: "OR", builtInControls: ["block"] },
    }),
    () => ({
      name: "Admins phishing-resistant",
      users: { includeRoles: some(PRIV_ROLES, 4), ...excludeEmergency },
      grant: { operator: "OR", builtInControls: [], authenticationStrength: { id: PR } },
    }),
    () => ({
      name: "Contractors only from trusted sites",
      users: {
        includeGroups: some(
          groups.map((g) => g.id),
          2,
        ),
        ...excludeEmergency,
      },
      locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      grant: { operator: "OR", builtInControls: ["block"] },
    }),
    () => ({
      name: "Block countries",
      users: { includeUsers: ["All"], ...excludeEmergency },
      locations: { includeLocations: [blockedCountries.id] },
      grant: { operator: "OR", builtInControls: ["block"] },
    }),
    () => ({
      name: "Sign-in risk",
      users: { includeUsers: ["All"], ...excludeEmergency },
      signInRiskLevels: some(["medium", "high"], 2),
      grant: { operator: "OR", builtInControls: r() < 0.5 ? ["block"] : ["mfa"] },
    }),
    () => ({
      name: "User risk",
      users: { includeUsers: ["All"], ...excludeEmergency },
      userRiskLevels: ["high"],
      grant: { operator: "AND", builtInControls: ["mfa", "passwordChange"] },
    }),
    () => ({
      name: "App for group",
      users: {
        includeGroups: some(
          groups.map((g) => g.id),
          3,
        ),
      },
      apps: { includeApplications: some(apps, 3) },
      grant: {
        operator: pick(["OR", "AND"]),
        builtInControls: some(["mfa", "compliantDevice", "domainJoinedDevice"], 2),
      },
    }),
    () => ({
      name: "Compliant device for Office",
      users: {
        includeGroups: some(
          groups.map((g) => g.id),
          2,
        ),
      },
      apps: { includeApplications: ["Office365"] },
      grant: { operator: "OR", builtInControls: ["compliantDevice", "approvedApplication"] },
    }),
    () => ({
      name: "Block unknown platforms",
      users: { includeUsers: ["All"], ...excludeEmergency },
      platforms: { includePlatforms: ["all"], excludePlatforms: ["windows", "iOS", "android", "macOS"] },
      grant: { operator: "OR", builtInControls: ["block"] },
    }),
    () => ({
      name: "SAW only for admins",
      users: { includeRoles: some(PRIV_ROLES, 2), ...excludeEmergency },
      apps: { includeApplications: ["MicrosoftAdminPortals"] },
      devices: { deviceFilter: { mode: "exclude", rule: 'device.extensionAttribute1 -eq "SAW"' } },
      grant: { operator: "OR", builtInControls: ["block"] },
      state: "enabledForReportingButNotEnforced",
    }),
    () => ({
      name: "Guests MFA",
      users: { includeUsers: ["GuestsOrExternalUsers"] },
      grant: { operator: "OR", builtInControls: ["mfa"] },
    }),
    () => ({
      name: "Session for group",
      users: {
        includeGroups: some(
          groups.map((g) => g.id),
          2,
        ),
      },
      apps: { includeApplications: some(apps, 2) },
      grant: null,
      session: {
        signInFrequency: { isEnabled: true, type: "hours", value: 8, frequencyInterval: "timeBased" },
      },
    }),
    () => ({
      name: "Trusted-site exception",
      users: {
        includeGroups: some(
          groups.map((g) => g.id),
          2,
        ),
      },
      locations: {
        includeLocations: some(
          ipLocations.map((l) => l.id),
          2,
        ),
      },
      apps: { includeApplications: some(apps, 2) },
      grant: { operator: "OR", builtInControls: ["mfa"] },
    }),
  ];
  for (let i = 1; i < shape.policies; i++) {
    const k = i < kinds.length + 1 ? kinds[i - 1]! : pick(kinds);
    const spec = k() as Record<string, any>;
    policies.push(base(i, spec.name, spec));
  }

  const snapshot = {
    schema: "breakglass.snapshot/v1",
    tenant: { id: "bench", capturedAt: "2026-11-01T10:00:00Z" },
    subscribedSkus: [
      { skuPartNumber: "AAD_PREMIUM_P2", servicePlans: [{ servicePlanName: "AAD_PREMIUM_P2" }] },
    ],
    securityDefaults: { isEnabled: false },
    users,
    groups,
    roleDefinitions: PRIV_ROLES.map((id) => ({
      id,
      templateId: id,
      displayName: id === GA ? "Global Administrator" : id,
    })),
    roleAssignments,
    // A complete export: the PIM sections are read (and empty), so role data is known to be whole.
    roleAssignmentSchedules: [],
    roleEligibilitySchedules,
    privilegedAccessGroupAssignmentSchedules: [],
    privilegedAccessGroupEligibilitySchedules: [],
    conditionalAccessPolicies: policies,
    namedLocations: [...ipLocations, ...countryLocations],
    authenticationStrengthPolicies: [],
    authenticationMethodsPolicy: {
      authenticationMethodConfigurations: [
        { id: "Fido2", state: "enabled", includeTargets: [{ targetType: "group", id: "all_users" }] },
        {
          id: "MicrosoftAuthenticator",
          state: "enabled",
          includeTargets: [{ targetType: "group", id: "all_users" }],
        },
        { id: "Sms", state: "enabled", includeTargets: [{ targetType: "group", id: "all_users" }] },
      ],
    },
  } as unknown as Snapshot;
  return { snapshot, emergencyIds, adminIds };
}
