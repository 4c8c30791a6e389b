/**
 * What an account can present (docs/ca-semantics.md §2.4, §2.5, §6 Step B.4): its registered methods,
 * enabled for it in the Authentication methods policy, and whether a grant atom can be met in a
 * given sign-in. Anything the engine cannot verify (certificates, federated MFA, custom controls,
 * methods it could only register in an interrupt) does not help: a proof never leans on it.
 */
import type { Directory } from "../snapshot/directory.js";
import { norm } from "../snapshot/directory.js";
import type {
  AuthenticationMethod,
  AuthenticationMethodConfiguration,
  Snapshot,
} from "../snapshot/schema.js";
import { BUILT_IN_STRENGTHS, STRENGTH, type StrengthDefinition } from "./catalogue.js";
import type { GrantAtom } from "./policy.js";
import { MODERN_CLIENTS, type SignIn } from "./types.js";

export type MethodMode =
  | "password"
  | "fido2"
  | "windowsHelloForBusiness"
  | "microsoftAuthenticatorPush"
  | "softwareOath"
  | "hardwareOath"
  | "sms"
  | "voice"
  | "temporaryAccessPassOneTime"
  | "temporaryAccessPassMultiUse"
  | "email";

export interface RegisteredMethod {
  mode: MethodMode;
  aaguid?: string;
  /** enabled for this user in the Authentication methods policy (and admitted by key restrictions). */
  enabled: boolean;
  /** why not enabled, when not. */
  disabledBecause?: string;
}

export interface Capability {
  userId: string;
  methods: RegisteredMethod[];
  /** the Authentication methods policy was read; if not, registered methods count as enabled. */
  methodsPolicyRead: boolean;
  /** registered for self-service password reset (needed by the passwordChange grant). */
  ssprRegistered: boolean;
}

/**
 * Why a grant atom cannot be met, as data a renderer words (engine.ts AtomResult): the `why` string
 * stays for JSON readers, this is what a sentence is built from.
 */
export type AtomShortfall =
  | { kind: "legacyClient"; clientAppType: string }
  | { kind: "strengthNotFound"; strengthId: string }
  | {
      kind: "strength";
      strengthId: string;
      strengthName: string;
      /** the account's enabled FIDO2 keys (AAGUIDs), none of which the strength's key-model list admits. */
      keysNotAllowed?: { accountKeys: string[]; allowedKeys: string[] };
      /** registered methods the strength would take that are not enabled for the account, and why. */
      disabled: Array<{ mode: MethodMode; aaguid?: string; because: string }>;
      /** enabled methods the strength would take that this sign-in rules out (Windows Hello off a registered Windows device). */
      notHere: MethodMode[];
      /** every method the account can use (enabled). */
      enabled: MethodMode[];
    };

/** Methods-policy configuration id for each mode (docs/graph-contract.md §6.4). */
const CONFIG_ID: Partial<Record<MethodMode, string>> = {
  fido2: "fido2",
  microsoftAuthenticatorPush: "microsoftauthenticator",
  softwareOath: "softwareoath",
  hardwareOath: "hardwareoath",
  sms: "sms",
  voice: "voice",
  temporaryAccessPassOneTime: "temporaryaccesspass",
  temporaryAccessPassMultiUse: "temporaryaccesspass",
  email: "email",
};

function modesOf(m: AuthenticationMethod): MethodMode[] {
  const type = String(m["@odata.type"] ?? "").toLowerCase();
  if (type.endsWith("fido2authenticationmethod")) return ["fido2"];
  if (type.endsWith("windowshelloforbusinessauthenticationmethod")) return ["windowsHelloForBusiness"];
  if (type.endsWith("microsoftauthenticatorauthenticationmethod")) return ["microsoftAuthenticatorPush"];
  if (type.endsWith("softwareoathauthenticationmethod")) return ["softwareOath"];
  if (type.endsWith("hardwareoathauthenticationmethod")) return ["hardwareOath"];
  if (type.endsWith("phoneauthenticationmethod"))
    return m.phoneType === "mobile" || !m.phoneType ? ["sms", "voice"] : ["voice"];
  if (type.endsWith("passwordauthenticationmethod")) return ["password"];
  if (type.endsWith("emailauthenticationmethod")) return ["email"];
  if (type.endsWith("temporaryaccesspassauthenticationmethod")) {
    if (m.isUsable === false) return [];
    return [m.isUsableOnce ? "temporaryAccessPassOneTime" : "temporaryAccessPassMultiUse"];
  }
  return [];
}

