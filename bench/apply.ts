/**
 * Apply benchmark (bench/README.md "`apply.ts`: apply of the mid-size sample"): `breakglass apply
 * --yes` of the mid-size sample against the emulator with Graph's throttling on (Conditional Access:
 * 1 request per second per tenant), over HTTPS through the real client stack, in real time. By
 * default the sample as an adoption finds it: the emergency group and accounts excluded from none
 * of the other policies, so that every one of the 21 other policies is written (with the strength,
 * 22 Conditional Access writes), then the sample unchanged (`--as-is`: only that one). Prints the
 * figures and writes bench/results/apply-<date>.json.
 *
 *   npx tsx bench/apply.ts
 *   npx tsx bench/apply.ts --as-is --latency 0
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { deployerRegistration, type CountersSnapshot } from "../emulator/index.js";
import { runApply, type ApplyDeps, type ApplyIo } from "../src/cli/commands/apply.js";
import { exportTenant } from "../src/collect/export.js";
import { createArmWriter, createGraphWriter } from "../src/graph/index.js";
import { FileRecordStore } from "../src/records/store.js";
import { DEFAULT_LATENCY_MS } from "./run.js";
import { clientsOf, startWorkerEmulator } from "./worker.js";

function root(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join("dist", "bench")) ? join(here, "..", "..") : join(here, "..");
}

export interface ApplyBenchRun {
  tenant: string;
  variant: "no exclusions" | "as is";
  throttle: true;
  latencyMs: number;
  exitCode: number;
  /** steps apply reported done */
  stepsSent: number;
  /** every HTTP request the emulator answered (tokens and metadata included) */
  requests: number;
  /** PATCH/POST/PUT/DELETE other than tokens and `$batch` */
  writes: number;
  /** writes to /identity/conditionalAccess/... (policies and authentication strengths) */
  caWrites: number;
  /** 429s the emulator's throttle model sent, in all and per section */
  throttled: number;
  throttledBySection: Record<string, number>;
  /** CA writes x 1 s: the pace Graph allows them */
  floorMs: number;
  /** the read and the plan, until the first request is sent */
  readAndPlanMs: number;
  /** from the first request sent to the summary */
  writePhaseMs: number;
  elapsedMs: number;
}

/** The sample as an adoption finds it: no policy but the dedicated one names the group or the accounts. */
function withoutExclusions(snapshot: Record<string, unknown>, group: string, accounts: string[]): void {
  const drop = new Set([group, ...accounts].map((id) => id.toLowerCase()));
  for (const p of snapshot.conditionalAccessPolicies as Array<Record<string, any>>) {
    const users = p.conditions?.users;
    if (!users || (users.includeGroups ?? []).includes(group)) continue;
    for (const key of ["excludeGroups", "excludeUsers"])
      if (Array.isArray(users[key]))
        users[key] = users[key].filter((id: string) => !drop.has(id.toLowerCase()));
  }
}

/** The deploying app's service principal. */
const DEPLOYER = "0d3c5a8e-6f1b-4c2d-9e7a-5b4c3d2e1f00";
/** Privileged Authentication Administrator, License Administrator, Groups Administrator */
const UNIT_ROLES = [
  "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
  "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
  "fdd7a751-b60b-444a-984c-02652fe8fa1c",
];

/**
 * The sample keeps the accounts and the group in a restricted-management unit, which application
 * permissions do not reach (docs/graph-writes.md 0.6): the deployer holds roles at its scope, as an
 * operator assigns them before deploy repairs such a setup.
 */
function grantUnitScope(snapshot: Record<string, any>): void {
  for (const unit of snapshot.administrativeUnits.filter((a: any) => a.isMemberManagementRestricted))
    for (const roleDefinitionId of UNIT_ROLES)
      snapshot.roleAssignments.push({
        id: `unit-${unit.id}-${roleDefinitionId}`,
        principalId: DEPLOYER,
        roleDefinitionId,
        directoryScopeId: `/administrativeUnits/${unit.id}`,
        resourceScope: `/administrativeUnits/${unit.id}`,
        appScopeId: null,
      });
}

