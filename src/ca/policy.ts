/**
 * One Conditional Access policy compiled into per-dimension predicates (docs/ca-semantics.md §6 Step A).
 * Each predicate looks at one signal of the sign-in, so the prover can partition every dimension
 * on its own (§7) and the evaluator can report the first failing condition like What If does.
 */
import { resourceOf } from "./catalogue.js";
import {
  DeviceFilterSyntaxError,
  evalDeviceFilter,
  parseDeviceFilter,
  type RuleNode,
} from "./device-filter.js";
import { type CompiledLocation, inLocation, inTrusted } from "./locations.js";
import { asObject, prop } from "../snapshot/json.js";
import { type PolicyConditions, readPolicy } from "./validate.js";
import {
  type AnalysisReason,
  type AuthFlow,
  type ClientAppType,
  type Identity,
  type InsiderRiskLevel,
  MAYBE,
  NO,
  type Platform,
  type RiskLevel,
  type SignIn,
  type SignInDevice,
  type SignInLocation,
  type Target,
  type Tri,
  triAnd,
  triOr,
  USER_ACTIONS,
  YES,
} from "./types.js";

/** The signal dimensions of a sign-in, in the order Step A checks them after users. */
export const DIMENSIONS = [
  "target",
  "clientAppType",
  "platform",
  "location",
  "signInRisk",
  "userRisk",
  "insiderRisk",
  "device",
  "authFlow",
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export type GrantAtom =
  | { kind: "mfa" }
  | { kind: "strength"; id: string }
  | { kind: "compliantDevice" }
  | { kind: "domainJoinedDevice" }
  | { kind: "approvedApplication" }
  | { kind: "compliantApplication" }
  | { kind: "passwordChange" }
  | { kind: "riskRemediation" }
  | { kind: "termsOfUse"; id: string }
  | { kind: "custom"; id: string }
  | { kind: "unknown"; name: string };

export interface Grant {
  block: boolean;
  operator: "AND" | "OR";
  atoms: GrantAtom[];
}

export type PolicyState = "enabled" | "reportOnly" | "disabled" | "other";

export interface CompiledPolicy {
  id: string;
  displayName: string;
  state: PolicyState;
  raw: Record<string, unknown>;
  /** The conditions, typed as the engine reads them; null when the policy is malformed. */
  conditions: PolicyConditions | null;
  grant: Grant | null;
  session: Record<string, unknown> | null;
  /** dimensions this policy has a condition on (target is always one). */
  constrains: ReadonlySet<Dimension>;
  /** conditions the engine does not model (times, application filters...): the policy may apply. */
  unmodelled: string[];
  /**
   * What makes the policy malformed (`conditions: null`, no `applications`, an unknown control...;
   * validate.ts), empty when it is not. A malformed policy may apply to anyone, anywhere, and may
   * block: every verdict it could affect is undecided, never a pass.
   */
  invalid: string[];
  targetsAllResources: boolean;
  users(identity: Identity): Tri;
  test(dimension: Dimension, signIn: SignIn): Tri;
}

const DIMENSION_REASON: Record<Dimension, AnalysisReason> = {
  target: "application",
  clientAppType: "clientApps",
  platform: "devicePlatform",
  location: "location",
  signInRisk: "signInRisk",
  userRisk: "userRisk",
  insiderRisk: "insiderRisk",
  device: "devices",
  authFlow: "authenticationFlow",
};

export const reasonOf = (dimension: Dimension, target: Target): AnalysisReason =>
  dimension !== "target"
    ? DIMENSION_REASON[dimension]
    : target.kind === "app"
      ? "application"
      : target.kind === "userAction"
        ? "userActions"
        : "authenticationContext";

/** The strings of a list as a policy may hold it: a list, a comma-separated flags string, or nothing. */
export const listOf = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map(String)
    : typeof v === "string" && v.length > 0
      ? v.split(",").map((s) => s.trim())
      : [];
const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
const has = (xs: string[], k: string) => xs.some((x) => x.toLowerCase() === k.toLowerCase());

export const stateOf = (state: string): PolicyState =>
  state === "enabled"
    ? "enabled"
    : state === "enabledForReportingButNotEnforced"
      ? "reportOnly"
      : state === "disabled"
        ? "disabled"
        : "other";

interface GuestSpec {
  types: string[];
  allTenants: boolean;
  tenants: string[];
}

function guestSpec(v: unknown): GuestSpec | undefined {
  const o = asObject(v);
  if (!o) return undefined;
  const types = listOf(o.guestOrExternalUserTypes).filter((t) => t !== "none");
  if (!types.length) return undefined;
  const ext = asObject(o.externalTenants);
  const allTenants = !ext || ext.membershipKind !== "enumerated";
  return { types: lower(types), allTenants, tenants: lower(listOf(ext?.members)) };
}

/** YES, NO, or MAYBE when the tenants are enumerated and the guest's home tenant is not known. */
const guestMatch = (spec: GuestSpec | undefined, id: Identity): Tri => {
  if (!spec || !id.externalKind || !spec.types.includes(id.externalKind.toLowerCase())) return NO;
  if (spec.allTenants) return YES;
  if (!id.externalTenantId) return MAYBE;
  return spec.tenants.includes(id.externalTenantId.toLowerCase()) ? YES : NO;
};

/** One side (include or exclude) of a users condition, its lists lower-cased once. */
interface UsersSide {
  users: ReadonlySet<string>;
  guests: GuestSpec | undefined;
  groups: string[];
  roles: string[];
}

/**
 * A users condition read once: the evaluator asks it about one identity for every sign-in it
 * tries, and the lists do not change between them.
 */
interface CompiledUsersCondition {
  include: UsersSide;
  exclude: UsersSide;
}

function compileUsersSide(usersCond: Record<string, unknown>, side: "include" | "exclude"): UsersSide {
  return {
    users: new Set(lower(listOf(usersCond[`${side}Users`]))),
    guests: guestSpec(usersCond[`${side}GuestsOrExternalUsers`]),
    groups: lower(listOf(usersCond[`${side}Groups`])),
    roles: lower(listOf(usersCond[`${side}Roles`])),
  };
}

const compileUsersCondition = (usersCond: Record<string, unknown>): CompiledUsersCondition => ({
  include: compileUsersSide(usersCond, "include"),
  exclude: compileUsersSide(usersCond, "exclude"),
});

type UsersHit = { kind: "all" | "user" | "guests" | "group" | "role"; id?: string; maybe?: boolean };

function sideHit(s: UsersSide, id: Identity, side: "include" | "exclude"): UsersHit | undefined {
  if (side === "include" && s.users.has("all")) return { kind: "all" };
  if (s.users.has(id.userId)) return { kind: "user", id: id.userId };
  if (s.users.has("guestsorexternalusers") && id.externalKind) return { kind: "guests" };
  const guest = guestMatch(s.guests, id);
  if (guest === YES) return { kind: "guests" };
  for (const g of s.groups) if (id.groups.has(g)) return { kind: "group", id: g };
  for (const r of s.roles) if (id.activeRoles.has(r)) return { kind: "role", id: r };
  if (guest === MAYBE) return { kind: "guests", maybe: true };
  return undefined;
}

/** Which include or exclude element of `users` an identity hits; undefined when none. */
export function usersHit(
  usersCond: Record<string, unknown> | null | undefined,
  id: Identity,
  side: "include" | "exclude",
): UsersHit | undefined {
  if (!usersCond) return undefined;
  return sideHit(compileUsersSide(usersCond, side), id, side);
}

const CLIENT_EXPANSION: Record<string, ClientAppType[]> = {
  all: ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"],
  browser: ["browser"],
  mobileappsanddesktopclients: ["mobileAppsAndDesktopClients"],
  exchangeactivesync: ["exchangeActiveSync", "easSupported"],
  eassupported: ["easSupported"],
  other: ["other"],
};

export interface CompileContext {
  locations: Map<string, CompiledLocation>;
}

/**
 * The users condition as the policy holds it, malformed or not: for the readers that look at every
 * policy (the roles policies name, how an account is pulled into one that blocks).
 */
export const rawUsersCondition = (p: Pick<CompiledPolicy, "raw">): Record<string, unknown> | undefined =>
  asObject(prop(p.raw.conditions, "users"));

/** What every policy, readable or not, is known by: its id (lower-case), name and state. */
export const policyHeader = (
  raw: Record<string, unknown>,
): Pick<CompiledPolicy, "id" | "displayName" | "state"> => ({
  id: String(raw.id ?? "").toLowerCase(),
  displayName: String(raw.displayName ?? raw.id ?? ""),
  state: stateOf(String(raw.state ?? "")),
});

export function compilePolicy(raw: Record<string, unknown>, ctx: CompileContext): CompiledPolicy {
  const { policy, problems } = readPolicy(raw);
  if (!policy) return malformedPolicy(raw, problems);
  const c = policy.conditions;
  const constrains = new Set<Dimension>(["target"]);
  const unmodelled: string[] = [];
  const usersCond = c.users;

  // --- users (scenario-independent for one identity)
  const workloadOnly = !usersCond && !!c.clientApplications;
  const compiledUsers = usersCond ? compileUsersCondition(usersCond) : undefined;
  const users = (id: Identity): Tri => {
    if (workloadOnly || !compiledUsers) return NO;
    const inc = sideHit(compiledUsers.include, id, "include");
    if (!inc) return NO;
    const exc = sideHit(compiledUsers.exclude, id, "exclude");
    if (exc && !exc.maybe) return NO;
    return exc?.maybe || inc.maybe ? MAYBE : YES;
  };

  // --- target resources
  const apps = c.applications;
  const incApps = listOf(apps.includeApplications);
  const excApps = listOf(apps.excludeApplications);
  const incActions = lower(listOf(apps.includeUserActions));
  const incAcrs = lower(listOf(apps.includeAuthenticationContextClassReferences));
  const appFilter = apps.applicationFilter;
  if (appFilter) unmodelled.push("applicationFilter (custom security attributes are not in the snapshot)");
  const targetsAll = has(incApps, "All");
  const appTest = (appId: string): Tri => {
    const r = resourceOf(appId);
    const suiteHit = (list: string[]) =>
      has(list, appId) ||
      (r.office365 && has(list, "Office365")) ||
      (r.adminPortal && has(list, "MicrosoftAdminPortals"));
    let inc: Tri = targetsAll || suiteHit(incApps) ? YES : NO;
    if (inc === NO && appFilter?.mode === "include") inc = MAYBE;
    if (inc === NO) return NO;
    if (suiteHit(excApps)) return NO;
    if (appFilter?.mode === "exclude") return MAYBE;
    return inc;
  };
  const targetTest = (t: Target): Tri => {
    if (t.kind === "app") return appTest(t.appId);
    if (t.kind === "userAction")
      // [inferred, docs/ca-semantics.md §6 A.3] an All-resources policy also covers the registration sign-in.
      return incActions.includes(USER_ACTIONS[t.action]) || targetsAll ? YES : NO;
    return incAcrs.includes(t.value.toLowerCase()) ? YES : NO;
  };

  // --- client apps (always populated; empty is read as all, the portal default)
  const clientList = listOf(c.clientAppTypes);
  const clientSet = new Set<ClientAppType>(
    (clientList.length ? clientList : ["all"]).flatMap((x) => CLIENT_EXPANSION[x.toLowerCase()] ?? []),
  );
  if (clientList.length && !has(clientList, "all")) constrains.add("clientAppType");

  // --- platforms
  const plat = c.platforms;
  const incPlat = lower(listOf(plat?.includePlatforms));
  const excPlat = lower(listOf(plat?.excludePlatforms));
  // "all" with no exclusion matches every platform, unknown ones included: no constraint.
  if (incPlat.length && !(incPlat.includes("all") && !excPlat.length)) constrains.add("platform");
  const platformTest = (p: Platform): Tri => {
    if (!incPlat.length) return YES;
    const hit = (list: string[]) =>
      list.includes("all") || (p !== "unknown" && list.includes(p.toLowerCase()));
    return hit(incPlat) && !hit(excPlat) ? YES : NO;
  };

  // --- locations
  const locCond = c.locations;
  const incLoc = listOf(locCond?.includeLocations);
  const excLoc = listOf(locCond?.excludeLocations);
  // "All" with no exclusion matches every sign-in, whatever its IP or country: no constraint.
  if (incLoc.length && !(has(incLoc, "All") && !excLoc.length)) constrains.add("location");
  const inList = (list: string[], l: SignInLocation): Tri => {
    let out: Tri = NO;
    for (const id of list) {
      let r: Tri;
      if (id.toLowerCase() === "all") r = YES;
      else if (id.toLowerCase() === "alltrusted") r = inTrusted(ctx.locations.values(), l);
      else {
        const loc = ctx.locations.get(id.toLowerCase());
        // A location the snapshot does not hold (deleted, unreadable) could be anything.
        r = loc ? inLocation(loc, l) : MAYBE;
      }
      out = triOr(out, r);
      if (out === YES) return YES;
    }
    return out;
  };
  const locationTest = (l: SignInLocation): Tri => {
    if (!incLoc.length) return YES;
    return triAnd(
      inList(incLoc, l),
      inList(excLoc, l) === YES ? NO : inList(excLoc, l) === MAYBE ? MAYBE : YES,
    );
  };

  // --- risks
  const sirisk = lower(listOf(c.signInRiskLevels));
  const urisk = lower(listOf(c.userRiskLevels));
  const irisk = lower(listOf(c.insiderRiskLevels));
  if (sirisk.length) constrains.add("signInRisk");
  if (urisk.length) constrains.add("userRisk");
  if (irisk.length) constrains.add("insiderRisk");
  const riskTest = (list: string[], level: RiskLevel | InsiderRiskLevel): Tri =>
    !list.length || list.includes(level.toLowerCase()) ? YES : NO;

  // --- devices
  const filter = c.devices?.deviceFilter;
  let rule: RuleNode | undefined;
  let ruleBroken = false;
  if (filter?.rule) {
    constrains.add("device");
    try {
      rule = parseDeviceFilter(filter.rule);
    } catch (e) {
      if (!(e instanceof DeviceFilterSyntaxError)) throw e;
      ruleBroken = true;
    }
  }
  const states = c.deviceStates;
  const excStates = lower(listOf(states?.excludeStates));
  if (excStates.length) constrains.add("device");
  const deviceTest = (d: SignInDevice | null): Tri => {
    let out: Tri = YES;
    if (filter?.rule) {
      if (ruleBroken) out = MAYBE;
      else {
        const r = evalDeviceFilter(rule!, d);
        out = filter.mode === "exclude" ? (r === MAYBE ? MAYBE : r === YES ? NO : YES) : r;
      }
    }
    if (excStates.length && out !== NO) {
      const attr = (k: string) => (d ? d.attributes[k] : null);
      const known = (k: string) => !d || !d.othersUnknown || k in d.attributes;
      const compliant = excStates.includes("compliant")
        ? known("isCompliant")
          ? attr("isCompliant") === true
          : undefined
        : false;
      const joined = excStates.includes("domainjoined")
        ? known("trustType")
          ? String(attr("trustType") ?? "").toLowerCase() === "serverad"
          : undefined
        : false;
      if (compliant === true || joined === true) out = NO;
      else if (compliant === undefined || joined === undefined) out = triAnd(out, MAYBE);
    }
    return out;
  };

  // --- authentication flows
  const flows = lower(listOf(c.authenticationFlows?.transferMethods)).filter((f) => f !== "none");
  if (flows.length) constrains.add("authFlow");
  const flowTest = (f: AuthFlow): Tri => (!flows.length ? YES : flows.includes(f.toLowerCase()) ? YES : NO);

  if (c.times) unmodelled.push("times");

  // --- grant and session
  const g = policy.grantControls;
  let grant: Grant | null = null;
  if (g) {
    const builtIns = lower(listOf(g.builtInControls));
    const atoms: GrantAtom[] = [];
    for (const b of builtIns) {
      if (b === "block") continue;
      const known: Record<string, GrantAtom> = {
        mfa: { kind: "mfa" },
        compliantdevice: { kind: "compliantDevice" },
        domainjoineddevice: { kind: "domainJoinedDevice" },
        approvedapplication: { kind: "approvedApplication" },
        compliantapplication: { kind: "compliantApplication" },
        passwordchange: { kind: "passwordChange" },
        riskremediation: { kind: "riskRemediation" },
      };
      atoms.push(known[b] ?? { kind: "unknown", name: b });
    }
    if (g.authenticationStrength?.id)
      atoms.push({ kind: "strength", id: g.authenticationStrength.id.toLowerCase() });
    for (const t of listOf(g.termsOfUse)) atoms.push({ kind: "termsOfUse", id: t });
    for (const t of listOf(g.customAuthenticationFactors)) atoms.push({ kind: "custom", id: t });
    const block = builtIns.includes("block");
    if (block || atoms.length)
      grant = { block, operator: String(g.operator ?? "AND").toUpperCase() === "OR" ? "OR" : "AND", atoms };
  }

  const test = (dimension: Dimension, s: SignIn): Tri => {
    switch (dimension) {
      case "target":
        return targetTest(s.target);
      case "clientAppType":
        return clientSet.has(s.clientAppType) ? YES : NO;
      case "platform":
        return platformTest(s.platform);
      case "location":
        return locationTest(s.location);
      case "signInRisk":
        return riskTest(sirisk, s.signInRisk);
      case "userRisk":
        return riskTest(urisk, s.userRisk);
      case "insiderRisk":
        return riskTest(irisk, s.insiderRisk);
      case "device":
        return deviceTest(s.device);
      case "authFlow":
        return flowTest(s.authFlow);
    }
  };

  return {
    ...policyHeader(raw),
    raw,
    conditions: c,
    grant,
    session: policy.sessionControls ?? null,
    constrains,
    unmodelled,
    invalid: [],
    targetsAllResources: targetsAll,
    users,
    test,
  };
}

/**
 * A policy the engine cannot read: its state still counts (a disabled one is off), but it may reach
 * every identity in every sign-in and may block, so what it touches is MAYBE.
 */
function malformedPolicy(raw: Record<string, unknown>, invalid: string[]): CompiledPolicy {
  return {
    ...policyHeader(raw),
    raw,
    conditions: null,
    grant: { block: true, operator: "AND", atoms: [] },
    session: null,
    constrains: new Set(DIMENSIONS),
    unmodelled: [`malformed: ${invalid.join("; ")}`],
    invalid,
    targetsAllResources: false,
    users: () => MAYBE,
    test: () => MAYBE,
  };
}
