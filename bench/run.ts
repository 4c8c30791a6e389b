/**
 * Live assess benchmark (bench/README.md): a sample tenant read from the emulator over HTTPS
 * through the real client stack and assessed, side by side with throttling off and with Graph's
 * throttling emulated; optionally a generated tenant with many privileged users, throttled. Prints
 * a table and writes bench/results/assess-<date>.json.
 *
 *   npm run build && npm run bench            (or: npx tsx bench/run.ts)
 *   npx tsx bench/run.ts --tenant good --runs 3
 *   npx tsx bench/run.ts --privileged 300     (adds the generated tenant, throttled)
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { clientsOf, startWorkerEmulator } from "./worker.js";
import { withPrivilegedUsers } from "./generate.js";
import { buildCheckContext, CHECKS } from "../src/checks/registry.js";
import { runChecks } from "../src/checks/runner.js";
import { loadConfig } from "../src/config/load.js";
import { exportTenant } from "../src/collect/export.js";
import { familyOf } from "../src/graph/index.js";
import type { CountersSnapshot } from "../emulator/index.js";

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
  /** reads the emulator answered per throttle family (inside `$batch` counted one by one) */
  readsByFamily: Record<string, number>;
  /** the wall time 5 reports reads per 10 s imply: (ceil(reports / 5) - 1) * 10 s */
  reportsFloorMs: number;
  /** 429s the emulator's throttle model sent */
  throttled: number;
  throttledBySection: Record<string, number>;
  /** wall time at least one read waited on Retry-After or back-off */
  retryWaitMs: number;
  /** wall time at least one read was held to its family's pace */
  pacingWaitMs: number;
  elapsedMs: number;
  unavailable: string[];
  /** sha256 of the checks' results (status, message, subject per finding) */
  reportDigest: string;
  findings: Record<string, number>;
}

/** A realistic Graph round trip; see bench/emulator-worker.ts for why the depth needs one. */
export const DEFAULT_LATENCY_MS = 150;

/** Reads the emulator answered per family (Graph only: token, metadata and ARM left out). */
function readsByFamily(c: CountersSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [endpoint, statuses] of Object.entries(c.requests.byEndpoint)) {
    const path = endpoint.split(" ")[1] ?? "";
    if (path === "/$batch" || path.startsWith("/{tenant}") || /^\/(subscriptions|providers)\b/i.test(path))
      continue;
    const family = familyOf(path);
    out[family] = (out[family] ?? 0) + Object.values(statuses).reduce((a, b) => a + b, 0);
  }
  return out;
}

/** Live assess of one tenant: read it through the real client stack, then run every check. */
export async function benchAssess(
  tenant: string,
  snapshotFile: string,
  configFile: string,
  throttle: boolean,
  latencyMs = DEFAULT_LATENCY_MS,
): Promise<BenchRun> {
  const config = (await loadConfig(configFile)).config;
  const emu = await startWorkerEmulator(snapshotFile, { throttle, latencyMs });
  try {
    // Graph's pace is kept in both runs: the client cannot know the service does not throttle.
    const clients = clientsOf(emu);
    const started = Date.now();
    const result = await exportTenant({ clients, config });
    const elapsedMs = Date.now() - started;
    const results = runChecks(CHECKS, buildCheckContext(result.snapshot, config));
    const findings: Record<string, number> = {};
    for (const r of results) findings[r.status] = (findings[r.status] ?? 0) + 1;
    const digest = createHash("sha256")
      .update(
        JSON.stringify(
          results.map((r) => [
            r.id,
            r.status,
            r.reason,
            r.findings.map((f) => [f.status, f.subject, f.message]),
          ]),
        ),
      )
      .digest("hex")
      .slice(0, 16);
    const counters = await emu.counters();
    const families = readsByFamily(counters);
    return {
      tenant,
      throttle,
      latencyMs,
      depthAfterToken: counters.depth.afterToken,
      clientDepthAfterToken: result.requests.depthAfterToken,
      requests: result.requests.requests,
      batchedReads: result.requests.batchedRequests,
      readsByFamily: families,
      reportsFloorMs: Math.max(0, Math.ceil((families.reports ?? 0) / 5) - 1) * 10_000,
      throttled: counters.throttled.total,
      throttledBySection: counters.throttled.bySection,
      retryWaitMs: Math.round(result.requests.retryWaitMs),
      pacingWaitMs: Math.round(result.requests.pacingWaitMs),
      elapsedMs,
      unavailable: Object.keys(result.snapshot.unavailable ?? {}),
      reportDigest: digest,
      findings,
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
    "reports reads",
    "reports floor s",
    "throttled (emulator 429)",
    "retry wait s",
    "paced s",
    "elapsed s",
    "unavailable",
    "report",
  ];
  const rows = runs.map((r) => [
    r.tenant,
    r.throttle ? "on" : "off",
    String(r.latencyMs),
    `${r.depthAfterToken} / ${r.clientDepthAfterToken}`,
    String(r.requests),
    String(r.batchedReads),
    String(r.readsByFamily.reports ?? 0),
    (r.reportsFloorMs / 1000).toFixed(0),
    String(r.throttled),
    (r.retryWaitMs / 1000).toFixed(1),
    (r.pacingWaitMs / 1000).toFixed(1),
    (r.elapsedMs / 1000).toFixed(1),
    r.unavailable.length ? r.unavailable.join(",") : "none",
    r.reportDigest,
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
      privileged: { type: "string" },
      "no-throttle-only": { type: "boolean" },
    },
  });
  const latency = Math.max(0, Number(values.latency) || 0);
  const dir = join(root(), "fixtures", "tenants");
  const snapshotFile = join(dir, `${values.tenant}.json`);
  const configFile = join(dir, `${values.tenant}.breakglass.yaml`);
  const runs: BenchRun[] = [];
  const n = Math.max(1, Number(values.runs) || 1);
  for (const throttle of values["no-throttle-only"] ? [false] : [false, true])
    for (let i = 0; i < n; i++)
      runs.push(await benchAssess(values.tenant!, snapshotFile, configFile, throttle, latency));
  const privileged = Number(values.privileged ?? 0);
  if (privileged > 0) {
    const tmp = await mkdtemp(join(tmpdir(), "bg-bench-"));
    try {
      const generated = join(tmp, `${values.tenant}-${privileged}-privileged.json`);
      const base = JSON.parse(await readFile(snapshotFile, "utf8"));
      await writeFile(generated, JSON.stringify(withPrivilegedUsers(base, privileged)));
      const name = `${values.tenant}+${privileged} privileged`;
      runs.push(await benchAssess(name, generated, configFile, true, latency));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${table(runs)}\n`);
  const out = join(root(), "bench", "results", `assess-${new Date().toISOString().slice(0, 10)}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ node: process.version, runs }, null, 2) + "\n");
  process.stdout.write(`results written to ${out}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