/** The account's methods as the snapshot records them, with their enablement for this user. */
export function capabilityOf(snapshot: Snapshot, directory: Directory, userId: string): Capability {
  const user = directory.user(userId);
  const raw = user?.authenticationMethods ?? [];
  const policy = snapshot.authenticationMethodsPolicy;
  const configs = new Map<string, AuthenticationMethodConfiguration>(
    (policy?.authenticationMethodConfigurations ?? []).map((c) => [c.id.toLowerCase(), c]),
  );
  const groups = directory.transitiveGroupsOf(userId);
  const targeted = (targets: AuthenticationMethodConfiguration["includeTargets"]): boolean =>
    (targets ?? []).some(
      (t) => norm(t.id) === "all_users" || groups.has(norm(t.id)) || norm(t.id) === norm(userId),
    );
  const methods: RegisteredMethod[] = [];
  for (const m of raw) {
    for (const mode of modesOf(m)) {
      const method: RegisteredMethod = { mode, enabled: true };
      if (mode === "fido2" && m.aaGuid) method.aaguid = String(m.aaGuid).toLowerCase();
      const configId = CONFIG_ID[mode];
      if (policy && configId) {
        const cfg = configs.get(configId);
        if (!cfg || cfg.state !== "enabled") {
          method.enabled = false;
          method.disabledBecause = `${configId} is not enabled in the Authentication methods policy`;
        } else if (!targeted(cfg.includeTargets) || targeted(cfg.excludeTargets)) {
          method.enabled = false;
          method.disabledBecause = `${configId} is not enabled for this user (include/exclude targets)`;
        }
        if (method.enabled && mode === "fido2" && cfg?.keyRestrictions?.isEnforced) {
          const list = (cfg.keyRestrictions.aaGuids ?? []).map((a) => a.toLowerCase());
          const listed = !!method.aaguid && list.includes(method.aaguid);
          const allow = cfg.keyRestrictions.enforcementType !== "block";
          if (allow !== listed) {
            method.enabled = false;
            method.disabledBecause = `FIDO2 key restrictions do not admit AAGUID ${method.aaguid ?? "(none)"}`;
          }
        }
      }
      methods.push(method);
    }
  }
  // Cloud accounts sign in with a password first unless the snapshot says otherwise.
  if (!methods.some((m) => m.mode === "password")) methods.push({ mode: "password", enabled: true });
  const sspr = methods.some(
    (m) =>
      m.enabled && ["sms", "voice", "email", "microsoftAuthenticatorPush", "softwareOath"].includes(m.mode),
  );
  return { userId: norm(userId), methods, methodsPolicyRead: !!policy, ssprRegistered: sspr };
}

export interface StrengthCatalogue {
  get(id: string): StrengthDefinition | undefined;
}

export function strengthCatalogue(
  snapshot: Snapshot,
  inline: StrengthDefinition[] = [],
): Map<string, StrengthDefinition> {
  const out = new Map<string, StrengthDefinition>(Object.entries(BUILT_IN_STRENGTHS));
  for (const s of inline) out.set(s.id.toLowerCase(), s);
  for (const s of snapshot.authenticationStrengthPolicies ?? []) {
    out.set(s.id.toLowerCase(), {
      id: s.id.toLowerCase(),
      displayName: String(s.displayName ?? s.id),
      allowedCombinations: s.allowedCombinations ?? [],
      combinationConfigurations: s.combinationConfigurations ?? [],
    });
  }
  return out;
}

