/**
 * Issue: "`assess` on the mid-size sample through the emulator makes no more requests than
 * `export` does, and several formats from one run read the tenant once." Both commands run in
 * their own process against the emulator, as a person runs them (test/e2e/cli.test.ts); the
 * emulator counts every request by endpoint and status, each read inside a `$batch` included.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Sarif from "sarif";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CountersSnapshot, RunningEmulator } from "../../emulator/index.js";
import { OUT_DIR_FILE } from "../../src/report/render.js";
import { FIXTURES, emulate, loadFixture } from "./helpers.js";
import { breakglass } from "../support/cli.js";

const CONFIG = join(FIXTURES, "midsize.breakglass.yaml");

const isToken = (endpoint: string) => /\/oauth2\/v2\.0\/token$/i.test(endpoint);
/** the identity endpoints (token, OpenID discovery) live under the tenant: neither Graph nor ARM. */
const isIdentity = (endpoint: string) => /^[A-Z]+ \/\{tenant\}\//.test(endpoint);
/** ARM paths start at /subscriptions or /providers (microsoft.aadiam); everything else is Graph or the token. */
const isArm = (endpoint: string) => /^[A-Z]+ \/(subscriptions|providers)\b/i.test(endpoint);

interface Tally {
  total: number;
  graph: number;
  arm: number;
  token: number;
  identity: number;
  byEndpoint: Record<string, number>;
}

function tally(c: CountersSnapshot): Tally {
  const t: Tally = { total: 0, graph: 0, arm: 0, token: 0, identity: 0, byEndpoint: {} };
  for (const [endpoint, statuses] of Object.entries(c.requests.byEndpoint)) {
    const n = Object.values(statuses).reduce((a, b) => a + b, 0);
    t.byEndpoint[endpoint] = n;
    t.total += n;
    if (isToken(endpoint)) t.token += n;
    if (isIdentity(endpoint)) t.identity += n;
    else if (isArm(endpoint)) t.arm += n;
    else t.graph += n;
  }
  return t;
}

const FORMATS = ["json", "sarif", "junit", "html", "markdown"] as const;
type ReportFormat = (typeof FORMATS)[number];

/** A written report's text, with Markdown's backslash escapes undone (`2026\-11\-22` → `2026-11-22`). */
const reportText = (dir: string, format: ReportFormat) => {
  const text = readFileSync(join(dir, OUT_DIR_FILE[format]), "utf8");
  return format === "markdown" ? text.replace(/\\(.)/g, "$1") : text;
};

describe("assess reads the mid-size tenant once, with no more requests than export", () => {
  let emu: RunningEmulator;
  let dir: string;
  let exported: Tally;
  let assessed: Tally;
  let assessCounters: CountersSnapshot;
  let started: number;
  const env = () => ({ ...emu.env }) as unknown as Record<string, string>;

  beforeAll(async () => {
    emu = await emulate(await loadFixture("midsize"));
    dir = mkdtempSync(join(tmpdir(), "bg-assess-reads-"));

    const ex = await breakglass(["export", "--out", join(dir, "midsize.json"), "--config", CONFIG], env());
    expect(ex.code, ex.stderr).toBe(0);
    exported = tally(emu.counters());

    emu.resetCounters();
    started = Date.now();
    const as = await breakglass(
      ["assess", "--config", CONFIG, "--format", FORMATS.join(","), "--out-dir", join(dir, "report")],
      env(),
    );
    expect(as.code, as.stderr).toBe(1); // the mid-size sample has planted faults
    assessCounters = emu.counters();
    assessed = tally(assessCounters);
    if (process.env.BG_TRACE) console.log(JSON.stringify({ exported, assessed }, null, 2));
  }, 240_000);

  afterAll(async () => {
    await emu?.close();
  });

  it("makes no more requests than export, in total and to Graph and ARM", () => {
    expect(exported.graph).toBeGreaterThan(0);
    expect(exported.arm).toBeGreaterThan(0);
    expect(assessed.graph).toBeGreaterThan(0);
    expect(assessed.arm).toBeGreaterThan(0);
    expect(assessed.total).toBeLessThanOrEqual(exported.total);
    expect(assessed.graph).toBeLessThanOrEqual(exported.graph);
    expect(assessed.arm).toBeLessThanOrEqual(exported.arm);
  });

  it("makes no more requests than export to any endpoint", () => {
    const over = Object.entries(assessed.byEndpoint)
      .filter(([endpoint, n]) => n > (exported.byEndpoint[endpoint] ?? 0))
      .map(([endpoint, n]) => `${endpoint}: assess ${n}, export ${exported.byEndpoint[endpoint] ?? 0}`);
    expect(over).toEqual([]);
  });

  it("does not multiply token requests (one read, not one per format)", () => {
    expect(assessed.token).toBeGreaterThan(0);
    expect(assessed.token).toBeLessThanOrEqual(exported.token);
    // a token for Graph and one for ARM at most: five formats did not mean five sign-ins
    expect(assessed.token).toBeLessThanOrEqual(2);
    expect(assessed.identity).toBeLessThanOrEqual(exported.identity);
    expect(assessCounters.faults.total).toBe(0);
    expect(assessCounters.throttled.total).toBe(0);
  });

  it("writes all five files from that single read", () => {
    for (const format of FORMATS) {
      const file = join(dir, "report", OUT_DIR_FILE[format]);
      expect(existsSync(file), file).toBe(true);
      expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    }
    const json = JSON.parse(readFileSync(join(dir, "report", OUT_DIR_FILE.json), "utf8"));
    expect(json.source).toBe("live");
    expect(json.asOf).not.toBe("2026-11-01T10:00:00Z"); // read now, not the sample file
    // every renderer prints the read's capturedAt ("as of"): one read, one instant in all five
    for (const format of FORMATS) {
      expect(reportText(join(dir, "report"), format), format).toContain(json.asOf);
    }
    // the same verdict everywhere: the failing checks of the JSON report appear in the others
    const failing = (json.checks as Array<{ id: string; status: string }>)
      .filter((c) => c.status === "fail")
      .map((c) => c.id);
    expect(failing).toContain("EA-CA-01");
    for (const format of ["sarif", "junit", "html", "markdown"] as const) {
      const text = reportText(join(dir, "report"), format);
      for (const id of failing) expect(text, `${format} ${id}`).toContain(id);
    }
    // the binary is a bundle (scripts/bundle-cli.mjs): each check still finds the Markdown beside
    // its source, which SARIF carries as the rule's help
    const rules = (JSON.parse(reportText(join(dir, "report"), "sarif")) as Sarif.Log).runs[0]!.tool.driver
      .rules!;
    expect(rules.length).toBe((json.checks as unknown[]).length);
    for (const rule of rules)
      expect(rule.help?.markdown ?? "", rule.id).toMatch(new RegExp(`^# ${rule.id}:`));
  });
});
