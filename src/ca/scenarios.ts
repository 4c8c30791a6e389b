/**
 * The scenario space (docs/ca-semantics.md §7): every signal dimension partitioned into the cells the
 * policy set can tell apart, with one concrete representative per cell. Cells come from the
 * policies' own atoms (named locations' IP boundaries and countries, referenced levels), plus an
 * "everything else" cell per dimension, so the product covers every sign-in, not a sample.
 */
import type { Envelope } from "../config/schema.js";
import { asObject, prop } from "../snapshot/json.js";
import { APP, OTHER_APP, RECOVERY_APPS, resourceOf } from "./catalogue.js";
import type { CaEngine } from "./engine.js";
import { inLocation, representativeIps } from "./locations.js";
import { type Dimension, listOf } from "./policy.js";
import {
  AUTH_FLOWS,
  type ClientAppType,
  INSIDER_RISK_LEVELS,
  PLATFORMS,
  type RiskLevel,
  type SignIn,
  type SignInDevice,
  type SignInLocation,
  type Target,
  YES,
} from "./types.js";

/** One cell: the value it puts into the sign-in, and a key for what grants can see of it. */
export interface Cell {
  value: unknown;
  /** cells with equal keys are interchangeable for grant satisfiability. */
  grantKey: string;
}

export interface DimensionCells {
  dimension: Dimension;
  cells: Cell[];
}

/** ISO codes tried, in order, for "a country no policy names". */
const SPARE_COUNTRIES = ["AQ", "BV", "HM", "TF", "UM", "PN", "NF", "CX", "CC", "GS"];

export interface SpaceOptions {
  envelope: Envelope;
  /** the full space (EA-CA-01 exposure): every resource, client, flow; else the envelope. */
  exposure?: boolean;
}

const platformClass = (p: string) =>
  p === "windows"
    ? "windows"
    : p === "iOS" || p === "android"
      ? "mobile"
      : p === "macOS" || p === "linux"
        ? "desktop"
        : "other";

