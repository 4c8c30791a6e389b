import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { register, type AssessEngine } from "../../src/cli/commands/assess.js";
import { exitCodeOf } from "../../src/errors.js";
import { OUT_DIR_FILE } from "../../src/report/render.js";
import { demoEngine, hostileSnapshot } from "../report/fixtures.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

/** Runs `breakglass assess ...args` in-process the way main() does, with the stand-in checks. */
async function assess(
  args: string[],
  {
    env = {},
    tty = false,
    engine = demoEngine(),
  }: { env?: Record<string, string>; tty?: boolean; engine?: AssessEngine } = {},
): Promise<Run> {
  const run: Run = { code: 0, stdout: "", stderr: "" };
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: (s) => void (run.stdout += s), writeErr: (s) => void (run.stderr += s) });
  register(program, {
    engine: async () => engine,
    io: {
      stdout: (s) => void (run.stdout += s),
      stderr: (s) => void (run.stderr += s),
      cwd: dir,
      env,
      stdoutIsTTY: tty,
      clock: () => new Date("2026-11-01T10:00:05Z"),
    },
    setExitCode: (code) => void (run.code = code),
  });
  try {
    await program.parseAsync(["assess", ...args], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) run.code = 2;
    else {
      run.code = exitCodeOf(err);
      run.stderr += `breakglass: ${(err as Error).message}\n`;
    }
  }
  return run;
}

const write = (name: string, content: unknown) =>
  writeFile(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));

