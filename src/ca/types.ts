/**
 * The vocabulary of the Conditional Access engine (docs/ca-semantics.md §1-3, §6):
 * one sign-in, the identity behind it, and three-valued answers. The engine never returns a
 * confident "no" for something it does not model: such conditions answer MAYBE, which exposure
 * views read as "may apply" and must-access proofs read as "may block / may not help".
 */

/** Three-valued logic: NO, YES, MAYBE (a condition the engine cannot decide offline). */
export type Tri = 0 | 1 | 2;
export const NO: Tri = 0;
export const YES: Tri = 1;
export const MAYBE: Tri = 2;

export const triAnd = (a: Tri, b: Tri): Tri =>
  a === NO || b === NO ? NO : a === MAYBE || b === MAYBE ? MAYBE : YES;
export const triOr = (a: Tri, b: Tri): Tri =>
  a === YES || b === YES ? YES : a === MAYBE || b === MAYBE ? MAYBE : NO;
export const triNot = (a: Tri): Tri => (a === MAYBE ? MAYBE : a === YES ? NO : YES);

/** Client app types as a sign-in reports them (`easSupported` = Exchange ActiveSync from a supported platform). */
export const CLIENT_APP_TYPES = [
  "browser",
  "mobileAppsAndDesktopClients",
  "exchangeActiveSync",
  "easSupported",
  "other",
] as const;
export type ClientAppType = (typeof CLIENT_APP_TYPES)[number];
export const MODERN_CLIENTS: ReadonlySet<ClientAppType> = new Set(["browser", "mobileAppsAndDesktopClients"]);

/** Device platforms; `unknown` stands for every platform Graph has no enum value for (ChromeOS...). */
export const PLATFORMS = ["android", "iOS", "windows", "windowsPhone", "macOS", "linux", "unknown"] as const;
export type Platform = (typeof PLATFORMS)[number];

export const RISK_LEVELS = ["none", "low", "medium", "high", "hidden"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const INSIDER_RISK_LEVELS = ["none", "minor", "moderate", "elevated"] as const;
export type InsiderRiskLevel = (typeof INSIDER_RISK_LEVELS)[number];
export const AUTH_FLOWS = ["none", "deviceCodeFlow", "authenticationTransfer"] as const;
export type AuthFlow = (typeof AUTH_FLOWS)[number];

export const USER_ACTIONS = {
  registerSecurityInformation: "urn:user:registersecurityinfo",
  registerOrJoinDevices: "urn:user:registerdevice",
} as const;
export type UserAction = keyof typeof USER_ACTIONS;

/** What the sign-in is for: a resource (app id), a user action, or an authentication context. */
export type Target =
  | { kind: "app"; appId: string }
  | { kind: "userAction"; action: UserAction }
  | { kind: "authContext"; value: string };

/**
 * Where the sign-in comes from. `country` null = an IP with no known country; undefined = not
 * given. `mfaTrustedIp` = inside the legacy MFA service "trusted IPs" (part of `AllTrusted`,
 * not in the snapshot, so the prover tries both).
 */
export interface SignInLocation {
  ip?: string;
  country?: string | null;
  mfaTrustedIp?: boolean;
}

/**
 * The device. null = unregistered (every attribute null, docs/ca-semantics.md §1.4 deviceFilter).
 * With `othersUnknown`, attributes not listed are unknown rather than null (a device the prover
 * only knows to be compliant, say), so a filter on them answers MAYBE.
 */
export interface SignInDevice {
  attributes: Record<string, string | boolean | null>;
  othersUnknown?: boolean;
}

export interface SignIn {
  target: Target;
  clientAppType: ClientAppType;
  platform: Platform;
  location: SignInLocation;
  signInRisk: RiskLevel;
  userRisk: RiskLevel;
  insiderRisk: InsiderRiskLevel;
  device: SignInDevice | null;
  authFlow: AuthFlow;
  /** the client is an approved / app-protection-capable client app (Outlook mobile, Edge...). */
  approvedClientApp?: boolean;
}

/** The principal signing in, resolved against the directory (docs/ca-semantics.md §1.2). */
export interface Identity {
  userId: string;
  /** transitive group ids, lower case. */
  groups: ReadonlySet<string>;
  /** role template ids held actively now (or activated in this scenario), lower case, scope "/" only. */
  activeRoles: ReadonlySet<string>;
  /** external user kind (guestOrExternalUserTypes), undefined for members of the tenant. */
  externalKind?: string;
  externalTenantId?: string;
}

/** The reasons What If reports (docs/graph-contract.md §11 `analysisReasons`). */
export type AnalysisReason =
  | "notSet"
  | "policyNotEnabled"
  | "users"
  | "workloadIdentities"
  | "application"
  | "userActions"
  | "authenticationContext"
  | "clientApps"
  | "devicePlatform"
  | "location"
  | "signInRisk"
  | "userRisk"
  | "insiderRisk"
  | "devices"
  | "authenticationFlow"
  | "time"
  | "notEnoughInformation"
  | "emptyPolicy";
