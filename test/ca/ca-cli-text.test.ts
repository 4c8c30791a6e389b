/**
 * `breakglass ca prove | check-change` as a person runs them: plain-language output, policy files
 * in Graph and Graph PowerShell form (the sample in examples/policies/), a malformed file refused
 * naming its field, hostile policy names made safe for the terminal, JSON that keeps its shape.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { block, policy, tenant } from "./fixtures.js";

const ROOT = join(import.meta.dirname, "../..");
const GOOD = [
  "--snapshot",
  join(ROOT, "fixtures/tenants/good.json"),
  "--config",
  join(ROOT, "fixtures/tenants/good.breakglass.yaml"),
];
const PROVE_MIDSIZE = [
  "ca",
  "prove",
  "--snapshot",
  join(ROOT, "fixtures/tenants/midsize.json"),
  "--config",
  join(ROOT, "fixtures/tenants/midsize.breakglass.yaml"),
];
const SAMPLE = join(ROOT, "examples/policies/block-outside-allowed-countries.json");
const SAMPLE_PS = join(ROOT, "examples/policies/block-outside-allowed-countries.powershell.json");
const dir = mkdtempSync(join(tmpdir(), "bg-ca-text-"));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, "write").mockImplementation((c) => (out.push(String(c)), true));
  const se = vi.spyOn(process.stderr, "write").mockImplementation((c) => (err.push(String(c)), true));
  try {
    const code = await main(["node", "breakglass", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = undefined;
  }
}

describe("ca check-change on the sample policy", () => {
  it("reads the Graph and the PowerShell form alike", async () => {
    const graph = await run(["ca", "check-change", ...GOOD, "--policy", SAMPLE, "--format", "json"]);
    const ps = await run(["ca", "check-change", ...GOOD, "--policy", SAMPLE_PS, "--format", "json"]);
    expect(graph.code).toBe(1);
    expect(ps.code).toBe(1);
    const g = JSON.parse(graph.stdout);
    expect(JSON.parse(ps.stdout)).toEqual(g);
    // The structured shape stays, with the groups added.
    expect(g).toMatchObject({
      changedClasses: expect.any(Number),
      changes: expect.any(Array),
      createsTenantLockout: true,
    });
    expect(g.groups.reduce((n: number, x: { classes: number }) => n + x.classes, 0)).toBe(g.changedClasses);
  });

  it("prints the groups in words, and every class with --all", async () => {
    const compact = await run(["ca", "check-change", ...GOOD, "--policy", SAMPLE]);
    expect(compact.code).toBe(1);
    expect(compact.stdout).toMatch(
      /^CHANGED {2}6 sign-in classes change outcome for 2 emergency accounts, in 2 groups by policy and account$/m,
    );
    expect(compact.stdout).toContain("  'CA010 - All users - Block outside allowed countries (draft)':");
    expect(compact.stdout).toMatch(
      /LOCKOUT zt4p9w@contosomedical\.onmicrosoft\.com: 3 classes allowed before, blocked by 'CA010 - All users - Block outside allowed countries \(draft\)' after/,
    );
    expect(compact.stdout).toContain("... and 2 more in this group (--all lists every class)");
    const all = await run(["ca", "check-change", ...GOOD, "--policy", SAMPLE, "--all"]);
    expect(all.stdout.split("\n").filter((l) => l.startsWith("      - "))).toHaveLength(6);
    expect(all.stdout).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b/);
  });

  it("refuses a malformed PowerShell policy file, naming the field (exit 2)", async () => {
    const bad = JSON.parse(readFileSync(SAMPLE_PS, "utf8"));
    bad.GrantControls.BuiltInControls = ["blok"];
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(bad));
    const r = await run(["ca", "check-change", ...GOOD, "--policy", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "bad.json: not a valid conditionalAccessPolicy (Graph PowerShell form): GrantControls.BuiltInControls.0: expected one of block",
    );
    expect(r.stdout).toBe("");
  });
});

describe("ca prove in words", () => {
  it("prints counter-examples as sentences and the coverage", async () => {
    const r = await run([...PROVE_MIDSIZE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /cannot sign in to the Azure portal from a browser on an unregistered \S+ device in Austria .*: '[^']+' requires the strength 'Core - hardware keys', whose allowed key models do not include any of the account's 3 keys \(Feitian ePass FIDO2-NFC Plus Authenticator, TOKEN2 FIDO2 Security Key, Microsoft Authenticator \(Android\)\)/,
    );
    expect(r.stdout).toMatch(
      /^Covered: resources: the Azure portal, .* clients: browsers and mobile and desktop apps\. platforms: .* locations \(\d+ kinds\): Austria, Belarus and any country no named location lists/m,
    );
    expect(r.stdout).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b|is cannot meet/);
  });

  it("keeps the JSON shape, adding the sentence, the location facts and the coverage", async () => {
    const r = await run([...PROVE_MIDSIZE, "--format", "json"]);
    const doc = JSON.parse(r.stdout);
    const ce = doc.accounts.find((a: { status: string }) => a.status === "refuted").counterExamples[0];
    expect(ce).toMatchObject({
      signIn: expect.any(Object),
      outcome: expect.any(Object),
      whatIfRequest: expect.any(Object),
    });
    expect(ce.text).toMatch(/cannot sign in to/);
    expect(ce.location).toMatchObject({ country: "AT", countryLocations: ["Allowed countries"] });
    expect(ce.outcome.requirements[0].atoms[0].shortfall).toMatchObject({
      kind: "strength",
      keysNotAllowed: { accountKeys: expect.any(Array) },
    });
    expect(doc.coverage.platforms).toContain("windows");
  });

  it("makes a hostile policy name safe for the terminal", async () => {
    const snap = tenant({
      conditionalAccessPolicies: [policy({ name: "Evil\u001b[2J\nBG\u0007", grant: block })],
    });
    const file = join(dir, "hostile.json");
    writeFileSync(file, JSON.stringify(snap));
    const r = await run(["ca", "prove", "--snapshot", file, "--accounts", "bg1"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("blocks it");
    // eslint-disable-next-line no-control-regex -- the point: no control character reaches the terminal
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(r.stdout.split("\n").every((l) => !l.startsWith("BG"))).toBe(true);
  });
});
