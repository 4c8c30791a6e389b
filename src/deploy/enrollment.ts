/**
 * The enrollment gate's facts (docs/deploy.md "Gates"): an account is enrolled when it holds at
 * least `keysPerAccount` FIDO2 keys that meet the strength (attested, and of an allowed model when
 * the strength restricts models). Until every account is, activate, role and au wait.
 */
import { lookupAaguid } from "../checks/aaguid.js";
import type { AuthenticationMethod, User } from "../snapshot/schema.js";

export interface AccountEnrollment {
  key: string;
  userPrincipalName?: string;
  /** the FIDO2 keys that meet the strength. */
  keys: AuthenticationMethod[];
  enrolled: boolean;
  /** why not, for the plan's `Waiting for enrollment:` block. */
  reason?: string;
}

export interface Enrollment {
  accounts: AccountEnrollment[];
  complete: boolean;
}

const isFido2 = (m: AuthenticationMethod) =>
  m["@odata.type"].toLowerCase().endsWith("fido2authenticationmethod");

/** A passkey that lives on a phone, a platform or in a cloud account: not an emergency key. */
export function isDevicePasskey(m: AuthenticationMethod): boolean {
  const cls = lookupAaguid(m.aaGuid).class;
  return cls === "authenticatorApp" || cls === "platformOrSynced" || cls === "softwareOrPhone";
}

/** A FIDO2 security key as the emergency accounts need it: attested, not a device passkey. */
export const isSecurityKey = (m: AuthenticationMethod): boolean =>
  isFido2(m) && m.attestationLevel === "attested" && !isDevicePasskey(m);

/** A FIDO2 method the profile forbids on an emergency account (EA-AUTH-03). */
export const isPhishableFido2 = (m: AuthenticationMethod): boolean =>
  isFido2(m) && (m.attestationLevel !== "attested" || isDevicePasskey(m));

/** Whether a key meets the strength: attested, and its model allowed (undefined: any model). */
export function keyMeets(m: AuthenticationMethod, allowedAaguids: readonly string[] | undefined): boolean {
  if (!isSecurityKey(m)) return false;
  if (!allowedAaguids?.length) return true;
  return allowedAaguids.some((a) => a.toLowerCase() === (m.aaGuid ?? "").toLowerCase());
}

export const attestedKeys = (u: User | undefined): AuthenticationMethod[] =>
  (u?.authenticationMethods ?? []).filter(isSecurityKey);

export function enrollmentOf(
  accounts: ReadonlyArray<{ key: string; userPrincipalName?: string; user?: User }>,
  allowedAaguids: readonly string[] | undefined,
  keysPerAccount: number,
): Enrollment {
  const out = accounts.map((a): AccountEnrollment => {
    const base = { key: a.key, ...(a.userPrincipalName ? { userPrincipalName: a.userPrincipalName } : {}) };
    if (!a.user) return { ...base, keys: [], enrolled: false, reason: "not created yet" };
    if (a.user.authenticationMethods === undefined)
      return { ...base, keys: [], enrolled: false, reason: "its methods could not be read" };
    const keys = a.user.authenticationMethods.filter((m) => keyMeets(m, allowedAaguids));
    return keys.length >= keysPerAccount
      ? { ...base, keys, enrolled: true }
      : {
          ...base,
          keys,
          enrolled: false,
          reason: `holds ${keys.length} of ${keysPerAccount} FIDO2 keys that meet the strength`,
        };
  });
  return { accounts: out, complete: out.every((a) => a.enrolled) };
}
