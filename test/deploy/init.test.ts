import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { runPlan, writeNewFile } from "../../src/cli/commands/plan.js";
import { Config } from "../../src/config/schema.js";
import { initDocument, obscureName } from "../../src/deploy/init.js";
import { derivePlan } from "../../src/deploy/plan.js";
import { sample } from "./support.js";

/** A fixed sequence standing in for crypto.randomInt. */
const sequence = () => {
  let i = 7;
  return (n: number) => (i = (i * 31 + 17) % 9973) % n;
};

describe("breakglass init", () => {
  const before = sample("before");
  const text = initDocument({
    snapshot: before.snapshot,
    random: sequence(),
    now: new Date("2026-11-01T10:00:00Z"),
  }).toString({ lineWidth: 0 });

  it("writes a valid configuration with generated names on the initial domain, with comments", () => {
    const config = Config.parse(parse(text));
    expect(config.tenant).toBe(before.snapshot.tenant.id);
    expect(config.accounts).toHaveLength(2);
    for (const a of config.accounts!)
      expect(a).toMatch(/^[a-z][a-z2-9]{4}@northwindtraders\.onmicrosoft\.com$/);
    expect(config.names?.group?.displayName).toMatch(/^grp-[a-z]\d{4}$/);
    expect(config.profile.passwords).toBe("discarded");
    expect(text).toMatch(/^# Breakglass configuration for Northwind Traders/);
    expect(text).toMatch(/# The emergency accounts: cloud-only users on the initial domain/);
    // and plan accepts it as it is
    expect(derivePlan(before.snapshot, config).steps.length).toBeGreaterThan(0);
  });

  it("offers accounts that look like emergency accounts for adoption", () => {
    const takeover = sample("takeover");
    const out = initDocument({ snapshot: takeover.snapshot, random: sequence(), now: new Date() }).toString();
    expect(out).toMatch(/#\s+- breakglass@tailwindlogistics\.com\s+# score \d+/);
  });

  it("generates names from the random source", () => {
    expect(obscureName(() => 0)).toBe("aaaaa");
    expect(obscureName(sequence())).not.toBe(obscureName(() => 1));
  });

  it("never overwrites an existing file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bg-init-"));
    const path = join(dir, "breakglass.yaml");
    writeFileSync(path, "# mine\n");
    await expect(writeNewFile(path, text)).rejects.toThrow(/exists; init never overwrites/);
    expect(readFileSync(path, "utf8")).toBe("# mine\n");
    const fresh = join(dir, "new.yaml");
    await writeNewFile(fresh, text);
    expect(readFileSync(fresh, "utf8")).toBe(text);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });
});

describe("breakglass plan --snapshot", () => {
  const fixtures = new URL("../../fixtures/tenants/", import.meta.url).pathname;
  const run = async (args: { config: string; snapshot: string; exitCode?: boolean; out?: string }) => {
    let out = "";
    const code = await runPlan(args, {
      stdout: (t) => void (out += t),
      stderr: () => {},
      cwd: fixtures,
      clock: () => new Date("2026-11-01T11:00:00Z"),
    });
    return { code, out };
  };

  it("exits 1 with --exit-code when there are changes and writes the plan file 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bg-plan-"));
    const r = await run({
      config: "before.breakglass.yaml",
      snapshot: "before.json",
      exitCode: true,
      out: join(dir, "plan.json"),
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Plan: \d+ to create/);
    const written = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
    expect(written.schema).toBe("breakglass.plan/v1");
    expect(statSync(join(dir, "plan.json")).mode & 0o777).toBe(0o600);
  });

  it("exits 0 with No changes on a tenant that matches", async () => {
    const r = await run({ config: "good.breakglass.yaml", snapshot: "good.json", exitCode: true });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/No changes\.\n$/);
  });

  it("exits 2 naming the key when the config cannot be planned", async () => {
    await expect(
      run({ config: "takeover.breakglass.yaml", snapshot: "takeover.json" }),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^accounts: 1 listed/),
    });
  });
});
