/**
 * Table-driven evaluator cases. Each case cites the heading of
 * docs/ca-semantics.md whose rule it encodes; the last test checks that every cited
 * heading exists there.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { capabilityOf } from "../../src/ca/capability.js";
import { APP } from "../../src/ca/catalogue.js";
import { evaluateSignIn, type PolicyMode } from "../../src/ca/engine.js";
import { identityOf } from "../../src/ca/identity.js";
import { type SignIn, MAYBE, NO, YES } from "../../src/ca/types.js";
import {
  block,
  countryLocation,
  engineOf,
  GA,
  ipLocation,
  OTHERKEY,
  policy,
  type PolicySpec,
  SECADMIN,
  strengthGrant,
  tenant,
  YUBIKEY,
} from "./fixtures.js";

export const H = {
  users: '1.2 Users ("who")',
  resources: '1.3 Target resources ("what")',
  conditions: '1.4 Conditions ("under which circumstances")',
  state: "2.1 Policy state",
  block: "2.2 Evaluation order and block",
  grants: "2.3 Grant controls within a policy, and across policies",
  strengths: "2.4 Authentication strengths",
  satisfiability: "2.5 Control-satisfiability constraints (what makes a grant impossible in a scenario)",
  session: "2.6 Session controls",
  whatIf: "3. What If tool and Graph What-If API",
  pitfalls: "5. Known lockout pitfalls",
  evaluator: "6. Evaluator spec (decision procedure)",
  space: "7. Scenario space — finite equivalence classes",
} as const;

const PR = "00000000-0000-0000-0000-000000000004";
const MFA = "00000000-0000-0000-0000-000000000002";
const APPX = "aaaaaaaa-0000-0000-0000-00000000000x";

interface Case {
  name: string;
  cite: string;
  policies: PolicySpec[];
  user?: string;
  activate?: string[];
  signIn?: Partial<SignIn>;
  mode?: PolicyMode;
  extra?: Record<string, unknown>;
  /** applicability of the first policy. */
  applies?: 0 | 1 | 2;
  reason?: string;
  verdict?: "allowed" | "blocked" | "unsatisfiable";
}

const whfbUser = {
  id: "hello",
  userPrincipalName: "hello@contoso.com",
  authenticationMethods: [
    { "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod", id: "w" },
  ],
};
const pwOnly = { id: "pw", userPrincipalName: "pw@contoso.com", authenticationMethods: [] };
const locs = [
  ipLocation("office", ["10.0.0.0/8", "2001:db8::/32"], true),
  ipLocation("lab", ["192.168.1.0/24"]),
  countryLocation("us", ["US"]),
  countryLocation("usOrUnknown", ["US"], true),
];
const x509Strength = {
  id: "s-x509",
  displayName: "Certificates only",
  policyType: "custom",
  allowedCombinations: ["x509CertificateMultiFactor"],
  combinationConfigurations: [],
};
const keyStrength = (aaguid: string) => ({
  id: "s-key",
  displayName: "Our keys",
  policyType: "custom",
  allowedCombinations: ["fido2"],
  combinationConfigurations: [
    {
      "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
      id: "cc",
      appliesToCombinations: ["fido2"],
      allowedAAGUIDs: [aaguid],
    },
  ],
});
const methodsPolicy = (fido2: Record<string, unknown>) => ({
  authenticationMethodConfigurations: [
    { id: "Fido2", state: "enabled", includeTargets: [{ targetType: "group", id: "all_users" }], ...fido2 },
    {
      id: "MicrosoftAuthenticator",
      state: "enabled",
      includeTargets: [{ targetType: "group", id: "all_users" }],
    },
  ],
});
const only = (u: Record<string, unknown>) => ({ includeUsers: [], ...u });
const unregistered = { device: null };
const compliantWin = {
  platform: "windows" as const,
  device: { attributes: { isCompliant: true, trustType: "AzureAD" } },
};

