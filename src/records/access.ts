/**
 * Records of the times someone signed in to an emergency account on purpose: drills, real uses and
 * enrollments (docs/drills.md). Each is one JSON document (`breakglass.drill/v1`) in `drills/`,
 * `uses/` or `enrollments/` beside the configuration: created when the window opens, completed
 * once when it closes, never changed after. Their windows are what explains an emergency sign-in
 * (EA-MON-05, `logs scan`); their evidence is what proves a drill (EA-OPS-01, EA-OPS-02).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { RecordStore } from "./store.js";

export { EVIDENCE } from "./vocabulary.js";

export const ACCESS_RECORD_SCHEMA = "breakglass.drill/v1";

export const ACCESS_KINDS = ["drill", "use", "enrollment"] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** The folder of each kind, beside the configuration. */
export const FOLDER_OF: Record<AccessKind, string> = {
  drill: "drills",
  use: "uses",
  enrollment: "enrollments",
};

const iso = z.string().datetime({ offset: true });

/** A FIDO2 key of the account as read at a window's start or end (the log never names the key). */
export const KeyReading = z.strictObject({
  methodId: z.string(),
  aaGuid: z.string().nullish(),
  displayName: z.string().nullish(),
  lastUsedDateTime: iso.nullish(),
});
export type KeyReading = z.infer<typeof KeyReading>;

export const EVIDENCE_STATUSES = ["pass", "fail", "unknown"] as const;
export const EvidenceItem = z.strictObject({
  /** what is proved: "sign-in succeeded", "FIDO2 was the method", "the key used is key-a1", ... */
  item: z.string(),
  status: z.enum(EVIDENCE_STATUSES),
  /** why this status: what was read, or what could not be */
  reason: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

export const AccessRecord = z.strictObject({
  schema: z.literal(ACCESS_RECORD_SCHEMA),
  id: z.string().regex(/^[a-z0-9-]{6,64}$/),
  kind: z.enum(ACCESS_KINDS),
  account: z.strictObject({ id: z.string(), userPrincipalName: z.string().nullish() }),
  /** the custody label of the key a drill uses */
  key: z.string().optional(),
  by: z.string().optional(),
  /** why a real use happened */
  reason: z.string().optional(),
  startedAt: iso,
  finishedAt: iso.optional(),
  keysAtStart: z.array(KeyReading).default([]),
  keysAtFinish: z.array(KeyReading).optional(),
  evidence: z.array(EvidenceItem).optional(),
  outcome: z.enum(["success", "failure", "incomplete"]).optional(),
  alertReceivedAt: iso.optional(),
  notes: z.string().optional(),
  /** the after-use steps of a real use, as they were done */
  steps: z
    .array(
      z.strictObject({
        step: z.string(),
        status: z.enum(["done", "skipped"]),
        at: iso,
        notes: z.string().optional(),
      }),
    )
    .optional(),
});
export type AccessRecord = z.infer<typeof AccessRecord>;

/** A new record's id: the day and time it opened, then random (sortable, unguessable, filename-safe). */
export function newRecordId(
  kind: AccessKind,
  at: Date,
  random: () => string = () => randomBytes(3).toString("hex"),
): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").slice(0, 13).toLowerCase(); // 20261202t1430
  return `${kind === "enrollment" ? "enr" : kind}-${stamp}-${random()}`;
}

const documentName = (kind: AccessKind, id: string) => `${FOLDER_OF[kind]}/${id}.json`;

export async function openRecord(store: RecordStore, record: AccessRecord): Promise<void> {
  await store.createDocument(
    documentName(record.kind, record.id),
    `${JSON.stringify(AccessRecord.parse(record), null, 2)}\n`,
  );
}

/** Finds a record by id in any folder. */
export async function findRecord(store: RecordStore, id: string): Promise<AccessRecord | undefined> {
  if (!/^[a-z0-9-]{6,64}$/.test(id))
    throw new UsageError(`${JSON.stringify(id)} is not a record id (drill list shows them)`);
  for (const kind of ACCESS_KINDS) {
    const text = await store.readDocument(documentName(kind, id));
    if (text !== undefined) return parseRecord(text, documentName(kind, id));
  }
  return undefined;
}

/** Completes a record once; a completed record is never changed again. */
export async function closeRecord(
  store: RecordStore,
  id: string,
  completion: Partial<
    Pick<
      AccessRecord,
      "finishedAt" | "keysAtFinish" | "evidence" | "outcome" | "alertReceivedAt" | "notes" | "steps"
    >
  > & { finishedAt: string },
): Promise<AccessRecord> {
  const record = await findRecord(store, id);
  if (!record) throw new UsageError(`no drill, use or enrollment has the id ${id} (drill list shows them)`);
  if (record.finishedAt)
    throw new UsageError(
      `${record.kind} ${id} was completed at ${record.finishedAt}; a completed record is never changed`,
    );
  const done = AccessRecord.parse({ ...record, ...completion });
  await store.writeDocument(documentName(record.kind, id), `${JSON.stringify(done, null, 2)}\n`);
  return done;
}

export function parseRecord(text: string, source: string): AccessRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source}: not JSON (${(err as Error).message}); restore it from version control`);
  }
  const parsed = AccessRecord.safeParse(json);
  if (!parsed.success)
    throw new UsageError(
      `${source}: not a ${ACCESS_RECORD_SCHEMA} record: ${parsed.error.issues
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; ")}`,
    );
  return parsed.data;
}

/** Every drill, use and enrollment record, oldest first. */
export async function listRecords(store: RecordStore): Promise<AccessRecord[]> {
  const out: AccessRecord[] = [];
  for (const kind of ACCESS_KINDS)
    for (const name of await store.documents(FOLDER_OF[kind]))
      if (name.endsWith(".json")) out.push(parseRecord((await store.readDocument(name))!, name));
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
}
