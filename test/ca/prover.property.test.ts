/**
 * The prover against brute force on small random tenants (docs/ca-semantics.md §7): over a finite
 * concrete domain (one IP in each named range plus one outside all, each referenced country plus
 * another and an unknown one, every enum value of platform, client, risk), whenever brute force
 * finds a lockout the prover finds one too, and every counter-example the prover prints is one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capabilityOf } from "../../src/ca/capability.js";
import { APP } from "../../src/ca/catalogue.js";
import { evaluateSignIn } from "../../src/ca/engine.js";
import { eligibleRoles, identityOf } from "../../src/ca/identity.js";
import { parseCidr, formatAddress } from "../../src/ca/locations.js";
import { proveAccount, proveAllAdmins } from "../../src/ca/prover.js";
import { PLATFORMS, type RiskLevel, type SignIn, type Target } from "../../src/ca/types.js";
import { Envelope } from "../../src/config/schema.js";
import {
  authenticator,
  countryLocation,
  engineOf,
  fido2,
  GA,
  ipLocation,
  policy,
  tenant,
} from "./fixtures.js";

const CIDRS = ["10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/16", "2001:db8::/32"];
const COUNTRIES = ["US", "FR", "DE"];
const PR = "00000000-0000-0000-0000-000000000004";

const grantArb = fc.constantFrom<Record<string, unknown> | null>(
  { operator: "OR", builtInControls: ["block"] },
  { operator: "OR", builtInControls: ["mfa"] },
  { operator: "OR", builtInControls: [], authenticationStrength: { id: PR } },
  { operator: "OR", builtInControls: ["mfa", "compliantDevice"] },
  { operator: "AND", builtInControls: ["mfa", "compliantDevice"] },
  null,
);
const sub = <T>(xs: T[]) => fc.subarray(xs);

const policyArb = fc.record({
  includeUsers: fc.constantFrom(["All"], ["u0"], ["u1"], []),
  includeGroups: sub(["g0", "g1"]),
  includeRoles: fc.constantFrom([], [GA]),
  excludeUsers: sub(["u0", "u1"]),
  excludeGroups: sub(["g0", "g1"]),
  excludeRoles: fc.constantFrom([], [GA]),
  includeApplications: fc.constantFrom(
    ["All"],
    ["MicrosoftAdminPortals"],
    ["Office365"],
    [APP.azureManagement],
  ),
  excludeApplications: fc.constantFrom([], ["MicrosoftAdminPortals"], [APP.microsoftGraph]),
  includeUserActions: fc.constantFrom([], ["urn:user:registersecurityinfo"]),
  clientAppTypes: fc.constantFrom(["all"], ["browser"], ["mobileAppsAndDesktopClients", "other"]),
  platforms: fc.option(
    fc.record({
      includePlatforms: fc.constantFrom(["all"], ["windows", "linux"]),
      excludePlatforms: sub(["windows", "iOS", "android", "macOS"]),
    }),
    { nil: null },
  ),
  locations: fc.option(
    fc.record({
      includeLocations: fc.constantFrom(["All"], ["ip0"], ["ctry"]),
      excludeLocations: sub(["AllTrusted", "ip1", "ctry"]),
    }),
    { nil: null },
  ),
  signInRiskLevels: sub(["low", "medium", "high"]),
  userRiskLevels: sub(["high"]),
  state: fc.constantFrom("enabled", "enabled", "enabledForReportingButNotEnforced"),
  grant: grantArb,
});

const tenantArb = fc.record({
  policies: fc.array(policyArb, { minLength: 1, maxLength: 4 }),
  ip0: sub(CIDRS).filter((x) => x.length > 0),
  ip1: sub(CIDRS).filter((x) => x.length > 0),
  ip0Trusted: fc.boolean(),
  countries: sub(COUNTRIES).filter((x) => x.length > 0),
  unknownCountries: fc.boolean(),
  u1InG1: fc.boolean(),
  u1EligibleGa: fc.boolean(),
});

/** The first policy is an enforced block on All users (its conditions still random): lockouts are common. */
const lockoutProneArb = tenantArb.map((t) => ({
  ...t,
  policies: t.policies.map((p, i) =>
    i === 0
      ? {
          ...p,
          includeUsers: ["All"],
          excludeUsers: [],
          excludeGroups: [],
          excludeRoles: [],
          state: "enabled",
          grant: { operator: "OR", builtInControls: ["block"] },
        }
      : p,
  ),
}));

function build(t: fc.infer<typeof tenantArb>) {
  const snap = tenant({
    users: [
      { id: "u0", userPrincipalName: "u0@c.onmicrosoft.com", authenticationMethods: [fido2()] },
      { id: "u1", userPrincipalName: "u1@c.com", authenticationMethods: [authenticator()] },
      { id: "u2", userPrincipalName: "u2@c.com", authenticationMethods: [] },
    ],
    groups: [
      {
        id: "g0",
        displayName: "G0",
        members: [
          { "@odata.type": "#microsoft.graph.group", id: "g1" },
          { "@odata.type": "#microsoft.graph.user", id: "u0" },
        ],
      },
      {
        id: "g1",
        displayName: "G1",
        members: t.u1InG1 ? [{ "@odata.type": "#microsoft.graph.user", id: "u1" }] : [],
      },
    ],
    roleAssignments: [{ id: "ra", principalId: "u0", roleDefinitionId: GA, directoryScopeId: "/" }],
    roleEligibilitySchedules: t.u1EligibleGa
      ? [{ id: "es", principalId: "u1", roleDefinitionId: GA, directoryScopeId: "/", status: "Provisioned" }]
      : [],
    namedLocations: [
      ipLocation("ip0", t.ip0, t.ip0Trusted),
      ipLocation("ip1", t.ip1),
      countryLocation("ctry", t.countries, t.unknownCountries),
    ],
    conditionalAccessPolicies: t.policies.map((p, i) =>
      policy({
        id: `p${i}`,
        state: p.state,
        users: {
          includeUsers: p.includeUsers,
          includeGroups: p.includeGroups,
          includeRoles: p.includeRoles,
          excludeUsers: p.excludeUsers,
          excludeGroups: p.excludeGroups,
          excludeRoles: p.excludeRoles,
        },
        apps: {
          includeApplications: p.includeApplications,
          excludeApplications: p.excludeApplications,
          includeUserActions: p.includeUserActions,
        },
        clientAppTypes: p.clientAppTypes,
        platforms: p.platforms,
        locations: p.locations,
        signInRiskLevels: p.signInRiskLevels,
        userRiskLevels: p.userRiskLevels,
        grant: p.grant,
      }),
    ),
  });
  return snap;
}