const cases: Case[] = [
  // ---- users
  { name: "All users includes a member", cite: H.users, policies: [{}], user: "alice", applies: YES },
  {
    name: "None includes nobody",
    cite: H.users,
    policies: [{ users: only({ includeUsers: ["None"] }) }],
    user: "alice",
    applies: NO,
    reason: "users",
  },
  {
    name: "a user id includes that user",
    cite: H.users,
    policies: [{ users: only({ includeUsers: ["alice"] }) }],
    user: "alice",
    applies: YES,
  },
  {
    name: "a user id does not include another",
    cite: H.users,
    policies: [{ users: only({ includeUsers: ["alice"] }) }],
    user: "bob",
    applies: NO,
    reason: "users",
  },
  {
    name: "a group includes its direct member",
    cite: H.users,
    policies: [{ users: only({ includeGroups: ["gInner"] }) }],
    user: "alice",
    applies: YES,
  },
  {
    name: "a group includes nested members (transitive)",
    cite: H.users,
    policies: [{ users: only({ includeGroups: ["gOuter"] }) }],
    user: "alice",
    applies: YES,
  },
  {
    name: "exclude user beats include group",
    cite: H.users,
    policies: [{ users: only({ includeGroups: ["gOuter"], excludeUsers: ["alice"] }) }],
    user: "alice",
    applies: NO,
  },
  {
    name: "exclusion through a nested group",
    cite: H.users,
    policies: [{ users: { excludeGroups: ["gOuter"] } }],
    user: "alice",
    applies: NO,
  },
  {
    name: "exclude group beats include user",
    cite: H.users,
    policies: [{ users: only({ includeUsers: ["alice"], excludeGroups: ["gInner"] }) }],
    user: "alice",
    applies: NO,
  },
  {
    name: "role includes an active direct holder",
    cite: H.users,
    policies: [{ users: only({ includeRoles: [GA] }) }],
    user: "bg1",
    applies: YES,
  },
  {
    name: "role does not include an eligible-only holder",
    cite: H.users,
    policies: [{ users: only({ includeRoles: [GA] }) }],
    user: "bob",
    applies: NO,
    reason: "users",
  },
  {
    name: "role includes an eligible holder once activated",
    cite: H.users,
    policies: [{ users: only({ includeRoles: [GA] }) }],
    user: "bob",
    activate: [GA],
    applies: YES,
  },
  {
    name: "role held through a role-assignable group counts",
    cite: H.users,
    policies: [{ users: only({ includeRoles: [SECADMIN] }) }],
    user: "alice",
    applies: YES,
  },
  {
    name: "exclude role removes an active holder",
    cite: H.users,
    policies: [{ users: { excludeRoles: [GA] } }],
    user: "bg1",
    applies: NO,
  },
  {
    name: "exclude role does not protect an eligible-only holder",
    cite: H.pitfalls,
    policies: [{ users: { excludeRoles: [GA] } }],
    user: "bob",
    applies: YES,
  },
  {
    name: "GuestsOrExternalUsers keyword includes a B2B guest",
    cite: H.users,
    policies: [{ users: only({ includeUsers: ["GuestsOrExternalUsers"] }) }],
    user: "guest",
    applies: YES,
  },
  {
    name: "GuestsOrExternalUsers keyword skips members",
    cite: H.users,
    policies: [{ users: only({ includeUsers: ["GuestsOrExternalUsers"] }) }],
    user: "alice",
    applies: NO,
  },
  {
    name: "guest type b2bCollaborationGuest, all tenants",
    cite: H.users,
    policies: [
      {
        users: only({
          includeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: "b2bCollaborationGuest",
            externalTenants: { membershipKind: "all" },
          },
        }),
      },
    ],
    user: "guest",
    applies: YES,
  },
  {
    name: "guest type internalGuest does not match a B2B guest",
    cite: H.users,
    policies: [
      {
        users: only({
          includeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: "internalGuest",
            externalTenants: { membershipKind: "all" },
          },
        }),
      },
    ],
    user: "guest",
    applies: NO,
  },
  {
    name: "enumerated external tenants with an unknown home tenant may match",
    cite: H.users,
    policies: [
      {
        users: only({
          includeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: "b2bCollaborationGuest",
            externalTenants: { membershipKind: "enumerated", members: ["fabrikam-tenant"] },
          },
        }),
      },
    ],
    user: "guest",
    applies: MAYBE,
  },
  {
    name: "excluded guest type removes the guest",
    cite: H.users,
    policies: [
      {
        users: {
          excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: "internalGuest,b2bCollaborationGuest" },
        },
      },
    ],
    user: "guest",
    applies: NO,
  },
  {
    name: "excluded guest type leaves members in",
    cite: H.users,
    policies: [
      { users: { excludeGuestsOrExternalUsers: { guestOrExternalUserTypes: "b2bCollaborationGuest" } } },
    ],
    user: "alice",
    applies: YES,
  },
  {
    name: "ids compare case-insensitively",
    cite: H.users,
    policies: [{ users: only({ includeGroups: ["GOUTER"] }) }],
    user: "alice",
    applies: YES,
  },
  // ---- resources
  {
    name: "an app id targets that app",
    cite: H.resources,
    policies: [{ apps: { includeApplications: [APPX] } }],
    applies: YES,
  },
  {
    name: "another app id does not",
    cite: H.resources,
    policies: [{ apps: { includeApplications: ["other-app"] } }],
    applies: NO,
    reason: "application",
  },
  {
    name: "excluded app beats All",
    cite: H.resources,
    policies: [{ apps: { excludeApplications: [APPX] } }],
    applies: NO,
    reason: "application",
  },
  {
    name: "Office365 covers Exchange Online",
    cite: H.resources,
    policies: [{ apps: { includeApplications: ["Office365"] } }],
    signIn: { target: { kind: "app", appId: APP.exchangeOnline } },
    applies: YES,
  },
  {
    name: "Office365 does not cover the Azure portal",
    cite: H.resources,
    policies: [{ apps: { includeApplications: ["Office365"] } }],
    signIn: { target: { kind: "app", appId: APP.azurePortal } },
    applies: NO,
  },
  {
    name: "MicrosoftAdminPortals covers the Azure portal",
    cite: H.resources,
    policies: [{ apps: { includeApplications: ["MicrosoftAdminPortals"] } }],
    signIn: { target: { kind: "app", appId: APP.azurePortal } },
    applies: YES,
  },
  {
    name: "excluding MicrosoftAdminPortals spares the Azure portal",
    cite: H.resources,
    policies: [{ apps: { excludeApplications: ["MicrosoftAdminPortals"] } }],
    signIn: { target: { kind: "app", appId: APP.azurePortal } },
    applies: NO,
  },
  {
    name: "All-with-exclusions still hits the directory (AAD Graph)",
    cite: H.resources,
    policies: [{ apps: { excludeApplications: ["MicrosoftAdminPortals", APP.azureManagement] } }],
    signIn: { target: { kind: "app", appId: APP.azureAdGraph } },
    applies: YES,
  },
  {
    name: "includeApplications None targets nothing",
    cite: H.resources,
    policies: [{ apps: { includeApplications: ["None"] } }],
    applies: NO,
  },
  {
    name: "a registersecurityinfo policy applies to that user action",
    cite: H.resources,
    policies: [{ apps: { includeApplications: [], includeUserActions: ["urn:user:registersecurityinfo"] } }],
    signIn: { target: { kind: "userAction", action: "registerSecurityInformation" } },
    applies: YES,
  },
  {
    name: "an app policy does not apply to a user action",
    cite: H.resources,
    policies: [{ apps: { includeApplications: [APPX] } }],
    signIn: { target: { kind: "userAction", action: "registerSecurityInformation" } },
    applies: NO,
    reason: "userActions",
  },
  {
    name: "an All-resources policy applies to registering security info",
    cite: H.evaluator,
    policies: [{}],
    signIn: { target: { kind: "userAction", action: "registerSecurityInformation" } },
    applies: YES,
  },
  {
    name: "auth context c1 applies to c1",
    cite: H.resources,
    policies: [{ apps: { includeApplications: [], includeAuthenticationContextClassReferences: ["c1"] } }],
    signIn: { target: { kind: "authContext", value: "c1" } },
    applies: YES,
  },
  {
    name: "auth context c1 does not apply to c2",
    cite: H.resources,
    policies: [{ apps: { includeApplications: [], includeAuthenticationContextClassReferences: ["c1"] } }],
    signIn: { target: { kind: "authContext", value: "c2" } },
    applies: NO,
    reason: "authenticationContext",
  },
  {
    name: "an application filter may apply (CSA not exported)",
    cite: H.resources,
    policies: [
      {
        apps: {
          includeApplications: [],
          applicationFilter: { mode: "include", rule: 'CustomSecurityAttribute.x -eq "y"' },
        },
      },
    ],
    applies: MAYBE,
  },
  // ---- conditions
  {
    name: "browser-only policy skips desktop clients",
    cite: H.conditions,
    policies: [{ clientAppTypes: ["browser"] }],
    signIn: { clientAppType: "mobileAppsAndDesktopClients" },
    applies: NO,
    reason: "clientApps",
  },
  {
    name: "client type all covers legacy clients",
    cite: H.conditions,
    policies: [{ clientAppTypes: ["all"] }],
    signIn: { clientAppType: "other" },
    applies: YES,
  },
  {
    name: "exchangeActiveSync covers EAS from supported platforms",
    cite: H.conditions,
    policies: [{ clientAppTypes: ["exchangeActiveSync"] }],
    signIn: { clientAppType: "easSupported" },
    applies: YES,
  },
  {
    name: "easSupported does not cover EAS from unsupported platforms",
    cite: H.conditions,
    policies: [{ clientAppTypes: ["easSupported"] }],
    signIn: { clientAppType: "exchangeActiveSync" },
    applies: NO,
  },
  {
    name: "include all, exclude the big four: Linux applies",
    cite: H.conditions,
    policies: [
      { platforms: { includePlatforms: ["all"], excludePlatforms: ["windows", "iOS", "android", "macOS"] } },
    ],
    signIn: { platform: "linux" },
    applies: YES,
  },
  {
    name: "include all, exclude the big four: unknown platform applies",
    cite: H.pitfalls,
    policies: [
      { platforms: { includePlatforms: ["all"], excludePlatforms: ["windows", "iOS", "android", "macOS"] } },
    ],
    signIn: { platform: "unknown" },
    applies: YES,
  },
  {
    name: "include all, exclude windows: windows does not",
    cite: H.conditions,
    policies: [{ platforms: { includePlatforms: ["all"], excludePlatforms: ["windows"] } }],
    signIn: { platform: "windows" },
    applies: NO,
    reason: "devicePlatform",
  },
  {
    name: "an unknown platform matches only an include of all",
    cite: H.conditions,
    policies: [
      { platforms: { includePlatforms: ["android", "iOS", "windows", "macOS", "linux", "windowsPhone"] } },
    ],
    signIn: { platform: "unknown" },
    applies: NO,
  },
  {
    name: "All except AllTrusted skips a trusted IP",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] } }],
    signIn: { location: { ip: "10.1.2.3", country: "US" } },
    applies: NO,
    reason: "location",
  },
  {
    name: "All except AllTrusted hits an untrusted IP",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] } }],
    signIn: { location: { ip: "192.168.1.5", country: "US" } },
    applies: YES,
  },
  {
    name: "the MFA trusted IPs are part of AllTrusted",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] } }],
    signIn: { location: { ip: "8.8.8.8", country: "US", mfaTrustedIp: true } },
    applies: NO,
  },
  {
    name: "IPv6 ranges match",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["office"] } }],
    signIn: { location: { ip: "2001:db8::1" } },
    applies: YES,
  },
  {
    name: "an IP outside the range does not match",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["lab"] } }],
    signIn: { location: { ip: "192.168.2.1" } },
    applies: NO,
  },
  {
    name: "a country location matches its country",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["us"] } }],
    signIn: { location: { ip: "8.8.8.8", country: "US" } },
    applies: YES,
  },
  {
    name: "a country location does not match another",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["us"] } }],
    signIn: { location: { ip: "8.8.8.8", country: "FR" } },
    applies: NO,
  },
  {
    name: "includeUnknownCountriesAndRegions matches an unknown country",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["usOrUnknown"] } }],
    signIn: { location: { ip: "8.8.8.8", country: null } },
    applies: YES,
  },
  {
    name: "without it, an unknown country does not match",
    cite: H.conditions,
    policies: [{ locations: { includeLocations: ["us"] } }],
    signIn: { location: { ip: "8.8.8.8", country: null } },
    applies: NO,
  },
  {
    name: "a location the snapshot lacks may match",
    cite: H.space,
    policies: [{ locations: { includeLocations: ["deleted-location"] } }],
    signIn: { location: { ip: "8.8.8.8", country: "US" } },
    applies: MAYBE,
  },
  {
    name: "sign-in risk high matches high",
    cite: H.conditions,
    policies: [{ signInRiskLevels: ["high"] }],
    signIn: { signInRisk: "high" },
    applies: YES,
  },
  {
    name: "sign-in risk high skips none",
    cite: H.conditions,
    policies: [{ signInRiskLevels: ["high"] }],
    signIn: { signInRisk: "none" },
    applies: NO,
    reason: "signInRisk",
  },
  {
    name: "user risk medium,high matches medium",
    cite: H.conditions,
    policies: [{ userRiskLevels: ["medium", "high"] }],
    signIn: { userRisk: "medium" },
    applies: YES,
  },
  {
    name: "user risk high skips low",
    cite: H.conditions,
    policies: [{ userRiskLevels: ["high"] }],
    signIn: { userRisk: "low" },
    applies: NO,
    reason: "userRisk",
  },
  {
    name: "insider risk elevated matches elevated",
    cite: H.conditions,
    policies: [{ insiderRiskLevels: "elevated" }],
    signIn: { insiderRisk: "elevated" },
    applies: YES,
  },
  {
    name: "insider risk elevated skips none",
    cite: H.conditions,
    policies: [{ insiderRiskLevels: "elevated" }],
    signIn: { insiderRisk: "none" },
    applies: NO,
    reason: "insiderRisk",
  },
  {
    name: "include filter on isCompliant: unregistered device is out",
    cite: H.conditions,
    policies: [{ devices: { deviceFilter: { mode: "include", rule: "device.isCompliant -eq True" } } }],
    signIn: unregistered,
    applies: NO,
    reason: "devices",
  },
  {
    name: "exclude filter on isCompliant: unregistered device is in",
    cite: H.conditions,
    policies: [{ devices: { deviceFilter: { mode: "exclude", rule: "device.isCompliant -eq True" } } }],
    signIn: unregistered,
    applies: YES,
  },
  {
    name: "negative operator on null is true: exclude -ne excludes an unregistered device",
    cite: H.conditions,
    policies: [{ devices: { deviceFilter: { mode: "exclude", rule: 'device.model -ne "SAW"' } } }],
    signIn: unregistered,
    applies: NO,
  },
  {
    name: "startsWith on a known model",
    cite: H.conditions,
    policies: [
      { devices: { deviceFilter: { mode: "include", rule: 'device.model -startsWith "Surface"' } } },
    ],
    signIn: { device: { attributes: { model: "Surface Pro 9" } } },
    applies: YES,
  },
  {
    name: "-in list",
    cite: H.conditions,
    policies: [
      {
        devices: {
          deviceFilter: { mode: "include", rule: 'device.manufacturer -in ["Contoso", "Fabrikam"]' },
        },
      },
    ],
    signIn: { device: { attributes: { manufacturer: "fabrikam" } } },
    applies: YES,
  },
  {
    name: "-and / -or with parentheses",
    cite: H.conditions,
    policies: [
      {
        devices: {
          deviceFilter: {
            mode: "include",
            rule: '(device.trustType -eq "ServerAD" -or device.isCompliant -eq True) -and device.model -notContains "VM"',
          },
        },
      },
    ],
    signIn: { device: { attributes: { trustType: "ServerAD", model: "Latitude" } } },
    applies: YES,
  },
  {
    name: "extension attributes are null on unmanaged devices",
    cite: H.conditions,
    policies: [
      { devices: { deviceFilter: { mode: "include", rule: 'device.extensionAttribute1 -eq "SAW"' } } },
    ],
    signIn: { device: { attributes: { extensionAttribute1: "SAW", isCompliant: false } } },
    applies: NO,
  },
  {
    name: "an unparseable rule may apply",
    cite: H.space,
    policies: [{ devices: { deviceFilter: { mode: "include", rule: "device.model -like 'x*'" } } }],
    signIn: unregistered,
    applies: MAYBE,
  },
  {
    name: "an attribute the caller does not know may match",
    cite: H.space,
    policies: [{ devices: { deviceFilter: { mode: "include", rule: 'device.model -eq "SAW"' } } }],
    signIn: { device: { attributes: { isCompliant: true }, othersUnknown: true } },
    applies: MAYBE,
  },
  {
    name: "device code flow policy matches device code sign-ins",
    cite: H.conditions,
    policies: [{ authenticationFlows: { transferMethods: "deviceCodeFlow" } }],
    signIn: { authFlow: "deviceCodeFlow" },
    applies: YES,
  },
  {
    name: "device code flow policy skips ordinary sign-ins",
    cite: H.conditions,
    policies: [{ authenticationFlows: { transferMethods: "deviceCodeFlow,authenticationTransfer" } }],
    signIn: { authFlow: "none" },
    applies: NO,
    reason: "authenticationFlow",
  },
  // ---- state
  {
    name: "a disabled policy is not enabled",
    cite: H.state,
    policies: [{ state: "disabled", grant: block }],
    applies: NO,
    reason: "policyNotEnabled",
    verdict: "allowed",
  },
  {
    name: "report-only is never enforced",
    cite: H.state,
    policies: [{ state: "enabledForReportingButNotEnforced", grant: block }],
    applies: NO,
    verdict: "allowed",
  },
  {
    name: "report-only switched on (what-if mode) blocks",
    cite: H.state,
    policies: [{ state: "enabledForReportingButNotEnforced", grant: block }],
    mode: "withReportOnly",
    applies: YES,
    verdict: "blocked",
  },
  {
    name: "partiallyEnabled may apply",
    cite: H.state,
    policies: [{ state: "partiallyEnabled" }],
    applies: MAYBE,
  },
  // ---- block and combination
  {
    name: "block wins over a satisfiable grant",
    cite: H.block,
    policies: [{}, { grant: block }],
    user: "alice",
    verdict: "blocked",
  },
  {
    name: "no applicable policy: access is granted",
    cite: H.grants,
    policies: [{ users: only({ includeUsers: ["bob"] }), grant: block }],
    user: "alice",
    verdict: "allowed",
  },
  {
    name: "OR: MFA or compliant device, MFA is enough",
    cite: H.grants,
    policies: [{ grant: { operator: "OR", builtInControls: ["mfa", "compliantDevice"] } }],
    user: "alice",
    signIn: unregistered,
    verdict: "allowed",
  },
  {
    name: "AND: MFA and compliant device on an unregistered device",
    cite: H.grants,
    policies: [{ grant: { operator: "AND", builtInControls: ["mfa", "compliantDevice"] } }],
    user: "alice",
    signIn: unregistered,
    verdict: "unsatisfiable",
  },
  {
    name: "AND across policies: MFA here, compliant device there",
    cite: H.grants,
    policies: [{}, { grant: { operator: "OR", builtInControls: ["compliantDevice"] } }],
    user: "alice",
    signIn: unregistered,
    verdict: "unsatisfiable",
  },
  {
    name: "terms of use can be accepted interactively",
    cite: H.grants,
    policies: [{ grant: { operator: "OR", builtInControls: [], termsOfUse: ["tou-1"] } }],
    user: "alice",
    verdict: "allowed",
  },
  {
    name: "a custom control cannot be proven",
    cite: H.evaluator,
    policies: [{ grant: { operator: "OR", builtInControls: [], customAuthenticationFactors: ["duo"] } }],
    user: "alice",
    verdict: "unsatisfiable",
  },
  {
    name: "a session-only policy adds no requirement",
    cite: H.session,
    policies: [
      { grant: null, session: { signInFrequency: { isEnabled: true, frequencyInterval: "everyTime" } } },
    ],
    user: "alice",
    verdict: "allowed",
  },
  {
    name: "password change needs SSPR registration (FIDO2-only account)",
    cite: H.pitfalls,
    policies: [
      { userRiskLevels: ["high"], grant: { operator: "AND", builtInControls: ["mfa", "passwordChange"] } },
    ],
    user: "bg1",
    signIn: { userRisk: "high" },
    verdict: "unsatisfiable",
  },
  // ---- strengths
  {
    name: "phishing-resistant strength met by FIDO2",
    cite: H.strengths,
    policies: [{ grant: strengthGrant(PR) }],
    user: "bg1",
    verdict: "allowed",
  },
  {
    name: "phishing-resistant strength not met by Authenticator push",
    cite: H.strengths,
    policies: [{ grant: strengthGrant(PR) }],
    user: "alice",
    verdict: "unsatisfiable",
  },
  {
    name: "a FIDO2-only account cannot meet an x509-only strength",
    cite: H.strengths,
    policies: [{ grant: strengthGrant("s-x509") }],
    user: "bg1",
    extra: { authenticationStrengthPolicies: [x509Strength] },
    verdict: "unsatisfiable",
  },
  {
    name: "a key outside the strength's allowed AAGUIDs does not count",
    cite: H.strengths,
    policies: [{ grant: strengthGrant("s-key") }],
    user: "bg1",
    extra: { authenticationStrengthPolicies: [keyStrength(OTHERKEY)] },
    verdict: "unsatisfiable",
  },
  {
    name: "a key inside the allowed AAGUIDs counts",
    cite: H.strengths,
    policies: [{ grant: strengthGrant("s-key") }],
    user: "bg1",
    extra: { authenticationStrengthPolicies: [keyStrength(YUBIKEY)] },
    verdict: "allowed",
  },
  {
    name: "several strengths: all must be met (one key meets both)",
    cite: H.strengths,
    policies: [{ grant: strengthGrant(PR) }, { grant: strengthGrant(MFA) }],
    user: "bg1",
    verdict: "allowed",
  },
  {
    name: "a registered method disabled in the methods policy does not count",
    cite: H.pitfalls,
    policies: [{ grant: strengthGrant(PR) }],
    user: "bg1",
    extra: { authenticationMethodsPolicy: methodsPolicy({ state: "disabled" }) },
    verdict: "unsatisfiable",
  },
  {
    name: "FIDO2 key restrictions in the methods policy apply",
    cite: H.pitfalls,
    policies: [{ grant: strengthGrant(PR) }],
    user: "bg1",
    extra: {
      authenticationMethodsPolicy: methodsPolicy({
        keyRestrictions: { isEnforced: true, enforcementType: "allow", aaGuids: [OTHERKEY] },
      }),
    },
    verdict: "unsatisfiable",
  },
  {
    name: "registration-targeted strength takes precedence over the All-resources one",
    cite: H.strengths,
    policies: [
      { grant: strengthGrant(PR) },
      {
        apps: { includeApplications: [], includeUserActions: ["urn:user:registersecurityinfo"] },
        grant: strengthGrant(MFA),
      },
    ],
    user: "alice",
    signIn: { target: { kind: "userAction", action: "registerSecurityInformation" } },
    verdict: "allowed",
  },
  {
    name: "registration precedence replaces strengths only, not other controls of an AND",
    cite: H.strengths,
    policies: [
      {
        grant: { operator: "AND", builtInControls: ["compliantDevice"], authenticationStrength: { id: PR } },
      },
      {
        apps: { includeApplications: [], includeUserActions: ["urn:user:registersecurityinfo"] },
        grant: strengthGrant(MFA),
      },
    ],
    user: "alice",
    signIn: { target: { kind: "userAction", action: "registerSecurityInformation" } },
    verdict: "unsatisfiable",
  },
  {
    name: "a registration-targeted strength must itself be met",
    cite: H.strengths,
    policies: [
      {},
      {
        apps: { includeApplications: [], includeUserActions: ["urn:user:registersecurityinfo"] },
        grant: strengthGrant(PR),
      },
    ],
    user: "alice",
    signIn: { target: { kind: "userAction", action: "registerSecurityInformation" } },
    verdict: "unsatisfiable",
  },
  // ---- satisfiability
  {
    name: "nobody on a legacy client can do MFA",
    cite: H.satisfiability,
    policies: [{}],
    user: "bg1",
    signIn: { clientAppType: "other" },
    verdict: "unsatisfiable",
  },
  {
    name: "a compliant device meets compliantDevice",
    cite: H.satisfiability,
    policies: [{ grant: { operator: "OR", builtInControls: ["compliantDevice"] } }],
    user: "alice",
    signIn: compliantWin,
    verdict: "allowed",
  },
  {
    name: "device code flow cannot meet compliantDevice",
    cite: H.satisfiability,
    policies: [{ grant: { operator: "OR", builtInControls: ["compliantDevice"] } }],
    user: "alice",
    signIn: { ...compliantWin, authFlow: "deviceCodeFlow" },
    verdict: "unsatisfiable",
  },
  {
    name: "a hybrid-joined Windows device meets domainJoinedDevice",
    cite: H.satisfiability,
    policies: [{ grant: { operator: "OR", builtInControls: ["domainJoinedDevice"] } }],
    user: "alice",
    signIn: { platform: "windows", device: { attributes: { trustType: "ServerAD" } } },
    verdict: "allowed",
  },
  {
    name: "Windows Hello needs a registered Windows device",
    cite: H.satisfiability,
    policies: [{ grant: strengthGrant(PR) }],
    user: "hello",
    signIn: { platform: "windows", device: null },
    verdict: "unsatisfiable",
  },
  {
    name: "Windows Hello on its registered Windows device",
    cite: H.strengths,
    policies: [{ grant: strengthGrant(PR) }],
    user: "hello",
    signIn: { platform: "windows", device: { attributes: { trustType: "AzureAD" } } },
    verdict: "allowed",
  },
  {
    name: "mandatory MFA for admin portals locks out a password-only account",
    cite: H.pitfalls,
    policies: [],
    user: "pw",
    signIn: { target: { kind: "app", appId: APP.azurePortal } },
    verdict: "unsatisfiable",
  },
  {
    name: "mandatory MFA does not apply to other apps",
    cite: H.pitfalls,
    policies: [],
    user: "pw",
    verdict: "allowed",
  },
];

