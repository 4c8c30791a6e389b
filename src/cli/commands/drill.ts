/**
 * `breakglass drill start|finish|list|show` and `breakglass due` (docs/drills.md). Parsing and
 * wiring only: the evidence rules are src/drills/evidence.ts, the reads src/drills/drill.ts, the
 * records src/records/. Drills only read the tenant.
 */
import { dirname } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { finishDrill, resolveAccount, startDrill, type DrillClients } from "../../drills/drill.js";
import { dueItems } from "../../drills/due.js";
import { UsageError } from "../../errors.js";
import { AUTH_METHODS, type AuthMethod, createClients } from "../../graph/index.js";
import { findRecord, type AccessRecord } from "../../records/access.js";
import { loadCheckRecords } from "../../records/check-records.js";
import { FileRecordStore, type RecordStore } from "../../records/store.js";
import { terminalInline } from "../../report/escape.js";
import { parseAuth } from "./export.js";
import { EXIT_TEXT, helpText, withHelp } from "../conventions.js";

/** The exit codes of the drill commands that only read records. */
const RECORD_EXITS = [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.internal];

export interface DrillIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  clock(): Date;
}

export interface DrillDeps {
  clients(config: Config, auth: AuthMethod | undefined): DrillClients;
  store(root: string): RecordStore;
}

export const processIo = (): DrillIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  cwd: process.cwd(),
  clock: () => new Date(),
});

export const liveDrillDeps: DrillDeps = {
  clients: (config, auth) =>
    createClients({ auth: { method: auth, tenantId: config.tenant ?? process.env.AZURE_TENANT_ID } }),
  store: (root) => new FileRecordStore(root),
};

/** The configuration and the store beside it: records need a configuration file to live beside. */
export async function context(configFile: string | undefined, io: DrillIo, deps: DrillDeps) {
  const { config, file } = await loadConfig(configFile, io.cwd);
  if (file === null)
    throw new UsageError(
      "drills are recorded beside the configuration: write one with breakglass init, or pass --config",
    );
  const store = deps.store(dirname(file));
  const records = await loadCheckRecords(store);
  return { config, store, records };
}

function parseTime(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    throw new InvalidArgumentError(`${value} is not an ISO 8601 date-time such as 2026-12-02T14:05:00Z`);
  return d.toISOString();
}

function parseDays(value: string): number {
  const m = /^(\d{1,4})d?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`${value} is not a number of days such as 30d`);
  return Number(m[1]);
}

const line = (r: AccessRecord) =>
  terminalInline(
    `${r.id}  ${r.kind.padEnd(10)} ${r.account.userPrincipalName ?? r.account.id}  ${r.key ?? "-"}  ${r.startedAt}  ${r.outcome ?? (r.finishedAt ? "finished" : "open")}`,
  );

function show(r: AccessRecord): string {
  const out = [line(r)];
  if (r.by) out.push(`  by: ${terminalInline(r.by)}`);
  if (r.finishedAt) out.push(`  finished: ${r.finishedAt}`);
  for (const e of r.evidence ?? [])
    out.push(`  ${e.status.padEnd(7)} ${e.item}: ${terminalInline(e.reason)}`);
  if (r.notes) out.push(`  notes: ${terminalInline(r.notes)}`);
  return `${out.join("\n")}\n`;
}

