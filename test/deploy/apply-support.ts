/**
 * `breakglass apply` against the HTTPS emulator through the real client stack: the sample's config
 * copied to a temporary directory (the journal and the lock go beside it), the deployer app, and one
 * clock shared by the emulator (replication windows, pass lifetimes) and the writer's back-off, so
 * no test waits for real.
 */
import { accessSync, constants } from "node:fs";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent } from "undici";
import type { EmulatorOptions, RunningEmulator } from "../../emulator/index.js";
import { buildCheckContext, CHECKS } from "../../src/checks/registry.js";
import { runChecks } from "../../src/checks/runner.js";
import type { CheckResult } from "../../src/checks/types.js";
import { runApply, type ApplyDeps, type ApplyIo } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { exportTenant } from "../../src/collect/export.js";
import { TOP_LEVEL_READS } from "../../src/collect/reads.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { createGraphWriter, type Clients } from "../../src/graph/index.js";
import { FileRecordStore, type RecordStore } from "../../src/records/store.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { call, tokenFor, undiciAgent } from "../emulator/support.js";
import { clientsFor, emulate, FIXTURES, loadFixture } from "../e2e/helpers.js";

/** two attested security keys of two models (keyModelsDistinct) */
export const KEYS = [
  { aaGuid: "2fc0579f-8113-47ea-b116-bb5a8db9202a", model: "YubiKey 5 NFC", displayName: "key A" },
  { aaGuid: "fa2b99dc-9e39-4257-8f92-4a30d23c4118", model: "YubiKey 5 Nano", displayName: "key B" },
];

/**
 * Where each harness's directory goes: tmpfs when the machine has a writable one. `apply` fsyncs
 * every journal record and every document (src/io/append-line.ts, src/io/atomic-write.ts), about
 * 3 ms each on this machine's disk and nothing on tmpfs; a kill test's hundreds of runs spent most
 * of their wall time there. These tests stop processes, never the machine, so what they check (the
 * lines in the files, the lock) is the same on either.
 */
export const SCRATCH_ROOT = ((): string => {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
})();

export interface Transcript {
  stdout: string;
  stderr: string;
  /** the questions asked, in order */
  asked: string[];
}

