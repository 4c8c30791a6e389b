/**
 * The faults deploy governs, each planted alone on a copy of the good sample (repair.test.ts plans
 * them; repair-live.test.ts applies them on the emulator), with the step that fixes each and the
 * object it is in.
 */
import type { Snapshot } from "../../src/snapshot/schema.js";

export type Json = Record<string, any>;

export const user = (s: Snapshot, local: string): Json =>
  s.users!.find((u) => u.userPrincipalName?.startsWith(`${local}@`)) as Json;
export const policy = (s: Snapshot, prefix: string): Json =>
  s.conditionalAccessPolicies!.find((p) => p.displayName?.startsWith(prefix)) as Json;
export const methodConfig = (s: Snapshot, id: string): Json =>
  (s.authenticationMethodsPolicy!.authenticationMethodConfigurations as Json[]).find((c) => c.id === id)!;

export const group = (s: Snapshot): Json => s.groups!.find((x) => x.displayName === "GRP-CORE-7F3A")! as Json;
const admin = (s: Snapshot): Json => s.users!.find((u) => u.userPrincipalName?.startsWith("adm-"))! as Json;
export const strength = (s: Snapshot): Json =>
  s.authenticationStrengthPolicies!.find((x) => x.displayName === "Emergency Access")! as Json;

export interface Fault {
  name: string;
  plant(s: Snapshot): void;
  step: string;
  action: "create" | "update" | "destroy";
  request: { method: string; url: RegExp };
  satisfies: string;
  /** the objects the fault is in, as `<collection>/<id>` (`authenticationMethodsPolicy/<method>`) */
  objects(s: Snapshot): string[];
  body?: unknown;
}