/** Every dimension's cells for this engine's policies and this envelope. */
export function scenarioSpace(engine: CaEngine, opts: SpaceOptions): DimensionCells[] {
  const env = opts.envelope;
  // Every policy's conditions as written, malformed ones too: what one of them names gets its cell.
  const raws = engine.policies.map((p) => asObject(p.raw.conditions) ?? {});

  // target
  const targets: Target[] = [];
  const apps = new Set<string>(RECOVERY_APPS);
  if (opts.exposure || env.resources === "all") {
    for (const c of raws)
      for (const a of [
        ...listOf(prop(c.applications, "includeApplications")),
        ...listOf(prop(c.applications, "excludeApplications")),
      ])
        if (!["all", "none", "office365", "microsoftadminportals"].includes(a.toLowerCase()))
          apps.add(a.toLowerCase());
    apps.add(APP.exchangeOnline);
    apps.add(APP.sharePointOnline);
    apps.add(OTHER_APP);
  }
  for (const a of apps) targets.push({ kind: "app", appId: a });
  targets.push({ kind: "userAction", action: "registerSecurityInformation" });
  if (opts.exposure || env.resources === "all") {
    targets.push({ kind: "userAction", action: "registerOrJoinDevices" });
    const acrs = new Set<string>();
    for (const c of raws)
      for (const v of listOf(prop(c.applications, "includeAuthenticationContextClassReferences")))
        acrs.add(v);
    for (const v of acrs) targets.push({ kind: "authContext", value: v });
  }
  const targetCells = targets.map((t) => ({
    value: t,
    grantKey:
      t.kind === "app"
        ? `app:${resourceOf(t.appId).mandatoryMfa ? "mandatoryMfa" : ""}`
        : t.kind === "userAction"
          ? `ua:${t.action}`
          : "acrs",
  }));

  // client app types
  const clients = new Set<ClientAppType>();
  for (const c of opts.exposure
    ? (["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"] as const)
    : env.clientAppTypes) {
    clients.add(c);
    if (c === "exchangeActiveSync") clients.add("easSupported");
  }

  // platforms
  const platforms = opts.exposure || env.platforms === "all" ? [...PLATFORMS] : env.platforms;

  // locations: IP cells x country cells x MFA-trusted-IPs, deduplicated by membership vector
  const locs = [...engine.locations.values()];
  const ips = representativeIps(locs.flatMap((l) => l.ranges));
  const named = new Set<string>();
  for (const l of locs) for (const c of l.countries) named.add(c);
  const countries: Array<string | null> = [...named].sort();
  countries.push(SPARE_COUNTRIES.find((c) => !named.has(c)) ?? "ZZ", null);
  const usesLocations = engine.policies.some((p) => p.constrains.has("location"));
  let locCells: Cell[] = [];
  if (!usesLocations && (opts.exposure || env.locations === "any")) {
    locCells = [
      {
        value: { ip: ips[0] ?? "0.0.0.0", country: countries[countries.length - 2]!, mfaTrustedIp: false },
        grantKey: "",
      },
    ];
  } else {
    const seen = new Set<string>();
    const envLocs =
      opts.exposure || env.locations === "any"
        ? undefined
        : locs.filter((l) =>
            (env.locations as string[]).some((x) => x.toLowerCase() === l.id || x === l.displayName),
          );
    for (const ip of ips)
      for (const country of countries)
        for (const mfaTrustedIp of [false, true]) {
          const loc: SignInLocation = { ip, country, mfaTrustedIp };
          if (envLocs && !envLocs.some((l) => inLocation(l, loc) === YES)) continue;
          const key = `${mfaTrustedIp ? 1 : 0}${locs.map((l) => inLocation(l, loc)).join("")}`;
          if (seen.has(key)) continue;
          seen.add(key);
          locCells.push({ value: loc, grantKey: "" });
        }
  }

  // risks
  const referenced = (field: string) =>
    raws.some((c) =>
      listOf(c[field])
        .map((x) => x.toLowerCase())
        .includes("hidden"),
    );
  const riskCells = (field: string): Cell[] => {
    const base: RiskLevel[] =
      opts.exposure || env.riskLevels === "all" ? ["none", "low", "medium", "high"] : [...env.riskLevels];
    if ((opts.exposure || env.riskLevels === "all") && referenced(field)) base.push("hidden");
    return base.map((v) => ({ value: v, grantKey: "" }));
  };
  const insiderUsed = engine.policies.some((p) => p.constrains.has("insiderRisk"));
  const insider = insiderUsed ? [...INSIDER_RISK_LEVELS] : ["none"];

  // device
  const devices: Array<SignInDevice | null> =
    env.device === "unregistered" && !opts.exposure
      ? [null]
      : env.device === "compliant" && !opts.exposure
        ? [{ attributes: { isCompliant: true }, othersUnknown: true }]
        : env.device === "hybridJoined" && !opts.exposure
          ? [{ attributes: { trustType: "ServerAD" }, othersUnknown: true }]
          : [null, { attributes: {}, othersUnknown: true }];

  const flows = opts.exposure ? [...AUTH_FLOWS] : ["none"];

  return [
    { dimension: "location", cells: locCells },
    { dimension: "target", cells: targetCells },
    { dimension: "platform", cells: platforms.map((p) => ({ value: p, grantKey: platformClass(p) })) },
    {
      dimension: "clientAppType",
      cells: [...clients].map((c) => ({
        value: c,
        grantKey: c === "browser" || c === "mobileAppsAndDesktopClients" ? "modern" : "legacy",
      })),
    },
    { dimension: "signInRisk", cells: riskCells("signInRiskLevels") },
    { dimension: "userRisk", cells: riskCells("userRiskLevels") },
    { dimension: "insiderRisk", cells: insider.map((v) => ({ value: v, grantKey: "" })) },
    { dimension: "device", cells: devices.map((d) => ({ value: d, grantKey: JSON.stringify(d) })) },
    {
      dimension: "authFlow",
      cells: flows.map((f) => ({ value: f, grantKey: f === "deviceCodeFlow" ? "dc" : "" })),
    },
  ];
}

/** Puts a cell's value into the sign-in: the cells of a dimension hold values of its field (scenarioSpace). */
export function setCell(signIn: SignIn, dimension: Dimension, value: unknown): void {
  (signIn as unknown as Record<Dimension, unknown>)[dimension] = value;
}

/** A blank sign-in the DFS fills cell by cell. */
export const blankSignIn = (): SignIn => ({
  target: { kind: "app", appId: APP.azurePortal },
  clientAppType: "browser",
  platform: "windows",
  location: {},
  signInRisk: "none",
  userRisk: "none",
  insiderRisk: "none",
  device: null,
  authFlow: "none",
});
