/**
 * `breakglass demo`: start the Entra emulator in-process with the mid-size sample tenant, export it
 * through the real HTTPS client stack (the same code as `export`), print what was read, then assess
 * the exported snapshot exactly as `breakglass assess` does (same checks, same console report).
 */
import { EXIT_TEXT, helpText } from "../conventions.js";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { createClients } from "../../graph/index.js";
import { exportTenant, type ExportResult } from "../../collect/export.js";
import { loadSnapshot, saveSnapshot } from "../../snapshot/load.js";
import { loadConfig } from "../../config/load.js";
import { UsageError } from "../../errors.js";
import { checkWritable } from "../../io/atomic-write.js";
import { terminalInline, terminalLines } from "../../report/escape.js";
import { cutTo, DEFAULT_WIDTH } from "../../report/console.js";

/** Lines of tenant text, each escaped, then cut to the width: three lines stay three lines. */
const wrapLines = (lines: readonly string[], width: number): string =>
  lines.map((line) => `${cutTo(terminalInline(line), width)}\n`).join("");
import { loadCheckRegistry, processIo, runAssess } from "./assess.js";

/** The sample tenants ship beside src/ (source tree) or dist/src/ (built package). */
function findFixture(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "fixtures", "tenants", `${name}.json`);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new UsageError(
    `demo: the sample tenant fixtures/tenants/${name}.json is not installed with this copy`,
  );
}

function count(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  if (value && typeof value === "object") return "1 object";
  return "-";
}

/** Counts per section, relationship coverage, unavailable entries and request counters. */
export function demoSummary(
  result: ExportResult,
  emulatorCounters?: {
    requests: { total: number };
    depth: { afterToken: number | null };
    throttled: { total: number };
    faults: { total: number };
  },
): string {
  const s = result.snapshot;
  const lines: string[] = [
    `tenant ${s.tenant.displayName ?? ""} (${s.tenant.id}), captured ${s.tenant.capturedAt}`,
    "",
  ];
  lines.push("sections read:");
  for (const [k, v] of Object.entries(s)) {
    if (["schema", "tenant", "unavailable", "azure"].includes(k)) continue;
    lines.push(`  ${k.padEnd(44)} ${count(v)}`);
  }
  for (const [k, v] of Object.entries(s.azure ?? {})) lines.push(`  ${`azure.${k}`.padEnd(44)} ${count(v)}`);
  const users = s.users ?? [];
  lines.push("");
  lines.push(
    `relationships read for ${result.subjects.length} users (emergency accounts, candidates, privileged users):`,
  );
  for (const rel of ["authenticationMethods", "perUserMfaState", "ownedObjects", "signInActivity"])
    lines.push(`  users with ${rel.padEnd(31)} ${users.filter((u) => u[rel] !== undefined).length}`);
  const unavailable = Object.entries(s.unavailable ?? {});
  lines.push("");
  lines.push(unavailable.length ? `unavailable (${unavailable.length}):` : "unavailable: none");
  for (const [k, v] of unavailable) lines.push(`  ${k}: ${v}`);
  const r = result.requests;
  lines.push("");
  lines.push(
    `client: ${r.requests} Graph/ARM requests (${r.graphRequests} Graph, ${r.armRequests} ARM; ${r.batchedRequests} reads inside $batch) ` +
      `and ${r.identityRequests} token/metadata requests; ${r.depthAfterToken ?? "?"} round trips of depth after the token; ` +
      `${r.throttled} answers 429 and ${r.unavailableAnswers} answers 503/504 received (each retried), ` +
      `${(r.retryWaitMs / 1000).toFixed(1)} s waiting on Retry-After or back-off and ${(r.pacingWaitMs / 1000).toFixed(1)} s held to Graph's pace ` +
      `(wall time, overlapping waits counted once), ${(r.elapsedMs / 1000).toFixed(1)} s in all`,
  );
  if (emulatorCounters)
    lines.push(
      `emulator: ${emulatorCounters.requests.total} requests seen (each read inside a $batch counted), ` +
        `${emulatorCounters.throttled.total} refused by its model of Graph's throttling (429), ` +
        `${emulatorCounters.faults.total} faults injected (429/503/504, resets, slow answers; the client's 429 count is the sum of both kinds); ` +
        `it counted ${emulatorCounters.depth.afterToken} round trips after the token, more than the client because ` +
        `it shares this process and answers instantly, so requests sent together reach it one after another ` +
        `(npm run bench measures it on its own thread with a realistic latency)`,
    );
  // Tenant names and service messages are tenant data: each stays inside its own line.
  return terminalLines(lines);
}

/**
 * Three lines about what the demo read, before the assessment: the tenant and its main sections, the
 * relationships and requests, and where the rest is (`--verbose`: `demoSummary` on stderr).
 */
