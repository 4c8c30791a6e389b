/**
 * `breakglass export-rules --format arm|bicep|sentinel-yaml [--out-dir DIR] [--config F] [--snapshot FILE]`:
 * the detection rules deploy would write (docs/deploy.md "Monitoring resources"), as files for
 * teams that deploy detection from their own repository. Reads the tenant (or a snapshot) for the
 * accounts' and group's object ids. Exit codes: 0; 2 usage or input; 3 tenant unreadable.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { readLiveTenant } from "../../collect/live.js";
import { loadConfig } from "../../config/load.js";
import {
  EXPORT_FORMATS,
  type ExportFormat,
  exportedRules,
  exportFiles,
} from "../../deploy/monitoring/export.js";
import { EXIT_TEXT, helpText } from "../conventions.js";
import { type AuthMethod, AUTH_METHODS } from "../../graph/index.js";
import { writeFileAtomically } from "../../io/atomic-write.js";
import { loadSnapshot } from "../../snapshot/load.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { parseAuth } from "./export.js";

export interface ExportRulesOptions {
  format: ExportFormat;
  outDir?: string;
  config?: string;
  snapshot?: string;
  auth?: AuthMethod;
}

export interface ExportRulesIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

const processIo = (): ExportRulesIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  cwd: process.cwd(),
});

function parseFormat(value: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`--format: ${value} is not one of ${EXPORT_FORMATS.join(", ")}`);
  return value as ExportFormat;
}

export function register(program: Command, io: ExportRulesIo = processIo()): void {
  program
    .command("export-rules")
    .description("write the detection rules deploy manages as ARM JSON, Bicep or Sentinel YAML files")
    .requiredOption("--format <format>", `file format: ${EXPORT_FORMATS.join(", ")}`, parseFormat)
    .option("--out-dir <dir>", "directory to write into (default: the current directory)")
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option("--snapshot <file>", "take the object ids from a snapshot file instead of the live tenant")
    .option("--auth <method>", `live tenant credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass export-rules --format bicep --out-dir infra/monitoring",
          "breakglass export-rules --format sentinel-yaml --snapshot tenant.json --out-dir detections/",
        ],
        [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.unreadable, EXIT_TEXT.internal],
      ),
    )
    .action(async (options: ExportRulesOptions) => {
      process.exitCode = await runExportRules(options, io);
    });
}

export async function runExportRules(
  options: ExportRulesOptions,
  io: ExportRulesIo,
  read?: () => Promise<Snapshot>,
): Promise<number> {
  const { config } = await loadConfig(options.config, io.cwd);
  // A snapshot that cannot be read is a SnapshotError (exit 2), a missing file a file-system error (exit 2).
  const snapshot: Snapshot =
    options.snapshot !== undefined
      ? await loadSnapshot(resolve(io.cwd, options.snapshot))
      : read
        ? await read()
        : (await readLiveTenant({ config, auth: options.auth, command: "plan", warn: io.stderr })).snapshot;
  const rules = exportedRules(snapshot, config, options.format);
  const dir = resolve(io.cwd, options.outDir ?? ".");
  await mkdir(dir, { recursive: true });
  for (const [name, content] of exportFiles(rules, options.format, config.azure.workspace ?? "")) {
    await writeFileAtomically(join(dir, name), content);
    io.stdout(`${join(options.outDir ?? ".", name)}\n`);
  }
  return 0;
}
