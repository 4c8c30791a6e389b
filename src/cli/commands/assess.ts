/**
 * `breakglass assess`: read the tenant (live, or a snapshot file), run every check, and report in
 * one or several formats. Exit codes (docs/exit-codes.md): 0 nothing at or above --fail-on failed,
 * 1 something did, 2 usage/config/input/output error, 3 not one core section was read.
 *
 * Nothing half-written: output paths are checked before the tenant is read, every format is
 * rendered in memory, then all files are written as one set by the atomic writer (all or nothing).
 */
import { EXIT_TEXT, helpText } from "../conventions.js";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, Option } from "commander";
import { buildCheckContext, CHECKS } from "../../checks/registry.js";
import { AUTH_METHODS, type AuthMethod } from "../../graph/auth-methods.js";
import { parseAuth } from "./export.js";
import { acceptanceWarnings, unknownAcceptedChecks } from "../../checks/accept.js";
import { runChecks } from "../../checks/runner.js";
import { STATUS_ORDER, type Check, type CheckContext, type Status } from "../../checks/types.js";
import { ConfigError, loadConfig } from "../../config/load.js";
import { type CheckRecords, loadCheckRecords } from "../../records/check-records.js";
import { FileRecordStore } from "../../records/store.js";
import { isStatus, onlyStatuses } from "../../report/only.js";
import { CHECK_SEVERITIES, type Config, type Severity } from "../../config/schema.js";
import { buildReport } from "../../report/build.js";
import type { Report } from "../../report/model.js";
import { FORMAT_ALIASES, FORMATS, isFormat, OUT_DIR_FILE, render, type Format } from "../../report/render.js";
import { sanitizeForTerminal } from "../../report/escape.js";
import { loadSnapshot } from "../../snapshot/load.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { VERSION } from "../../version.js";
import { TenantUnreadableError, UsageError } from "../../errors.js";
import {
  checkOutputDirectory,
  checkWritable,
  ensureDirectory,
  writeFilesAtomically,
} from "../../io/atomic-write.js";
import { unreadTenantReasons } from "../../snapshot/readable.js";

/** What `assess` needs from the checks: the catalogue and how to build their context. */
export interface AssessEngine {
  /** every check the build knows, in catalogue order. */
  checks: readonly Check[];
  buildCheckContext(snapshot: Snapshot, config: Config, records?: CheckRecords): CheckContext;
}

export interface AssessIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  /** the terminal's width in columns, when stdout is one (else the console report is laid out for 100). */
  columns?: number;
  /** the wall clock, for `generatedAt`. */
  clock(): Date;
}

export interface AssessDeps {
  engine(): Promise<AssessEngine>;
  /** reads the live tenant (assess without --snapshot); the demo passes what it exported. */
  collect(config: Config, options: AssessOptions): Promise<{ snapshot: Snapshot; source: string }>;
  io: AssessIo;
  setExitCode(code: number): void;
}

export interface AssessOptions {
  snapshot?: string;
  config?: string;
  format: string;
  out?: string;
  outDir?: string;
  failOn: string;
  allowUnknown?: boolean;
  now?: string;
  auth?: AuthMethod;
  /** every line whole, with evidence and every fix. */
  verbose?: boolean;
  /** nothing on the terminal beyond the report asked for (and errors). */
  quiet?: boolean;
  /** false for --no-color. */
  color?: boolean;
  /** --only: the statuses the output lists (comma-separated). */
  only?: string;
  /** not a flag: the caller (the demo) has already printed which tenant it read, and when. */
  tenantShown?: boolean;
}

export function register(program: Command, deps: Partial<AssessDeps> = {}): void {
  const resolved: AssessDeps = {
    engine: deps.engine ?? loadCheckRegistry,
    collect: deps.collect ?? collectLive,
    io: deps.io ?? processIo(),
    setExitCode: deps.setExitCode ?? ((code) => (process.exitCode = code)),
  };
  program
    .command("assess")
    .description("check the tenant's emergency access against the recommendations, with evidence and the fix")
    .option(
      "--snapshot <file>",
      "assess a snapshot file (from `breakglass export`) instead of the live tenant",
    )
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option(
      "--format <formats>",
      `one or several, comma-separated: ${FORMATS.join("|")} (text = console)`,
      "console",
    )
    .option("--out <file>", "write the report to this file (one format)")
    .option("--out-dir <dir>", "write one file per format into this directory (breakglass-report.*)")
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a check at or above this severity is not met").default(
        "high",
      ),
    )
    .option("--allow-unknown", "do not fail on checks that could not conclude (unknown)")
    .option(
      "--now <iso>",
      "evaluate as of this time instead of the snapshot's capturedAt (and judge `accept` expiry then)",
    )
    .option(
      "--only <statuses>",
      `list only checks and findings of these statuses, comma-separated: ${STATUS_ORDER.join("|")} (the verdict and exit code stay the whole run's)`,
    )
    .option(
      "--auth <method>",
      `live tenant credential: ${AUTH_METHODS.join(", ")} (default: from AZURE_* variables)`,
      parseAuth,
    )
    .option("--verbose", "console: every line whole, with the evidence, every fix and the passing checks")
    .option("--quiet", "with --out/--out-dir: print no verdict or fix-first list, nor the files written")
    .option("--no-color", "no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)")
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass assess --snapshot tenant.json --config breakglass.yaml",
          "breakglass assess --snapshot tenant.json --verbose | less -R",
          "breakglass assess --format json,sarif,html,markdown-summary --out-dir reports/",
        ],
        [
          "0 nothing at or above --fail-on failed",
          "1 something did",
          EXIT_TEXT.usage,
          "3 not one core section could be read",
          EXIT_TEXT.internal,
        ],
      ),
    )
    .action(async (options: AssessOptions) => {
      resolved.setExitCode(await runAssess(options, resolved));
    });
}

