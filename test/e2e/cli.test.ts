/**
 * The commands as a person runs them: `breakglass export` in its own process against the emulator
 * (trusting its CA through NODE_EXTRA_CA_CERTS, as the emulator tells a live command to),
 * `breakglass permissions`, bad input, and the demo.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunningEmulator } from "../../emulator/index.js";
import { main } from "../../src/cli/main.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { GRAPH_READS, applicationPermissions } from "../../src/collect/permissions.js";
import { formatDifferences, snapshotDifferences } from "../support/equality.js";
import { FIXTURES, emulate, exportableOf, fixtureConfig, loadFixture } from "./helpers.js";
import { breakglass } from "../support/cli.js";

/** A 127.0.0.1 port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

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

  it("exits 3 and writes nothing when Graph and ARM are unreachable (a closed port)", async () => {
    const out = join(dir, "unreachable.json");
    const closed = `https://127.0.0.1:${await closedPort()}`;
    const r = await breakglass(["export", "--out", out, "--retries", "0"], {
      ...env(),
      BREAKGLASS_GRAPH_URL: `${closed}/`,
      BREAKGLASS_ARM_URL: `${closed}/`,
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/none of the core sections could be read/);
    expect(existsSync(out)).toBe(false);
  });

  it("exits 3 and writes nothing when the app lacks every core permission", async () => {
    const out = join(dir, "no-core.json");
    const core = ["users", "groups", "roleAssignments", "conditionalAccessPolicies"];
    const granted = applicationPermissions("export").filter((p) =>
      core.every((path) => !GRAPH_READS.find((r) => r.path === path)!.application.includes(p)),
    );
    const app = emu.registerApp({ secret: "no-core~secret", graphPermissions: granted });
    const r = await breakglass(["export", "--out", out], {
      ...env(),
      AZURE_CLIENT_ID: app.clientId,
      AZURE_CLIENT_SECRET: "no-core~secret",
    });
    expect(r.code, r.stderr).toBe(3);
    for (const section of core) expect(r.stderr).toContain(`${section}: `);
    expect(existsSync(out)).toBe(false);
  });

  it("fails at once with exit 2 when --out cannot be written, before reading anything", async () => {
    const before = emu.counters().requests.total;
    const missing = await breakglass(["export", "--out", join(dir, "no-such-dir", "s.json")], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-dir\/s\.json: directory .*no such file or directory/);
    const isDir = await breakglass(["export", "--out", dir], env());
    expect(isDir.code).toBe(2);
    expect(isDir.stderr).toMatch(/it is a directory/);
    expect(emu.counters().requests.total).toBe(before);
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
    const config = join(FIXTURES, "midsize", "breakglass.yaml");
    // --now: the live read's capturedAt is the wall clock; judged at the sample's time, every
    // check, the time-based ones included, must agree with the sample file's grades.
    const live = await breakglass(
      ["assess", "--config", config, "--format", "json", "--now", "2026-11-01T10:00:00Z"],
      {
        ...(emu.env as unknown as Record<string, string>),
      },
    );
    expect(live.code, live.stderr).toBe(1); // the mid-size sample has planted faults
    const fromFile = await breakglass(
      ["assess", "--config", config, "--format", "json", "--snapshot", join(FIXTURES, "midsize.json")],
      {},
    );
    expect(fromFile.code, fromFile.stderr).toBe(1);
    const a = JSON.parse(live.stdout);
    const b = JSON.parse(fromFile.stdout);
    expect(a.source).toBe("live");
    // the statuses of every check, which the planted faults decide
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

  it("demo exports the mid-size sample through HTTPS and prints the verdict and fix first in a screenful", async () => {
    const columns = process.env.COLUMNS;
    process.env.COLUMNS = "100";
    try {
      const r = await capture(["demo"]);
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      // Three lines about what was read, then the assessment with the sample's planted faults
      // (fixtures/tenants/README.md).
      expect(lines[0]).toMatch(/^Read Fabrikam Industries .* from the local emulator over HTTPS/);
      expect(lines[1]).toMatch(/^329 users, 27 groups, 22 Conditional Access policies/);
      expect(lines[2]).toMatch(/^none unavailable; relationships of 13 users/);
      expect(lines.length).toBeLessThanOrEqual(60);
      for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(100);
      const verdict = lines.findIndex((l) => /^FAIL: \d+ checks at or above high not met/.test(l));
      const fix = lines.findIndex((l) => l.startsWith("Fix first"));
      expect(verdict).toBeGreaterThan(2);
      expect(fix).toBeGreaterThan(verdict);
      const entries = lines.slice(fix + 1, lines.indexOf("", fix));
      expect(fix + entries.length).toBeLessThan(25);
      // Judged as of the sample's capture, so the same findings every day the demo runs.
      expect(r.stdout).toContain("as of 2026-11-01T10:00:00Z");
      expect(r.stdout).toMatch(/EA-MON-05 +FAIL/);
      // The critical lockout check comes before any medium one.
      const at = (id: string) => entries.findIndex((l) => l.includes(id));
      expect(at("EA-CA-05")).toBeGreaterThanOrEqual(0);
      expect(at("EA-CA-05")).toBeLessThan(at("EA-ACC-05"));
      // No raw JSON evidence in the default output.
      expect(r.stdout).not.toMatch(/\{"/);
      expect(r.stdout).toMatch(/EA-CA-01 +FAIL/);
    } finally {
      if (columns === undefined) delete process.env.COLUMNS;
      else process.env.COLUMNS = columns;
    }
  }, 120_000);

  it("demo --verbose keeps the full detail: evidence, every fix and the passing checks", async () => {
    const r = await capture(["demo", "--verbose"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ +evidence \{/m);
    expect(r.stdout).toMatch(/PASS\s+EA-ROLE-02/);
    expect(r.stdout).toContain("Summary");
  }, 120_000);
});
