/**
 * The tenant-wide registration report (`reports/authenticationMethods/userRegistrationDetails`,
 * snapshot section `registrationDetails`) read as EA-AUTH-04 needs it: which kinds of method a
 * user has registered, in the terms that check compares (docs/reads.md).
 *
 * EA-AUTH-04 ties an emergency account to an everyday admin through a shared key model, phone
 * number or Authenticator device, and warns on the same kind of strong method. An admin whose
 * registration row shows none of the kinds an account holds cannot share anything with it, so
 * export need not read that admin's methods one by one. A row with a value this table does not know
 * decides nothing: the admin's methods are then read (or the check says unknown).
 */

/** What EA-AUTH-04 can compare two users on. */
export type TieKind = "passkey" | "phone" | "authenticator" | "windowsHello" | "platformCredential";

/** Microsoft Authenticator passkeys (Android, iOS): a FIDO2 method that lives on the Authenticator phone. */
export const AUTHENTICATOR_PASSKEY_AAGUIDS: ReadonlySet<string> = new Set([
  "90a3ccdf-635c-4729-a248-9b709135078f",
  "de1e552d-db1d-4423-a619-566b625cdc84",
]);

/**
 * `methodsRegistered` values (Graph's userRegistrationDetails reference and its sign-in usage
 * enumeration) and the kinds they stand for. `fido2` is the value Graph used before it split
 * security keys and passkeys into `passKeyDeviceBound*`; it may still appear.
 */
const REGISTERED_KINDS: Readonly<Record<string, readonly TieKind[]>> = {
  fido2: ["passkey"],
  fido2SecurityKey: ["passkey"],
  passKeyDeviceBound: ["passkey"],
  passKeySynced: ["passkey"],
  passKeyDeviceBoundAuthenticator: ["passkey", "authenticator"],
  passKeyDeviceBoundWindowsHello: ["passkey"],
  mobilePhone: ["phone"],
  alternateMobilePhone: ["phone"],
  officePhone: ["phone"],
  microsoftAuthenticatorPush: ["authenticator"],
  microsoftAuthenticatorPasswordless: ["authenticator"],
  windowsHelloForBusiness: ["windowsHello"],
  macOsSecureEnclaveKey: ["platformCredential"],
  // nothing EA-AUTH-04 compares
  email: [],
  softwareOneTimePasscode: [],
  hardwareOneTimePasscode: [],
  temporaryAccessPass: [],
  securityQuestion: [],
  appPassword: [],
};

/** The kinds a registration row's `methodsRegistered` shows, or undefined when a value is unknown. */
export function registeredKinds(methodsRegistered: unknown): Set<TieKind> | undefined {
  if (!Array.isArray(methodsRegistered)) return undefined;
  const out = new Set<TieKind>();
  for (const value of methodsRegistered) {
    const kinds =
      typeof value === "string" && Object.hasOwn(REGISTERED_KINDS, value)
        ? REGISTERED_KINDS[value]
        : undefined;
    if (!kinds) return undefined;
    for (const k of kinds) out.add(k);
  }
  return out;
}

interface MethodLike {
  "@odata.type"?: string | null;
  aaGuid?: string | null;
}

/** A method's type without namespace and suffix: `#microsoft.graph.fido2AuthenticationMethod` -> `fido2`. */
export const methodType = (m: { "@odata.type"?: unknown }): string =>
  String(m["@odata.type"] ?? "")
    .replace(/^#?microsoft\.graph\./, "")
    .replace(/AuthenticationMethod$/, "");

/** The kinds a user's own methods (`users/{id}/authentication/methods`) can be compared on. */
export function methodKinds(methods: readonly MethodLike[]): Set<TieKind> {
  const out = new Set<TieKind>();
  for (const m of methods) {
    const type = methodType(m);
    if (type === "fido2") {
      out.add("passkey");
      if (AUTHENTICATOR_PASSKEY_AAGUIDS.has((m.aaGuid ?? "").trim().toLowerCase())) out.add("authenticator");
    } else if (type === "phone") out.add("phone");
    else if (type === "microsoftAuthenticator") out.add("authenticator");
    else if (type === "windowsHelloForBusiness") out.add("windowsHello");
    else if (type === "platformCredential") out.add("platformCredential");
  }
  return out;
}

/**
 * Whether a registration row proves its user shares no compared kind with `kinds` (the kinds of the
 * accounts' methods). False when the row is missing or holds a value this module does not know.
 */
export function rowRulesOut(
  row: { methodsRegistered?: unknown } | undefined,
  kinds: ReadonlySet<TieKind>,
): boolean {
  if (!row) return false;
  const theirs = registeredKinds(row.methodsRegistered);
  return theirs !== undefined && ![...theirs].some((k) => kinds.has(k));
}

/** The registration rows of a snapshot by lower-cased user id (empty when the section is absent). */
export function registrationRows<T extends { id: string }>(rows: readonly T[] | undefined): Map<string, T> {
  return new Map((rows ?? []).map((r) => [r.id.toLowerCase(), r]));
}