/** Runs an assessment and returns the exit code; errors with an exitCode (2, 3) propagate. */
export async function runAssess(options: AssessOptions, deps: AssessDeps): Promise<number> {
  const { io } = deps;
  const formats = parseFormats(options.format);
  const failOn = parseSeverity(options.failOn);
  const now = options.now !== undefined ? parseNow(options.now) : undefined;
  const only = options.only !== undefined ? parseStatuses(options.only) : undefined;
  if (options.out !== undefined && options.outDir !== undefined)
    throw new UsageError(
      "--out and --out-dir exclude each other: --out for one format, --out-dir for several",
    );
  if (options.out !== undefined && formats.length > 1)
    throw new UsageError(`--out writes one format; for ${formats.join(",")} use --out-dir DIR`);
  if (options.out === undefined && options.outDir === undefined && formats.length > 1)
    throw new UsageError(`several formats (${formats.join(",")}) need --out-dir DIR`);

  const { config, file: configFile } = await loadConfig(options.config, io.cwd);
  // The records (custody.yaml, drills/, uses/, enrollments/) live beside the configuration file;
  // read before the tenant, so a malformed one stops the run (exit 2) before minutes of reads.
  // Without a configuration file there are none, and the records checks say unknown.
  const records = configFile ? await loadCheckRecords(new FileRecordStore(dirname(configFile))) : undefined;
  // Before the read (minutes on a live tenant): a wrong output path fails now, not after it.
  const outDir = options.outDir !== undefined ? resolve(io.cwd, options.outDir) : undefined;
  if (options.out !== undefined) await checkWritable([resolve(io.cwd, options.out)]);
  if (outDir !== undefined) await checkOutputDirectory(outDir);
  const snapshotFile = options.snapshot !== undefined ? resolve(io.cwd, options.snapshot) : undefined;
  const read = snapshotFile
    ? { snapshot: await loadSnapshot(snapshotFile), source: `snapshot:${basename(snapshotFile)}` }
    : await deps.collect(config, options);
  let snapshot = read.snapshot;
  // A snapshot of nothing is not graded, whatever --allow-unknown says (docs/exit-codes.md).
  const unread = unreadTenantReasons(snapshot);
  if (unread)
    throw new TenantUnreadableError(
      `${snapshotFile ? basename(snapshotFile) : "the tenant"}: none of the core sections was read (${unread.join("; ")})`,
    );
  // "Now" for every check is the snapshot's capturedAt (docs/checks.md); --now replaces it, so the
  // same snapshot can be judged at another date (tests, "what will expire by then").
  if (now) snapshot = { ...snapshot, tenant: { ...snapshot.tenant, capturedAt: now.toISOString() } };

  const engine = await deps.engine();
  const unknownChecks = unknownAcceptedChecks(
    config.accept,
    engine.checks.map((c) => c.id),
  );
  if (unknownChecks.length > 0)
    throw new ConfigError(
      `${configFile ? basename(configFile) : "configuration"}: invalid configuration:\n  ${unknownChecks.join("\n  ")}`,
      unknownChecks,
    );
  // Acceptances expire in real time (the run's clock), or at --now when given.
  const acceptAt = now ?? io.clock();
  const context = { ...engine.buildCheckContext(snapshot, config, records), acceptAt };
  const results = runChecks(engine.checks, context);
  for (const warning of acceptanceWarnings(config.accept, results, acceptAt))
    io.stderr(`breakglass: warning: ${sanitizeForTerminal(warning)}\n`);
  const whole = buildReport({
    results,
    accounts: context.accounts,
    tenant: { id: snapshot.tenant.id, displayName: snapshot.tenant.displayName ?? null },
    asOf: snapshot.tenant.capturedAt,
    generatedAt: io.clock(),
    source: read.source,
    configFile: configFile ? displayPath(configFile, io.cwd) : null,
    toolVersion: VERSION,
    failOn,
    allowUnknown: options.allowUnknown === true,
  });
  const report = only ? onlyStatuses(whole, only) : whole;

  const artifact = configFile ?? snapshotFile;
  const help = Object.fromEntries(engine.checks.map((c) => [c.id, c.docs]));
  const sources = Object.fromEntries(engine.checks.map((c) => [c.id, c.sources]));
  const color = options.color !== false && io.stdoutIsTTY && !io.env.NO_COLOR;
  // On the terminal the console report is laid out for its width (--verbose: every line whole);
  // written to a file it is the whole report at 100 columns, since nobody can ask the file for more.
  const renderOne = (format: Format, toTerminal: boolean, brief = false) =>
    render(format, report, {
      color: toTerminal && color,
      width: toTerminal ? io.columns : undefined,
      verbose: toTerminal ? options.verbose === true : true,
      brief,
      tenantShown: toTerminal && options.tenantShown === true,
      artifactUri: artifact ? artifactUri(artifact, io.cwd) : undefined,
      help,
      sources,
    });

  // Render everything before writing anything.
  const files: Array<{ path: string; content: string }> = [];
  let toStdout: string | undefined;
  if (options.out !== undefined) {
    files.push({ path: resolve(io.cwd, options.out), content: renderOne(formats[0]!, false) });
  } else if (outDir !== undefined) {
    for (const format of formats) {
      if (format === "console") toStdout = renderOne(format, true);
      else files.push({ path: join(outDir, OUT_DIR_FILE[format]), content: renderOne(format, false) });
    }
  } else {
    toStdout = renderOne(formats[0]!, true);
  }
  // Reports written to files still leave the verdict and what to fix first on the terminal.
  if (toStdout === undefined && options.quiet !== true) toStdout = renderOne("console", true, true);

  if (outDir !== undefined) await ensureDirectory(outDir);
  await writeFilesAtomically(files);
  if (toStdout !== undefined) io.stdout(toStdout);
  if (files.length > 0 && options.quiet !== true)
    io.stderr(`breakglass: wrote ${files.map((f) => sanitizeForTerminal(f.path)).join(", ")}\n`);
  return exitCodeFor(whole);
}

