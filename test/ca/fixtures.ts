/** Small tenant builders for the Conditional Access tests. */
import { Directory } from "../../src/snapshot/directory.js";
import { parseSnapshot } from "../../src/snapshot/load.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { CaEngine } from "../../src/ca/engine.js";
import type { CheckContext } from "../../src/checks/types.js";
import { Config } from "../../src/config/schema.js";

export const GA = "62e90394-69f5-4237-9190-012177145e10";
export const SECADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d";
export const YUBIKEY = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
export const OTHERKEY = "ee882879-721c-4913-9775-3dfcce97072a";
export const P1_SKU = {
  skuPartNumber: "AAD_PREMIUM",
  servicePlans: [{ servicePlanName: "AAD_PREMIUM", servicePlanId: "41781fb2-bc02-4b7c-bd55-b576c07bb09d" }],
};

export const fido2 = (aaGuid = YUBIKEY) => ({
  "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
  id: `f-${aaGuid}`,
  aaGuid,
  attestationLevel: "attested",
});
export const authenticator = () => ({
  "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
  id: "auth-1",
});
export const phone = () => ({
  "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
  id: "ph",
  phoneType: "mobile",
});

export interface PolicySpec {
  id?: string;
  name?: string;
  state?: string;
  users?: Record<string, unknown>;
  apps?: Record<string, unknown>;
  clientAppTypes?: string[];
  platforms?: Record<string, unknown> | null;
  locations?: Record<string, unknown> | null;
  signInRiskLevels?: string[];
  userRiskLevels?: string[];
  insiderRiskLevels?: string | null;
  devices?: Record<string, unknown> | null;
  authenticationFlows?: Record<string, unknown> | null;
  grant?: Record<string, unknown> | null;
  session?: Record<string, unknown> | null;
}

let seq = 0;
/**
 * A fresh policy: every object in it is a copy, never a shared constant such as `block`, so a test
 * that damages its policy in place (test/ca/malformed.test.ts) cannot change what a later test (or
 * a later file in the same worker, which shares this module) gets.
 */
