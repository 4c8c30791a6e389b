import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCheck } from "../../src/checks/runner.js";
import { loadConfig, parseConfigText } from "../../src/config/load.js";
import { problem, SPEC_EXAMPLE } from "./fixtures.js";
import { demoBuildCheckContext, demoEnabledCheck, hostileSnapshot } from "../report/fixtures.js";

describe("parsing and validating", () => {
  it("accepts the example of config.md", () => {
    const config = parseConfigText(SPEC_EXAMPLE, "breakglass.yaml", "yaml");
    expect(config.accounts).toHaveLength(2);
    expect(config.checks["EA-ACC-08"]?.enabled).toBe(false);
    expect(config.profile.envelope.device).toBe("unregistered");
  });
  it("treats an empty file as every default", () => {
    expect(parseConfigText("# nothing yet\n", "breakglass.yaml", "yaml").profile.keysPerAccount).toBe(2);
  });
  it("names the path of an unknown key and what is allowed there", () => {
    const message = problem("profile:\n  namming: obscure\n");
    expect(message).toContain(
      "profile.namming: unknown key (did you mean naming?); allowed here: accountCount, naming, namingPattern",
    );
    expect(problem("colour: red\n")).toMatch(/colour: unknown key; allowed here: tenant, accounts, group,/);
    expect(problem("profile:\n  envelope:\n    devices: compliant\n")).toContain(
      "profile.envelope.devices: unknown key (did you mean device?); allowed here: clientAppTypes, platforms",
    );
  });
  it("names the path of a wrong type and the type allowed", () => {
    expect(problem("profile:\n  keysPerAccount: two\n")).toContain(
      'profile.keysPerAccount: expected an integer, got "two"',
    );
    expect(problem("accounts: k7q2m@contoso.onmicrosoft.com\n")).toContain(
      'accounts: expected a list, each item a string, got "k7q2m@contoso.onmicrosoft.com"',
    );
    expect(problem('{"profile": {"accountCount": {"min": "2"}}}', "json")).toContain(
      'profile.accountCount.min: expected an integer, got "2"',
    );
  });
  it("lists the values an enum or union allows", () => {
    expect(problem("profile:\n  naming: secret\n")).toContain(
      'profile.naming: expected one of "obscure", "descriptive", "any", got "secret"',
    );
    const union = problem("profile:\n  signInFrequency: weekly\n");
    expect(union).toContain(
      'profile.signInFrequency: expected "everyTime" or a mapping with hours or a mapping with days',
    );
    expect(problem("profile:\n  allowedMethods: [sms]\n")).toContain(
      "profile.allowedMethods[0]: expected one of",
    );
  });
  it("checks override keys and a disabled check's reason", () => {
    expect(problem("checks:\n  EA-X: { severity: low }\n")).toContain(
      'checks["EA-X"]: not a valid key here; expected a check id such as EA-ACC-01',
    );
    expect(problem("checks:\n  EA-ACC-08: { enabled: false }\n")).toContain(
      'checks["EA-ACC-08"].reason: a disabled check needs a reason',
    );
  });
  it("reports YAML syntax errors and repeated keys with their line", () => {
    expect(problem("profile:\n  naming: [obscure\n")).toMatch(/malformed YAML:\n {2}line \d+, column \d+/);
    expect(problem("group: a\ngroup: b\n")).toMatch(/malformed YAML:[\s\S]*line 2/);
    expect(problem("{ not json", "json")).toContain("malformed JSON");
    expect(problem("- a\n- b\n")).toContain("the configuration is a mapping of keys");
  });
});

describe("finding the file", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bg-config-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("uses the defaults when no file is present", async () => {
    const loaded = await loadConfig(undefined, dir);
    expect(loaded.file).toBeNull();
    expect(loaded.config.profile.accountCount).toEqual({ min: 2, max: 4 });
  });
  it("prefers ./breakglass.yaml, then ./breakglass.json", async () => {
    await writeFile(join(dir, "breakglass.json"), JSON.stringify({ group: "from-json" }));
    expect((await loadConfig(undefined, dir)).config.group).toBe("from-json");
    await writeFile(join(dir, "breakglass.yaml"), "group: from-yaml\n");
    const loaded = await loadConfig(undefined, dir);
    expect(loaded.config.group).toBe("from-yaml");
    expect(loaded.file).toBe(join(dir, "breakglass.yaml"));
  });
  it("reads --config FILE relative to the working directory, JSON by extension", async () => {
    await writeFile(join(dir, "tenant-a.json"), JSON.stringify({ profile: { licenses: "P2" } }));
    expect((await loadConfig("tenant-a.json", dir)).config.profile.licenses).toBe("P2");
  });
  it("fails with exit code 2 when --config names a missing file", async () => {
    await expect(loadConfig("nope.yaml", dir)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining("nope.yaml"),
    });
  });
});

describe("overrides reach the runner", () => {
  it("shows a disabled check as skip with its reason, and applies a severity override", () => {
    const config = parseConfigText(
      'checks:\n  EA-ACC-02: { enabled: false, reason: "accounts are disabled on purpose until a drill" }\n',
      "breakglass.yaml",
      "yaml",
    );
    const skipped = runCheck(demoEnabledCheck, demoBuildCheckContext(hostileSnapshot(), config));
    expect(skipped.status).toBe("skip");
    expect(skipped.reason).toContain("accounts are disabled on purpose");
    const lowered = parseConfigText("checks:\n  EA-ACC-02: { severity: low }\n", "breakglass.yaml", "yaml");
    expect(runCheck(demoEnabledCheck, demoBuildCheckContext(hostileSnapshot(), lowered)).severity).toBe(
      "low",
    );
  });
});
