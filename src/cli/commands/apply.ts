/**
 * `breakglass apply [plan.json] [--yes] [--target KIND...] [--config F] [--auth M]
 * [--first-half FILE --second-half FILE]`: carries out the plan (docs/deploy.md "Commands", "Gates",
 * "Journal and resumption", "Secrets").
 *
 * Without a file it plans from a fresh read, shows the plan and asks on a terminal unless --yes.
 * With a file it never trusts it: the tenant is read again, the steps derived again from the
 * configuration, and any difference refuses the run (exit 4) before anything is sent. Then, under
 * the `apply` lock of the records store: the write-permission gate, the lockout gate before each
 * gated step (the executor), the journal, and a summary. Exit codes: 0 done (or nothing to do), 2
 * usage or input, 3 tenant unreadable, 4 refused (a gate, a stale or edited plan file, the lock,
 * the operator's "no"), 5 incomplete (a step failed; the journal says where; a re-run resumes).
 */
import { createInterface } from "node:readline/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { EXIT_TEXT, helpText } from "../conventions.js";
import { readLiveTenant } from "../../collect/live.js";
import { missingApplyPermissions } from "../../collect/permissions.js";
import { loadConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import {
  changesToSend,
  executePlan,
  type ApplyEvent,
  type ApplyOutcome,
  type Senders,
} from "../../deploy/apply/executor.js";
import { priorOutcomes, storeJournal } from "../../deploy/apply/journal.js";
import { attestedKeys, type Enrollment } from "../../deploy/enrollment.js";
import { derivePlan, planFile, summarize } from "../../deploy/plan.js";
import { comparePlan, parsePlanFile } from "../../deploy/plan-file.js";
import { RESOURCE_KINDS, type PlanFile, type ResourceKind, type Step } from "../../deploy/types.js";
import { unitScopeGaps } from "../../deploy/unit-scope.js";
import { EXIT, RefusedError, UsageError } from "../../errors.js";
import {
  AUTH_METHODS,
  createArmWriter,
  createClients,
  createGraphWriter,
  GRAPH_SCOPE,
  grantedDirectoryRoles,
  grantedPermissions,
  tokenObjectId,
  type AuthMethod,
  type Clients,
} from "../../graph/index.js";
import { readTextFile } from "../../io/read-file.js";
import { checkHalfPaths, HalfFiles, type SplitTargetOptions } from "../../io/split-secret.js";
import { FileRecordStore, RECORDS_DIR, type RecordStore } from "../../records/store.js";
import { terminalInline } from "../../report/escape.js";
import { Directory, ROLE_TEMPLATES } from "../../snapshot/directory.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { parseAuth } from "./export.js";
import { awaitingEnrollment, parseTarget, planText } from "./plan.js";
import { deliverPassword, type SecretTerminal } from "../secret-delivery.js";

export interface ApplyCommandOptions {
  config?: string;
  yes?: boolean;
  target?: ResourceKind[];
  auth?: AuthMethod;
  /** `split` delivery to files: the first half of each kept password goes here (custodian 1) */
  firstHalf?: string;
  /** ... and the second half here (custodian 2) */
  secondHalf?: string;
}

export interface ApplyIo extends SecretTerminal {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  clock(): Date;
  /** stdin and stdout are a terminal: a person can be asked, and shown a secret */
  interactive: boolean;
  /** one line of answer from the person at the terminal */
  ask(question: string): Promise<string>;
}

export interface ApplyDeps {
  /** the clients of this run: the tenant is read and written with the same credential */
  clients(config: Config, options: ApplyCommandOptions): Clients;
  /** a sender per service, on those clients */
  senders(clients: Clients): Senders;
  read(clients: Clients, config: Config, io: ApplyIo): Promise<Snapshot>;
  store(root: string): RecordStore;
  /** generates the accounts' passwords (default: a CSPRNG); a test passes one it can look for */
  password?: () => string;
  /** the file system of a directory, for the halves' files (default: `stat().dev`) */
  deviceOf?: SplitTargetOptions["deviceOf"];
}

const MAX_PLAN_BYTES = 16 * 1024 * 1024;

export const processApplyIo = (): ApplyIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  cwd: process.cwd(),
  clock: () => new Date(),
  interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  async ask(question) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
  // ESC c: a full reset, so the terminal's scroll-back no longer holds what was on the screen
  clearScreen: () => void process.stdout.write("\x1bc\x1b[3J\x1b[2J\x1b[H"),
});