function writesOf(c: CountersSnapshot): { writes: number; caWrites: number } {
  let writes = 0;
  let caWrites = 0;
  for (const [endpoint, statuses] of Object.entries(c.requests.byEndpoint)) {
    const [method, path = ""] = endpoint.split(" ");
    if (!/^(PATCH|POST|PUT|DELETE)$/.test(method!) || path === "/$batch" || path.startsWith("/{tenant}"))
      continue;
    const n = Object.values(statuses).reduce((a, b) => a + b, 0);
    writes += n;
    if (/^\/(?:(?:v1\.0|beta)\/)?identity\/conditionalAccess\//i.test(path)) caWrites += n;
  }
  return { writes, caWrites };
}

export async function benchApply(options: { asIs: boolean; latencyMs: number }): Promise<ApplyBenchRun> {
  const fixtures = join(root(), "fixtures", "tenants");
  const dir = await mkdtemp(join(tmpdir(), "bg-bench-apply-"));
  try {
    const snapshot = JSON.parse(await readFile(join(fixtures, "midsize.json"), "utf8"));
    const configText = await readFile(join(fixtures, "midsize.breakglass.yaml"), "utf8");
    const group = /^group: (\S+)$/m.exec(configText)![1]!;
    const upns = [...configText.matchAll(/^ {2}- (\S+@\S+)$/gm)].map((m) => m[1]!);
    const accounts = (snapshot.users as Array<{ id: string; userPrincipalName: string }>)
      .filter((u) => upns.includes(u.userPrincipalName))
      .map((u) => u.id);
    if (!options.asIs) withoutExclusions(snapshot, group, accounts);
    grantUnitScope(snapshot);
    const snapshotFile = join(dir, "tenant.json");
    await writeFile(snapshotFile, JSON.stringify(snapshot));
    await copyFile(join(fixtures, "midsize.breakglass.yaml"), join(dir, "breakglass.yaml"));

    const emu = await startWorkerEmulator(snapshotFile, {
      throttle: true,
      latencyMs: options.latencyMs,
      apps: [{ ...deployerRegistration(), objectId: DEPLOYER }],
    });
    try {
      const clients = clientsOf(emu);
      const deps: ApplyDeps = {
        clients: () => clients,
        // the writer keeps Graph's pace (CA writes 1 s apart): the emulator throttles as Graph does
        senders: (c) => ({
          graph: createGraphWriter(c, { caPem: emu.caPem }),
          arm: createArmWriter(c, { caPem: emu.caPem }),
        }),
        read: async (c, config) => (await exportTenant({ clients: c, config })).snapshot,
        store: (at) => new FileRecordStore(at),
      };
      let out = "";
      let firstSent: number | undefined;
      const io: ApplyIo = {
        stdout: (t) => {
          if (firstSent === undefined && t.includes("Applying (journal")) firstSent = Date.now();
          out += t;
        },
        stderr: (t) => void process.stderr.write(t),
        cwd: dir,
        clock: () => new Date(),
        interactive: false,
        ask: async () => "",
        clearScreen: () => undefined,
      };
      const started = Date.now();
      const exitCode = await runApply(undefined, { config: "breakglass.yaml", yes: true }, io, deps);
      const ended = Date.now();
      const counters = await emu.counters();
      const { writes, caWrites } = writesOf(counters);
      return {
        tenant: "midsize",
        variant: options.asIs ? "as is" : "no exclusions",
        throttle: true,
        latencyMs: options.latencyMs,
        exitCode,
        stepsSent: (out.match(/: done\b/g) ?? []).length,
        requests: counters.requests.total,
        writes,
        caWrites,
        throttled: counters.throttled.total,
        throttledBySection: counters.throttled.bySection,
        floorMs: caWrites * 1000,
        readAndPlanMs: (firstSent ?? ended) - started,
        writePhaseMs: firstSent === undefined ? 0 : ended - firstSent,
        elapsedMs: ended - started,
      };
    } finally {
      await emu.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "as-is": { type: "boolean" },
      latency: { type: "string", default: String(DEFAULT_LATENCY_MS) },
    },
  });
  const latencyMs = Math.max(0, Number(values.latency) || 0);
  const variants = values["as-is"] ? [true] : [false, true];
  const runs: ApplyBenchRun[] = [];
  for (const asIs of variants) runs.push(await benchApply({ asIs, latencyMs }));
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  for (const run of runs)
    console.log(
      [
        `midsize (${run.variant}), throttling on, latency ${run.latencyMs} ms: exit ${run.exitCode}, ${run.stepsSent} steps`,
        `  requests ${run.requests}, writes ${run.writes}, Conditional Access writes ${run.caWrites}, throttled ${run.throttled}`,
        `  floor ${s(run.floorMs)}; write phase ${s(run.writePhaseMs)}; read and plan ${s(run.readAndPlanMs)}; wall ${s(run.elapsedMs)}`,
      ].join("\n"),
    );
  const out = join(root(), "bench", "results", `apply-${new Date().toISOString().slice(0, 10)}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ node: process.version, runs }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
