/**
 * Named locations (docs/ca-semantics.md §1.4 "locations"; docs/graph-contract.md §4.8): IP ranges (IPv4 and
 * IPv6, with ipaddr.js), countries (with the unknown-country flag), the trusted flag behind
 * `AllTrusted`. Location types the engine does not model (compliant network, anything new)
 * answer MAYBE.
 */
import ipaddr from "ipaddr.js";
import { MAYBE, NO, type SignInLocation, type Tri, YES } from "./types.js";

type Range = { family: "ipv4" | "ipv6"; start: bigint; end: bigint };

export interface CompiledLocation {
  id: string;
  displayName: string;
  kind: "ip" | "country" | "unmodelled";
  trusted: boolean;
  ranges: Range[];
  countries: Set<string>;
  includeUnknownCountries: boolean;
  /** countryLookupMethod authenticatorAppGps: the engine takes the sign-in country as the GPS country. */
  gps: boolean;
}

const toBig = (bytes: number[]): bigint => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

const parsedCache = new Map<string, { family: "ipv4" | "ipv6"; value: bigint } | undefined>();

export function parseAddress(ip: string): { family: "ipv4" | "ipv6"; value: bigint } | undefined {
  if (parsedCache.has(ip)) return parsedCache.get(ip);
  const out = parseAddressUncached(ip);
  if (parsedCache.size > 100_000) parsedCache.clear();
  parsedCache.set(ip, out);
  return out;
}

function parseAddressUncached(ip: string): { family: "ipv4" | "ipv6"; value: bigint } | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return { family: addr.kind(), value: toBig(addr.toByteArray()) };
}

export function formatAddress(family: "ipv4" | "ipv6", value: bigint): string {
  const len = family === "ipv4" ? 4 : 16;
  const bytes: number[] = [];
  for (let i = len - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

export function parseCidr(cidr: string): Range | undefined {
  try {
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    const width = addr.kind() === "ipv4" ? 32 : 128;
    const base = toBig(addr.toByteArray());
    const hostBits = BigInt(width - bits);
    const start = (base >> hostBits) << hostBits;
    return { family: addr.kind(), start, end: start + (1n << hostBits) - 1n };
  } catch {
    return undefined;
  }
}

export function compileLocation(raw: Record<string, unknown>): CompiledLocation {
  const type = String(raw["@odata.type"] ?? "").toLowerCase();
  const base = {
    id: String(raw.id ?? "").toLowerCase(),
    displayName: String(raw.displayName ?? raw.id ?? ""),
    trusted: raw.isTrusted === true,
    ranges: [] as Range[],
    countries: new Set<string>(),
    includeUnknownCountries: raw.includeUnknownCountriesAndRegions === true,
    gps: raw.countryLookupMethod === "authenticatorAppGps",
  };
  if (type.endsWith("ipnamedlocation")) {
    const ranges: Range[] = [];
    let broken = false;
    for (const r of (raw.ipRanges as Array<{ cidrAddress?: string }> | undefined) ?? []) {
      const parsed = r.cidrAddress ? parseCidr(r.cidrAddress) : undefined;
      if (parsed) ranges.push(parsed);
      else broken = true;
    }
    // A range we cannot parse could hold the sign-in: the location is not modelled.
    return { ...base, kind: broken ? "unmodelled" : "ip", ranges };
  }
  if (type.endsWith("countrynamedlocation")) {
    const countries = new Set(
      ((raw.countriesAndRegions as string[] | undefined) ?? []).map((c) => c.toUpperCase()),
    );
    return { ...base, kind: "country", countries };
  }
  return { ...base, kind: "unmodelled" };
}

/** Is the sign-in inside the named location? Missing signals answer NO (What If's rule). */
export function inLocation(loc: CompiledLocation, signIn: SignInLocation): Tri {
  if (loc.kind === "unmodelled") return MAYBE;
  if (loc.kind === "ip") {
    if (!signIn.ip) return NO;
    const a = parseAddress(signIn.ip);
    if (!a) return NO;
    return loc.ranges.some((r) => r.family === a.family && r.start <= a.value && a.value <= r.end) ? YES : NO;
  }
  if (signIn.country === undefined) return NO;
  if (signIn.country === null) return loc.includeUnknownCountries ? YES : NO;
  return loc.countries.has(signIn.country.toUpperCase()) ? YES : NO;
}

/** `AllTrusted`: any trusted IP location holding the IP, or the MFA trusted IPs (docs/ca-semantics.md §1.4). */
export function inTrusted(locations: Iterable<CompiledLocation>, signIn: SignInLocation): Tri {
  if (signIn.mfaTrustedIp) return YES;
  let out: Tri = NO;
  for (const l of locations) {
    if (!l.trusted) continue;
    const r = inLocation(l, signIn);
    if (r === YES) return YES;
    if (r === MAYBE) out = MAYBE;
  }
  return out;
}

/**
 * One IP per cell of the Venn partition the ranges induce (docs/ca-semantics.md §7.5): every boundary
 * of every range starts an elementary interval whose members agree on every range, so one
 * representative per interval covers every IP exactly. Both families get a cell outside every range.
 */
export function representativeIps(ranges: Range[]): string[] {
  const out: string[] = [];
  for (const family of ["ipv4", "ipv6"] as const) {
    const max = family === "ipv4" ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    const cuts = new Set<bigint>([0n]);
    for (const r of ranges) {
      if (r.family !== family) continue;
      cuts.add(r.start);
      if (r.end < max) cuts.add(r.end + 1n);
    }
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Where a well-known public address lies inside the interval, show it instead of
    // the interval's first address (0.0.0.0 reads like a bug in a counter-example).
    const nice = (
      family === "ipv4" ? ["8.8.8.8", "203.0.113.7", "1.1.1.1"] : ["2a00:1450::8888", "2606:4700::1111"]
    ).map((ip) => parseAddress(ip)!.value);
    sorted.forEach((c, k) => {
      const end = k + 1 < sorted.length ? sorted[k + 1]! - 1n : max;
      const pick = nice.find((v) => c <= v && v <= end) ?? c;
      out.push(formatAddress(family, pick));
    });
  }
  return out;
}
