/**
 * `breakglass use record ACCOUNT --reason TEXT` and `breakglass use close ID --done STEPS`
 * (docs/drills.md): a real emergency use, recorded beside the configuration. Parsing and wiring
 * only: the record and its steps are src/drills/use.ts.
 */
import type { Command } from "commander";
import { AFTER_USE_STEPS, closeUse, keysUsed, parseSteps, recordUse } from "../../drills/use.js";
import { AUTH_METHODS, type AuthMethod } from "../../graph/index.js";
import { terminalInline } from "../../report/escape.js";
import { EXIT_TEXT, withHelp } from "../conventions.js";
import { context, type DrillDeps, type DrillIo, liveDrillDeps, processIo } from "./drill.js";
import { parseAuth } from "./export.js";

const stepList = () => AFTER_USE_STEPS.map((s, i) => `  ${i + 1}. [${s.id}] ${s.text}`);

export function register(program: Command, io: DrillIo = processIo(), deps: DrillDeps = liveDrillDeps): void {
  const use = withHelp(
    program
      .command("use")
      .description("record a real emergency use of an account and the steps taken after it"),
    [
      'breakglass use record cld-k2j9@contoso.onmicrosoft.com --reason "every admin locked out by a CA change"',
      "breakglass use close use-20261202t1430-a1b2c3 --done export-logs,review-logs,reset-password,verify-keys,revoke-sessions,re-drill",
    ],
    [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.internal],
  );
  const record = use
    .command("record")
    .argument("<account>", "the emergency account used (as listed under accounts: in the configuration)")
    .requiredOption("--reason <text>", "why the account is used (the emergency)")
    .option("--by <name>", "who uses it")
    .option("--offline", "record without reading the tenant (unreachable, or its credential fails)")
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option("--auth <method>", `credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
    .description("open a use window, so the account's sign-ins are explained; prints the after-use steps");
  withHelp(
    record,
    [
      'breakglass use record cld-k2j9@contoso.onmicrosoft.com --reason "MFA outage" --by alice',
      'breakglass use record cld-w5t1@contoso.onmicrosoft.com --reason "tenant takeover" --offline',
    ],
    [EXIT_TEXT.ok, EXIT_TEXT.usage, EXIT_TEXT.internal],
  );
  record.action(
    async (
      account: string,
      o: { reason: string; by?: string; offline?: boolean; config?: string; auth?: AuthMethod },
    ) => {
      const { config, store } = await context(o.config, io, deps);
      const { record, unreadable } = await recordUse(
        () => deps.clients(config, o.auth).graph,
        store,
        config,
        {
          account,
          reason: o.reason,
          ...(o.by ? { by: o.by } : {}),
          ...(o.offline ? { offline: true } : {}),
          now: io.clock(),
        },
      );
      if (unreadable !== undefined)
        io.stderr(
          `the account could not be read from the tenant (${terminalInline(unreadable)}): the use is recorded under its configured name\n`,
        );
      const name = terminalInline(record.account.userPrincipalName ?? record.account.id);
      io.stdout(
        [
          `Use of ${name} recorded at ${record.startedAt}: its sign-ins in the next 24 hours, or until the use is closed, are explained.`,
          "After the emergency, do each step, then record them:",
          ...stepList(),
          `  breakglass use close ${record.id} --done ${AFTER_USE_STEPS.map((s) => s.id).join(",")}`,
          record.id,
          "",
        ].join("\n"),
      );
    },
  );
  const close = use
    .command("close")
    .argument("<id>", "the use id use record printed")
    .option(
      "--done <steps>",
      `after-use steps done, comma-separated: ${AFTER_USE_STEPS.map((s) => s.id).join(", ")}`,
      parseSteps,
      [],
    )
    .option("--notes <text>", "what was found and done, for the record")
    .option("--offline", "close without reading the account's keys from the tenant")
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option("--auth <method>", `credential: ${AUTH_METHODS.join(", ")}`, parseAuth)
    .description(
      "close a use: record the after-use steps done (the others as skipped); a closed use never changes",
    );
  withHelp(
    close,
    [
      "breakglass use close use-20261202t1430-a1b2c3 --done export-logs,review-logs",
      'breakglass use close use-20261202t1430-a1b2c3 --done revoke-sessions --notes "keys re-enrolled" --offline',
    ],
    [EXIT_TEXT.ok, "1 some after-use steps recorded as not done", EXIT_TEXT.usage, EXIT_TEXT.internal],
  );
  close.action(
    async (
      id: string,
      o: { done: string[]; notes?: string; offline?: boolean; config?: string; auth?: AuthMethod },
    ) => {
      const { config, store } = await context(o.config, io, deps);
      const r = await closeUse(() => deps.clients(config, o.auth).graph, store, {
        id,
        done: o.done,
        ...(o.notes ? { notes: o.notes } : {}),
        ...(o.offline ? { offline: true } : {}),
        now: io.clock(),
      });
      const skipped = (r.steps ?? []).filter((s) => s.status === "skipped");
      const used = keysUsed(r);
      io.stdout(
        [
          `Use ${r.id} closed at ${r.finishedAt}.`,
          ...(r.steps ?? []).map((s) => `  ${s.status.padEnd(7)} ${s.step}`),
          ...(used.length ? [`  keys used in the window: ${terminalInline(used.join(", "))}`] : []),
          ...(skipped.length ? [`Recorded as not done: ${skipped.map((s) => s.step).join(", ")}.`] : []),
          "",
        ].join("\n"),
      );
      process.exitCode = skipped.length ? 1 : 0;
    },
  );
}