export function policy(spec: PolicySpec): Record<string, unknown> {
  const id = spec.id ?? `p${++seq}`;
  return structuredClone({
    id,
    displayName: spec.name ?? id,
    state: spec.state ?? "enabled",
    conditions: {
      users: {
        includeUsers: ["All"],
        excludeUsers: [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
        ...spec.users,
      },
      applications: {
        includeApplications: ["All"],
        excludeApplications: [],
        includeUserActions: [],
        ...spec.apps,
      },
      clientAppTypes: spec.clientAppTypes ?? ["all"],
      platforms: spec.platforms ?? null,
      locations: spec.locations ?? null,
      signInRiskLevels: spec.signInRiskLevels ?? [],
      userRiskLevels: spec.userRiskLevels ?? [],
      insiderRiskLevels: spec.insiderRiskLevels ?? null,
      devices: spec.devices ?? null,
      authenticationFlows: spec.authenticationFlows ?? null,
    },
    grantControls: spec.grant === undefined ? { operator: "OR", builtInControls: ["mfa"] } : spec.grant,
    sessionControls: spec.session ?? null,
  });
}

/** Frozen: a test that tries to change the shared block grant throws instead of poisoning it. */
export const block = Object.freeze({ operator: "OR", builtInControls: Object.freeze(["block"]) });
export const strengthGrant = (id: string) => ({
  operator: "OR",
  builtInControls: [],
  authenticationStrength: { id },
});

export const ipLocation = (id: string, cidrs: string[], isTrusted = false) => ({
  "@odata.type": "#microsoft.graph.ipNamedLocation",
  id,
  displayName: id,
  isTrusted,
  ipRanges: cidrs.map((c) => ({ cidrAddress: c })),
});
export const countryLocation = (
  id: string,
  countries: string[],
  includeUnknownCountriesAndRegions = false,
) => ({
  "@odata.type": "#microsoft.graph.countryNamedLocation",
  id,
  displayName: id,
  countriesAndRegions: countries,
  includeUnknownCountriesAndRegions,
  countryLookupMethod: "clientIpAddress",
});

/**
 * A tenant: users bg1 (FIDO2), bg2 (FIDO2), alice (Authenticator), guest; group hierarchy
 * gOuter > gInner > alice; gEmergency > bg1, bg2; gRole (role-assignable, holds Security
 * Administrator) > alice; bob eligible for GA.
 */
export function tenant(extra: Partial<Record<string, unknown>> = {}): Snapshot {
  return parseSnapshot({
    schema: "breakglass.snapshot/v1",
    tenant: { id: "t", capturedAt: "2026-11-01T10:00:00Z" },
    subscribedSkus: [P1_SKU],
    securityDefaults: { isEnabled: false },
    users: [
      {
        id: "bg1",
        userPrincipalName: "bg1@contoso.onmicrosoft.com",
        userType: "Member",
        authenticationMethods: [fido2()],
      },
      {
        id: "bg2",
        userPrincipalName: "bg2@contoso.onmicrosoft.com",
        userType: "Member",
        authenticationMethods: [fido2()],
      },
      {
        id: "alice",
        userPrincipalName: "alice@contoso.com",
        userType: "Member",
        authenticationMethods: [authenticator()],
      },
      {
        id: "bob",
        userPrincipalName: "bob@contoso.com",
        userType: "Member",
        authenticationMethods: [authenticator()],
      },
      {
        id: "guest",
        userPrincipalName: "g_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        userType: "Guest",
        authenticationMethods: [],
      },
    ],
    groups: [
      {
        id: "gEmergency",
        displayName: "Emergency",
        members: [
          { "@odata.type": "#microsoft.graph.user", id: "bg1" },
          { "@odata.type": "#microsoft.graph.user", id: "bg2" },
        ],
      },
      {
        id: "gOuter",
        displayName: "Outer",
        members: [{ "@odata.type": "#microsoft.graph.group", id: "gInner" }],
      },
      {
        id: "gInner",
        displayName: "Inner",
        members: [
          { "@odata.type": "#microsoft.graph.user", id: "alice" },
          { "@odata.type": "#microsoft.graph.user", id: "bg2" },
        ],
      },
      {
        id: "gRole",
        displayName: "SecOps",
        isAssignableToRole: true,
        members: [{ "@odata.type": "#microsoft.graph.user", id: "alice" }],
      },
    ],
    roleDefinitions: [
      { id: GA, templateId: GA, displayName: "Global Administrator" },
      { id: SECADMIN, templateId: SECADMIN, displayName: "Security Administrator" },
    ],
    roleAssignments: [
      { id: "ra1", principalId: "bg1", roleDefinitionId: GA, directoryScopeId: "/" },
      { id: "ra2", principalId: "bg2", roleDefinitionId: GA, directoryScopeId: "/" },
      { id: "ra3", principalId: "gRole", roleDefinitionId: SECADMIN, directoryScopeId: "/" },
    ],
    roleEligibilitySchedules: [
      { id: "es1", principalId: "bob", roleDefinitionId: GA, directoryScopeId: "/", status: "Provisioned" },
    ],
    conditionalAccessPolicies: [],
    namedLocations: [],
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
    ...extra,
  });
}

export function engineOf(snapshot: Snapshot, policies?: Array<Record<string, unknown>>): CaEngine {
  return new CaEngine(snapshot, new Directory(snapshot), policies);
}

/** A check context over the fixture tenant: bg1 and bg2 in the emergency group gEmergency. */
export function checkContext(snapshot: Snapshot, config: Record<string, unknown> = {}): CheckContext {
  return {
    snapshot,
    directory: new Directory(snapshot),
    config: Config.parse({ accounts: ["bg1", "bg2"], group: "gEmergency", ...config }),
    accounts: {
      method: "config+group",
      resolved: [
        { id: "bg1", userPrincipalName: "bg1@contoso.onmicrosoft.com" },
        { id: "bg2", userPrincipalName: "bg2@contoso.onmicrosoft.com" },
      ],
      unresolved: [],
      group: { id: "gEmergency", displayName: "Emergency" },
    },
    now: new Date(snapshot.tenant.capturedAt),
  };
}