/** A tenant whose two accounts are enabled and whose risky users were read: every demo check passes. */
const goodSnapshot = () => ({
  schema: "breakglass.snapshot/v1",
  tenant: {
    id: "00000000-0000-4000-8000-000000000001",
    displayName: "Contoso",
    capturedAt: "2026-11-01T10:00:00Z",
  },
  users: [
    { id: "a1", userPrincipalName: "k7q2m@contoso.onmicrosoft.com", displayName: "K7", accountEnabled: true },
    { id: "a2", userPrincipalName: "x9p4t@contoso.onmicrosoft.com", displayName: "X9", accountEnabled: true },
  ],
  riskyUsers: [],
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-assess-"));
  await write("good.json", goodSnapshot());
  await write("hostile.json", hostileSnapshot());
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("exit codes", () => {
  it("0 when nothing at or above --fail-on failed", async () => {
    const r = await assess(["--snapshot", "good.json"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^PASS/);
    // No accounts configured: the stand-in discovers them, and the report says so at the top.
    // Lines wrap at the terminal width: compare the words.
    const words = r.stdout.replace(/\s+/g, " ");
    expect(words).toContain("identified by discovered: DISCOVERED by heuristics");
    expect(words).toContain("discovery candidates");
  });
  it("1 when a check at or above --fail-on fails; --fail-on and --allow-unknown move the line", async () => {
    // hostile.json: disabled accounts fail EA-ACC-02 (high); no riskyUsers makes EA-AUTH-10 (critical) unknown.
    expect((await assess(["--snapshot", "hostile.json"])).code).toBe(1);
    expect((await assess(["--snapshot", "hostile.json", "--fail-on", "critical"])).code).toBe(1);
    expect(
      (await assess(["--snapshot", "hostile.json", "--fail-on", "critical", "--allow-unknown"])).code,
    ).toBe(0);
    expect((await assess(["--snapshot", "hostile.json", "--allow-unknown"])).code).toBe(1);
  });
  it("2 for a config key that does not exist, naming its path", async () => {
    await write("breakglass.yaml", "profile:\n  keysPerAcount: 2\n");
    const r = await assess(["--snapshot", "good.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "profile.keysPerAcount: unknown key (did you mean keysPerAccount?); allowed here:",
    );
    expect(r.stdout).toBe("");
  });
  it("2 for a bad format name, a bad severity, a bad --now, or --out with several formats", async () => {
    const bad = await assess(["--snapshot", "good.json", "--format", "json,pdf"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'unknown format "pdf"; allowed: console, json, markdown, markdown-summary, html, sarif, junit',
    );
    expect((await assess(["--snapshot", "good.json", "--fail-on", "severe"])).code).toBe(2);
    expect((await assess(["--snapshot", "good.json", "--now", "yesterday"])).code).toBe(2);
    expect(
      (await assess(["--snapshot", "good.json", "--format", "json,sarif", "--out", "r.json"])).code,
    ).toBe(2);
    expect((await assess(["--snapshot", "good.json", "--format", "json,sarif"])).code).toBe(2);
    expect((await assess(["--snapshot", "good.json", "--bogus"])).code).toBe(2);
  });
  it("2 for a malformed or invalid snapshot", async () => {
    await write("broken.json", '{"schema": "breakglass.snapshot/v1", "tenant": ');
    const r = await assess(["--snapshot", "broken.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("broken.json: malformed JSON");
    await write("invalid.json", { ...goodSnapshot(), users: [{ id: 1 }] });
    expect((await assess(["--snapshot", "invalid.json"])).code).toBe(2);
    expect((await assess(["--snapshot", "missing.json"])).code).toBe(2);
  });
});

describe("outputs", () => {
  it("writes one file per format into --out-dir and prints the console format", async () => {
    const r = await assess([
      "--snapshot",
      "hostile.json",
      "--format",
      "console,json,sarif,junit,html,markdown,markdown-summary",
      "--out-dir",
      "out",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL/);
    const files = (await readdir(join(dir, "out"))).sort();
    expect(files).toEqual(
      [
        OUT_DIR_FILE.json,
        OUT_DIR_FILE.sarif,
        OUT_DIR_FILE.junit,
        OUT_DIR_FILE.html,
        OUT_DIR_FILE.markdown,
        OUT_DIR_FILE["markdown-summary"],
      ].sort(),
    );
    expect(files).toContain("breakglass-report.summary.md");
    expect(files).toContain("breakglass-report.junit.xml");
    const report = JSON.parse(await readFile(join(dir, "out", "breakglass-report.json"), "utf8"));
    expect(report.source).toBe("snapshot:hostile.json");
    // No config file: the report says so rather than silently using defaults.
    expect(report.configFile).toBeNull();
    expect(r.stdout.replace(/\s+/g, " ")).toContain(
      "config none found (./breakglass.yaml, ./breakglass.json)",
    );
    expect(report.checks.map((c: { id: string }) => c.id)).toEqual(["EA-ACC-02", "EA-AUTH-10"]);
    const sarif = JSON.parse(await readFile(join(dir, "out", "breakglass-report.sarif"), "utf8"));
    // No config file: results point at the snapshot file, relative to the working directory.
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("hostile.json");
  });
  it("points SARIF at the config file when there is one, and shows how accounts were identified", async () => {
    await write(
      "breakglass.yaml",
      "accounts: [k7q2m@contoso.onmicrosoft.com, ghost@contoso.onmicrosoft.com]\n",
    );
    const r = await assess(["--snapshot", "good.json", "--format", "sarif"]);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.runs[0].properties.accountsMethod).toBe("config");
    const json = JSON.parse((await assess(["--snapshot", "good.json", "--format", "json"])).stdout);
    expect(json.configFile).toBe("breakglass.yaml");
    expect(json.accounts.method).toBe("config");
    expect(json.accounts.unresolved).toEqual([{ ref: "ghost@contoso.onmicrosoft.com" }]);
    await write("hostile.json", {
      ...hostileSnapshot(),
      users: hostileSnapshot().users!.map((u) => ({ ...u, accountEnabled: false })),
    });
    const failing = JSON.parse((await assess(["--snapshot", "hostile.json", "--format", "sarif"])).stdout);
    for (const result of failing.runs[0].results)
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe("breakglass.yaml");
  });
  it("--out writes one file; --now replaces the snapshot's capturedAt", async () => {
    const r = await assess([
      "--snapshot",
      "good.json",
      "--format",
      "json",
      "--out",
      "r.json",
      "--now",
      "2027-01-01T00:00:00Z",
    ]);
    expect(r.code).toBe(0);
    // The report went to the file; the terminal still gets the verdict and the fix-first list.
    expect(r.stdout.split("\n")[0]).toMatch(/^PASS: every check/);
    expect(r.stdout).toContain("Fix first: nothing fails or is unknown");
    expect(r.stdout).not.toContain("check pass");
    expect(r.stderr).toContain("wrote");
    const report = JSON.parse(await readFile(join(dir, "r.json"), "utf8"));
    expect(report.asOf).toBe("2027-01-01T00:00:00Z");
    expect(report.generatedAt).toBe("2026-11-01T10:00:05Z");
  });
  it("leaves nothing half-written when it cannot write", async () => {
    const r = await assess(["--snapshot", "good.json", "--format", "json", "--out", "no-such-dir/r.json"]);
    expect(r.code).toBe(2);
    expect(await readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.tmp$/)]));
  });
  it("removes its temporary files when a target cannot be replaced", async () => {
    await mkdir(join(dir, "taken.json"));
    const r = await assess(["--snapshot", "good.json", "--format", "json", "--out", "taken.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot write");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
  it("keeps an earlier report untouched when the run fails", async () => {
    await assess(["--snapshot", "good.json", "--format", "json", "--out", "r.json"]);
    const before = await readFile(join(dir, "r.json"), "utf8");
    await write("breakglass.yaml", "profile: { naming: secret }\n");
    expect((await assess(["--snapshot", "good.json", "--format", "json", "--out", "r.json"])).code).toBe(2);
    expect(await readFile(join(dir, "r.json"), "utf8")).toBe(before);
  });
  it("--quiet leaves the terminal empty when the report goes to a file", async () => {
    const r = await assess(["--snapshot", "hostile.json", "--format", "json", "--out", "r.json", "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(JSON.parse(await readFile(join(dir, "r.json"), "utf8")).verdict.failed).toBe(true);
    // Without --quiet the failing checks are listed on the terminal, most severe first.
    const loud = await assess(["--snapshot", "hostile.json", "--format", "json", "--out", "r.json"]);
    const fix = loud.stdout.slice(loud.stdout.indexOf("Fix first"));
    expect(fix.indexOf("EA-AUTH-10")).toBeGreaterThan(0);
    expect(fix.indexOf("EA-AUTH-10")).toBeLessThan(fix.indexOf("EA-ACC-02"));
  });
  it("accepts text as another name for console, and writes the whole console report to a file", async () => {
    const r = await assess(["--snapshot", "hostile.json", "--format", "text", "--out", "r.txt"]);
    expect(r.code).toBe(1);
    const file = await readFile(join(dir, "r.txt"), "utf8");
    // The file is the verbose report: the counts table and the evidence are there.
    expect(file).toContain("Summary");
    expect(file).toContain("evidence");
    expect(file).not.toContain("\u001b");
  });
  it("--verbose adds the evidence and the passing checks; --no-color turns colour off on a TTY", async () => {
    const short = await assess(["--snapshot", "hostile.json"]);
    const long = await assess(["--snapshot", "hostile.json", "--verbose"]);
    expect(short.stdout).not.toMatch(/^ +evidence /m);
    expect(long.stdout).toMatch(/^ +evidence /m);
    expect(long.stdout).toContain("Summary");
    expect((await assess(["--snapshot", "hostile.json", "--no-color"], { tty: true })).stdout).not.toContain(
      "\u001b",
    );
  });
  it("colours the console only on a TTY without NO_COLOR", async () => {
    expect((await assess(["--snapshot", "hostile.json"], { tty: true })).stdout).toContain("\u001b[");
    expect(
      (await assess(["--snapshot", "hostile.json"], { tty: true, env: { NO_COLOR: "1" } })).stdout,
    ).not.toContain("\u001b");
    expect((await assess(["--snapshot", "hostile.json"], { tty: false })).stdout).not.toContain("\u001b");
  });
  it("reports a crashing check as error, exit 1, never pass", async () => {
    const engine = demoEngine([
      {
        id: "EA-ACC-01",
        title: "boom",
        severity: "critical",
        sources: [],
        needs: [],
        evaluate: () => {
          throw new Error("bug");
        },
      },
    ]);
    const r = await assess(["--snapshot", "good.json", "--format", "json"], { engine });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).checks[0].status).toBe("error");
  });
});