export interface ApplyHarness {
  emu: RunningEmulator;
  dir: string;
  configFile: string;
  clock: { now: number };
  agent: Agent;
  applyCmd(
    plan?: string,
    options?: {
      yes?: boolean;
      target?: string[];
      interactive?: boolean;
      answers?: string[];
      /** --first-half, --second-half */
      halves?: [string, string];
    },
    deps?: Partial<ApplyDeps>,
  ): Promise<{ code: number } & Transcript>;
  plan(options?: { out?: string; exitCode?: boolean }): Promise<{ code: number } & Transcript>;
  read(): Promise<Snapshot>;
  config(): Promise<Config>;
  /** the accounts' keys registered as enroll would: a one-time pass, a sign-in, the keys */
  enroll(upn: string): Promise<void>;
  /** the checks' results on `snapshot` (a read taken since the last change), or on a fresh read */
  assess(snapshot?: Snapshot): Promise<CheckResult[]>;
  /** every file under the directory, as text */
  files(): Promise<Map<string, string>>;
  store(): RecordStore;
  /** the deployer's Graph token, for direct requests */
  token(): Promise<string>;
  graph(method: string, path: string, body?: object): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * The walkthrough's tenant (before.json), read and checked once per process; each harness gets a
 * copy of its own, which its emulator may change. The kill tests start a harness per kill point.
 */
let beforeSnapshot: Promise<Snapshot> | undefined;
const beforeFixture = async (): Promise<Snapshot> =>
  structuredClone(await (beforeSnapshot ??= loadFixture("before")));

export async function startApplyHarness(
  options: {
    config?: (yaml: string) => string;
    emulator?: Partial<EmulatorOptions>;
    snapshot?: Snapshot;
  } = {},
): Promise<ApplyHarness> {
  const clock = { now: Date.parse("2026-12-02T09:00:00Z") };
  const emu = await emulate(options.snapshot ?? (await beforeFixture()), {
    deployer: true,
    now: () => clock.now,
    ...options.emulator,
  });
  const dir = await mkdtemp(join(SCRATCH_ROOT, "breakglass-apply-"));
  const configFile = join(dir, "breakglass.yaml");
  if (options.config)
    await writeFile(
      configFile,
      options.config(await readFile(join(FIXTURES, "before.breakglass.yaml"), "utf8")),
    );
  else await copyFile(join(FIXTURES, "before.breakglass.yaml"), configFile);
  const agent = undiciAgent(emu);
  const clients = (): Clients => clientsFor(emu);
  let token: string | undefined;
  const deployerToken = async () =>
    (token ??= await tokenFor(emu, agent, emu.env.AZURE_CLIENT_ID, emu.env.AZURE_CLIENT_SECRET!));
  const config = async () => (await loadConfig(configFile)).config;
  const read = async () => (await exportTenant({ clients: clients(), config: await config() })).snapshot;
  const baseDeps: ApplyDeps = {
    clients,
    senders: (c) => ({
      graph: createGraphWriter(c, {
        caPem: emu.caPem,
        sleep: async (ms) => void (clock.now += ms),
        now: () => clock.now,
      }),
    }),
    read: async (c, cfg) => (await exportTenant({ clients: c, config: cfg })).snapshot,
    store: (root) => new FileRecordStore(root),
  };
  const io = (t: Transcript, interactive: boolean, answers: string[]): ApplyIo => ({
    stdout: (s) => void (t.stdout += s),
    stderr: (s) => void (t.stderr += s),
    cwd: dir,
    clock: () => new Date(clock.now),
    interactive,
    ask: async (q) => {
      t.asked.push(q);
      t.stdout += q;
      return answers.shift() ?? "";
    },
    clearScreen: () => void (t.stdout += "\n[screen cleared]\n"),
  });
  const graph = async (method: string, path: string, body?: object) =>
    call(emu, agent, method, `/graph${path}`, { token: await deployerToken(), ...(body ? { body } : {}) });

  return {
    emu,
    dir,
    configFile,
    clock,
    agent,
    async applyCmd(plan, o = {}, deps = {}) {
      const t: Transcript = { stdout: "", stderr: "", asked: [] };
      const code = await runApply(
        plan,
        {
          config: "breakglass.yaml",
          ...(o.yes ? { yes: true } : {}),
          ...(o.target ? { target: o.target as never } : {}),
          ...(o.halves ? { firstHalf: o.halves[0], secondHalf: o.halves[1] } : {}),
        },
        io(t, o.interactive ?? false, [...(o.answers ?? [])]),
        { ...baseDeps, ...deps },
      ).catch((err: { exitCode?: number; message: string }) => {
        t.stderr += `breakglass: ${err.message}\n`;
        if (typeof err.exitCode !== "number") throw err;
        return err.exitCode;
      });
      return { code, ...t };
    },
    async plan(o = {}) {
      const t: Transcript = { stdout: "", stderr: "", asked: [] };
      const code = await runPlan(
        { config: "breakglass.yaml", ...o },
        {
          stdout: (s) => void (t.stdout += s),
          stderr: (s) => void (t.stderr += s),
          cwd: dir,
          clock: () => new Date(clock.now),
        },
        { read: async (cfg) => (await exportTenant({ clients: clients(), config: cfg })).snapshot },
      );
      return { code, ...t };
    },
    read,
    config,
    async enroll(upn) {
      const user = (await graph("GET", `/v1.0/users/${upn}`)).body;
      const pass = await graph("POST", `/v1.0/users/${user.id}/authentication/temporaryAccessPassMethods`, {
        isUsableOnce: true,
        lifetimeInMinutes: 60,
      });
      if (pass.status !== 201)
        throw new Error(`pass for ${upn}: ${pass.status} ${JSON.stringify(pass.body)}`);
      const control = (path: string, body: object) =>
        call(emu, agent, "POST", `/graph/_emulator/users/${user.id}${path}`, { body });
      const signIn = await control("/signIn", { temporaryAccessPass: pass.body.temporaryAccessPass });
      if (signIn.status !== 200) throw new Error(`sign-in of ${upn}: ${signIn.status} ${signIn.text}`);
      for (const key of KEYS) {
        const r = await control("/fido2Methods", key);
        if (r.status !== 201) throw new Error(`key of ${upn}: ${r.status} ${r.text}`);
      }
      // what enroll does after the keys: the pass is deleted
      const del = await graph(
        "DELETE",
        `/v1.0/users/${user.id}/authentication/temporaryAccessPassMethods/${pass.body.id}`,
      );
      if (del.status !== 204) throw new Error(`pass deletion for ${upn}: ${del.status}`);
    },
    async assess(snapshot) {
      const cfg = await config();
      return runChecks(CHECKS, buildCheckContext(snapshot ?? (await read()), cfg));
    },
    async files() {
      const out = new Map<string, string>();
      const walk = async (d: string): Promise<void> => {
        for (const e of await readdir(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) await walk(p);
          else out.set(p.slice(dir.length + 1), await readFile(p, "utf8"));
        }
      };
      await walk(dir);
      return out;
    },
    store: () => new FileRecordStore(dir),
    token: deployerToken,
    graph,
    async close() {
      await agent.close();
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The snapshot sections tenantShape compares. */
const SHAPE_SECTIONS = [
  "users",
  "groups",
  "authenticationStrengthPolicies",
  "conditionalAccessPolicies",
] as const;
type ShapeSections = Pick<Snapshot, (typeof SHAPE_SECTIONS)[number]>;

/**
 * tenantShape of the tenant as Graph serves it now, from only the sections it compares: the same
 * list requests an export sends for them (src/collect/reads.ts TOP_LEVEL_READS, every page), with
 * the deployer's token. The kill tests read the final state once per kill point, and a whole
 * export (every subject's methods, sign-ins and audits, the ARM side) cost several times more; their
 * reference runs check that this read and an export give the same shape.
 */
export async function listedShape(h: ApplyHarness): Promise<ReturnType<typeof tenantShape>> {
  const sections: Record<string, unknown[]> = {};
  for (const name of SHAPE_SECTIONS) {
    const read = TOP_LEVEL_READS.find((r) => r.path === name)!;
    const items: unknown[] = [];
    for (let next: string | undefined = `/${read.version}${read.url}`; next !== undefined;) {
      const page = await h.graph("GET", next);
      if (page.status !== 200) throw new Error(`GET ${next}: ${page.status} ${JSON.stringify(page.body)}`);
      items.push(...(page.body.value as unknown[]));
      const link = page.body["@odata.nextLink"] as string | undefined;
      next = link === undefined ? undefined : link.slice(link.indexOf("/graph/") + "/graph".length);
    }
    sections[name] = items;
  }
  return tenantShape(sections as ShapeSections);
}

/**
 * What must come out the same however a run went (killed, faulted, delayed): the accounts, groups,
 * strengths, and every policy with its state and exclusions (by name, since ids differ per run).
 */
export function tenantShape(s: ShapeSections) {
  const names = (xs: Array<{ displayName?: string | null }> | undefined) =>
    (xs ?? []).map((x) => x.displayName ?? "").sort();
  const groups = new Map((s.groups ?? []).map((g) => [g.id, g.displayName]));
  const users = new Map((s.users ?? []).map((u) => [u.id, u.userPrincipalName]));
  const label = (id: string) => groups.get(id) ?? users.get(id) ?? id;
  return {
    users: (s.users ?? []).map((u) => u.userPrincipalName).sort(),
    groups: names(s.groups),
    strengths: names(s.authenticationStrengthPolicies),
    policies: (s.conditionalAccessPolicies ?? [])
      .map((p) => ({
        name: p.displayName,
        state: p.state,
        excludeUsers: (p.conditions?.users?.excludeUsers ?? []).map(label).sort(),
        excludeGroups: (p.conditions?.users?.excludeGroups ?? []).map(label).sort(),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
  };
}

/** The record types of the one journal under `.breakglass/journal/` (a first run's), in order. */
export async function journalTypes(h: ApplyHarness): Promise<string[]> {
  const journals = [...(await h.files()).entries()].filter(([p]) => p.startsWith(".breakglass/journal/"));
  if (journals.length !== 1)
    throw new Error(`expected one journal, found ${journals.map(([p]) => p).join(", ") || "none"}`);
  return journals[0]![1]
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { type: string }).type);
}

/**
 * Where a run can be killed that matters, as 1-based numbers of the journal record the kill comes
 * just before, from an uninterrupted run's record types: the first `planned` (a journal with no
 * request yet), every `sent` (the request never leaves) and every `confirmed` (the tenant changed,
 * the journal does not know). The other `planned` records carry nothing a later run reads, and
 * `started` precedes them with nothing sent. Every point, never a sample: the kill tests
 * (apply-kill.test.ts in process, apply-sigkill-every.test.ts with SIGKILL) both walk this list.
 */
export function killPoints(types: readonly string[]): number[] {
  const firstPlanned = types.indexOf("planned");
  return types.flatMap((t, i) => (i === firstPlanned || t === "sent" || t === "confirmed" ? [i + 1] : []));
}
