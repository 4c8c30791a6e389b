/**
 * Conditional Access prover benchmark: `npx tsx bench/ca/run.ts [realistic|stress|small]...`.
 * Median of 5 runs for: engine build, proving every emergency account, `--all-admins` over the
 * generated admins; and how many What If calls the same coverage would take.
 */
import { writeFileSync } from "node:fs";
import { CaEngine } from "../../src/ca/engine.js";
import { proveAccount, proveAllAdmins } from "../../src/ca/prover.js";
import { Envelope } from "../../src/config/schema.js";
import { Directory } from "../../src/snapshot/directory.js";
import { generateTenant, REALISTIC, SMALL, STRESS, type TenantShape } from "./generate.js";

const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
}

export function bench(shape: TenantShape) {
  const [{ snapshot, emergencyIds, adminIds }, genMs] = time(() => generateTenant(shape));
  const envelope = Envelope.parse({});
  const builds: number[] = [];
  const accounts: number[] = [];
  const allAdmins: number[] = [];
  let proofSummary: unknown;
  let adminSummary: unknown;
  for (let run = 0; run < RUNS; run++) {
    // A fresh Directory each run: nothing cached between runs.
    const [engine, buildMs] = time(() => new CaEngine(snapshot, new Directory(snapshot)));
    builds.push(buildMs);
    const [proofs, accMs] = time(() =>
      emergencyIds.map((id) => proveAccount(engine, id, { envelope, countWhatIfCalls: false })),
    );
    accounts.push(accMs);
    const [admins, adminMs] = time(() =>
      proveAllAdmins(engine, { envelope, adminIds, countWhatIfCalls: false }),
    );
    allAdmins.push(adminMs);
    if (run === 0) {
      // The What If equivalent (one call per class of the whole partition), counted outside the timings.
      const counted = emergencyIds.map((id) => proveAccount(engine, id, { envelope }).whatIfCalls);
      const adminCalls = proveAllAdmins(engine, { envelope, adminIds, maxExamples: 0 }).whatIfCalls;
      proofSummary = proofs.map((p, k) => ({
        status: p.status,
        classes: p.classes,
        failingClasses: p.failingClasses,
        whatIfCalls: counted[k],
      }));
      adminSummary = {
        admins: admins.admins,
        adminClasses: admins.adminClasses,
        classes: admins.classes,
        lockoutClasses: admins.lockoutClasses,
        whatIfCalls: adminCalls,
      };
    }
  }
  return {
    shape,
    generateMs: Math.round(genMs),
    medianMs: {
      engineBuild: Math.round(median(builds)),
      emergencyAccounts: Math.round(median(accounts)),
      allAdmins: Math.round(median(allAdmins)),
    },
    runsMs: {
      engineBuild: builds.map(Math.round),
      emergencyAccounts: accounts.map(Math.round),
      allAdmins: allAdmins.map(Math.round),
    },
    emergencyAccounts: proofSummary,
    allAdmins: adminSummary,
  };
}

const shapes = { realistic: REALISTIC, stress: STRESS, small: SMALL } as const;
const isMain = process.argv[1]?.endsWith("run.ts") || process.argv[1]?.endsWith("run.js");
if (isMain) {
  const names = (process.argv.slice(2).length ? process.argv.slice(2) : ["realistic", "stress"]) as Array<
    keyof typeof shapes
  >;
  const results = names.map((n) => {
    const r = bench(shapes[n]);
    console.log(JSON.stringify(r, null, 2));
    return r;
  });
  if (process.env.WRITE_RESULTS)
    writeFileSync(
      new URL("./results.json", import.meta.url),
      `${JSON.stringify({ machine: process.env.MACHINE ?? "", node: process.version, results }, null, 2)}\n`,
    );
}
