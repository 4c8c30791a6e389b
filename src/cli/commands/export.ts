/**
 * `breakglass export --out FILE [--config FILE]`: collect a full snapshot through Graph and ARM and
 * write it atomically. Graph and ARM base URLs come from BREAKGLASS_GRAPH_URL / BREAKGLASS_ARM_URL
 * (the emulator prints them), the credential from --auth or the AZURE_* variables.
 */
import { EXIT_TEXT, helpText } from "../conventions.js";
import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { AUTH_METHODS, type AuthMethod } from "../../graph/auth-methods.js";
import type { ExportResult } from "../../collect/export.js";
import { loadConfig } from "../../config/load.js";
import { saveSnapshot } from "../../snapshot/load.js";
import { UsageError } from "../../errors.js";
import { checkWritable } from "../../io/atomic-write.js";
import { terminalLines } from "../../report/escape.js";

export function parseRetries(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 10)
    throw new InvalidArgumentError("--retries: an integer from 0 to 10 (default 6)");
  return n;
}

export function parseAuth(value: string): AuthMethod {
  if (!(AUTH_METHODS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`--auth: one of ${AUTH_METHODS.join(", ")}`);
  return value as AuthMethod;
}

/** One summary line per outcome, for stderr. */
export function exportSummary(result: ExportResult): string {
  const s = result.snapshot;
  const unavailable = Object.entries(s.unavailable ?? {});
  const r = result.requests;
  const lines = [
    `exported ${s.users?.length ?? "?"} users, ${s.groups?.length ?? "?"} groups, ` +
      `${s.conditionalAccessPolicies?.length ?? "?"} Conditional Access policies; relationships of ${result.subjects.length} users`,
    `${r.requests} requests (${r.batchedRequests} inside $batch), ${r.depthAfterToken ?? "?"} round trips of depth after the token, ` +
      `${r.throttled} answered 429 and ${r.unavailableAnswers} answered 503/504 (each retried); ` +
      `${(r.retryWaitMs / 1000).toFixed(1)} s waiting on Retry-After or back-off and ` +
      `${(r.pacingWaitMs / 1000).toFixed(1)} s held to Graph's pace (wall time)`,
  ];
  if (unavailable.length) {
    lines.push(`${unavailable.length} read(s) unavailable (checks that need them will say unknown):`);
    for (const [k, v] of unavailable) lines.push(`  ${k}: ${v}`);
  }
  // Tenant names and service messages are tenant data: each stays inside its own line.
  return terminalLines(lines);
}

export function register(program: Command): void {
  program
    .command("export")
    .description("read the tenant (Graph and ARM, read-only) into a snapshot file")
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass export --out tenant.json",
          "breakglass export --out tenant.json --config breakglass.yaml --auth cli",
        ],
        [
          "0 written (unread sections listed on stderr)",
          EXIT_TEXT.usage,
          "3 not one core section could be read",
          EXIT_TEXT.internal,
        ],
      ),
    )
    .requiredOption("--out <file>", "where to write the snapshot (written atomically)")
    .option("--config <file>", "configuration file (config.md); names the emergency accounts")
    .option(
      "--auth <method>",
      `credential: ${AUTH_METHODS.join(", ")} (default: from AZURE_* variables)`,
      parseAuth,
    )
    .option(
      "--retries <n>",
      "retries per request on transient failures (a 429 with Retry-After is honoured, up to 15 min)",
      parseRetries,
      6,
    )
    .action(async (opts: { out: string; config?: string; auth?: AuthMethod; retries: number }) => {
      if (!opts.out.trim()) throw new UsageError("--out: give the file to write the snapshot to");
      const config = (await loadConfig(opts.config)).config;
      // Before the read, which takes minutes on a large tenant: a wrong --out fails now.
      await checkWritable([resolve(opts.out)]);
      // Loaded here, not at the top: `--help` and bad flags do not pay for the Azure SDKs.
      const { readLiveTenant } = await import("../../collect/live.js");
      const result = await readLiveTenant({
        config,
        auth: opts.auth,
        retries: opts.retries,
        command: "export",
      });
      await saveSnapshot(opts.out, result.snapshot);
      process.stderr.write(exportSummary(result));
      process.stderr.write(`snapshot written to ${opts.out}\n`);
    });
}
