/**
 * `accept:` entries and `--only` through `breakglass assess` on the mid-size sample: an accepted
 * finding is listed as accepted in every format (SARIF: an external suppression with the reason)
 * and leaves the verdict until its date, then fails again with the output saying so; malformed
 * entries are exit 2 naming the key; `--only` cuts the output, never the verdict or the exit code.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, CommanderError } from "commander";
import type * as Sarif from "sarif";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCheckRegistry, register } from "../../src/cli/commands/assess.js";
import { exitCodeOf } from "../../src/errors.js";
import { Report } from "../../src/report/model.js";

const SNAPSHOT = resolve("fixtures/tenants/midsize.json");
/** EA-ROLE-03 (high) fails on the sample's emergency group alone: accepting it changes the verdict. */
const GROUP = "8c5a43d7-08fe-466d-8c62-a47cea7ec302";
const REASON = "Owner kept until the <b>IAM</b> team's migration (CHG-1234)";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-accept-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function assess(args: string[], clock: string, accept: string): Promise<Run> {
  const base = await readFile(resolve("fixtures/tenants/midsize.breakglass.yaml"), "utf8");
  await writeFile(join(dir, "breakglass.yaml"), `${base}${accept}`);
  const run: Run = { code: 0, stdout: "", stderr: "" };
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeOut: (s) => void (run.stdout += s), writeErr: (s) => void (run.stderr += s) });
  register(program, {
    engine: loadCheckRegistry,
    io: {
      stdout: (s) => void (run.stdout += s),
      stderr: (s) => void (run.stderr += s),
      cwd: dir,
      env: {},
      stdoutIsTTY: false,
      clock: () => new Date(clock),
    },
    setExitCode: (code) => void (run.code = code),
  });
  try {
    await program.parseAsync(["assess", "--snapshot", SNAPSHOT, ...args], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) run.code = 2;
    else {
      run.code = exitCodeOf(err);
      run.stderr += `breakglass: ${(err as Error).message}\n`;
    }
  }
  return run;
}

const ACCEPT_GROUP = `accept:
  - check: EA-ROLE-03
    subject: ${GROUP}
    reason: "${REASON}"
    expires: 2026-12-31
`;

const BEFORE = "2026-12-31T18:00:00Z";
const AFTER = "2027-01-01T00:00:01Z";

