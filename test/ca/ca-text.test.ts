/**
 * `ca prove` and `ca check-change` in plain language (src/report/ca-text.ts): each kind of
 * counter-example as a sentence built from the engine's result, the IP never shown beside a
 * country, the coverage in words, and changed outcomes grouped by policy and account.
 */
import { describe, expect, it } from "vitest";
import { checkChange } from "../../src/ca/change.js";
import { describeCounterExample } from "../../src/ca/format.js";
import { CaEngine } from "../../src/ca/engine.js";
import { coverageOf, locationFacts } from "../../src/ca/explain.js";
import { proveAccount } from "../../src/ca/prover.js";
import type { Envelope } from "../../src/config/schema.js";
import { Config } from "../../src/config/schema.js";
import {
  type CaTextContext,
  changeLines,
  counterExampleInWords,
  coverageInWords,
  proofLines,
} from "../../src/report/ca-text.js";
import { Directory } from "../../src/snapshot/directory.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { block, countryLocation, GA, ipLocation, policy, type PolicySpec, tenant } from "./fixtures.js";

const FEITIAN = "260e3021-482d-442d-838c-7edfbe153b7e";
const YUBIKEY_NFC = "fa2b99dc-9e39-4257-8f92-4a30d23c4118";
const TOKEN2 = "ab32f0c6-2239-afbb-c470-d2ef4e254db7";

const envelopeOf = (e: Record<string, unknown> = {}): Envelope =>
  Config.parse({ profile: { envelope: e } }).profile.envelope;

const key = (aaGuid: string) => ({
  "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
  id: `k-${aaGuid}`,
  aaGuid,
  attestationLevel: "attested",
});

/** A tenant whose emergency account bg1 holds a YubiKey and a Feitian key. */
function snapshotWith(policies: PolicySpec[], extra: Record<string, unknown> = {}): Snapshot {
  const base = tenant({ conditionalAccessPolicies: policies.map(policy), ...extra });
  const bg1 = base.users!.find((u) => u.id === "bg1")!;
  bg1.authenticationMethods = [key(YUBIKEY_NFC), key(FEITIAN)];
  return base;
}

function prove(snapshot: Snapshot, envelope: Envelope = envelopeOf()) {
  const engine = new CaEngine(snapshot, new Directory(snapshot));
  const ctx: CaTextContext = {
    locationOf: (s) => locationFacts(engine, s.location),
    roleName: (id) => (id === GA ? "Global Administrator" : undefined),
  };
  const proof = proveAccount(engine, "bg1", { envelope });
  return { proof, ctx, engine, sentences: proof.counterExamples.map((c) => counterExampleInWords(c, ctx)) };
}

/** A policy on everyone requiring the built-in phishing-resistant strength. */
const PHISH_RESISTANT: PolicySpec = {
  name: "Phish-resistant",
  grant: {
    operator: "OR",
    builtInControls: [],
    authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" },
  },
};

const IP = /\b\d{1,3}(\.\d{1,3}){3}\b|\b[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}\b/i;

