/**
 * What a sign-in's location is in the tenant's own terms, and what a proof covered, as data for
 * the renderers that word counter-examples (src/report/ca-text.ts). A location cell of the
 * scenario space pairs a representative IP (a boundary of the tenant's IP ranges) with a country
 * independently, so the IP says nothing about that country: it is described by the named
 * locations it lies in, never shown beside a country it may not be in.
 */
import type { Envelope } from "../config/schema.js";
import type { CaEngine } from "./engine.js";
import { inLocation } from "./locations.js";
import { spaceOf } from "./prover.js";
import type {
  AuthFlow,
  ClientAppType,
  InsiderRiskLevel,
  Platform,
  RiskLevel,
  SignIn,
  SignInDevice,
  SignInLocation,
  Target,
} from "./types.js";
import { YES } from "./types.js";

export interface LocationFacts {
  /** ISO 3166-1 alpha-2, or null for an address with no known country. */
  country: string | null;
  /** no country named location lists the country: it stands for every such country. */
  countryUnnamed: boolean;
  /** the country named locations the sign-in is in (display names). */
  countryLocations: string[];
  /** the IP named locations the address lies in (display names); empty: outside every IP range. */
  ipLocations: string[];
  /** the tenant has IP named locations at all (else the address does not matter). */
  ipRangesDefined: boolean;
  /** the tenant has country named locations at all (else the country does not matter). */
  countriesDefined: boolean;
  /** inside the legacy MFA service's trusted IPs (part of AllTrusted). */
  mfaTrustedIp: boolean;
}

/** The location of a sign-in in terms of the engine's named locations. */
export function locationFacts(engine: CaEngine, loc: SignInLocation): LocationFacts {
  const locs = [...engine.locations.values()];
  const country = loc.country ?? null;
  return {
    country,
    countryUnnamed: country !== null && !locs.some((l) => l.countries.has(country)),
    countryLocations: locs
      .filter((l) => l.kind === "country" && inLocation(l, loc) === YES)
      .map((l) => l.displayName),
    ipLocations: locs.filter((l) => l.kind === "ip" && inLocation(l, loc) === YES).map((l) => l.displayName),
    ipRangesDefined: locs.some((l) => l.kind === "ip" && l.ranges.length > 0),
    countriesDefined: locs.some((l) => l.kind === "country"),
    mfaTrustedIp: !!loc.mfaTrustedIp,
  };
}

/** Every value each signal took across the classes a proof walked. */
export interface Coverage {
  targets: Target[];
  clientAppTypes: ClientAppType[];
  platforms: Platform[];
  locations: LocationFacts[];
  signInRisk: RiskLevel[];
  userRisk: RiskLevel[];
  insiderRisk: InsiderRiskLevel[];
  devices: Array<SignInDevice | null>;
  authFlows: AuthFlow[];
}

/** What the proof over this envelope covers: the cells of each dimension of its scenario space. */
export function coverageOf(engine: CaEngine, envelope: Envelope): Coverage {
  const dims = spaceOf(engine, envelope);
  // Each dimension's cells hold values of the sign-in field of that name (scenarios.ts setCell).
  const cells = <K extends keyof SignIn>(dimension: K): Array<SignIn[K]> =>
    (dims.find((d) => d.dimension === dimension)?.cells ?? []).map((c) => c.value as SignIn[K]);
  return {
    targets: cells("target"),
    clientAppTypes: cells("clientAppType"),
    platforms: cells("platform"),
    locations: cells("location").map((l) => locationFacts(engine, l)),
    signInRisk: cells("signInRisk"),
    userRisk: cells("userRisk"),
    insiderRisk: cells("insiderRisk"),
    devices: cells("device"),
    authFlows: cells("authFlow"),
  };
}
