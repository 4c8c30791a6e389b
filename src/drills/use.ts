/**
 * A real emergency use (docs/drills.md): `use record` opens a use window, so the account's sign-ins
 * in it are explained (EA-MON-05, `logs scan`), and prints the after-use steps; `use close` records
 * which of those steps were done and completes the record once. The window explains sign-ins for
 * at most USE_WINDOW_HOURS after it opened (src/records/windows.ts), so a use left open does not
 * explain sign-ins forever.
 */
import type { Config } from "../config/schema.js";
import { UsageError } from "../errors.js";
import type { GraphApi } from "../graph/index.js";
import {
  ACCESS_RECORD_SCHEMA,
  type AccessRecord,
  closeRecord,
  findRecord,
  newRecordId,
  openRecord,
} from "../records/access.js";
import type { RecordStore } from "../records/store.js";
import { OPEN_WINDOW_HOURS } from "../records/windows.js";
import { AFTER_USE_STEPS } from "./after-use.js";
import { readKeys, resolveAccount } from "./drill.js";

export { AFTER_USE_STEPS } from "./after-use.js";

/** How long a use window explains sign-ins after it opened, closed or not. */
export const USE_WINDOW_HOURS = OPEN_WINDOW_HOURS;

const STEP_IDS = AFTER_USE_STEPS.map((s) => s.id);

/** Parses `--done export-logs,review-logs`; an unknown step is a usage error naming the valid ones. */
export function parseSteps(value: string): string[] {
  const ids = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const id of ids)
    if (!STEP_IDS.includes(id))
      throw new UsageError(`--done: ${JSON.stringify(id)} is not an after-use step (${STEP_IDS.join(", ")})`);
  return ids;
}

export interface RecordUseInput {
  account: string;
  reason: string;
  by?: string;
  /** record without reading the tenant (it cannot be reached, or its credential is what failed) */
  offline?: boolean;
  now: Date;
}

export interface RecordedUse {
  record: AccessRecord;
  /** why the account could not be read from the tenant, when it could not */
  unreadable?: string;
}

/**
 * Opens a use window. The account must be a configured one (exit 2 otherwise); when the tenant
 * cannot be read (in an emergency it may not be), or with `offline`, the use is recorded under the
 * configured name, which windows match as well as the object id, and the caller is told.
 */
export async function recordUse(
  graph: () => GraphApi,
  store: RecordStore,
  config: Config,
  input: RecordUseInput,
): Promise<RecordedUse> {
  const configured = (config.accounts ?? []).find((a) => a.toLowerCase() === input.account.toLowerCase());
  if (!configured)
    throw new UsageError(
      `${input.account} is not a configured emergency account (accounts: in the configuration): ${(config.accounts ?? []).join(", ") || "none configured"}`,
    );
  if (input.reason.trim() === "")
    throw new UsageError("--reason is empty: say why the emergency account is used");
  let account: AccessRecord["account"];
  let keysAtStart: AccessRecord["keysAtStart"] = [];
  let unreadable: string | undefined;
  try {
    if (input.offline) throw new Error("--offline: the tenant was not read");
    const client = graph();
    account = await resolveAccount(client, config, configured);
    const keys = await readKeys(client, account.id);
    if (Array.isArray(keys)) keysAtStart = keys;
  } catch (err) {
    unreadable = (err as Error).message;
    account = { id: configured, userPrincipalName: configured.includes("@") ? configured : null };
  }
  const record: AccessRecord = {
    schema: ACCESS_RECORD_SCHEMA,
    id: newRecordId("use", input.now),
    kind: "use",
    account,
    reason: input.reason,
    ...(input.by ? { by: input.by } : {}),
    startedAt: input.now.toISOString(),
    keysAtStart,
  };
  await openRecord(store, record);
  return { record, ...(unreadable !== undefined ? { unreadable } : {}) };
}

export interface CloseUseInput {
  id: string;
  done: readonly string[];
  notes?: string;
  /** close without reading the keys again */
  offline?: boolean;
  now: Date;
}

/** Completes a use once: each after-use step done or skipped, at the time of closing. */
export async function closeUse(
  graph: () => GraphApi,
  store: RecordStore,
  input: CloseUseInput,
): Promise<AccessRecord> {
  const record = await findRecord(store, input.id);
  if (!record || record.kind !== "use")
    throw new UsageError(`no use has the id ${input.id} (breakglass drill list shows every record)`);
  if (record.finishedAt)
    throw new UsageError(`use ${input.id} was closed at ${record.finishedAt}; a closed use is never changed`);
  const at = input.now.toISOString();
  let keysAtFinish: AccessRecord["keysAtFinish"];
  try {
    const keys = input.offline ? undefined : await readKeys(graph(), record.account.id);
    if (Array.isArray(keys)) keysAtFinish = keys;
  } catch {
    // the keys are read for the record only; closing does not depend on the tenant
  }
  return closeRecord(store, record.id, {
    finishedAt: at,
    steps: AFTER_USE_STEPS.map((s) => ({
      step: s.id,
      status: input.done.includes(s.id) ? ("done" as const) : ("skipped" as const),
      at,
    })),
    ...(keysAtFinish ? { keysAtFinish } : {}),
    ...(input.notes ? { notes: input.notes } : {}),
  });
}

/** The keys whose last use moved between the use's opening and closing (which keys were used). */
export function keysUsed(record: AccessRecord): string[] {
  if (!record.keysAtFinish) return [];
  const before = new Map(record.keysAtStart.map((k) => [k.methodId, k.lastUsedDateTime ?? null]));
  return record.keysAtFinish
    .filter((k) => k.lastUsedDateTime && k.lastUsedDateTime !== before.get(k.methodId))
    .map((k) => k.displayName ?? k.methodId);
}