/** Can the account present this method in this sign-in? */
function modeUsable(mode: string, cap: Capability, signIn: SignIn, strength: StrengthDefinition): boolean {
  // Asked for every mode of every combination in every sign-in the prover tries: no list is built.
  const usable = (m: RegisteredMethod) => m.mode === mode && m.enabled;
  switch (mode) {
    case "password":
    case "microsoftAuthenticatorPush":
    case "softwareOath":
    case "hardwareOath":
    case "sms":
    case "voice":
    case "temporaryAccessPassOneTime":
    case "temporaryAccessPassMultiUse":
      return cap.methods.some(usable);
    case "fido2": {
      // Device-bound passkeys cannot register a device (docs/ca-semantics.md §2.5).
      if (signIn.target.kind === "userAction" && signIn.target.action === "registerOrJoinDevices")
        return false;
      // The key-model restriction is read only for an account that has a key to weigh against it.
      const keys = cap.methods.filter(usable);
      if (!keys.length) return false;
      const allowed = fido2Restriction(strength);
      return keys.some((m) => !allowed || (!!m.aaguid && allowed.includes(m.aaguid)));
    }
    case "windowsHelloForBusiness":
      // Bound to a registered Windows device, and never during device registration.
      return (
        cap.methods.some(usable) &&
        signIn.platform === "windows" &&
        signIn.device !== null &&
        !(signIn.target.kind === "userAction" && signIn.target.action === "registerOrJoinDevices")
      );
    default:
      // x509 (certificate-based), federated, deviceBasedPush, qrCodePin: not verifiable offline.
      return false;
  }
}

/** The first allowed combination the account can present, or undefined. */
export function strengthPath(
  strength: StrengthDefinition,
  cap: Capability,
  signIn: SignIn,
): string | undefined {
  if (!MODERN_CLIENTS.has(signIn.clientAppType)) return undefined;
  return strength.allowedCombinations.find((combo) =>
    modesOfCombination(combo).every((m) => modeUsable(m, cap, signIn, strength)),
  );
}

/**
 * The methods of a combination ("password,sms"), split once per distinct text: the prover asks the
 * same few combinations about every sign-in it tries. Tenants hold a handful of distinct texts; the
 * bound only keeps a long-running process from growing on hostile input.
 */
const COMBINATION_CACHE_LIMIT = 1024;
const combinationModes = new Map<string, readonly string[]>();

export function modesOfCombination(combo: string): readonly string[] {
  let modes = combinationModes.get(combo);
  if (!modes) {
    if (combinationModes.size >= COMBINATION_CACHE_LIMIT) combinationModes.clear();
    modes = Object.freeze(combo.split(",").map((m) => m.trim()));
    combinationModes.set(combo, modes);
  }
  return modes;
}

/** The FIDO2 key-model restriction a strength puts on its fido2 combination, if any. */
function fido2Restriction(strength: StrengthDefinition): string[] | undefined {
  const restriction = strength.combinationConfigurations.find(
    (c) =>
      String(c["@odata.type"] ?? "")
        .toLowerCase()
        .endsWith("fido2combinationconfiguration") &&
      ((c.appliesToCombinations as string[] | undefined) ?? ["fido2"]).includes("fido2"),
  );
  const allowed = ((restriction?.allowedAAGUIDs as string[] | undefined) ?? []).map((a) => a.toLowerCase());
  return restriction && allowed.length > 0 ? allowed : undefined;
}

/** Why no allowed combination of the strength is within the account's reach in this sign-in. */
function strengthShortfall(strength: StrengthDefinition, cap: Capability, signIn: SignIn): AtomShortfall {
  const taken = new Set(strength.allowedCombinations.flatMap(modesOfCombination));
  const enabled = cap.methods.filter((m) => m.enabled);
  const keys = enabled.filter((m) => m.mode === "fido2");
  const allowedKeys = taken.has("fido2") ? fido2Restriction(strength) : undefined;
  const keysNotAllowed =
    allowedKeys && keys.length > 0 && !keys.some((k) => !!k.aaguid && allowedKeys.includes(k.aaguid))
      ? { accountKeys: keys.map((k) => k.aaguid ?? ""), allowedKeys }
      : undefined;
  return {
    kind: "strength",
    strengthId: strength.id,
    strengthName: strength.displayName,
    keysNotAllowed,
    disabled: cap.methods
      .filter((m) => !m.enabled && taken.has(m.mode))
      .map((m) => ({ mode: m.mode, aaguid: m.aaguid, because: m.disabledBecause ?? "not enabled" })),
    notHere: [
      ...new Set(
        enabled
          .filter((m) => taken.has(m.mode) && !(m.mode === "fido2" && keysNotAllowed))
          .filter((m) => !modeUsable(m.mode, cap, signIn, strength))
          .map((m) => m.mode),
      ),
    ],
    enabled: [...new Set(enabled.map((m) => m.mode))],
  };
}