describe("accept", () => {
  it("before the date: the finding is accepted, listed, and leaves the verdict", async () => {
    const r = await assess(["--format", "json"], BEFORE, ACCEPT_GROUP);
    const report = Report.parse(JSON.parse(r.stdout));
    const check = report.checks.find((c) => c.id === "EA-ROLE-03")!;
    expect(check.status).toBe("accepted");
    expect(check.findings.find((f) => f.subject?.id === GROUP)).toMatchObject({
      status: "accepted",
      acceptance: { reason: REASON, expires: "2026-12-31", expired: false, findingStatus: "fail" },
    });
    expect(report.summary.accepted).toBe(1);
    expect(report.verdict.blocking).not.toContain("EA-ROLE-03");
    expect(r.code).toBe(1); // the other failing checks still fail
    expect(r.stderr).toBe("");
  });

  it("after the date: it fails again and every human format says the acceptance expired", async () => {
    const r = await assess(["--format", "json"], AFTER, ACCEPT_GROUP);
    const report = Report.parse(JSON.parse(r.stdout));
    const check = report.checks.find((c) => c.id === "EA-ROLE-03")!;
    expect(check.status).toBe("fail");
    expect(check.findings[0]!.acceptance).toMatchObject({ expired: true });
    expect(report.verdict.blocking).toContain("EA-ROLE-03");
    expect(r.stderr).toContain("warning: accept[0] (EA-ROLE-03, subject");
    expect(r.stderr).toContain("expired on 2026-12-31; its finding counts again");
    const console = await assess(["--verbose"], AFTER, ACCEPT_GROUP);
    expect(console.stdout.replace(/\s+/g, " ")).toContain("acceptance expired on 2026-12-31");
  });

  it("shows in console, markdown, markdown-summary, html and junit", async () => {
    for (const format of ["console", "markdown", "markdown-summary", "html", "junit"]) {
      const r = await assess(
        ["--format", format, ...(format === "console" ? ["--verbose"] : [])],
        BEFORE,
        ACCEPT_GROUP,
      );
      const text = r.stdout.replace(/\s+/g, " ");
      expect(text, format).toContain("ACCEPTED");
      expect(text, format).toContain("accepted until 2026-12-31");
      expect(text, format).toMatch(/CHG-1234/);
    }
    const html = (await assess(["--format", "html"], BEFORE, ACCEPT_GROUP)).stdout;
    expect(html).not.toContain("<b>IAM</b>"); // the reason is text, escaped
  });

  it("SARIF: an accepted result carries an external suppression with the reason as justification", async () => {
    const r = await assess(["--format", "sarif"], BEFORE, ACCEPT_GROUP);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    const results = log.runs[0]!.results!.filter((x) => x.ruleId === "EA-ROLE-03");
    expect(results).toHaveLength(1);
    expect(results[0]!.level).toBe("error");
    expect(results[0]!.suppressions).toEqual([
      { kind: "external", status: "accepted", justification: REASON, properties: { expires: "2026-12-31" } },
    ]);
    // The same fingerprint the JSON report gives the finding, so an entry can name either.
    const json = Report.parse(JSON.parse((await assess(["--format", "json"], BEFORE, ACCEPT_GROUP)).stdout));
    const fingerprint = json.checks.find((c) => c.id === "EA-ROLE-03")!.findings[0]!.fingerprint;
    expect(results[0]!.partialFingerprints).toEqual({ "breakglassFinding/v1": fingerprint });
    const after = JSON.parse((await assess(["--format", "sarif"], AFTER, ACCEPT_GROUP)).stdout) as Sarif.Log;
    expect(after.runs[0]!.results!.find((x) => x.ruleId === "EA-ROLE-03")!.suppressions).toBeUndefined();
  });

  it("an entry by fingerprint works like one by subject", async () => {
    const json = Report.parse(JSON.parse((await assess(["--format", "json"], BEFORE, "")).stdout));
    const fingerprint = json.checks
      .find((c) => c.id === "EA-CA-05")!
      .findings.find((f) => f.status === "fail")!.fingerprint!;
    const r = await assess(
      ["--format", "json"],
      BEFORE,
      `accept:\n  - check: EA-CA-05\n    fingerprint: "${fingerprint}"\n    reason: drill next week\n    expires: 2027-01-15\n`,
    );
    const report = Report.parse(JSON.parse(r.stdout));
    expect(report.checks.find((c) => c.id === "EA-CA-05")!.status).toBe("accepted");
    expect(report.verdict.blocking).not.toContain("EA-CA-05");
  });

  it("warns about an entry that matches no finding, and still runs", async () => {
    const r = await assess(
      ["--format", "json"],
      BEFORE,
      `accept:\n  - check: EA-ACC-01\n    subject: nobody\n    reason: r\n    expires: 2027-01-15\n`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "warning: accept[0] (EA-ACC-01, subject nobody): matches no fail, warn or unknown finding",
    );
  });

  it.each([
    [
      "an unknown check id",
      "  - check: EA-ACC-99\n    subject: x\n    reason: r\n    expires: 2027-01-15\n",
      'accept[0].check: unknown check "EA-ACC-99"',
    ],
    [
      "a bad date",
      "  - check: EA-ACC-01\n    subject: x\n    reason: r\n    expires: 2027-13-01\n",
      "accept[0].expires: not a calendar date",
    ],
    ["no reason", "  - check: EA-ACC-01\n    subject: x\n    expires: 2027-01-15\n", "accept[0].reason"],
    ["no expiry", "  - check: EA-ACC-01\n    subject: x\n    reason: r\n", "accept[0].expires"],
  ])("%s is exit 2 naming the key", async (_, entries, said) => {
    const r = await assess(["--format", "json"], BEFORE, `accept:\n${entries}`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(said);
  });
});

describe("--only", () => {
  it("lists only the statuses asked for, in every format; the verdict and exit code are the whole run's", async () => {
    const all = await assess(["--format", "json"], BEFORE, ACCEPT_GROUP);
    const r = await assess(["--format", "json", "--only", "fail,unknown"], BEFORE, ACCEPT_GROUP);
    const whole = Report.parse(JSON.parse(all.stdout));
    const cut = Report.parse(JSON.parse(r.stdout));
    expect(cut.only).toEqual(["fail", "unknown"]);
    expect(cut.checks.length).toBeGreaterThan(0);
    expect(cut.checks.length).toBeLessThan(whole.checks.length);
    for (const check of cut.checks)
      for (const f of check.findings) expect(["fail", "unknown"]).toContain(f.status);
    expect(cut.checks.map((c) => c.id)).not.toContain("EA-ROLE-03");
    expect(cut.verdict).toEqual(whole.verdict);
    expect(cut.summary).toEqual(whole.summary);
    expect(r.code).toBe(all.code);
    const accepted = Report.parse(
      JSON.parse((await assess(["--format", "json", "--only", "accepted"], BEFORE, ACCEPT_GROUP)).stdout),
    );
    expect(accepted.checks.map((c) => c.id)).toEqual(["EA-ROLE-03"]);
    for (const format of ["console", "markdown", "markdown-summary", "html", "junit"]) {
      const text = (await assess(["--format", format, "--only", "accepted"], BEFORE, ACCEPT_GROUP)).stdout;
      expect(text, format).toContain("EA-ROLE-03");
      // JUnit's verdict property names the blocking checks: the test cases count.
      expect(
        format === "junit" ? text.replace(/<property name="verdict"[^>]*>/, "") : text,
        format,
      ).not.toContain("EA-CA-05");
    }
    // SARIF keeps the verdict (which names the blocking checks) in the run's properties: the results count.
    const sarif = JSON.parse(
      (await assess(["--format", "sarif", "--only", "accepted"], BEFORE, ACCEPT_GROUP)).stdout,
    ) as Sarif.Log;
    expect(sarif.runs[0]!.results!.map((x) => x.ruleId)).toEqual(["EA-ROLE-03"]);
  });

  it("console: says what it lists, and keeps every line within the width with ACCEPTED", async () => {
    const r = await assess(["--only", "accepted,fail"], BEFORE, ACCEPT_GROUP);
    expect(r.stdout).toMatch(/^Listing {3}only fail, accepted \(--only\); the verdict is the whole run's$/m);
    expect(r.stdout).toMatch(/^ {2}EA-ROLE-03 +ACCEPTED /m);
    for (const line of r.stdout.split("\n")) expect(Array.from(line).length).toBeLessThanOrEqual(100);
  });

  it("refuses an unknown status naming the choices, exit 2", async () => {
    const r = await assess(["--only", "fail,broken"], BEFORE, "");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--only: unknown status "broken"; allowed: error, fail, unknown, warn, accepted, pass, skip',
    );
  });
});
