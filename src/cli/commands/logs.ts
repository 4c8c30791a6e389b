/**
 * `breakglass logs scan FILE... [--from TIME] [--to TIME] [--config FILE] [--format console|json]`:
 * every sign-in of the emergency accounts in exported sign-in logs (src/drills/logs-scan.ts), with
 * whether a drill, use or enrollment window explains it. Exit 1 when a successful sign-in is
 * unexplained (a possible compromise), 0 otherwise, 2 for a bad flag, config or file.
 *
 * Every string from the logs is hostile (user agents, names, failure reasons): the console output
 * shows each one inline and escaped, so no log line can forge a line of this report.
 */
import { dirname } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../config/load.js";
import { EXIT_TEXT, helpText, withHelp } from "../conventions.js";
import { scanLogs, type ScannedSignIn, type ScanSummary } from "../../drills/logs-scan.js";
import { EXIT, isFileSystemError, UsageError } from "../../errors.js";
import { listRecords } from "../../records/access.js";
import { FileRecordStore } from "../../records/store.js";
import { type AccessWindow, windowsOf } from "../../records/windows.js";
import { terminalInline } from "../../report/escape.js";
import { stringifyJson } from "../../report/json.js";

interface ScanFlags {
  from?: string;
  to?: string;
  config?: string;
  format: string;
}

const DURATION = /^(\d+)([dh])$/;

/** An ISO 8601 time, or a duration back from now (`90d`, `12h`). */
export function parseTime(value: string, flag: string, now: number): number {
  const d = DURATION.exec(value);
  if (d) return now - Number(d[1]) * (d[2] === "d" ? 86_400_000 : 3_600_000);
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new UsageError(`${flag} must be an ISO 8601 time or a duration such as 90d, not "${value}"`);
  return t;
}

/**
 * The access windows of the drill, use and enrollment records. The records side does not produce
 * them yet: until it does, there are none, and the command says so.
 */
/** The windows of the drill, use and enrollment records beside the configuration. */
async function readWindows(configFile: string | null): Promise<{ windows: AccessWindow[]; read: boolean }> {
  if (configFile === null) return { windows: [], read: false };
  return { windows: windowsOf(await listRecords(new FileRecordStore(dirname(configFile)))), read: true };
}

function line(s: ScannedSignIn): string {
  const who = terminalInline(s.userPrincipalName ?? s.userId ?? "(unknown)");
  const result = s.result === "success" ? "success" : `failure ${terminalInline(s.errorCode)}`;
  const why = s.explainedBy
    ? `explained by ${s.explainedBy.kind} ${terminalInline(s.explainedBy.id)}`
    : s.result === "success"
      ? "UNEXPLAINED"
      : "unexplained (failed)";
  const fields = [
    s.time,
    who,
    result,
    `method ${s.methods.length ? s.methods.map(terminalInline).join(" + ") : "(not in the log)"}`,
    `ip ${terminalInline(s.ip ?? "-")}`,
    `location ${terminalInline(s.location ?? "-")}`,
    `app ${terminalInline(s.app ?? "-")}`,
    `policies ${s.policies.length ? s.policies.map((p) => `${terminalInline(p.name)} (${terminalInline(p.result)})`).join(", ") : terminalInline(s.conditionalAccess ?? "-")}`,
    why,
  ];
  return `${fields.join("  ")}\n    ${terminalInline(s.file)}:${s.record}\n`;
}

function summaryText(summary: ScanSummary, windowsRead: boolean): string {
  const out: string[] = [];
  if (!windowsRead)
    out.push(
      "No configuration file, so no drill, use or enrollment records: no window explains any sign-in.",
    );
  out.push(
    `${summary.signIns} sign-in(s) of the emergency accounts in ${summary.files.length} file(s); ` +
      `${summary.unexplainedSuccesses} unexplained successful, ${summary.unexplainedFailures} unexplained failed.`,
  );
  for (const n of summary.notes)
    out.push(
      `note: ${terminalInline(n.file)}${n.record !== undefined ? `:${n.record}` : ""}: ${terminalInline(n.message)}`,
    );
  return `${out.join("\n")}\n`;
}

/** docs/drills.md: an unexplained successful sign-in is a possible compromise. */
const SCAN_EXITS = [
  "0 every sign-in explained",
  "1 a successful sign-in no window explains",
  EXIT_TEXT.usage,
  EXIT_TEXT.internal,
];

export function register(program: Command): void {
  const logs = withHelp(
    program.command("logs").description("read exported sign-in logs"),
    [
      "breakglass logs scan signins.jsonl.gz --from 90d",
      "breakglass logs scan InteractiveSignIns.csv --format json",
    ],
    SCAN_EXITS,
  );
  logs
    .command("scan")
    .description(
      "list every sign-in of the emergency accounts in exported logs, and whether a window explains it",
    )
    .argument("<files...>", "Graph JSON, the portal's JSON or CSV download, Log Analytics JSONL; .gz too")
    .option("--from <time>", "leave out sign-ins before this time (ISO 8601, or a duration back: 90d)")
    .option("--to <time>", "leave out sign-ins after this time")
    .option("--config <file>", "the configuration naming the accounts (default ./breakglass.yaml)")
    .option("--format <format>", "console or json", "console")
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass logs scan signins.jsonl.gz --from 90d",
          "breakglass logs scan InteractiveSignIns.csv --format json > scan.json",
        ],
        SCAN_EXITS,
      ),
    )
    .action(async (files: string[], opts: ScanFlags) => {
      process.exitCode = await runLogsScan(files, opts);
    });
}

export async function runLogsScan(
  files: string[],
  opts: ScanFlags,
  io: { out: (s: string) => void; now: number } = { out: (s) => process.stdout.write(s), now: Date.now() },
): Promise<number> {
  if (opts.format !== "console" && opts.format !== "json")
    throw new UsageError(`--format must be console or json, not "${opts.format}"`);
  const from = opts.from !== undefined ? parseTime(opts.from, "--from", io.now) : undefined;
  const to = opts.to !== undefined ? parseTime(opts.to, "--to", io.now) : undefined;
  let accounts: string[];
  let configFile: string | null;
  try {
    const { config, file } = await loadConfig(opts.config);
    accounts = config.accounts ?? [];
    configFile = file;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (accounts.length === 0)
    throw new UsageError(
      "the configuration names no accounts: logs scan needs `accounts:` (object ids or UPNs); a group cannot be resolved from a log file",
    );
  const { windows, read } = await readWindows(configFile);
  const found: ScannedSignIn[] = [];
  let summary: ScanSummary;
  try {
    summary = await scanLogs(files, { accounts, windows, from, to }, (s) => {
      // console lines go out as they are found (constant memory); JSON needs them all
      if (opts.format === "console") io.out(line(s));
      else found.push(s);
    });
  } catch (err) {
    if (isFileSystemError(err)) throw new UsageError(`${err.path}: ${err.message}`);
    throw err;
  }
  if (opts.format === "json")
    io.out(
      stringifyJson({
        schema: "breakglass.logs-scan/v1",
        windowsRead: read,
        accounts,
        signIns: found,
        summary,
      }),
    );
  else io.out(summaryText(summary, read));
  return summary.unexplainedSuccesses > 0 ? EXIT.findings : EXIT.ok;
}