const COMPLIANT_PLATFORMS = new Set(["windows", "iOS", "android", "macOS", "linux"]);

/** Whether one grant atom can be met; `why` says how or why not (for counter-examples). */
export function atomSatisfied(
  atom: GrantAtom,
  cap: Capability,
  signIn: SignIn,
  strengths: Map<string, StrengthDefinition>,
): { ok: boolean; why: string; shortfall?: AtomShortfall } {
  const modern = MODERN_CLIENTS.has(signIn.clientAppType);
  if (!modern)
    return {
      ok: false,
      why: `no grant can be met from a legacy client (${signIn.clientAppType})`,
      shortfall: { kind: "legacyClient", clientAppType: signIn.clientAppType },
    };
  const attr = (k: string) => signIn.device?.attributes[k];
  switch (atom.kind) {
    case "mfa":
    case "strength": {
      const id = atom.kind === "mfa" ? STRENGTH.mfa : atom.id;
      const s = strengths.get(id);
      if (!s)
        return {
          ok: false,
          why: `authentication strength ${id} is not in the snapshot`,
          shortfall: { kind: "strengthNotFound", strengthId: id },
        };
      const path = strengthPath(s, cap, signIn);
      return path
        ? { ok: true, why: `${s.displayName} with ${path}` }
        : {
            ok: false,
            why: `${s.displayName}, which no registered, enabled method of the account meets`,
            shortfall: strengthShortfall(s, cap, signIn),
          };
    }
    case "compliantDevice": {
      const ok =
        attr("isCompliant") === true &&
        COMPLIANT_PLATFORMS.has(signIn.platform) &&
        signIn.authFlow !== "deviceCodeFlow";
      return { ok, why: ok ? "compliant device" : "needs a compliant device, and the sign-in has none" };
    }
    case "domainJoinedDevice": {
      const ok =
        String(attr("trustType") ?? "").toLowerCase() === "serverad" &&
        signIn.platform === "windows" &&
        signIn.authFlow !== "deviceCodeFlow";
      return { ok, why: ok ? "hybrid-joined device" : "needs a hybrid-joined Windows device" };
    }
    case "approvedApplication":
    case "compliantApplication": {
      const platforms =
        atom.kind === "approvedApplication" ? ["iOS", "android"] : ["iOS", "android", "windows"];
      const ok = !!signIn.approvedClientApp && platforms.includes(signIn.platform);
      return {
        ok,
        why: ok ? "approved client app" : `needs an approved client app on ${platforms.join("/")}`,
      };
    }
    case "passwordChange": {
      const mfa = atomSatisfied({ kind: "mfa" }, cap, signIn, strengths);
      const ok = mfa.ok && cap.ssprRegistered;
      return { ok, why: ok ? "secure password change" : "password change needs MFA and SSPR registration" };
    }
    case "riskRemediation": {
      const mfa = atomSatisfied({ kind: "mfa" }, cap, signIn, strengths);
      return { ok: mfa.ok, why: mfa.ok ? "risk remediation with MFA" : "risk remediation needs MFA" };
    }
    case "termsOfUse":
      return { ok: true, why: `accept terms of use ${atom.id}` };
    case "custom":
      return { ok: false, why: `custom control ${atom.id} cannot be verified offline` };
    case "unknown":
      return { ok: false, why: `grant control ${atom.name} is not modelled` };
  }
}