/** The finite concrete domain of the brute force. */
function domain(t: fc.infer<typeof tenantArb>): SignIn[] {
  const ips = [...new Set([...t.ip0, ...t.ip1])].map((c) => {
    const r = parseCidr(c)!;
    return formatAddress(r.family, r.start);
  });
  ips.push("203.0.113.7");
  const countries: Array<string | null> = [...t.countries, "JP", null];
  const targets: Target[] = [
    { kind: "app", appId: APP.azurePortal },
    { kind: "app", appId: APP.azureManagement },
    { kind: "app", appId: APP.microsoftGraph },
    { kind: "userAction", action: "registerSecurityInformation" },
  ];
  const risks: RiskLevel[] = ["none", "low", "medium", "high"];
  const out: SignIn[] = [];
  for (const target of targets)
    for (const clientAppType of ["browser", "mobileAppsAndDesktopClients"] as const)
      for (const platform of PLATFORMS)
        for (const ip of ips)
          for (const country of countries)
            for (const mfaTrustedIp of [false, true])
              for (const signInRisk of risks)
                for (const userRisk of risks)
                  out.push({
                    target,
                    clientAppType,
                    platform,
                    location: { ip, country, mfaTrustedIp },
                    signInRisk,
                    userRisk,
                    insiderRisk: "none",
                    device: null,
                    authFlow: "none",
                  });
  return out;
}

describe("prover vs brute force", () => {
  it("finds every lockout brute force finds, and prints only real ones", () => {
    const envelope = Envelope.parse({});
    fc.assert(
      fc.property(tenantArb, (t) => {
        const snap = build(t);
        const engine = engineOf(snap);
        const points = domain(t);
        for (const user of ["u0", "u1", "u2"]) {
          const cap = capabilityOf(snap, engine.directory, user);
          const eligible = eligibleRoles(engine.directory, user);
          const variants = eligible.length ? [[], eligible] : [[]];
          let bruteLockout: SignIn | undefined;
          for (const activated of variants) {
            const identity = identityOf(engine.directory, user, { activated });
            for (const s of points) {
              if (evaluateSignIn(engine, identity, s, { capability: cap }).outcome.verdict !== "allowed") {
                bruteLockout = s;
                break;
              }
            }
            if (bruteLockout) break;
          }
          const proof = proveAccount(engine, user, { envelope });
          if (bruteLockout)
            expect(proof.status, `${user} locked out at ${JSON.stringify(bruteLockout)}`).not.toBe("proven");
          for (const ce of proof.counterExamples) {
            const identity = identityOf(engine.directory, user, { activated: ce.activatedRoles });
            expect(evaluateSignIn(engine, identity, ce.signIn, { capability: cap }).outcome.verdict).not.toBe(
              "allowed",
            );
          }
        }
      }),
      { numRuns: 40, seed: 20261122 },
    );
  });

  it("finds every tenant-wide lockout brute force finds, and prints only real ones", () => {
    const envelope = Envelope.parse({});
    const recovery: Target[] = [
      { kind: "app", appId: APP.azurePortal },
      { kind: "app", appId: APP.azureManagement },
      { kind: "app", appId: APP.microsoftGraph },
    ];
    const directory: Target = { kind: "app", appId: APP.azureAdGraph };
    fc.assert(
      fc.property(lockoutProneArb, (t) => {
        const snap = build(t);
        const engine = engineOf(snap);
        const admins = [...engine.directory.privilegedUserIds()].map((id) => ({
          identity: identityOf(engine.directory, id, { activated: eligibleRoles(engine.directory, id) }),
          cap: capabilityOf(snap, engine.directory, id),
        }));
        const allowed = (a: (typeof admins)[number], s: SignIn, target: Target) =>
          evaluateSignIn(engine, a.identity, { ...s, target }, { capability: a.cap }).outcome.verdict ===
          "allowed";
        const locked = (s: SignIn) =>
          admins.every((a) => !allowed(a, s, directory) || !recovery.some((r) => allowed(a, s, r)));
        const bases = domain(t).filter((s) => s.target.kind === "app" && s.target.appId === APP.azurePortal);
        const bruteLockout = bases.find(locked);
        const proof = proveAllAdmins(engine, { envelope });
        if (bruteLockout) expect(proof.lockoutClasses, JSON.stringify(bruteLockout)).toBeGreaterThan(0);
        for (const l of proof.lockouts) expect(locked(l.signIn)).toBe(true);
      }),
      { numRuns: 40, seed: 20261123 },
    );
  });
});
