/**
 * Well-known resources and built-in authentication strengths (docs/ca-semantics.md §1.3, §2.4;
 * docs/graph-contract.md §5). The suites `Office365` and `MicrosoftAdminPortals` are not app ids: a
 * policy that names them hits their member resources.
 */

export interface Resource {
  appId: string;
  name: string;
  office365?: boolean;
  adminPortal?: boolean;
  /** Microsoft's mandatory MFA for Azure and admin portals applies (not a CA policy; §5 pitfall 9). */
  mandatoryMfa?: boolean;
}

export const APP = {
  azurePortal: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
  azureManagement: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
  microsoftGraph: "00000003-0000-0000-c000-000000000000",
  azureAdGraph: "00000002-0000-0000-c000-000000000000",
  exchangeOnline: "00000002-0000-0ff1-ce00-000000000000",
  sharePointOnline: "00000003-0000-0ff1-ce00-000000000000",
  teams: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
  office365Portal: "00000006-0000-0ff1-ce00-000000000000",
  intune: "0000000a-0000-0000-c000-000000000000",
} as const;

/**
 * Stand-ins for "a member of a suite that no policy names by id" and "an app in no suite":
 * the prover needs one representative of each class, and What If needs real ids.
 */
export const OTHER_ADMIN_PORTAL = "breakglass:other-admin-portal";
export const OTHER_APP = "breakglass:other-app";

export const RESOURCES: Record<string, Resource> = {
  [APP.azurePortal]: { appId: APP.azurePortal, name: "Azure portal", adminPortal: true, mandatoryMfa: true },
  [APP.azureManagement]: {
    appId: APP.azureManagement,
    name: "Windows Azure Service Management API",
    mandatoryMfa: true,
  },
  [APP.microsoftGraph]: { appId: APP.microsoftGraph, name: "Microsoft Graph" },
  [APP.azureAdGraph]: { appId: APP.azureAdGraph, name: "Windows Azure Active Directory (directory)" },
  [APP.exchangeOnline]: { appId: APP.exchangeOnline, name: "Office 365 Exchange Online", office365: true },
  [APP.sharePointOnline]: {
    appId: APP.sharePointOnline,
    name: "Office 365 SharePoint Online",
    office365: true,
  },
  [APP.teams]: { appId: APP.teams, name: "Microsoft Teams Services", office365: true },
  [APP.office365Portal]: {
    appId: APP.office365Portal,
    name: "Microsoft Office 365 Portal (Microsoft 365 admin center)",
    office365: true,
    adminPortal: true,
    mandatoryMfa: true,
  },
  [APP.intune]: { appId: APP.intune, name: "Microsoft Intune" },
  [OTHER_ADMIN_PORTAL]: {
    appId: OTHER_ADMIN_PORTAL,
    name: "an admin portal no policy names by id (Entra, Intune, Exchange admin centers...)",
    adminPortal: true,
    mandatoryMfa: true,
  },
  [OTHER_APP]: { appId: OTHER_APP, name: "an app no policy names" },
};

export const resourceOf = (appId: string): Resource =>
  RESOURCES[appId.toLowerCase()] ?? { appId: appId.toLowerCase(), name: appId };

/** The recovery resources of the emergency envelope (docs/checks.md): admin portals, Azure management, Graph. */
export const RECOVERY_APPS = [
  APP.azurePortal,
  APP.office365Portal,
  OTHER_ADMIN_PORTAL,
  APP.azureManagement,
  APP.microsoftGraph,
  APP.azureAdGraph,
];

export const STRENGTH = {
  mfa: "00000000-0000-0000-0000-000000000002",
  passwordlessMfa: "00000000-0000-0000-0000-000000000003",
  phishingResistant: "00000000-0000-0000-0000-000000000004",
} as const;

const PHISHING_RESISTANT = ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"];
const PASSWORDLESS = [...PHISHING_RESISTANT, "deviceBasedPush"];
const MFA = [
  ...PASSWORDLESS,
  "temporaryAccessPassOneTime",
  "temporaryAccessPassMultiUse",
  "password,microsoftAuthenticatorPush",
  "password,softwareOath",
  "password,hardwareOath",
  "password,x509CertificateSingleFactor",
  "password,x509CertificateMultiFactor",
  "password,sms",
  "password,voice",
  "federatedMultiFactor",
  "microsoftAuthenticatorPush,federatedSingleFactor",
  "softwareOath,federatedSingleFactor",
  "hardwareOath,federatedSingleFactor",
  "sms,federatedSingleFactor",
  "voice,federatedSingleFactor",
];

export interface StrengthDefinition {
  id: string;
  displayName: string;
  allowedCombinations: string[];
  /** fido2CombinationConfiguration etc., as Graph returns them. */
  combinationConfigurations: Array<Record<string, unknown>>;
}

/** Built-in strengths, used when the snapshot does not carry them (docs/graph-contract.md §5). */
export const BUILT_IN_STRENGTHS: Record<string, StrengthDefinition> = {
  [STRENGTH.mfa]: {
    id: STRENGTH.mfa,
    displayName: "Multifactor authentication",
    allowedCombinations: MFA,
    combinationConfigurations: [],
  },
  [STRENGTH.passwordlessMfa]: {
    id: STRENGTH.passwordlessMfa,
    displayName: "Passwordless MFA",
    allowedCombinations: PASSWORDLESS,
    combinationConfigurations: [],
  },
  [STRENGTH.phishingResistant]: {
    id: STRENGTH.phishingResistant,
    displayName: "Phishing-resistant MFA",
    allowedCombinations: PHISHING_RESISTANT,
    combinationConfigurations: [],
  },
};
