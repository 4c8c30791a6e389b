/**
 * `breakglass assess`: read the tenant (live, or a snapshot file with --snapshot),
 * run every check, and report in one or several formats. Exit codes (docs/report.md):
 * 0 nothing at or above --fail-on failed, 1 something did, 2 usage/config/input error, 3 the
 * tenant could not be read at all.
 *
 * Nothing half-written: every format is rendered in memory first, then each file is written to a
 * temporary file beside its target and renamed over it.
 */
import { mkdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, Option } from "commander";
import { buildCheckContext, CHECKS } from "../../checks/registry.js";
import { AUTH_METHODS, type AuthMethod } from "../../graph/auth-methods.js";
import { parseAuth } from "./export.js";
import { runChecks } from "../../checks/runner.js";
import type { Check, CheckContext } from "../../checks/types.js";
import { loadConfig } from "../../config/load.js";
import { CHECK_SEVERITIES, type Config, type Severity } from "../../config/schema.js";
import { buildReport } from "../../report/build.js";
import type { Report } from "../../report/model.js";
import { FORMATS, isFormat, OUT_DIR_FILE, render, type Format } from "../../report/render.js";
import { sanitizeForTerminal } from "../../report/escape.js";
import { loadSnapshot } from "../../snapshot/load.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { VERSION } from "../../version.js";
import { UsageError } from "../errors.js";

/** What `assess` needs from the checks: the catalogue and how to build their context. */
export interface AssessEngine {
  /** every check the build knows, in catalogue order. */
  checks: readonly Check[];
  buildCheckContext(snapshot: Snapshot, config: Config): CheckContext;
}

export interface AssessIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
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
    .description(
      "Check the tenant's emergency access against the recommendations, with evidence and the fix.",
    )
    .option(
      "--snapshot <file>",
      "assess a snapshot file (from `breakglass export`) instead of the live tenant",
    )
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option("--format <formats>", `one or several, comma-separated: ${FORMATS.join("|")}`, "console")
    .option("--out <file>", "write the report to this file (one format)")
    .option("--out-dir <dir>", "write one file per format into this directory (breakglass-report.*)")
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a check at or above this severity is not met").default(
        "high",
      ),
    )
    .option("--allow-unknown", "do not fail on checks that could not conclude (unknown)")
    .option("--now <iso>", "evaluate as of this time instead of the snapshot's capturedAt")
    .option(
      "--auth <method>",
      `live tenant credential: ${AUTH_METHODS.join(", ")} (default: from AZURE_* variables)`,
      parseAuth,
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
  if (options.out !== undefined && options.outDir !== undefined)
    throw new UsageError(
      "--out and --out-dir exclude each other: --out for one format, --out-dir for several",
    );
  if (options.out !== undefined && formats.length > 1)
    throw new UsageError(`--out writes one format; for ${formats.join(",")} use --out-dir DIR`);
  if (options.out === undefined && options.outDir === undefined && formats.length > 1)
    throw new UsageError(`several formats (${formats.join(",")}) need --out-dir DIR`);

  const { config, file: configFile } = await loadConfig(options.config, io.cwd);
  const snapshotFile = options.snapshot !== undefined ? resolve(io.cwd, options.snapshot) : undefined;
  const read = snapshotFile
    ? { snapshot: await loadSnapshot(snapshotFile), source: `snapshot:${basename(snapshotFile)}` }
    : await deps.collect(config, options);
  let snapshot = read.snapshot;
  // "Now" for every check is the snapshot's capturedAt (docs/checks.md); --now replaces it, so the
  // same snapshot can be judged at another date (tests, "what will expire by then").
  if (now) snapshot = { ...snapshot, tenant: { ...snapshot.tenant, capturedAt: now.toISOString() } };

  const engine = await deps.engine();
  const context = engine.buildCheckContext(snapshot, config);
  const results = runChecks(engine.checks, context);
  const report = buildReport({
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

  const artifact = configFile ?? snapshotFile;
  const help = Object.fromEntries(engine.checks.map((c) => [c.id, c.docs]));
  const renderOne = (format: Format, toTerminal: boolean) =>
    render(format, report, {
      color: toTerminal && io.stdoutIsTTY && !io.env.NO_COLOR,
      artifactUri: artifact ? artifactUri(artifact, io.cwd) : undefined,
      help,
    });

  // Render everything before writing anything.
  const files: Array<{ path: string; content: string }> = [];
  let toStdout: string | undefined;
  if (options.out !== undefined) {
    files.push({ path: resolve(io.cwd, options.out), content: renderOne(formats[0]!, false) });
  } else if (options.outDir !== undefined) {
    const dir = resolve(io.cwd, options.outDir);
    for (const format of formats) {
      if (format === "console") toStdout = renderOne(format, true);
      else files.push({ path: join(dir, OUT_DIR_FILE[format]), content: renderOne(format, false) });
    }
  } else {
    toStdout = renderOne(formats[0]!, true);
  }

  if (options.outDir !== undefined) await mkdir(resolve(io.cwd, options.outDir), { recursive: true });
  await writeAtomically(files);
  if (toStdout !== undefined) io.stdout(toStdout);
  if (files.length > 0)
    io.stderr(`breakglass: wrote ${files.map((f) => sanitizeForTerminal(f.path)).join(", ")}\n`);
  return exitCodeFor(report);
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
    .filter((s) => s.length > 0);
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

/**
 * Each file to a temporary file beside it first; renamed over the targets only when all are
 * written. A failure removes every temporary file and is a usage error naming the file (exit 2).
 */
export async function writeAtomically(
  files: ReadonlyArray<{ path: string; content: string }>,
): Promise<void> {
  const pending: Array<{ tmp: string; path: string }> = [];
  const cleanUp = () => Promise.all(pending.map((w) => unlink(w.tmp).catch(() => undefined)));
  const cannotWrite = (path: string, err: unknown) =>
    new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  for (const f of files) {
    const dir = dirname(f.path);
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      await cleanUp();
      throw new UsageError(`cannot write ${f.path}: ${dir} is not a directory`);
    }
    const tmp = join(dir, `.${basename(f.path)}.${process.pid}.tmp`);
    pending.push({ tmp, path: f.path });
    try {
      await writeFile(tmp, f.content, { encoding: "utf8", mode: 0o644 });
    } catch (err) {
      await cleanUp();
      throw cannotWrite(f.path, err);
    }
  }
  while (pending.length > 0) {
    const next = pending[0]!;
    try {
      await rename(next.tmp, next.path);
    } catch (err) {
      await cleanUp();
      throw cannotWrite(next.path, err);
    }
    pending.shift();
  }
}

export function processIo(): AssessIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    clock: () => new Date(),
  };
}

/** The catalogue and the context builder `assess` runs (tests pass their own engine). */
export async function loadCheckRegistry(): Promise<AssessEngine> {
  return { checks: CHECKS, buildCheckContext };
}
