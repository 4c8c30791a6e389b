/**
 * Export benchmark (bench/README.md): the mid-size sample tenant, exported from the emulator over
 * HTTPS through the real client stack, once with throttling off and once with Graph's throttling
 * emulated. Prints a table and writes bench/results/export-<date>.json.
 *
 *   npm run build && npm run bench            (or: npx tsx bench/run.ts)
 *   npx tsx bench/run.ts --tenant good --runs 3
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startWorkerEmulator } from "./worker.js";
import { loadConfig } from "../src/config/load.js";
import { exportTenant } from "../src/collect/export.js";
import { createClients } from "../src/graph/index.js";

/** The repository root, from bench/ (tsx) or dist/bench/ (built). */
function root(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join("dist", "bench")) ? join(here, "..", "..") : join(here, "..");
}

export interface BenchRun {
  tenant: string;
  throttle: boolean;
  /** round trips after the token, as the emulator counts them */
  depthAfterToken: number | null;
  /** the same, as the client counts its own requests (token and metadata included) */
  clientDepthAfterToken: number | null;
  /** latency the emulator adds to every response */
  latencyMs: number;
  requests: number;
  batchedReads: number;
  throttled: number;
  throttledBySection: Record<string, number>;
  /** time spent waiting on Retry-After / back-off, summed over waits */
  retryWaitMs: number;
  elapsedMs: number;
  unavailable: string[];
}

/** A realistic Graph round trip; see bench/emulator-worker.ts for why the depth needs one. */
export const DEFAULT_LATENCY_MS = 150;

export async function benchExport(
  tenant: string,
  throttle: boolean,
  latencyMs = DEFAULT_LATENCY_MS,
): Promise<BenchRun> {
  const dir = join(root(), "fixtures", "tenants");
  const config = (await loadConfig(join(dir, `${tenant}.breakglass.yaml`))).config;
  const emu = await startWorkerEmulator(join(dir, `${tenant}.json`), { throttle, latencyMs });
  try {
    const clients = createClients(
      {
        auth: {
          method: "secret",
          tenantId: emu.tenantId,
          clientId: emu.clientId,
          clientSecret: emu.clientSecret,
          authorityHost: emu.authorityHost,
        },
        caPem: emu.caPem,
        graphUrl: emu.graphUrl,
        armUrl: emu.armUrl,
      },
      {},
    );
    const started = Date.now();
    const result = await exportTenant({ clients, config });
    const elapsedMs = Date.now() - started;
    const counters = await emu.counters();
    return {
      tenant,
      throttle,
      latencyMs,
      depthAfterToken: counters.depth.afterToken,
      clientDepthAfterToken: result.requests.depthAfterToken,
      requests: result.requests.requests,
      batchedReads: result.requests.batchedRequests,
      throttled: counters.throttled.total,
      throttledBySection: counters.throttled.bySection,
      retryWaitMs: Math.round(result.requests.retryWaitMs),
      elapsedMs,
      unavailable: Object.keys(result.snapshot.unavailable ?? {}),
    };
  } finally {
    await emu.close();
  }
}

function table(runs: BenchRun[]): string {
  const head = [
    "tenant",
    "throttle",
    "latency ms",
    "depth after token (emulator/client)",
    "requests",
    "reads in $batch",
    "throttled",
    "retry wait s",
    "elapsed s",
    "unavailable",
  ];
  const rows = runs.map((r) => [
    r.tenant,
    r.throttle ? "on" : "off",
    String(r.latencyMs),
    `${r.depthAfterToken} / ${r.clientDepthAfterToken}`,
    String(r.requests),
    String(r.batchedReads),
    String(r.throttled),
    (r.retryWaitMs / 1000).toFixed(1),
    (r.elapsedMs / 1000).toFixed(1),
    r.unavailable.length ? r.unavailable.join(",") : "none",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: "string", default: "midsize" },
      runs: { type: "string", default: "1" },
      latency: { type: "string", default: String(DEFAULT_LATENCY_MS) },
      "no-throttle-only": { type: "boolean" },
    },
  });
  const latency = Math.max(0, Number(values.latency) || 0);
  const runs: BenchRun[] = [];
  const n = Math.max(1, Number(values.runs) || 1);
  for (const throttle of values["no-throttle-only"] ? [false] : [false, true])
    for (let i = 0; i < n; i++) runs.push(await benchExport(values.tenant!, throttle, latency));
  process.stdout.write(`${table(runs)}\n`);
  const out = join(root(), "bench", "results", `export-${new Date().toISOString().slice(0, 10)}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ node: process.version, runs }, null, 2) + "\n");
  process.stdout.write(`results written to ${out}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
