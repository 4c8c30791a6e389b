/**
 * The pure half of `breakglass enroll` (docs/deploy.md "Enroll"): which keys a run keeps, which
 * methods it removes and in what order, the pass's lifetime within the policy's bounds, and the
 * change that lets the Temporary Access Pass reach the account. The run itself (reads, writes,
 * the terminal, the window record) is `enroll-run.ts`.
 */
import { lookupAaguid } from "../checks/aaguid.js";
import type { Profile } from "../config/schema.js";
import { norm } from "../snapshot/directory.js";
import { type AuthenticationMethod, AuthenticationMethodConfiguration } from "../snapshot/schema.js";
import { isDevicePasskey } from "./enrollment.js";
import { type ConfigBody, enableFor } from "./methods.js";
import { TenantUnreadableError } from "../errors.js";

type Json = Record<string, unknown>;

/** The kind of a method from its `@odata.type`: `fido2`, `phone`, `temporaryAccessPass`... */
export const methodKind = (m: { "@odata.type"?: string | null }): string =>
  (m["@odata.type"] ?? "").replace(/^#?microsoft\.graph\./, "").replace(/AuthenticationMethod$/, "");

/** The collection each deletable method lives in (docs/graph-writes.md §7.4); the password has none. */
export const METHOD_COLLECTION: Readonly<Record<string, string>> = {
  fido2: "fido2Methods",
  phone: "phoneMethods",
  email: "emailMethods",
  microsoftAuthenticator: "microsoftAuthenticatorMethods",
  softwareOath: "softwareOathMethods",
  temporaryAccessPass: "temporaryAccessPassMethods",
  windowsHelloForBusiness: "windowsHelloForBusinessMethods",
  platformCredential: "platformCredentialMethods",
};

/** docs/graph-writes.md §7.4: `mobile` cannot go while `alternateMobile` exists, so it goes last. */
const PHONE_ORDER: Readonly<Record<string, number>> = { alternateMobile: 0, office: 1, mobile: 2 };

/** What enroll asks of each key (the profile's key rules). */
export interface KeyRules {
  keys: number;
  keyModels: readonly string[];
  keyModelsDistinct: boolean;
}

export const keyRules = (profile: Profile, keys = profile.keysPerAccount): KeyRules => ({
  keys,
  keyModels: profile.keyModels,
  keyModelsDistinct: profile.keyModelsDistinct,
});

/** Why a FIDO2 method is not an emergency key under the rules, or undefined when it is one. */
export function keyRefusal(m: AuthenticationMethod, rules: KeyRules): string | undefined {
  if (methodKind(m) !== "fido2") return "not a FIDO2 key";
  if (m.attestationLevel !== "attested")
    return "not attested (its model cannot be proven: register a key whose attestation Entra verifies)";
  if ((m as Json).passkeyType === "synced" || isDevicePasskey(m))
    return `a passkey on a phone, computer or cloud account (${lookupAaguid(m.aaGuid).model ?? m.aaGuid ?? "unknown model"}), not a security key`;
  if (rules.keyModels.length && !rules.keyModels.some((a) => norm(a) === norm(m.aaGuid)))
    return `model ${m.model ?? "?"} (AAGUID ${m.aaGuid ?? "?"}) is not in profile.keyModels`;
  return undefined;
}

export interface KeyVerdict {
  /** the keys that meet the rules, oldest first */
  accepted: AuthenticationMethod[];
  refused: Array<{ key: AuthenticationMethod; reason: string }>;
  /** enough accepted keys, of two models when the profile asks for distinct models */
  complete: boolean;
  /** what is still missing, when not complete */
  missing?: string;
}

const byCreated = (a: AuthenticationMethod, b: AuthenticationMethod) =>
  (a.createdDateTime ?? "").localeCompare(b.createdDateTime ?? "") || a.id.localeCompare(b.id);

/** Judges keys against the rules: each on its own, then the set (how many, how many models). */
export function verifyKeys(keys: readonly AuthenticationMethod[], rules: KeyRules): KeyVerdict {
  const accepted: AuthenticationMethod[] = [];
  const refused: KeyVerdict["refused"] = [];
  for (const key of [...keys].sort(byCreated)) {
    const reason = keyRefusal(key, rules);
    if (reason) refused.push({ key, reason });
    else accepted.push(key);
  }
  const models = new Set(accepted.map((k) => norm(k.aaGuid)));
  let missing: string | undefined;
  if (accepted.length < rules.keys) missing = `${accepted.length} of ${rules.keys} keys`;
  else if (rules.keyModelsDistinct && rules.keys >= 2 && models.size < 2)
    missing =
      "a key of a second model (profile.keyModelsDistinct: one model's defect or recall must not lock the account out)";
  return { accepted, refused, complete: missing === undefined, ...(missing ? { missing } : {}) };
}

/** The FIDO2 methods of a method list. */
export const fido2Of = (methods: readonly AuthenticationMethod[]): AuthenticationMethod[] =>
  methods.filter((m) => methodKind(m) === "fido2");

/** Keys registered at or after `since` (an ISO time from Graph: the first pass of this enrollment). */
export function keysSince(methods: readonly AuthenticationMethod[], since: string): AuthenticationMethod[] {
  const t = Date.parse(since);
  return fido2Of(methods).filter((m) => Date.parse(m.createdDateTime ?? "") >= t);
}

export interface Removal {
  method: AuthenticationMethod;
  /** DELETE url, relative to the Graph base */
  url: string;
  why: string;
}

/**
 * The deletions that end an enrollment, in order: FIDO2 keys older than the enrollment (a key
 * someone else registered), the pass, then every other method but the password and the kept keys
 * (phones with `mobile` last). A method no request can delete is listed in `kept` with the reason.
 */
export function cleanup(
  userId: string,
  methods: readonly AuthenticationMethod[],
  keep: readonly AuthenticationMethod[],
  since: string,
): { removals: Removal[]; undeletable: Array<{ method: AuthenticationMethod; why: string }> } {
  const kept = new Set(keep.map((k) => norm(k.id)));
  const start = Date.parse(since);
  const older: Removal[] = [];
  const passes: Removal[] = [];
  const others: Removal[] = [];
  const undeletable: Array<{ method: AuthenticationMethod; why: string }> = [];
  for (const m of methods) {
    const kind = methodKind(m);
    if (kind === "password" || kept.has(norm(m.id))) continue;
    const collection = METHOD_COLLECTION[kind];
    if (!collection) {
      undeletable.push({
        method: m,
        why: `${kind || "unknown"} method: Graph has no delete for it; remove it by hand`,
      });
      continue;
    }
    const url = `/v1.0/users/${userId}/authentication/${collection}/${m.id}`;
    if (kind === "fido2" && Date.parse(m.createdDateTime ?? "") < start)
      older.push({ method: m, url, why: `security key ${describeKey(m)} registered before this enrollment` });
    else if (kind === "temporaryAccessPass")
      passes.push({ method: m, url, why: "the Temporary Access Pass" });
    else others.push({ method: m, url, why: describeMethod(m) });
  }
  others.sort(
    (a, b) =>
      (PHONE_ORDER[a.method.phoneType ?? ""] ?? -1) - (PHONE_ORDER[b.method.phoneType ?? ""] ?? -1) ||
      a.method.id.localeCompare(b.method.id),
  );
  return { removals: [...older, ...passes, ...others], undeletable };
}

/** A key as an operator recognises it: its label and model. */
export function describeKey(m: AuthenticationMethod): string {
  const model = m.model ?? lookupAaguid(m.aaGuid).model ?? "unknown model";
  return m.displayName ? `"${m.displayName}" (${model})` : model;
}

function describeMethod(m: AuthenticationMethod): string {
  switch (methodKind(m)) {
    case "fido2":
      return `security key ${describeKey(m)} not kept by this enrollment`;
    case "phone":
      return `phone ${m.phoneType ?? ""} ${maskNumber(m.phoneNumber)}`.replace(/\s+/g, " ");
    case "email":
      return "email method";
    case "microsoftAuthenticator":
      return `Microsoft Authenticator on ${m.displayName ?? "a phone"}`;
    case "softwareOath":
      return "software OATH token";
    case "windowsHelloForBusiness":
      return `Windows Hello for Business on ${m.displayName ?? "a device"}`;
    case "platformCredential":
      return `platform credential on ${m.displayName ?? "a device"}`;
    default:
      return methodKind(m);
  }
}

/** Enough of a phone number to recognise it, not to dial it. */
const maskNumber = (n: string | null | undefined): string => {
  const s = (n ?? "").trim();
  return s.length > 6 ? `${s.slice(0, 3)} ... ${s.slice(-4)}` : s;
};

/**
 * The pass's lifetime: the profile's, kept within the policy's bounds and Graph's 10-43200 minutes
 * (docs/graph-writes.md §7.3).
 */
export function passLifetime(policy: Json | undefined, wanted: number): number {
  const min = Math.max(10, Number(policy?.minimumLifetimeInMinutes ?? 10));
  const max = Math.min(43200, Number(policy?.maximumLifetimeInMinutes ?? 43200));
  return Math.min(max, Math.max(min, wanted));
}

/** Whether a method configuration's targets reach a user in these groups (all_users counts). */
export function reaches(config: Json | undefined, userId: string, groupIds: readonly string[]): boolean {
  if (!config || config.state !== "enabled") return false;
  const mine = new Set([norm(userId), "all_users", ...groupIds.map(norm)]);
  const hits = (targets: unknown) =>
    Array.isArray(targets) && (targets as Json[]).some((t) => mine.has(norm(String(t.id ?? ""))));
  return hits(config.includeTargets) && !hits(config.excludeTargets);
}

/**
 * The PATCH body that lets the pass reach the group (docs/graph-writes.md §7.1): the method on and
 * the group in its targets, every other target kept (Graph replaces the arrays whole). Undefined
 * when nothing needs to change.
 */
export function passPolicyChange(config: Json, groupId: string): ConfigBody | undefined {
  // the configuration as Graph sent it, typed as the snapshot types it (its targets' ids, its state)
  const typed = AuthenticationMethodConfiguration.safeParse({ id: "TemporaryAccessPass", ...config });
  if (!typed.success)
    throw new TenantUnreadableError(
      `the Temporary Access Pass method configuration Graph returned is malformed (${typed.error.issues[0]?.path.join(".") || "body"}): nothing was changed`,
    );
  return enableFor(typed.data, groupId, "the Temporary Access Pass (enrollment)")?.body;
}