/** `--only fail,unknown`: statuses of the report (docs/report.md); anything else names the choices. */
export function parseStatuses(value: string): Status[] {
  const names = value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  const unknown = names.filter((n) => !isStatus(n));
  if (names.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--only: ${names.length === 0 ? "no status given" : `unknown status ${unknown.map((n) => JSON.stringify(n)).join(", ")}`}; allowed: ${STATUS_ORDER.join(", ")}`,
    );
  return [...new Set(names as Status[])];
}

export const exitCodeFor = (report: Report): number => (report.verdict.failed ? 1 : 0);

/** The live tenant, read through the same collector as `export` (exit 3 when nothing can be read). */
export async function collectLive(
  config: Config,
  options: AssessOptions,
): Promise<{ snapshot: Snapshot; source: string }> {
  // Loaded here, not at the top: the Azure SDKs it pulls in cost `assess --snapshot` nothing.
  const { readLiveTenant } = await import("../../collect/live.js");
  const result = await readLiveTenant({ config, auth: options.auth, command: "assess" });
  return { snapshot: result.snapshot, source: "live" };
}

export function parseFormats(value: string): Format[] {
  const names = value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0)
    .map((s) => FORMAT_ALIASES[s] ?? s);
  if (names.length === 0) throw new UsageError(`--format needs one or several of ${FORMATS.join(", ")}`);
  const unknown = names.filter((n) => !isFormat(n));
  if (unknown.length > 0)
    throw new UsageError(
      `--format: unknown format ${unknown.map((n) => JSON.stringify(n)).join(", ")}; allowed: ${FORMATS.join(", ")}`,
    );
  return [...new Set(names as Format[])];
}

function parseSeverity(value: string): Severity {
  const v = value.trim().toLowerCase();
  if (!(CHECK_SEVERITIES as readonly string[]).includes(v))
    throw new UsageError(
      `--fail-on: unknown severity ${JSON.stringify(value)}; allowed: ${CHECK_SEVERITIES.join(", ")}`,
    );
  return v as Severity;
}

function parseNow(value: string): Date {
  const date = new Date(value);
  if (
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) ||
    Number.isNaN(date.getTime())
  )
    throw new UsageError(
      `--now: expected an ISO 8601 date-time such as 2026-11-01T10:00:00Z, got ${JSON.stringify(value)}`,
    );
  return date;
}

/** A path as a reader recognises it: relative to the working directory when inside it. */
function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

/** The SARIF location of results: relative to the working directory when inside it, else a file URL. */
export function artifactUri(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return pathToFileURL(file).href;
  return rel.split(sep).map(encodeURIComponent).join("/");
}

export function processIo(): AssessIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    columns: terminalColumns(),
    clock: () => new Date(),
  };
}

/** The terminal's width: the tty's, else COLUMNS (set by most shells, not exported by all), else none. */
function terminalColumns(): number | undefined {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

/** The catalogue and the context builder `assess` runs (tests pass their own engine). */
export async function loadCheckRegistry(): Promise<AssessEngine> {
  return { checks: CHECKS, buildCheckContext };
}
