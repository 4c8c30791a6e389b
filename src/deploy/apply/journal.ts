/**
 * The apply journal (docs/deploy.md "Journal and resumption"): one record stream per plan,
 * `.breakglass/journal/<plan id>.jsonl` in the records store, each record appended and fsynced
 * before the request it announces is sent and after its answer, so a run killed at any moment
 * (SIGKILL included) leaves a true account of what may have reached the tenant. It never holds a
 * secret: requests are recorded by method and url (ids only), never by body.
 *
 * A later run reads the journals that did not finish (`priorOutcomes`): a create they show as sent
 * or confirmed is looked up by its configured name instead of being sent again.
 */
import type { RecordStore } from "../../records/store.js";

export const JOURNAL_FOLDER = "journal";

export type JournalRecord =
  | {
      type: "started";
      at: string;
      planId: string;
      tenantId: string;
      configHash: string;
      /** the changes this run will send, in order */
      steps: number;
      pid: number;
    }
  | { type: "planned"; at: string; step: string; action: string; method: string; url: string }
  | { type: "sent"; at: string; step: string; method: string; url: string }
  | {
      type: "confirmed";
      at: string;
      step: string;
      /** the created (or found) object's id */
      id?: string;
      /** response: the answer to this run's request; lookup: found by its configured name, not sent again */
      via: "response" | "lookup";
      status?: number;
    }
  | {
      type: "failed";
      at: string;
      step: string;
      /** refused: the service said no, nothing changed; unknown: the request may have been applied */
      outcome: "refused" | "unknown";
      status?: number;
      code?: string;
      message: string;
    }
  | { type: "refused"; at: string; step: string; gate: "lockout"; reasons: string[] }
  | { type: "completed"; at: string; sent: number }
  /** an unfinished journal whose work a later run took over and finished */
  | { type: "superseded"; at: string; by: string };

/** Where records go: the store's stream, or a test double that stops the run at a chosen record. */
export interface JournalWriter {
  readonly name: string;
  append(record: JournalRecord): Promise<void>;
}

export const journalStream = (planId: string): string => `${JOURNAL_FOLDER}/${planId}`;

export function storeJournal(store: RecordStore, planId: string): JournalWriter {
  const name = journalStream(planId);
  return { name, append: (record) => store.append(name, record) };
}

/** What earlier, unfinished runs say of a step: it made an object (its id), or it may have. */
export type PriorOutcome =
  { state: "confirmed"; id?: string; journal: string } | { state: "unknown"; journal: string };

export interface PriorRuns {
  /** step id -> what an unfinished journal says of it */
  outcomes: Map<string, PriorOutcome>;
  /** the unfinished journals read (marked superseded when this run completes) */
  journals: string[];
}

const isRecord = (r: unknown): r is JournalRecord =>
  typeof r === "object" && r !== null && typeof (r as { type?: unknown }).type === "string";

/**
 * The outcomes of every journal of this tenant whose last record is not `completed` or
 * `superseded`: runs that were killed, failed, or refused part-way. Oldest journal first, so a
 * later run's word on a step wins; a step once confirmed stays confirmed.
 */
export async function priorOutcomes(store: RecordStore, tenantId: string): Promise<PriorRuns> {
  const runs: Array<{ name: string; started: string; records: JournalRecord[] }> = [];
  for (const name of await store.streams(JOURNAL_FOLDER)) {
    const records = (await store.read(name)).filter(isRecord);
    const last = records.at(-1);
    if (!last || last.type === "completed" || last.type === "superseded") continue;
    const started = records.find((r) => r.type === "started");
    if (!started || started.tenantId.toLowerCase() !== tenantId.toLowerCase()) continue;
    runs.push({ name, started: started.at, records });
  }
  runs.sort((a, b) => a.started.localeCompare(b.started));
  const outcomes = new Map<string, PriorOutcome>();
  /** what was known of a step before its latest `sent`: a refusal of that request restores it */
  const beforeSent = new Map<string, PriorOutcome | undefined>();
  for (const run of runs)
    for (const r of run.records) {
      if (r.type !== "sent" && r.type !== "confirmed" && r.type !== "failed") continue;
      const was = outcomes.get(r.step);
      if (r.type === "sent") {
        beforeSent.set(r.step, was);
        if (was?.state !== "confirmed") outcomes.set(r.step, { state: "unknown", journal: run.name });
      } else if (r.type === "confirmed") {
        outcomes.set(r.step, { state: "confirmed", ...(r.id ? { id: r.id } : {}), journal: run.name });
      } else if (r.outcome === "refused") {
        // the service said no: that request changed nothing
        const prior = beforeSent.get(r.step);
        if (prior) outcomes.set(r.step, prior);
        else outcomes.delete(r.step);
      }
      // failed "unknown" leaves the step as its `sent` made it: it may have been applied
    }
  return { outcomes, journals: runs.map((r) => r.name) };
}