export function register(program: Command, io: DrillIo = processIo(), deps: DrillDeps = liveDrillDeps): void {
  const drill = withHelp(
    program
      .command("drill")
      .description("prove the emergency accounts work: drills recorded beside the configuration"),
    [
      "breakglass drill start cld-k2j9@contoso.onmicrosoft.com --key K1 --by alice",
      "breakglass drill finish <id> --alert-received-at 2026-11-01T10:07:00Z",
      "breakglass drill list",
    ],
    RECORD_EXITS,
  );
  const common = (c: Command) =>
    c.option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)");
  common(
    drill
      .command("start")
      .argument("<account>", "the emergency account (as listed under accounts: in the configuration)")
      .requiredOption("--key <label>", "the custody label of the key used (custody.yaml)")
      .option("--by <name>", "who runs the drill")
      .option("--auth <method>", `credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
      .description("open a drill window and print the checklist; the drill id is the last line")
      .addHelpText(
        "after",
        helpText(
          [
            "breakglass drill start cld-k2j9@contoso.onmicrosoft.com --key K1 --by alice",
            "breakglass drill start cld-w5t1@contoso.onmicrosoft.com --key K3 --auth device-code",
          ],
          [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.unreadable, EXIT_TEXT.internal],
        ),
      ),
  ).action(async (account: string, o: { key: string; by?: string; config?: string; auth?: AuthMethod }) => {
    const { config, store, records } = await context(o.config, io, deps);
    const r = await startDrill(deps.clients(config, o.auth), store, config, records.custody, {
      account,
      key: o.key,
      by: o.by,
      now: io.clock(),
    });
    const name = terminalInline(r.account.userPrincipalName ?? r.account.id);
    io.stdout(
      [
        `Drill of ${name} with key ${terminalInline(o.key)} opened at ${r.startedAt}.`,
        "  1. Get the key from its custodians and the PIN envelope from its own custodians (never one person both).",
        "  2. In a private browser window, sign in to https://portal.azure.com as the account, with the key and its PIN.",
        "  3. Note when the sign-in alert reaches you (pass it as --alert-received-at).",
        "  4. Sign out, return the key and the PIN to their custodians, then run:",
        `     breakglass drill finish ${r.id} --alert-received-at <time>`,
        r.id,
        "",
      ].join("\n"),
    );
  });
  common(
    drill
      .command("finish")
      .argument("<id>", "the drill id drill start printed")
      .option("--alert-received-at <time>", "when a person received the sign-in alert (ISO 8601)", parseTime)
      .option("--notes <text>", "what happened, for the record")
      .option("--auth <method>", `credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
      .description("gather the evidence from the sign-in logs, the keys and the alerts, and close the drill")
      .addHelpText(
        "after",
        helpText(
          [
            "breakglass drill finish <id> --alert-received-at 2026-11-01T10:07:00Z",
            'breakglass drill finish <id> --notes "alert reached the on-call phone"',
          ],
          [
            "0 the drill succeeded",
            "1 evidence is missing (the drill failed)",
            EXIT_TEXT.usage,
            EXIT_TEXT.unreadable,
            EXIT_TEXT.internal,
          ],
        ),
      ),
  ).action(
    async (
      id: string,
      o: { alertReceivedAt?: string; notes?: string; config?: string; auth?: AuthMethod },
    ) => {
      const { config, store, records } = await context(o.config, io, deps);
      const r = await finishDrill(deps.clients(config, o.auth), store, config, records.custody, {
        id,
        now: io.clock(),
        ...(o.alertReceivedAt ? { alertReceivedAt: o.alertReceivedAt } : {}),
        ...(o.notes ? { notes: o.notes } : {}),
      });
      io.stdout(show(r));
      process.exitCode = r.outcome === "success" ? 0 : 1;
    },
  );
  common(
    withHelp(
      drill.command("list").description("every drill, use and enrollment, oldest first"),
      ["breakglass drill list", "breakglass drill list --config ops/breakglass.yaml"],
      RECORD_EXITS,
    ),
  ).action(async (o: { config?: string }) => {
    const { records } = await context(o.config, io, deps);
    io.stdout(
      records.access.length
        ? `${records.access.map(line).join("\n")}\n`
        : "No drills, uses or enrollments recorded.\n",
    );
  });
  common(
    withHelp(
      drill.command("show").argument("<id>").description("one record with its evidence"),
      ["breakglass drill show <id>", "breakglass drill show <id> --config ops/breakglass.yaml"],
      RECORD_EXITS,
    ),
  ).action(async (id: string, o: { config?: string }) => {
    const { store } = await context(o.config, io, deps);
    const r = await findRecord(store, id);
    if (!r)
      throw new UsageError(`no drill, use or enrollment has the id ${id} (breakglass drill list shows them)`);
    io.stdout(show(r));
  });
}

export function registerDue(
  program: Command,
  io: DrillIo = processIo(),
  deps: DrillDeps = liveDrillDeps,
): void {
  program
    .command("due")
    .description("what is due and when: drills per account and key, runbook review, custodians leaving")
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option("--within <days>", "look this far ahead (default 30d)", parseDays, 30)
    .option("--auth <method>", `credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
    .addHelpText(
      "after",
      helpText(
        ["breakglass due", "breakglass due --within 90d --config ops/breakglass.yaml"],
        [
          "0 nothing overdue",
          "1 something is overdue",
          EXIT_TEXT.usage,
          EXIT_TEXT.unreadable,
          EXIT_TEXT.internal,
        ],
      ),
    )
    .action(async (o: { config?: string; within: number; auth?: AuthMethod }) => {
      const { config, records } = await context(o.config, io, deps);
      const clients = deps.clients(config, o.auth);
      const accounts = [];
      for (const ref of config.accounts ?? [])
        accounts.push(await resolveAccount(clients.graph, config, ref));
      const items = dueItems({
        config,
        accounts,
        ...(records.custody ? { custody: records.custody } : {}),
        records: records.access,
        now: io.clock(),
        withinDays: o.within,
      });
      if (!records.custody)
        io.stderr("no custody.yaml beside the configuration: key drills and reviews cannot be scheduled\n");
      io.stdout(
        items.length
          ? `${items.map((i) => terminalInline(`${i.overdue ? "OVERDUE " : ""}${i.due ?? "now"}  ${i.what}  (${i.how})`)).join("\n")}\n`
          : `Nothing is due within ${o.within} days.\n`,
      );
      process.exitCode = items.some((i) => i.overdue) ? 1 : 0;
    });
}