describe("ca prove counter-examples in words", () => {
  it("names the strength and the account's key models its allowed models leave out", () => {
    const strength = {
      id: "hw",
      displayName: "Core - hardware keys",
      allowedCombinations: ["fido2"],
      combinationConfigurations: [
        {
          "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
          id: "c1",
          appliesToCombinations: ["fido2"],
          allowedAAGUIDs: [TOKEN2],
        },
      ],
    };
    const { proof, sentences } = prove(
      snapshotWith(
        [
          {
            name: "CA000",
            users: { includeUsers: ["bg1"] },
            grant: { operator: "OR", builtInControls: [], authenticationStrength: { id: "hw" } },
          },
        ],
        {
          authenticationStrengthPolicies: [strength],
        },
      ),
      envelopeOf({ platforms: ["windows"] }),
    );
    expect(proof.status).toBe("refuted");
    expect(sentences[0]).toMatch(
      /^bg1@contoso\.onmicrosoft\.com cannot sign in to the Azure portal from a browser on an unregistered Windows device .*: 'CA000' requires the strength 'Core - hardware keys', whose allowed key models do not include either of the account's keys \(YubiKey 5 Series with NFC, Feitian ePass FIDO2-NFC Plus Authenticator\)/,
    );
  });

  it("reads as a sentence in check evidence too (src/ca/format.ts)", () => {
    const snapshot = snapshotWith([PHISH_RESISTANT]);
    snapshot.users!.find((u) => u.id === "bg1")!.authenticationMethods = [];
    const { proof } = prove(snapshot, envelopeOf({ platforms: ["linux"] }));
    const text = describeCounterExample(proof.counterExamples[0]!);
    expect(text).toMatch(
      /: refused: "Phish-resistant" requires Phishing-resistant MFA, which no registered, enabled method of the account meets/,
    );
    expect(text).not.toMatch(/ is cannot meet|requires no registered/);
  });

  it("says which policy blocks, by its name", () => {
    const { sentences } = prove(
      snapshotWith([{ name: "Block all", users: { includeUsers: ["All"] }, grant: block }]),
    );
    expect(sentences[0]).toMatch(
      /cannot sign in to .* from a browser on an unregistered .* device .*: 'Block all' blocks it/,
    );
    expect(sentences[0]).not.toMatch(/cannot meet|is cannot/);
  });

  it("says a device grant needs a compliant device, and which device the sign-in had", () => {
    const { sentences } = prove(
      snapshotWith([
        { name: "Compliant only", grant: { operator: "OR", builtInControls: ["compliantDevice"] } },
      ]),
      envelopeOf({ platforms: ["macOS"] }),
    );
    expect(sentences[0]).toMatch(
      /from a browser on an unregistered macOS device .*: 'Compliant only' requires a compliant device/,
    );
  });

  it("names the country, its named location, and the IP range by name, never an address", () => {
    const { sentences } = prove(
      snapshotWith(
        [
          {
            name: "Austria blocked",
            locations: { includeLocations: ["at"], excludeLocations: [] },
            grant: block,
          },
        ],
        {
          namedLocations: [countryLocation("at", ["AT"]), ipLocation("HQ", ["203.0.113.0/24"])],
        },
      ),
    );
    expect(sentences.length).toBeGreaterThan(0);
    for (const s of sentences) {
      expect(s).toMatch(/ in Austria \('at'\), from an address (in 'HQ'|outside every named IP range)/);
      expect(s).not.toMatch(IP);
    }
  });

  it("words a country no named location lists, and an address with no known country", () => {
    const other = prove(
      snapshotWith(
        [
          {
            name: "Only Austria",
            locations: { includeLocations: ["All"], excludeLocations: ["at"] },
            grant: block,
          },
        ],
        { namedLocations: [countryLocation("at", ["AT"])] },
      ),
    ).sentences;
    expect(other.length).toBeGreaterThan(0);
    for (const s of other)
      expect(s).toMatch(/ in a country no named location lists \(such as [A-Z][a-z]+\): /);
    const unknown = prove(
      snapshotWith(
        [
          {
            name: "No country",
            locations: { includeLocations: ["unk"], excludeLocations: [] },
            grant: block,
          },
        ],
        { namedLocations: [countryLocation("unk", [], true), countryLocation("at", ["AT"])] },
      ),
    ).sentences;
    expect(unknown.length).toBeGreaterThan(0);
    for (const s of [...other, ...unknown]) expect(s).not.toMatch(IP);
    for (const s of unknown)
      expect(s).toMatch(/ from an address with no known country: 'No country' blocks it/);
  });

  it("leaves the location out where no named location tells places apart", () => {
    const { sentences } = prove(snapshotWith([{ name: "Block all", grant: block }]));
    for (const s of sentences) expect(s).toMatch(/ device from any location: 'Block all' blocks it/);
  });

  it("says the risk level of a risky sign-in", () => {
    const { sentences } = prove(
      snapshotWith([{ name: "High risk blocked", signInRiskLevels: ["high"], grant: block }]),
    );
    expect(sentences.length).toBeGreaterThan(0);
    for (const s of sentences) expect(s).toMatch(/, at high sign-in risk: 'High risk blocked' blocks it/);
  });

  it("says an account's only method is not one the strength takes", () => {
    const snapshot = snapshotWith([PHISH_RESISTANT]);
    snapshot.users!.find((u) => u.id === "bg1")!.authenticationMethods = [];
    const { sentences } = prove(snapshot, envelopeOf({ platforms: ["linux"] }));
    expect(sentences[0]).toMatch(
      /'Phish-resistant' requires the strength 'Phishing-resistant MFA', which none of the account's methods \(password\) meets; Microsoft's mandatory MFA for admin portals requires multifactor authentication, which none of the account's methods \(password\) meets/,
    );
  });

  it("says Windows Hello for Business needs a registered Windows device", () => {
    const snapshot = snapshotWith([PHISH_RESISTANT]);
    snapshot.users!.find((u) => u.id === "bg1")!.authenticationMethods = [
      { "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod", id: "whfb" },
    ];
    const { sentences } = prove(snapshot, envelopeOf({ platforms: ["windows"] }));
    expect(sentences[0]).toContain(
      "'Phish-resistant' requires the strength 'Phishing-resistant MFA', which the account's Windows Hello for Business would meet, but it works only on a registered Windows device",
    );
  });

  it("says a key the Authentication methods policy leaves off is not usable, and why", () => {
    const snapshot = snapshotWith(
      [
        {
          name: "Phish-resistant",
          grant: {
            operator: "OR",
            builtInControls: [],
            authenticationStrength: { id: "00000000-0000-0000-0000-000000000004" },
          },
        },
      ],
      {
        authenticationMethodsPolicy: {
          id: "authenticationMethodsPolicy",
          authenticationMethodConfigurations: [{ id: "Fido2", state: "disabled", includeTargets: [] }],
        },
      },
    );
    const { sentences } = prove(snapshot, envelopeOf({ platforms: ["windows"] }));
    expect(sentences[0]).toContain(
      "which the account's FIDO2 security key (YubiKey 5 Series with NFC) would meet, but it is not usable: fido2 is not enabled in the Authentication methods policy",
    );
  });

  it("says a legacy client cannot present MFA", () => {
    const { sentences } = prove(
      snapshotWith([{ name: "MFA for all" }]),
      envelopeOf({ platforms: ["windows"], clientAppTypes: ["exchangeActiveSync"] }),
    );
    expect(sentences[0]).toMatch(
      /from an Exchange ActiveSync client .*: 'MFA for all' requires multifactor authentication, which a legacy client \(Exchange ActiveSync\) cannot present/,
    );
  });

  it("shows a few counter-examples and counts the rest, never dropping them silently", () => {
    const { proof, ctx } = prove(snapshotWith([{ name: "Block all", grant: block }]));
    const lines = proofLines(proof, ctx, 2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^REFUTED  bg1@contoso\\.onmicrosoft\\.com: ${proof.failingClasses} of ${proof.classes} sign-in classes fail`,
      ),
    );
    expect(lines.filter((l) => l.startsWith("  - "))).toHaveLength(2);
    const left = proof.failingClasses - 2;
    expect(left).toBeGreaterThan(0);
    expect(lines.at(-1)).toContain(`${left} more failing ${left === 1 ? "class" : "classes"} not shown`);
  });

  it("puts the coverage in words", () => {
    const snapshot = snapshotWith(
      [
        {
          name: "Only Austria",
          locations: { includeLocations: ["All"], excludeLocations: ["at"] },
          grant: block,
        },
      ],
      {
        namedLocations: [countryLocation("at", ["AT"])],
      },
    );
    const engine = new CaEngine(snapshot, new Directory(snapshot));
    const words = coverageInWords(
      coverageOf(engine, envelopeOf({ platforms: ["windows", "iOS"], riskLevels: ["none", "high"] })),
    );
    expect(words).toContain("resources: the Azure portal, the Microsoft 365 admin center");
    expect(words).toContain("and registering security info");
    expect(words).toContain("clients: browsers and mobile and desktop apps");
    expect(words).toContain("platforms: Windows and iOS");
    expect(words).toMatch(/locations \(\d+ kinds\): Austria and any country no named location lists/);
    expect(words).toContain("sign-in risk none or high; user risk none or high");
    expect(words).toContain("devices: unregistered");
  });
});

describe("ca check-change grouped by policy and account", () => {
  const snapshot = snapshotWith([]);
  const directory = new Directory(snapshot);
  const edits = [
    policy({
      id: "new1",
      name: "Block outside Austria",
      locations: { includeLocations: ["All"], excludeLocations: ["at"] },
      grant: block,
    }),
    policy({ id: "new2", name: "Block high risk", signInRiskLevels: ["high"], grant: block }),
  ];
  const withLocations = { ...snapshot, namedLocations: [countryLocation("at", ["AT"])] } as Snapshot;
  const run = (allClasses: boolean) =>
    checkChange(withLocations, directory, ["bg1", "bg2"], edits, {
      envelope: envelopeOf(),
      allAdmins: false,
      allClasses,
    });
  const ctx: CaTextContext = {
    locationOf: (s) => locationFacts(new CaEngine(withLocations, directory), s.location),
  };

  it("counts every changed class in a group, however many", () => {
    const report = run(false);
    expect(report.changedClasses).toBeGreaterThan(report.groups.length);
    expect(report.groups.reduce((n, g) => n + g.classes, 0)).toBe(report.changedClasses);
    // by policy (the two new ones, and both together where both block) and by account
    expect(new Set(report.groups.map((g) => g.userId))).toEqual(new Set(["bg1", "bg2"]));
    expect(report.groups.every((g) => g.lockout && g.policies.length > 0)).toBe(true);
  });

  it("prints one example per group with the count of the rest", () => {
    const report = run(false);
    const lines = changeLines(report, ctx, { all: false });
    expect(lines[0]).toBe(
      `CHANGED  ${report.changedClasses} sign-in classes change outcome for 2 emergency accounts, in ${report.groups.length} groups by policy and account`,
    );
    expect(lines).toContain("  'Block outside Austria':");
    expect(lines.filter((l) => l.trimStart().startsWith("e.g. "))).toHaveLength(report.groups.length);
    const more = lines.filter((l) => l.includes("more in this group (--all lists every class)"));
    const counted = more.reduce((n, l) => n + Number(/and (\d+) more/.exec(l)![1]), 0);
    expect(counted + report.groups.length).toBe(report.changedClasses);
  });

  it("lists every class with --all", () => {
    const report = run(true);
    const lines = changeLines(report, ctx, { all: true });
    expect(lines.filter((l) => l.trimStart().startsWith("- "))).toHaveLength(report.changedClasses);
    expect(lines.some((l) => l.includes("--all lists"))).toBe(false);
    for (const l of lines) expect(l).not.toMatch(IP);
  });
});
