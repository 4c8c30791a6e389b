/** What If emulation (docs/ca-semantics.md §3; docs/graph-contract.md §11) and the CLI around it. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APP } from "../../src/ca/catalogue.js";
import { checkChange } from "../../src/ca/change.js";
import { proveAllAdmins } from "../../src/ca/prover.js";
import { evaluateWhatIf, WhatIfRequestError, whatIfResponse } from "../../src/ca/whatif.js";
import { main } from "../../src/cli/main.js";
import { Envelope } from "../../src/config/schema.js";
import { Directory } from "../../src/snapshot/directory.js";
import { block, countryLocation, engineOf, GA, policy, strengthGrant, tenant } from "./fixtures.js";

const snap = tenant({
  namedLocations: [countryLocation("us", ["US"])],
  conditionalAccessPolicies: [
    policy({ id: "mfa", name: "MFA all", users: { excludeGroups: ["gEmergency"] } }),
    policy({
      id: "geo",
      name: "Block outside US",
      locations: { includeLocations: ["All"], excludeLocations: ["us"] },
      users: { excludeGroups: ["gEmergency"] },
      grant: block,
    }),
    policy({
      id: "ro",
      name: "Report-only risk",
      state: "enabledForReportingButNotEnforced",
      signInRiskLevels: ["high"],
    }),
    policy({ id: "off", name: "Disabled", state: "disabled" }),
  ],
});

const request = (conditions: Record<string, unknown>, user = "alice") => ({
  signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: user },
  signInContext: {
    "@odata.type": "#microsoft.graph.applicationContext",
    includeApplications: [APP.exchangeOnline],
  },
  signInConditions: { devicePlatform: "windows", clientAppType: "browser", ...conditions },
});

describe("What If", () => {
  it("returns every policy with policyApplies and analysisReasons", () => {
    const r = evaluateWhatIf(
      request({ country: "FR", ipAddress: "40.77.182.32", signInRiskLevel: "high" }),
      snap,
    );
    const by = Object.fromEntries(r.map((x) => [x.id, x]));
    expect(by.mfa).toMatchObject({ policyApplies: true, analysisReasons: "notSet", displayName: "MFA all" });
    expect(by.geo!.policyApplies).toBe(true);
    expect(by.ro).toMatchObject({ policyApplies: true, state: "enabledForReportingButNotEnforced" });
    expect(by.off).toMatchObject({ policyApplies: false, analysisReasons: "policyNotEnabled" });
  });
  it("does not apply a policy whose signal is missing", () => {
    const by = Object.fromEntries(evaluateWhatIf(request({}), snap).map((x) => [x.id, x]));
    expect(by.geo).toMatchObject({ policyApplies: false, analysisReasons: "location" });
    expect(by.ro).toMatchObject({ policyApplies: false, analysisReasons: "signInRisk" });
  });
  it("reports users for an excluded account and honours appliedPoliciesOnly", () => {
    const all = evaluateWhatIf(request({ country: "FR" }, "bg1"), snap);
    expect(all.find((x) => x.id === "mfa")!.analysisReasons).toBe("users");
    expect(evaluateWhatIf({ ...request({ country: "FR" }, "bg1"), appliedPoliciesOnly: true }, snap)).toEqual(
      [],
    );
  });
  it("accepts the older beta shape", () => {
    const body = {
      conditionalAccessWhatIfSubject: { "@odata.type": "#microsoft.graph.userSubject", userId: "alice" },
      conditionalAccessContext: {
        "@odata.type": "#microsoft.graph.applicationContext",
        includeApplications: [APP.exchangeOnline],
      },
      conditionalAccessWhatIfConditions: {
        devicePlatform: "windows",
        clientAppType: "browser",
        country: "US",
      },
    };
    const res = whatIfResponse(body, snap, "beta");
    expect(res["@odata.context"]).toContain("whatIfAnalysisResult");
    expect(res.value.find((x) => x.id === "mfa")!.policyApplies).toBe(true);
  });
  it("rejects a request without identity or with a bad enum", () => {
    expect(() => evaluateWhatIf({ signInContext: {} }, snap)).toThrow(WhatIfRequestError);
    expect(() => evaluateWhatIf(request({ devicePlatform: "spaceRocket" }), snap)).toThrow(/devicePlatform/);
  });
});

describe("tenant-wide lockout and change pre-flight", () => {
  const env = Envelope.parse({});
  it("finds no tenant-wide lockout while one admin can get in", () => {
    const r = proveAllAdmins(engineOf(snap), { envelope: env });
    expect(r.admins).toBe(4);
    expect(r.lockoutClasses).toBe(0);
  });
  it("finds the lockout an all-users block creates, with a concrete sign-in", () => {
    const edited = tenant({ conditionalAccessPolicies: [policy({ id: "b", grant: block })] });
    const r = proveAllAdmins(engineOf(edited), { envelope: env });
    expect(r.lockoutClasses).toBe(r.classes);
    expect(r.lockouts[0]!.definite).toBe(true);
    expect(r.lockouts[0]!.signIn.target).toMatchObject({ kind: "app" });
  });
  it("a block on the admin portals alone leaves Graph as a recovery path", () => {
    const edited = tenant({
      conditionalAccessPolicies: [
        policy({ id: "b", grant: block, apps: { includeApplications: ["MicrosoftAdminPortals"] } }),
      ],
    });
    expect(proveAllAdmins(engineOf(edited), { envelope: env }).lockoutClasses).toBe(0);
  });
  it("excluding every recovery resource does not help when the directory itself is blocked", () => {
    const excluded = ["MicrosoftAdminPortals", APP.azureManagement, APP.microsoftGraph];
    const edited = tenant({
      conditionalAccessPolicies: [policy({ id: "b", grant: block, apps: { excludeApplications: excluded } })],
    });
    expect(proveAllAdmins(engineOf(edited), { envelope: env }).lockoutClasses).toBeGreaterThan(0);
  });
  it("flags a change that reaches an emergency account", () => {
    const s = tenant({
      conditionalAccessPolicies: [policy({ id: "mfa", users: { excludeGroups: ["gEmergency"] } })],
    });
    const edit = policy({ id: "mfa", users: { excludeGroups: [] } });
    const r = checkChange(s, new Directory(s), ["bg1", "bg2"], [edit], { envelope: env });
    expect(r.changedClasses).toBeGreaterThan(0);
    const ok = checkChange(
      s,
      new Directory(s),
      ["bg1", "bg2"],
      [policy({ id: "new", users: { includeUsers: ["alice"] } })],
      { envelope: env },
    );
    expect(ok.changedClasses).toBe(0);
    expect(ok.createsTenantLockout).toBe(false);
  });
  it("flags a change that locks every admin out", () => {
    const s = tenant({ conditionalAccessPolicies: [] });
    const r = checkChange(
      s,
      new Directory(s),
      [],
      [
        policy({
          id: "new",
          grant: strengthGrant("00000000-0000-0000-0000-000000000004"),
          users: { includeUsers: [], includeRoles: [GA] },
        }),
        policy({ id: "b2", grant: block, users: { excludeRoles: [GA] } }),
      ],
      { envelope: env },
    );
    expect(r.createsTenantLockout).toBe(false); // bg1/bg2 hold FIDO2 keys: they still get in
    const r2 = checkChange(s, new Directory(s), [], [policy({ id: "b3", grant: block })], { envelope: env });
    expect(r2.createsTenantLockout).toBe(true);
  });
});

describe("breakglass ca (CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bg-ca-"));
  const file = join(dir, "snap.json");
  writeFileSync(file, JSON.stringify(snap));
  const capture = async (argv: string[]) => {
    let text = "";
    const orig = process.stdout.write.bind(process.stdout);
    (process.stdout as any).write = (chunk: string) => ((text += chunk), true);
    process.exitCode = undefined;
    try {
      const code = await main(["node", "breakglass", ...argv]);
      return { code, text };
    } finally {
      (process.stdout as any).write = orig;
      process.exitCode = undefined;
    }
  };
  it("whatif prints the evaluate response", async () => {
    const { code, text } = await capture([
      "ca",
      "whatif",
      "--snapshot",
      file,
      "--user",
      "alice",
      "--app",
      APP.exchangeOnline,
      "--platform",
      "windows",
      "--country",
      "FR",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(text).value.find((x: any) => x.id === "geo").policyApplies).toBe(true);
  });
  it("prove exits 0 when the accounts are proven and 1 with a counter-example", async () => {
    expect((await capture(["ca", "prove", "--snapshot", file, "--accounts", "bg1,bg2"])).code).toBe(0);
    const bad = await capture(["ca", "prove", "--snapshot", file, "--accounts", "alice", "--format", "json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.text).accounts[0].counterExamples[0].text).toContain("Block outside US");
  });
  it("check-change exits 1 on a change that reaches an emergency account", async () => {
    const p = join(dir, "p.json");
    writeFileSync(p, JSON.stringify(policy({ id: "mfa", name: "MFA all", users: { excludeGroups: [] } })));
    const r = await capture(["ca", "check-change", "--snapshot", file, "--policy", p, "--accounts", "bg1"]);
    expect(r.code).toBe(1);
    expect(r.text).toContain("CHANGED");
  });
  it("rejects a bad format with exit 2", async () => {
    expect(
      (await capture(["ca", "prove", "--snapshot", file, "--accounts", "bg1", "--format", "xml"])).code,
    ).toBe(2);
  });
  it("prove takes console and text alike for its human output", async () => {
    const asConsole = await capture([
      "ca",
      "prove",
      "--snapshot",
      file,
      "--accounts",
      "bg1",
      "--format",
      "console",
    ]);
    const asText = await capture([
      "ca",
      "prove",
      "--snapshot",
      file,
      "--accounts",
      "bg1",
      "--format",
      "text",
    ]);
    expect(asConsole.code).toBe(0);
    expect(asText.code).toBe(0);
    expect(asConsole.text.replace(/\(\d+ ms\)/, "")).toBe(asText.text.replace(/\(\d+ ms\)/, ""));
  });
  describe("whatif refuses inputs that would evaluate a sign-in nobody makes (exit 2)", () => {
    const whatif = (...flags: string[]) =>
      capture(["ca", "whatif", "--snapshot", file, "--app", APP.exchangeOnline, ...flags]);
    const stderrOf = async (flags: string[]) => {
      let err = "";
      const orig = process.stderr.write.bind(process.stderr);
      (process.stderr as any).write = (chunk: string) => ((err += chunk), true);
      try {
        return { ...(await whatif(...flags)), err };
      } finally {
        (process.stderr as any).write = orig;
      }
    };
    it("a user the snapshot does not hold", async () => {
      const r = await stderrOf(["--user", "nobody@x.com"]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--user: no user "nobody@x.com" in the snapshot');
      expect(r.text).toBe("");
    });
    it("a country that is neither an ISO code nor a country name, with the choices", async () => {
      const r = await stderrOf(["--user", "alice", "--country", "Belarusia"]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--country: unknown country "Belarusia"');
      expect(r.err).toContain("did you mean BY (Belarus)");
      expect(r.err).toMatch(/codes: .*\bAT\b.*\bBY\b.*\bUS\b/);
      expect((await whatif("--user", "alice", "--country", "QQ")).code).toBe(2);
    });
    it("a country name or a lower-case code means its ISO code", async () => {
      for (const country of ["France", "fr", "FR"]) {
        const { code, text } = await whatif("--user", "alice", "--platform", "windows", "--country", country);
        expect(code, country).toBe(0);
        expect(JSON.parse(text).value.find((x: any) => x.id === "geo").policyApplies).toBe(true);
      }
    });
  });
});