export const FAULTS: Fault[] = [
  {
    name: "a password that expires",
    plant: (s) => {
      user(s, "zt4p9w").passwordPolicies = null;
      // the domain's policy decides once the user's is unset: make it one that expires
      for (const d of s.domains ?? []) d.passwordValidityPeriodInDays = 90;
    },
    step: "accounts.zt4p9w",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/users\/[0-9a-f-]+$/ },
    satisfies: "EA-ACC-05",
    objects: (s) => [`users/${user(s, "zt4p9w").id}`],
    body: { passwordPolicies: "DisablePasswordExpiration" },
  },
  {
    name: "a licence",
    plant: (s) =>
      void (user(s, "zt4p9w").assignedLicenses = [
        { skuId: "06ebc4ee-1bb5-47dd-8120-11324bc54e06", disabledPlans: [] },
      ]),
    step: "accounts.zt4p9w.licences",
    action: "destroy",
    request: { method: "POST", url: /\/assignLicense$/ },
    satisfies: "EA-ACC-07",
    objects: (s) => [`users/${user(s, "zt4p9w").id}`],
    body: { addLicenses: [], removeLicenses: ["06ebc4ee-1bb5-47dd-8120-11324bc54e06"] },
  },
  {
    name: "a phishable method",
    plant: (s) =>
      void user(s, "mq8r3x").authenticationMethods.push({
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "3179e48a-750b-4051-897c-87b9720928f7",
        phoneNumber: "+31 6 12345678",
        phoneType: "mobile",
      }),
    step: "methods.mq8r3x.phone-3179e48a",
    action: "destroy",
    request: {
      method: "DELETE",
      url: /\/authentication\/phoneMethods\/3179e48a-750b-4051-897c-87b9720928f7$/,
    },
    satisfies: "EA-AUTH-03",
    objects: (s) => [`users/${user(s, "mq8r3x").id}`],
  },
  {
    name: "a usable Temporary Access Pass",
    plant: (s) =>
      void user(s, "zt4p9w").authenticationMethods.push({
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        id: "6f1e0a4c-1111-4b2a-9c3d-4e5f60718293",
        isUsable: true,
        isUsableOnce: true,
        lifetimeInMinutes: 60,
        startDateTime: "2026-11-01T09:30:00Z",
      }),
    step: "methods.zt4p9w.temporaryaccesspass-6f1e0a4c",
    action: "destroy",
    request: { method: "DELETE", url: /\/temporaryAccessPassMethods\/6f1e0a4c-1111-4b2a-9c3d-4e5f60718293$/ },
    satisfies: "EA-AUTH-08",
    objects: (s) => [`users/${user(s, "zt4p9w").id}`],
  },
  {
    name: "per-user MFA on",
    plant: (s) => void (user(s, "zt4p9w").perUserMfaState = "enforced"),
    step: "methods.zt4p9w.per-user-mfa",
    action: "update",
    request: { method: "PATCH", url: /^\/beta\/users\/[0-9a-f-]+\/authentication\/requirements$/ },
    satisfies: "EA-AUTH-06",
    objects: (s) => [`users/${user(s, "zt4p9w").id}`],
    body: { perUserMfaState: "disabled" },
  },
  {
    name: "an extra member of the group",
    plant: (s) => {
      group(s).members.push({
        "@odata.type": "#microsoft.graph.user",
        id: admin(s).id,
      });
    },
    step: "group.grp-core-7f3a.member.",
    action: "destroy",
    request: { method: "DELETE", url: /^\/v1\.0\/groups\/[0-9a-f-]+\/members\/[0-9a-f-]+\/\$ref$/ },
    satisfies: "EA-ROLE-03",
    // the group's members; the former member is no longer an administrator, so an export no longer
    // reads what it reads only for administrators (per-user MFA, owned objects): a read, not a change
    objects: (s) => [`groups/${group(s).id}`],
  },
  {
    name: "the dedicated policy report-only",
    plant: (s) => void (policy(s, "CA000").state = "enabledForReportingButNotEnforced"),
    step: "activate.ca000-emergency-access-require-hardware",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/identity\/conditionalAccess\/policies\/[0-9a-f-]+$/ },
    satisfies: "EA-CA-02",
    objects: (s) => [`conditionalAccessPolicies/${policy(s, "CA000").id}`],
    body: { state: "enabled" },
  },
  {
    name: "the dedicated policy with weak session controls",
    plant: (s) =>
      void (policy(s, "CA000").sessionControls.persistentBrowser = { isEnabled: true, mode: "always" }),
    step: "policy.ca000-emergency-access-require-hardware",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/identity\/conditionalAccess\/policies\/[0-9a-f-]+$/ },
    satisfies: "EA-CA-04",
    objects: (s) => [`conditionalAccessPolicies/${policy(s, "CA000").id}`],
    body: { sessionControls: { persistentBrowser: { isEnabled: true, mode: "never" } } },
  },
  {
    name: "a phishable combination in the strength",
    plant: (s) => void (strength(s).allowedCombinations = ["fido2", "password,sms"]),
    step: "strength.emergency-access.combinations",
    action: "update",
    request: { method: "POST", url: /\/updateAllowedCombinations$/ },
    satisfies: "EA-CA-03",
    objects: (s) => [`authenticationStrengthPolicies/${strength(s).id}`],
    body: { allowedCombinations: ["fido2"] },
  },
  {
    name: "a policy missing the exclusion",
    plant: (s) => void (policy(s, "CA001").conditions.users.excludeGroups = []),
    step: "exclusions.ca001-all-users-require-mfa",
    action: "update",
    request: { method: "PATCH", url: /^\/v1\.0\/identity\/conditionalAccess\/policies\/[0-9a-f-]+$/ },
    satisfies: "EA-CA-01",
    objects: (s) => [`conditionalAccessPolicies/${policy(s, "CA001").id}`],
  },
  {
    name: "FIDO2 off in the methods policy",
    plant: (s) => void (methodConfig(s, "Fido2").state = "disabled"),
    step: "methods.fido2",
    action: "update",
    request: { method: "PATCH", url: /authenticationMethodConfigurations\/Fido2$/ },
    satisfies: "EA-AUTH-05",
    objects: () => ["authenticationMethodsPolicy/Fido2"],
  },
];
