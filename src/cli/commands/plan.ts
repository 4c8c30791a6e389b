/**
 * `breakglass plan [--config F] [--snapshot FILE] [--out plan.json] [--exit-code] [--target KIND...]`:
 * the desired state (the config) against the tenant, as the ordered steps apply would send
 * (docs/deploy.md "The plan"). With --snapshot it is pure; without, it reads the live tenant through
 * the export path, with read permissions only. Exit codes: 0; with --exit-code 0 no changes and 1
 * changes (waiting steps are not changes); 2 usage or input; 3 tenant unreadable.
 */
import { EXIT_TEXT, helpText } from "../conventions.js";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { readLiveTenant } from "../../collect/live.js";
import { loadConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { derivePlan, hasChanges, objectNames, planFile } from "../../deploy/plan.js";
import type { Enrollment } from "../../deploy/enrollment.js";
import { type ManualStep, RESOURCE_KINDS, type ResourceKind, type Step } from "../../deploy/types.js";
import { AUTH_METHODS, type AuthMethod } from "../../graph/index.js";
import { renderPlanText } from "../../report/plan-text.js";
import { loadSnapshot } from "../../snapshot/load.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { checkWritable, writeFileAtomically, writeNewFileAtomically } from "../../io/atomic-write.js";
import { parseAuth } from "./export.js";

export interface PlanCommandOptions {
  config?: string;
  snapshot?: string;
  out?: string;
  exitCode?: boolean;
  target?: ResourceKind[];
  auth?: AuthMethod;
}

export interface PlanIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  clock(): Date;
}

const processIo = (): PlanIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  cwd: process.cwd(),
  clock: () => new Date(),
});

export function parseTarget(value: string, previous: ResourceKind[] = []): ResourceKind[] {
  const kinds = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const k of kinds)
    if (!(RESOURCE_KINDS as readonly string[]).includes(k))
      throw new InvalidArgumentError(`--target: ${k} is not a resource kind (${RESOURCE_KINDS.join(", ")})`);
  return [...previous, ...(kinds as ResourceKind[])];
}

export function register(program: Command, io: PlanIo = processIo()): void {
  program
    .command("plan")
    .description("show the steps that would build or repair the emergency access setup (nothing is sent)")
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass plan --config breakglass.yaml",
          "breakglass plan --snapshot tenant.json --out plan.json --exit-code",
        ],
        [
          EXIT_TEXT.ok,
          "1 changes (with --exit-code)",
          EXIT_TEXT.usage,
          "3 the tenant could not be read, or a section the plan needs is unread",
          EXIT_TEXT.internal,
        ],
      ),
    )
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option("--snapshot <file>", "plan against a snapshot file instead of the live tenant")
    .option("--out <file>", "also write the plan file (breakglass.plan/v1) for apply")
    .option("--exit-code", "exit 1 when there are changes, 0 when none (as git diff --exit-code)")
    .option("--target <kinds...>", `only these kinds: ${RESOURCE_KINDS.join(", ")}`, parseTarget)
    .option("--auth <method>", `live tenant credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
    .action(async (options: PlanCommandOptions) => {
      process.exitCode = await runPlan(options, io);
    });
}

export interface PlanDeps {
  /** reads the live tenant (plan without --snapshot); by default through the export path. */
  read(config: Config, options: PlanCommandOptions): Promise<Snapshot>;
}

const liveRead =
  (io: PlanIo): PlanDeps["read"] =>
  async (config, options) =>
    (await readLiveTenant({ config, auth: options.auth, command: "plan", warn: io.stderr })).snapshot;

export async function runPlan(options: PlanCommandOptions, io: PlanIo, deps?: PlanDeps): Promise<number> {
  const { config } = await loadConfig(options.config, io.cwd);
  // Before the read: a wrong --out fails now, not after minutes of reading the tenant.
  if (options.out !== undefined) await checkWritable([resolve(io.cwd, options.out)]);
  // A snapshot that cannot be read is a SnapshotError (exit 2), a missing file a file-system error (exit 2).
  const snapshot: Snapshot =
    options.snapshot !== undefined
      ? await loadSnapshot(resolve(io.cwd, options.snapshot))
      : await (deps?.read ?? liveRead(io))(config, options);
  const targets = options.target;
  const { steps, enrollment, manual } = derivePlan(snapshot, config, { ...(targets ? { targets } : {}) });
  io.stdout(planText(snapshot, steps, enrollment, manual));
  if (options.out !== undefined) {
    const file = planFile({
      snapshot,
      config,
      steps,
      createdAt: io.clock(),
      ...(targets ? { targets } : {}),
    });
    const path = resolve(io.cwd, options.out);
    await writeFileAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
    io.stderr(`plan written to ${options.out}\n`);
  }
  return options.exitCode && hasChanges(steps) ? 1 : 0;
}

/** The human view of derived steps (apply shows the same before it asks). */
export function planText(
  snapshot: Snapshot,
  steps: readonly Step[],
  enrollment: Enrollment,
  manual: readonly ManualStep[] = [],
): string {
  return renderPlanText({
    manual,
    tenant: snapshot.tenant,
    readAt: snapshot.tenant.capturedAt,
    steps,
    names: objectNames(snapshot),
    awaitingEnrollment: awaitingEnrollment(enrollment),
  });
}

/** The accounts the enrollment gate waits for, as `breakglass enroll` takes them. */
export const awaitingEnrollment = (enrollment: Enrollment): string[] =>
  enrollment.accounts.filter((a) => !a.enrolled).map((a) => a.userPrincipalName ?? a.key);

/** init's configuration: written once, never over an existing file (exit 2). */
export async function writeNewFile(path: string, content: string): Promise<void> {
  await writeNewFileAtomically(path, content, {
    whenExists: "init never overwrites a configuration (choose another --out or remove it)",
  });
}
