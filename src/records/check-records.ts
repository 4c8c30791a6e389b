/**
 * What the checks see of the records (EA-OPS-01..04, EA-MON-05): the custody registry and every
 * drill, use and enrollment record, loaded by the shell from the store beside the configuration.
 * Absent records are said so (`custody: undefined`, `accessFolders: false`), so a check is
 * `unknown` without them, never `pass`.
 */
import { join } from "node:path";
import { type AccessRecord, listRecords } from "./access.js";
import { CUSTODY_DOCUMENT, type Custody, parseCustody } from "./custody.js";
import type { RecordStore } from "./store.js";

export interface CheckRecords {
  /** where the records were read from (the configuration's directory) */
  root: string;
  /** the custody registry, or undefined when custody.yaml does not exist */
  custody?: Custody;
  /** every drill, use and enrollment record, oldest first */
  access: AccessRecord[];
  /** whether any of drills/, uses/, enrollments/ holds a record (no records at all: unknown) */
  hasAccessRecords: boolean;
}

/** Reads the records; a malformed custody.yaml or record is a ConfigError/UsageError (exit 2). */
export async function loadCheckRecords(store: RecordStore): Promise<CheckRecords> {
  const text = await store.readDocument(CUSTODY_DOCUMENT);
  const access = await listRecords(store);
  return {
    root: store.root,
    // the error names the file where it is, not only its name: `assess --config` may point elsewhere
    ...(text !== undefined ? { custody: parseCustody(text, join(store.root, CUSTODY_DOCUMENT)) } : {}),
    access,
    hasAccessRecords: access.length > 0,
  };
}
