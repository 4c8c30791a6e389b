/** Prover behaviour beyond brute force: PIM activation, paths, envelope knobs (docs/ca-semantics.md §6 Step C, §7). */
import { describe, expect, it } from "vitest";
import { describeCounterExample, describeSignIn } from "../../src/ca/format.js";
import type { SignIn } from "../../src/ca/types.js";
import { proveAccount } from "../../src/ca/prover.js";
import { evaluateWhatIf } from "../../src/ca/whatif.js";
import { whatIfRequestOf } from "../../src/ca/format.js";
import { Envelope } from "../../src/config/schema.js";
import { block, engineOf, GA, ipLocation, policy, strengthGrant, tenant } from "./fixtures.js";

const env = (e: Record<string, unknown> = {}) => Envelope.parse(e);
const PR = "00000000-0000-0000-0000-000000000004";

describe("prover", () => {
  it("finds the lockout that appears only after a PIM activation, and says so", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        policy({
          id: "ga-pr",
          name: "GA phishing-resistant",
          users: { includeUsers: [], includeRoles: [GA] },
          grant: strengthGrant(PR),
        }),
      ],
    });
    const proof = proveAccount(engineOf(snap), "bob", { envelope: env() });
    expect(proof.status).toBe("refuted");
    const ce = proof.counterExamples[0]!;
    expect(ce.activatedRoles).toEqual([GA.toLowerCase()]);
    expect(describeCounterExample(ce)).toContain("via role Global Administrator, eligible, once activated");
  });
  it("names nested-group paths in counter-examples", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        policy({
          id: "b",
          name: "Block outer",
          users: { includeUsers: [], includeGroups: ["gOuter"] },
          grant: block,
        }),
      ],
    });
    const proof = proveAccount(engineOf(snap), "bg2", { envelope: env() });
    expect(proof.status).toBe("refuted");
    expect(describeCounterExample(proof.counterExamples[0]!)).toContain("via group Outer, nested in Inner");
  });
  it("a counter-example replays in What If with the blocking policy applying", () => {
    const snap = tenant({
      namedLocations: [ipLocation("office", ["10.0.0.0/8"], true)],
      conditionalAccessPolicies: [
        policy({
          id: "b",
          name: "Block untrusted",
          locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
          grant: block,
        }),
      ],
    });
    const proof = proveAccount(engineOf(snap), "bg1", { envelope: env() });
    const ce = proof.counterExamples.find(
      (c) => !c.signIn.location.mfaTrustedIp && c.signIn.target.kind === "app",
    )!;
    const replay = evaluateWhatIf(whatIfRequestOf("bg1", ce.signIn), snap);
    expect(replay.find((x) => x.id === "b")!.policyApplies).toBe(true);
  });
  it("honours the envelope: a compliant workstation meets a compliant-device grant", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        policy({ id: "c", grant: { operator: "OR", builtInControls: ["compliantDevice"] } }),
      ],
    });
    const e = engineOf(snap);
    expect(proveAccount(e, "bg1", { envelope: env() }).status).toBe("refuted");
    expect(
      proveAccount(e, "bg1", { envelope: env({ device: "compliant", platforms: ["windows"] }) }).status,
    ).toBe("proven");
  });
  it("honours the envelope: sign-ins only from a named location", () => {
    const snap = tenant({
      namedLocations: [ipLocation("office", ["10.0.0.0/8"], true)],
      conditionalAccessPolicies: [
        policy({
          id: "b",
          locations: { includeLocations: ["All"], excludeLocations: ["office"] },
          grant: block,
        }),
      ],
    });
    const e = engineOf(snap);
    expect(proveAccount(e, "bg1", { envelope: env() }).status).toBe("refuted");
    expect(proveAccount(e, "bg1", { envelope: env({ locations: ["office"] }) }).status).toBe("proven");
  });
  it("a legacy-client block fails nothing in the default envelope, but does in a legacy one", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        policy({ id: "l", clientAppTypes: ["exchangeActiveSync", "other"], grant: block }),
      ],
    });
    const e = engineOf(snap);
    expect(proveAccount(e, "bg1", { envelope: env() }).status).toBe("proven");
    expect(proveAccount(e, "bg1", { envelope: env({ clientAppTypes: ["browser", "other"] }) }).status).toBe(
      "refuted",
    );
  });
  it("a condition it cannot decide makes the proof undecided, never proven", () => {
    const snap = tenant({
      conditionalAccessPolicies: [
        policy({
          id: "t",
          grant: block,
          apps: {
            includeApplications: [],
            applicationFilter: { mode: "include", rule: 'CustomSecurityAttribute.x -eq "y"' },
          },
        }),
      ],
    });
    expect(proveAccount(engineOf(snap), "bg1", { envelope: env() }).status).toBe("undecided");
  });
  it("counts far more What If calls than classes walked", () => {
    const snap = tenant({
      namedLocations: [ipLocation("a", ["10.0.0.0/8"]), ipLocation("b", ["10.1.0.0/16"], true)],
      conditionalAccessPolicies: [
        policy({
          id: "x",
          users: { excludeGroups: ["gEmergency"] },
          locations: { includeLocations: ["a"], excludeLocations: ["b"] },
          signInRiskLevels: ["high"],
          grant: block,
        }),
      ],
    });
    const p = proveAccount(engineOf(snap), "bg1", { envelope: env() });
    expect(p.status).toBe("proven");
    expect(p.whatIfCalls).toBeGreaterThan(p.classes * 3);
  });
});

describe("a sign-in in words", () => {
  const base: SignIn = {
    target: { kind: "app", appId: "797f4846-ba00-4fd7-ba43-dac1f8f63013" },
    clientAppType: "browser",
    platform: "android",
    location: { ip: "8.8.8.8", country: "BY" },
    signInRisk: "none",
    userRisk: "none",
    insiderRisk: "none",
    device: null,
    authFlow: "none",
  };
  it("never shows a sample IP beside a country it may not be in", () => {
    const words = describeSignIn(base);
    expect(words).toContain("country BY");
    expect(words).not.toContain("8.8.8.8");
  });
  it("shows the IP where no country is claimed for it", () => {
    expect(describeSignIn({ ...base, location: { ip: "8.8.8.8", country: null } })).toContain(
      "IP 8.8.8.8, unknown country",
    );
  });
});
