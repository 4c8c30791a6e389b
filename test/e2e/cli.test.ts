/**
 * The commands as a person runs them: `breakglass export` in its own process against the emulator
 * (trusting its CA through NODE_EXTRA_CA_CERTS, as the emulator tells a live command to),
 * `breakglass permissions`, bad input, and the demo.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { main } from "../../src/cli/main.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { applicationPermissions } from "../../src/collect/permissions.js";
import { formatDifferences, snapshotDifferences } from "../support/equality.js";
import { FIXTURES, emulate, exportableOf, fixtureConfig, loadFixture } from "./helpers.js";
import { breakglass } from "../support/cli.js";

describe("breakglass export (a separate process)", () => {
  let sample: Snapshot;
  let emu: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    sample = await loadFixture("good");
    emu = await emulate(sample);
    dir = mkdtempSync(join(tmpdir(), "bg-export-"));
  });
  afterAll(async () => {
    await emu?.close();
  });
  const env = () => ({ ...emu.env }) as unknown as Record<string, string>;

  it("writes a snapshot equal to the sample, and says what it read", async () => {
    const out = join(dir, "good.json");
    const r = await breakglass(
      ["export", "--out", out, "--config", join(FIXTURES, "good.breakglass.yaml")],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("snapshot written to");
    expect(r.stderr).not.toContain(emu.env.AZURE_CLIENT_SECRET);
    const config = await fixtureConfig("good");
    const diffs = snapshotDifferences(exportableOf(sample, config), await loadSnapshot(out));
    expect(diffs, formatDifferences(diffs)).toEqual([]);
  });

  it("warns when the token can also write", async () => {
    const secret = "readwrite~secret~value";
    const app = emu.registerApp({
      secret,
      graphPermissions: [...applicationPermissions("export"), "User.ReadWrite.All"],
      arm: { subscriptions: "*", aadiam: true },
    });
    const out = join(dir, "rw.json");
    const r = await breakglass(["export", "--out", out], {
      ...env(),
      AZURE_CLIENT_ID: app.clientId,
      AZURE_CLIENT_SECRET: secret,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*User\.ReadWrite\.All/);
    expect(r.stderr).not.toContain(secret);
  });

  it("rejects bad flags and a bad config with exit 2, writing nothing", async () => {
    const out = join(dir, "never.json");
    const retries = await breakglass(["export", "--out", out, "--retries", "lots"], env());
    expect(retries.code).toBe(2);
    expect(retries.stderr).toContain("--retries");
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "accounts: nope\nprofile:\n  naming: loud\n");
    const config = await breakglass(["export", "--out", out, "--config", bad], env());
    expect(config.code).toBe(2);
    expect(config.stderr).toContain("accounts");
    expect(config.stderr).toContain("profile.naming");
    const noAuth = await breakglass(["export", "--out", out], { BREAKGLASS_GRAPH_URL: emu.graphUrl });
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toContain("AZURE_CLIENT_SECRET");
    expect(existsSync(out)).toBe(false);
  });

  it("exits 3 when the tenant cannot be read at all", async () => {
    const out = join(dir, "never3.json");
    const r = await breakglass(["export", "--out", out], { ...env(), AZURE_CLIENT_SECRET: "wrong-secret" });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).not.toContain("wrong-secret");
    expect(existsSync(out)).toBe(false);
  });
});

describe("breakglass assess on the live tenant (a separate process)", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulate(await loadFixture("midsize"));
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("reads the tenant through the export path and grades it as the sample file is graded", async () => {
    const config = join(FIXTURES, "midsize.breakglass.yaml");
    const live = await breakglass(["assess", "--config", config, "--format", "json"], {
      ...(emu.env as unknown as Record<string, string>),
    });
    expect(live.code, live.stderr).toBe(1); // the mid-size sample has planted faults
    const fromFile = await breakglass(
      ["assess", "--config", config, "--format", "json", "--snapshot", join(FIXTURES, "midsize.json")],
      {},
    );
    expect(fromFile.code, fromFile.stderr).toBe(1);
    const a = JSON.parse(live.stdout);
    const b = JSON.parse(fromFile.stdout);
    expect(a.source).toBe("live");
    // capturedAt differs (now vs the sample's), which only time-based checks could notice: compare
    // the statuses of every check, which the planted faults decide.
    const statuses = (r: { checks: Array<{ id: string; status: string }> }) =>
      r.checks.map((c) => `${c.id} ${c.status}`);
    expect(statuses(a)).toEqual(statuses(b));
    expect(live.stderr).not.toContain(emu.env.AZURE_CLIENT_SECRET);
  });

  it("exits 3 when the tenant cannot be read at all", async () => {
    const r = await breakglass(["assess"], {
      ...(emu.env as unknown as Record<string, string>),
      AZURE_CLIENT_SECRET: "wrong-secret",
    });
    expect(r.code, r.stderr).toBe(3);
  });
});

describe("in-process commands", () => {
  const capture = async (argv: string[]) => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: any) => {
      out.push(String(chunk));
      return true;
    });
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const code = await main(["node", "breakglass", ...argv]);
      return { code, stdout: out.join("") };
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  };

  it("permissions export lists the least-privileged set and the aadiam RBAC scope", async () => {
    const r = await capture(["permissions", "export"]);
    expect(r.code).toBe(0);
    for (const p of applicationPermissions("export")) expect(r.stdout).toContain(p);
    expect(r.stdout).toContain("/providers/Microsoft.aadiam");
    expect((await capture(["permissions", "nothing"])).code).toBe(2);
  });

  it("demo exports the mid-size sample through HTTPS, summarises it and assesses it", async () => {
    const r = await capture(["demo"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/users\s+329/);
    expect(r.stdout).toContain("unavailable: none");
    expect(r.stdout).toMatch(/round trips of depth after the token/);
    // the full assessment follows, with the sample's planted faults (fixtures/tenants/README.md)
    expect(r.stdout).toMatch(/^FAIL: \d+ checks at or above high not met/m);
    expect(r.stdout).toMatch(/FAIL\s+EA-CA-01/);
    expect(r.stdout).toMatch(/PASS\s+EA-ROLE-02/);
  }, 120_000);
});
