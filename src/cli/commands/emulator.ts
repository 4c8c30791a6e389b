/**
 * `breakglass emulator`: serve a tenant snapshot as a local Entra emulator over HTTPS. Prints the
 * client environment first (shell-sourceable `export` lines on stdout), serves until SIGINT/SIGTERM,
 * then prints its counters on stderr.
 */
import { EXIT_TEXT, helpText } from "../conventions.js";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import { AppRegistrationList, type AppRegistrationInput } from "../../../emulator/apps.js";
import { formatCounters } from "../../../emulator/counters.js";
import type { CreateGraphResourceLayer } from "../../../emulator/graph/types.js";
import { startEmulator, type EmulatorEnv } from "../../../emulator/index.js";
import { formatIssues, loadSnapshot } from "../../snapshot/load.js";
import { UsageError } from "../../errors.js";

export interface EmulatorFlags {
  snapshot?: string;
  port?: string;
  latency?: string;
  faultRate?: string;
  seed?: string;
  throttle?: boolean;
  apps?: string;
  stateDir?: string;
  deployer?: boolean;
  replicationDelay?: string;
}

export interface EmulatorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** resolves when the emulator should stop (SIGINT/SIGTERM in the CLI) */
  stopped: Promise<unknown>;
  /** test seam: the Graph resource layer (default: the emulator's own) */
  graphLayer?: CreateGraphResourceLayer;
}

const ENV_ORDER: Array<keyof EmulatorEnv> = [
  "NODE_EXTRA_CA_CERTS",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_SUBSCRIPTION_ID",
  "AZURE_AUTHORITY_HOST",
  "BREAKGLASS_GRAPH_URL",
  "BREAKGLASS_ARM_URL",
  "BREAKGLASS_GRAPH_PACING",
];

/** POSIX shell single-quoting: 'it'\''s'. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function integerFlag(flag: string, raw: string | undefined, min: number, max: number, fix: string) {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got "${raw}". ${fix}`);
  }
  return value;
}

export async function loadAppsFile(file: string): Promise<AppRegistrationInput[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `--apps ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Give the path of a JSON list of app registrations.`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--apps ${file}: not valid JSON (${(err as Error).message}).`);
  }
  const parsed = AppRegistrationList.safeParse(document);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error as z.ZodError, document);
    throw new UsageError(
      `--apps ${file}: ${issues.join("; ")}. Each entry is { "clientId"?, "secret"? or "certificate"? (PEM), "graphPermissions": [...], "arm"?: { "subscriptions": "*" | [ids], "aadiam": boolean } }.`,
    );
  }
  parsed.data.forEach((app, index) => {
    if (!app.secret && !app.secrets?.length && !app.certificate && !app.certificates?.length) {
      throw new UsageError(
        `--apps ${file}: [${index}] has no credential. Give it "secret" or "certificate" (PEM).`,
      );
    }
  });
  return parsed.data;
}

export async function runEmulatorCommand(flags: EmulatorFlags, io: EmulatorIo): Promise<void> {
  if (!flags.snapshot) {
    throw new UsageError(
      "--snapshot is required: give the tenant snapshot file to serve, e.g. --snapshot fixtures/tenants/good.json.",
    );
  }
  const port = integerFlag("--port", flags.port, 0, 65535, "Use 0 for a free port.");
  const latencyMs = integerFlag("--latency", flags.latency, 0, 60_000, "Give milliseconds.");
  const seed = integerFlag("--seed", flags.seed, 0, 2 ** 32 - 1, "Give a non-negative integer.");
  let faultRate: number | undefined;
  if (flags.faultRate !== undefined) {
    faultRate = Number(flags.faultRate);
    if (flags.faultRate.trim() === "" || !Number.isFinite(faultRate) || faultRate < 0 || faultRate > 1) {
      throw new UsageError(
        `--fault-rate: expected a probability from 0 to 1, got "${flags.faultRate}". E.g. --fault-rate 0.05.`,
      );
    }
  }
  const replicationDelayMs = integerFlag(
    "--replication-delay",
    flags.replicationDelay,
    0,
    600_000,
    "Give milliseconds, e.g. --replication-delay 3000.",
  );
  const apps = flags.apps ? await loadAppsFile(flags.apps) : undefined;
  const snapshot = await loadSnapshot(flags.snapshot);

  const emulator = await startEmulator({
    snapshot,
    ...(port !== undefined ? { port } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(faultRate !== undefined ? { faultRate } : {}),
    ...(seed !== undefined ? { seed } : {}),
    throttle: flags.throttle !== false,
    ...(apps ? { apps } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    ...(flags.deployer ? { deployer: true } : {}),
    ...(replicationDelayMs !== undefined ? { replicationDelayMs } : {}),
    ...(io.graphLayer ? { graphLayer: io.graphLayer } : {}),
  });
  try {
    const env = emulator.env;
    io.stdout(
      ENV_ORDER.flatMap((name) =>
        env[name] === undefined ? [] : [`export ${name}=${shellQuote(env[name])}\n`],
      ).join(""),
    );
    io.stderr(
      `breakglass emulator: tenant ${emulator.tenantId} on ${emulator.url} (Graph ${emulator.graphUrl}, ARM ${emulator.armUrl}); ${emulator.apps.length} app(s). Stop with Ctrl-C.\n`,
    );
    await io.stopped;
  } finally {
    await emulator.close();
    io.stderr(`${formatCounters(emulator.counters())}\n`);
  }
}

export function register(program: Command): void {
  program
    .command("emulator")
    .description(
      "serve a tenant snapshot as a local Entra emulator (token endpoint, Graph, ARM) over HTTPS; prints the client environment first",
    )
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass emulator --snapshot fixtures/tenants/midsize.json > emulator.env &",
          "breakglass emulator --snapshot tenant.json --fault-rate 0.1 --seed 7 --deployer",
        ],
        ["0 stopped", EXIT_TEXT.usage, EXIT_TEXT.internal],
      ),
    )
    .option("--snapshot <file>", "the tenant snapshot to serve")
    .option("--port <n>", "port on 127.0.0.1 (0 = a free port)", "0")
    .option("--latency <ms>", "delay added to every response")
    .option("--fault-rate <r>", "probability (0..1) of an injected fault per Graph/ARM request")
    .option("--seed <n>", "seed of the fault injection")
    .option("--no-throttle", "turn Graph throttling off")
    .option("--apps <file>", "JSON list of app registrations (credentials, Graph permissions, ARM access)")
    .option(
      "--state-dir <dir>",
      "where the CA certificate (ca.pem) is written; keys stay in memory (default: a fresh temp dir)",
    )
    .option(
      "--deployer",
      "print the environment of an app holding deploy's write permissions and directory roles (the default app stays read-only)",
    )
    .option("--replication-delay <ms>", "a created object stays invisible to other requests for this long")
    .action(async (flags: EmulatorFlags) => {
      // Listening for a signal replaces Node's default (ending the process), so the listeners live
      // only until the first signal (a second one ends the process as usual) or the command's end:
      // refused flags leave none behind.
      let resolveStopped: (signal: NodeJS.Signals) => void = () => {};
      const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
      const stopListening = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      };
      const stop = (signal: NodeJS.Signals) => {
        stopListening();
        resolveStopped(signal);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      try {
        await runEmulatorCommand(flags, {
          stdout: (text) => process.stdout.write(text),
          stderr: (text) => process.stderr.write(text),
          stopped,
        });
      } finally {
        stopListening();
      }
    });
}