const base: SignIn = {
  target: { kind: "app", appId: APPX },
  clientAppType: "browser",
  platform: "windows",
  location: { ip: "8.8.8.8", country: "US" },
  signInRisk: "none",
  userRisk: "none",
  insiderRisk: "none",
  device: null,
  authFlow: "none",
};

describe("Conditional Access evaluator", () => {
  it("has at least 80 cases", () => expect(cases.length).toBeGreaterThanOrEqual(80));

  it.each(cases.map((c) => [`${c.name} [${c.cite}]`, c] as const))("%s", (_name, c) => {
    const snap = tenant({
      namedLocations: locs,
      conditionalAccessPolicies: c.policies.map((p, i) => policy({ id: `c${i}`, ...p })),
      ...c.extra,
    });
    (snap.users as any[]).push(whfbUser, pwOnly);
    const engine = engineOf(snap);
    const user = c.user ?? "alice";
    const identity = identityOf(engine.directory, user, { activated: c.activate });
    const signIn = { ...base, ...c.signIn };
    const ev = evaluateSignIn(engine, identity, signIn, {
      mode: c.mode,
      capability: capabilityOf(snap, engine.directory, user),
    });
    if (c.applies !== undefined) expect(ev.policies[0]!.applies).toBe(c.applies);
    if (c.reason !== undefined) expect(ev.policies[0]!.reason).toBe(c.reason);
    if (c.verdict !== undefined) expect(ev.outcome.verdict).toBe(c.verdict);
  });

  it("cites only headings that exist in docs/ca-semantics.md", () => {
    const doc = readFileSync(new URL("../../docs/ca-semantics.md", import.meta.url), "utf8");
    const headings = new Set(
      doc
        .split("\n")
        .filter((l) => l.startsWith("#"))
        .map((l) => l.replace(/^#+\s*/, "").trim()),
    );
    for (const c of cases) expect(headings, c.name).toContain(c.cite);
  });
});