export function demoBrief(
  result: ExportResult,
  width = DEFAULT_WIDTH,
  /** the time the assessment judges the tenant at (the sample's capture) */
  asOf = result.snapshot.tenant.capturedAt,
): string {
  const s = result.snapshot;
  const n = (v: unknown[] | undefined) => v?.length ?? 0;
  const sections = Object.keys(s).filter((k) => !["schema", "tenant", "unavailable"].includes(k)).length;
  const unavailable = Object.keys(s.unavailable ?? {}).length;
  const r = result.requests;
  return wrapLines(
    [
      `Read ${s.tenant.displayName ?? "(no name)"} as of ${asOf} from the local emulator over HTTPS:`,
      `${n(s.users)} users, ${n(s.groups)} groups, ${n(s.conditionalAccessPolicies)} Conditional Access policies, ` +
        `${n(s.roleAssignments)} role assignments: ${sections} sections read,`,
      `${unavailable === 0 ? "none" : unavailable} unavailable; relationships of ${result.subjects.length} users; ` +
        `${r.requests} requests, ${r.throttled} throttled, ${(r.elapsedMs / 1000).toFixed(1)} s (more: --verbose).`,
    ],
    width,
  );
}

export function register(program: Command): void {
  program
    .command("demo")
    .description(
      "export the mid-size sample tenant from a local Entra emulator, summarise what was read, and assess it",
    )
    .option("--tenant <name>", "sample tenant under fixtures/tenants", "midsize")
    .option("--throttle", "emulate Graph throttling (slower: reports are limited to 5 requests per 10 s)")
    .option("--fault-rate <p>", "inject transient faults with this probability (0..1)", (v) => {
      const n = Number(v);
      if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError("--fault-rate: a number from 0 to 1");
      return n;
    })
    .option("--out <file>", "also write the exported snapshot here")
    .option("--verbose", "print what was read and the request counters (stderr), and the full report")
    .option("--no-color", "no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)")
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass demo",
          "breakglass demo --verbose --throttle",
          "breakglass demo --fault-rate 0.1 --out midsize.export.json",
        ],
        ["0 the demo ran (whatever the verdict)", EXIT_TEXT.usage, EXIT_TEXT.internal],
      ),
    )
    .action(
      async (opts: {
        tenant: string;
        throttle?: boolean;
        faultRate?: number;
        out?: string;
        verbose?: boolean;
        color?: boolean;
      }) => {
        if (!/^[\w-]+$/.test(opts.tenant)) throw new UsageError("--tenant: a sample name such as midsize");
        if (opts.out !== undefined) await checkWritable([resolve(opts.out)]);
        const fixture = findFixture(opts.tenant);
        const snapshot = await loadSnapshot(fixture);
        // The sample's config names its emergency accounts, whose relationships export reads. A
        // sample that keeps records has its config in `<name>/` with custody.yaml and drills/ beside it.
        const withRecords = join(dirname(fixture), opts.tenant, "breakglass.yaml");
        const configFile = existsSync(withRecords)
          ? withRecords
          : fixture.replace(/\.json$/, ".breakglass.yaml");
        const config = existsSync(configFile) ? (await loadConfig(configFile)).config : undefined;
        // The emulator is only loaded by this command.
        const { startEmulator } = await import("../../../emulator/index.js");
        const emu = await startEmulator({
          snapshot,
          throttle: !!opts.throttle,
          faultRate: opts.faultRate ?? 0,
        });
        try {
          if (opts.verbose)
            process.stderr.write(`emulator on ${emu.url} (Graph ${emu.graphUrl}, ARM ${emu.armUrl})\n`);
          const clients = createClients(
            {
              auth: {
                method: "secret",
                tenantId: emu.tenantId,
                clientId: emu.env.AZURE_CLIENT_ID,
                clientSecret: emu.env.AZURE_CLIENT_SECRET,
                authorityHost: emu.authorityHost,
              },
              // In-process, NODE_EXTRA_CA_CERTS is too late: trust the emulator's CA explicitly.
              caPem: emu.caPem,
              graphUrl: emu.graphUrl,
              armUrl: emu.armUrl,
              retryDelaySeconds: 1,
            },
            // Unthrottled, the emulator says so (BREAKGLASS_GRAPH_PACING=off): no pacing needed.
            emu.env.BREAKGLASS_GRAPH_PACING
              ? { BREAKGLASS_GRAPH_PACING: emu.env.BREAKGLASS_GRAPH_PACING }
              : {},
          );
          const result = await exportTenant({ clients, config });
          if (opts.out) await saveSnapshot(opts.out, result.snapshot);
          if (opts.verbose) process.stderr.write(`${demoSummary(result, emu.counters())}\n`);
          process.stdout.write(`${demoBrief(result, processIo().columns, snapshot.tenant.capturedAt)}\n`);
          // The demo shows the verdict; its exit code says only whether the demo itself ran.
          await runAssess(
            {
              format: "console",
              failOn: "high",
              config: existsSync(configFile) ? configFile : undefined,
              // The sample's dates (sign-ins, password changes, drills, reviews) are set relative to
              // its capture: judged then, the demo shows the same findings on every day it is run.
              now: snapshot.tenant.capturedAt,
              verbose: opts.verbose,
              color: opts.color,
              tenantShown: true,
            },
            {
              engine: loadCheckRegistry,
              collect: async () => ({ snapshot: result.snapshot, source: "live (local emulator)" }),
              io: processIo(),
              setExitCode: () => undefined,
            },
          );
        } finally {
          await emu.close();
        }
      },
    );
}
