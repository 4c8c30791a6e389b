/**
 * CLI benchmark (bench/cli/README.md): the built binary as a person runs it, one process per run,
 * timed from spawn to exit. Start-up (`--version`, `ca prove` on the realistic and stress tenants)
 * and `assess --snapshot` on the generated realistic and stress tenants at 1x, 2x and 4x.
 *
 *   npm run build && node dist/bench/cli/run.js             (or: npx tsx bench/cli/run.ts)
 *   node dist/bench/cli/run.js --only startup --runs 9
 *   node dist/bench/cli/run.js --only assess --scales 1,2 --write
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateTenant, REALISTIC, STRESS, type TenantShape } from "../ca/generate.js";

/** The repository root, from bench/cli (tsx) or dist/bench/cli (built). */
function root(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join("dist", "bench", "cli")) ? join(here, "..", "..", "..") : join(here, "..", "..");
}

const ROOT = root();
const BIN = join(ROOT, "dist/bin/breakglass.js");

export interface Timing {
  name: string;
  /** median wall time of the runs, spawn to exit, milliseconds */
  medianMs: number;
  runsMs: number[];
  /** the 1-minute load average when the runs ended: the machine is shared */
  loadAverage: number;
  /** the target the issue sets, if any */
  targetMs?: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Runs argv `runs` times (after one untimed warm-up that fills the OS file cache). */
function time(name: string, argv: string[], runs: number, targetMs?: number): Timing {
  const once = () => {
    const t0 = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    const ms = performance.now() - t0;
    // assess exits 1 when it has findings; anything else is the bench's own failure.
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`${name}: exit ${r.status ?? r.signal}: ${String(r.stderr).slice(0, 500)}`);
    return ms;
  };
  once();
  const runsMs = Array.from({ length: runs }, once).map((ms) => Math.round(ms));
  const t: Timing = { name, medianMs: median(runsMs), runsMs, loadAverage: loadavg()[0]!, targetMs };
  const target = targetMs === undefined ? "" : ` (target < ${targetMs} ms)`;
  process.stderr.write(
    `${name}: median ${t.medianMs} ms of [${runsMs.join(", ")}]${target}, load ${t.loadAverage.toFixed(1)}\n`,
  );
  return t;
}

/** A generated tenant written as a snapshot file with a config naming its two emergency accounts. */
function writeTenant(dir: string, shape: TenantShape, scale: number): { snapshot: string; config: string } {
  const scaled = {
    ...shape,
    users: shape.users * scale,
    groups: shape.groups * scale,
    policies: shape.policies * scale,
  };
  const { snapshot, emergencyIds } = generateTenant(scaled);
  const base = join(dir, `${shape.name}-${scale}x`);
  writeFileSync(`${base}.json`, JSON.stringify(snapshot));
  writeFileSync(`${base}.yaml`, `accounts:\n${emergencyIds.map((id) => `  - ${id}\n`).join("")}`);
  return { snapshot: `${base}.json`, config: `${base}.yaml` };
}

export interface CliBenchResult {
  date: string;
  node: string;
  cpus: number;
  runs: number;
  startup: Timing[];
  assess: Array<Timing & { tenant: string; scale: number; ratioToPrevious?: number }>;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "5" },
      scales: { type: "string", default: "1,2,4" },
      only: { type: "string" },
      write: { type: "boolean", default: false },
    },
  });
  const runs = Number(values.runs);
  const scales = values.scales.split(",").map(Number);
  const dir = mkdtempSync(join(tmpdir(), "bg-bench-cli-"));
  const node = process.execPath;
  const result: CliBenchResult = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    runs,
    startup: [],
    assess: [],
  };
  try {
    if (values.only !== "assess") {
      const realistic = writeTenant(dir, REALISTIC, 1);
      const stress = writeTenant(dir, STRESS, 1);
      const prove = (t: { snapshot: string; config: string }) => [
        node,
        BIN,
        "ca",
        "prove",
        "--snapshot",
        t.snapshot,
        "--config",
        t.config,
      ];
      result.startup.push(
        time("node -e 0 (Node itself)", [node, "-e", "0"], runs),
        time("breakglass --version", [node, BIN, "--version"], runs, 150),
        time("ca prove, realistic", prove(realistic), runs, 400),
        time("ca prove, stress", prove(stress), runs, 800),
      );
    }
    if (values.only !== "startup") {
      for (const shape of [REALISTIC, STRESS]) {
        let previous: number | undefined;
        for (const scale of scales) {
          const t = writeTenant(dir, shape, scale);
          const argv = [
            node,
            BIN,
            "assess",
            "--snapshot",
            t.snapshot,
            "--config",
            t.config,
            "--format",
            "json",
          ];
          const timing = time(`assess --snapshot, ${shape.name} ${scale}x`, argv, runs, undefined);
          result.assess.push({
            ...timing,
            tenant: shape.name,
            scale,
            ...(shape === STRESS && scale === 1 ? { targetMs: 2000 } : {}),
            ...(previous ? { ratioToPrevious: Math.round((timing.medianMs / previous) * 100) / 100 } : {}),
          });
          previous = timing.medianMs;
          rmSync(t.snapshot);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(`${json}\n`);
  if (values.write) {
    const out = join(ROOT, "bench/results", `cli-${result.date.slice(0, 10)}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${json}\n`);
    process.stderr.write(`written to ${out}\n`);
  }
}

main();