export const liveApplyDeps: ApplyDeps = {
  clients: (config, options) =>
    createClients({
      auth: { method: options.auth, tenantId: config.tenant ?? process.env.AZURE_TENANT_ID },
    }),
  // An endpoint that does not throttle (the emulator says so) needs no Conditional Access pacing.
  senders: (clients) => ({
    graph: createGraphWriter(
      clients,
      process.env.BREAKGLASS_GRAPH_PACING === "off" ? { caIntervalMs: 0 } : {},
    ),
    arm: createArmWriter(clients),
  }),
  read: async (clients, config, io) =>
    (await readLiveTenant({ config, clients, command: "apply", writes: true, warn: io.stderr })).snapshot,
  store: (root) => new FileRecordStore(root),
};

export function register(program: Command, io: ApplyIo = processApplyIo(), deps = liveApplyDeps): void {
  program
    .command("apply")
    .argument(
      "[plan]",
      "a plan file from `breakglass plan --out` (applied only if a fresh plan is identical)",
    )
    .description("carry out the plan: build or repair the emergency access setup (asks first)")
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option("--yes", "do not ask before sending (a scheduled run, after review)")
    .option("--target <kinds...>", `only these kinds: ${RESOURCE_KINDS.join(", ")}`, parseTarget)
    .option("--auth <method>", `credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
    .option(
      "--first-half <file>",
      "with passwordDelivery: split, write the first half of each kept password to this new file (custodian 1), not to the screen",
    )
    .option(
      "--second-half <file>",
      "... and the second half to this one (custodian 2): not in a git work tree, not on the first file's file system",
    )
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass apply",
          "breakglass apply plan.json --yes",
          "breakglass apply --target accounts group --auth device-code",
        ],
        [
          "0 done, or nothing to do",
          EXIT_TEXT.usage,
          EXIT_TEXT.unreadable,
          "4 refused (a gate, a stale or edited plan file, the lock, a no)",
          "5 incomplete (a step failed; a re-run resumes)",
          EXIT_TEXT.internal,
        ],
      ),
    )
    .action(async (plan: string | undefined, options: ApplyCommandOptions) => {
      process.exitCode = await runApply(plan, options, io, deps);
    });
}

/** Role names of the template ids a token carries (`wids`), for the write-permission gate. */
function roleNames(templateIds: readonly string[]): string[] {
  const byId = new Map(Object.entries(ROLE_TEMPLATES).map(([name, id]) => [id.toLowerCase(), name]));
  return templateIds.flatMap((id) => byId.get(id.toLowerCase()) ?? []);
}

/** The write-permission gate: exit 4 listing what the token lacks for the kinds this run writes. */
async function writePermissionGate(
  clients: Clients,
  steps: readonly Step[],
  snapshot: Snapshot,
): Promise<void> {
  const token = await clients.credential.getToken(GRAPH_SCOPE);
  // An opaque token says nothing readable: the service's 403 will then name what is missing.
  if (!token) return;
  unitScopeGate(token.token, steps, snapshot);
  const granted = grantedPermissions(token.token);
  if (!granted.length) return;
  const kinds = [...new Set(steps.filter((s) => s.request.service === "graph").map((s) => s.kind))];
  const missing = missingApplyPermissions(kinds, granted, roleNames(grantedDirectoryRoles(token.token)));
  const parts = [
    ...(missing.permissions.length ? [`Graph permissions ${missing.permissions.join(", ")}`] : []),
    ...(missing.roles.length ? [`the directory role ${missing.roles.join(", ")} for the app`] : []),
  ];
  if (parts.length)
    throw new RefusedError(
      `refused before sending anything: the credential lacks ${parts.join(" and ")} ` +
        `(needed for ${kinds.join(", ")}; breakglass permissions apply lists them)`,
    );
}

/**
 * Members of a restricted-management unit are out of reach of application permissions and
 * tenant-wide roles (src/deploy/unit-scope.ts): a run that would write to one without a role at
 * the unit's scope is refused whole, before anything is sent, rather than stopped by a 403 midway.
 */
function unitScopeGate(accessToken: string, steps: readonly Step[], snapshot: Snapshot): void {
  const objectId = tokenObjectId(accessToken);
  if (!objectId) return;
  const gaps = unitScopeGaps(snapshot, steps, { objectId, tenantRoles: grantedDirectoryRoles(accessToken) });
  if (!gaps.length) return;
  const units = [...new Map(gaps.map((g) => [g.unit.id, g.unit])).values()];
  throw new RefusedError(
    `refused before sending anything: ${gaps.length} step(s) write to members of the restricted-management ` +
      `administrative unit${units.length > 1 ? "s" : ""} ${units.map((u) => `"${terminalInline(u.displayName ?? u.id)}" (${u.id})`).join(", ")}, ` +
      `which application permissions and tenant-wide roles do not reach: ${[...new Set(gaps.map((g) => g.stepId))].join(", ")}. ` +
      "Assign this identity roles at the unit's scope (Privileged Authentication Administrator for methods and passwords, " +
      "User Administrator or License Administrator for properties and licences, Groups Administrator for the group), " +
      "or leave those kinds out with --target",
  );
}

const SYMBOL = { create: "+", update: "~", destroy: "-" } as const;

function eventLine(e: ApplyEvent): string {
  const head = `  ${SYMBOL[e.step.action]} ${e.step.id}`;
  switch (e.result) {
    case "done":
      return `${head}: done${e.id ? ` (${e.id})` : ""}\n`;
    case "found":
      return `${head}: found ${e.id} (created by an earlier run; not sent again)\n`;
    case "failed":
      return `${head}: FAILED (${e.outcome === "unknown" ? "outcome unknown" : "refused by the service"}): ${terminalInline(e.message)}\n`;
    case "refused":
      return `${head}: REFUSED by the lockout gate, not sent\n`;
  }
}

/**
 * The accounts the lockout gate keeps able to sign in: every emergency account that holds its
 * number of attested security keys now, whatever models the configuration names (a configuration
 * that narrows the models must not lock out the keys the accounts actually hold).
 */
function gateAccountIds(snapshot: Snapshot, enrollment: Enrollment, keysPerAccount: number): string[] {
  const directory = new Directory(snapshot);
  return enrollment.accounts.flatMap((a) => {
    const user = directory.user(a.userPrincipalName ?? a.key);
    return user && attestedKeys(user).length >= keysPerAccount ? [user.id] : [];
  });
}

async function readPlanFile(cwd: string, path: string): Promise<PlanFile> {
  const full = resolve(cwd, path);
  return parsePlanFile(await readTextFile(full, { what: "plan file", maxBytes: MAX_PLAN_BYTES }), path);
}

export async function runApply(
  planPath: string | undefined,
  options: ApplyCommandOptions,
  io: ApplyIo,
  deps: ApplyDeps = liveApplyDeps,
): Promise<number> {
  const { config, file } = await loadConfig(options.config, io.cwd);
  if (file === null)
    throw new UsageError(
      "apply needs a configuration (breakglass.yaml): write one with breakglass init, review it, then plan",
    );
  if (planPath !== undefined && options.target)
    throw new UsageError("--target is fixed by the plan file; plan again with --target instead");
  const halfFiles = await halfFilesOf(options, config, io.cwd, deps);
  const given = planPath !== undefined ? await readPlanFile(io.cwd, planPath) : undefined;
  if (!given && !options.yes && !io.interactive)
    throw new UsageError(
      "apply asks before it sends anything, and there is no terminal to ask on: review `breakglass plan`, " +
        "then run `breakglass apply --yes`, or save it with `breakglass plan --out plan.json` and run " +
        "`breakglass apply plan.json`",
    );

  const store = deps.store(dirname(file));
  // Before the read: two applies never interleave their reads and writes.
  const lock = await store.lock("apply", "breakglass apply");
  try {
    return await applyLocked(given, options, io, deps, config, store, planPath, halfFiles);
  } finally {
    await lock.release();
  }
}

async function applyLocked(
  given: PlanFile | undefined,
  options: ApplyCommandOptions,
  io: ApplyIo,
  deps: ApplyDeps,
  config: Config,
  store: RecordStore,
  planPath: string | undefined,
  halfFiles: HalfFiles | undefined,
): Promise<number> {
  const clients = deps.clients(config, options);
  const snapshot = await deps.read(clients, config, io);
  const targets = given
    ? given.targets.length === RESOURCE_KINDS.length
      ? undefined
      : given.targets
    : options.target;
  const { steps, enrollment, manual } = derivePlan(snapshot, config, { ...(targets ? { targets } : {}) });
  const plan = planFile({ snapshot, config, steps, createdAt: io.clock(), ...(targets ? { targets } : {}) });

  if (given) {
    const differences = comparePlan(given, {
      tenantId: snapshot.tenant.id,
      configHash: plan.configHash,
      steps,
    });
    if (differences.length)
      throw new RefusedError(
        `${planPath}: the plan is not what a fresh read and the configuration give now; nothing was sent. ` +
          `Plan again. Differences:\n${differences.map((d) => `  - ${terminalInline(d)}`).join("\n")}`,
      );
  }
  const awaiting = awaitingEnrollment(enrollment);
  io.stdout(planText(snapshot, steps, enrollment, manual));

  const senders = deps.senders(clients);
  let send: Step[];
  try {
    send = changesToSend(steps, senders);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const prior = await priorOutcomes(store, snapshot.tenant.id);
  if (!send.length) {
    await supersede(store, prior.journals, plan.id, io);
    return EXIT.ok;
  }
  await writePermissionGate(clients, send, snapshot);

  // kept passwords are shown by the step that sets one after enrollment (an update); the one set
  // at creation is discarded (docs/deploy.md "Secrets")
  const shows = (s: Step) => s.secret === "password" && s.action === "update";
  const keep = config.profile.passwords === "kept" && send.some(shows);
  if (keep && !io.interactive && !halfFiles)
    throw new UsageError(
      "profile.passwords is kept, so apply shows the enrolled accounts' new passwords, and there is no terminal " +
        "to show them on: run apply in a terminal (or set profile.passwords: discarded)",
    );
  if (!given && !options.yes) {
    const answer = await io.ask(
      `\nApply these ${send.length} changes to ${terminalInline(snapshot.tenant.displayName ?? snapshot.tenant.id)}? Only "yes" is accepted: `,
    );
    if (answer.trim() !== "yes") {
      io.stderr("apply cancelled: nothing was sent\n");
      return EXIT.refused;
    }
  }

  const journal = storeJournal(store, plan.id);
  const journalPath = `${RECORDS_DIR}/${journal.name}.jsonl`;
  io.stdout(`\nApplying (journal ${journalPath}):\n`);
  const outcome = await executePlan({
    planId: plan.id,
    tenantId: snapshot.tenant.id,
    configHash: plan.configHash,
    steps,
    snapshot,
    enrolledAccountIds: gateAccountIds(snapshot, enrollment, config.profile.keysPerAccount),
    envelope: config.profile.envelope,
    senders,
    journal,
    prior: prior.outcomes,
    now: () => io.clock(),
    onEvent: (e) => io.stdout(eventLine(e)),
    ...(deps.password ? { password: deps.password } : {}),
    ...(keep
      ? {
          deliver: async (step: Step, secret: string) => {
            if (!shows(step)) return;
            const account = step.objectRef.name ?? step.objectRef.key;
            if (halfFiles) {
              await halfFiles.deliver(account, secret);
              io.stdout(
                `  the halves of the password of ${terminalInline(account)} are in ${terminalInline(halfFiles.paths[0])} (custodian 1) and ${terminalInline(halfFiles.paths[1])} (custodian 2)\n`,
              );
            } else await deliverPassword(io, config.profile.passwordDelivery, account, secret);
          },
        }
      : {}),
  });
  return report(outcome, { io, steps, awaiting, journalPath, store, prior: prior.journals, planId: plan.id });
}

/**
 * The halves' files of `split` delivery, checked before anything is read or sent (a refusal after a
 * password is set would leave it unknown to everyone); undefined without the options.
 */
async function halfFilesOf(
  options: ApplyCommandOptions,
  config: Config,
  cwd: string,
  deps: ApplyDeps,
): Promise<HalfFiles | undefined> {
  const { firstHalf, secondHalf } = options;
  if (firstHalf === undefined && secondHalf === undefined) return undefined;
  if (firstHalf === undefined || secondHalf === undefined)
    throw new UsageError(
      `--${firstHalf === undefined ? "first" : "second"}-half is missing: a split password goes to two files, one per custodian`,
    );
  if (config.profile.passwords !== "kept" || config.profile.passwordDelivery !== "split")
    throw new UsageError(
      "--first-half and --second-half deliver the halves of kept passwords: set profile.passwords: kept and profile.passwordDelivery: split",
    );
  const paths = [resolve(cwd, firstHalf), resolve(cwd, secondHalf)] as const;
  await checkHalfPaths(paths, deps.deviceOf ? { deviceOf: deps.deviceOf } : {});
  return new HalfFiles(paths);
}

async function supersede(store: RecordStore, journals: readonly string[], planId: string, io: ApplyIo) {
  for (const name of journals)
    if (name !== `journal/${planId}`)
      await store.append(name, { type: "superseded", at: io.clock().toISOString(), by: planId });
}

async function report(
  outcome: ApplyOutcome,
  ctx: {
    io: ApplyIo;
    steps: readonly Step[];
    awaiting: string[];
    journalPath: string;
    store: RecordStore;
    prior: readonly string[];
    planId: string;
  },
): Promise<number> {
  const { io } = ctx;
  if (outcome.status === "refused") {
    const v = outcome.verdict;
    io.stderr(
      [
        `\nRefused by the lockout gate before ${outcome.step.id} (${terminalInline(outcome.step.summary)}); ` +
          `it and every step after it were not sent (${outcome.sent} sent before it).`,
        ...v.reasons.map((r) => `  - ${terminalInline(r)}`),
        ...(v.counterExamples.length
          ? [
              "  Sign-ins that would fail after the step:",
              ...v.counterExamples.map((c) => `    ${terminalInline(c)}`),
            ]
          : []),
        "",
      ].join("\n"),
    );
    return EXIT.refused;
  }
  if (outcome.status === "failed") {
    io.stderr(
      `\nApply incomplete: ${outcome.step.id} failed (${terminalInline(outcome.message)}); ${outcome.sent} request(s) sent. ` +
        `The journal ${ctx.journalPath} says where it stopped; run breakglass apply again to resume.\n`,
    );
    return EXIT.incomplete;
  }
  await supersede(ctx.store, ctx.prior, ctx.planId, io);
  const n = summarize(ctx.steps);
  const found = outcome.found ? `, ${outcome.found} found from an earlier run` : "";
  const waiting = n.waiting
    ? `; ${n.waiting} waiting for enrollment${ctx.awaiting.length ? ` (breakglass enroll ${ctx.awaiting.map(terminalInline).join(", ")})` : ""}`
    : "";
  io.stdout(
    `\nApply complete: ${n.create} created, ${n.update} updated, ${n.destroy} destroyed${found}${waiting}.\n`,
  );
  return EXIT.ok;
}
