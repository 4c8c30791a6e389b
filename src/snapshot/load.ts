import { basename } from "node:path";
import type { z } from "zod";
import { writeFileAtomically } from "../io/atomic-write.js";
import { readTextFile } from "../io/read-file.js";
import { duplicateIds } from "./ids.js";
import { Snapshot, SNAPSHOT_SCHEMA } from "./schema.js";
import { validate as compiledCheck } from "./validate.generated.js";

/**
 * The largest snapshot file Breakglass reads. A 50,000-user tenant with its relationships is around
 * 100 MB; files several times larger are refused up front instead of risking an out-of-memory crash
 * in JSON.parse (and readTextFile caps it at V8's string limit, just below 512 MiB).
 */
export const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/** A snapshot could not be read: the message names the file, the JSON path and the fix. Exit code 2. */
export class SnapshotError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = "SnapshotError";
  }
}

/** `users[3].accountEnabled` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || "(root)";
}

/** A value as an error message quotes it: JSON, cut at 60 characters; "nothing" when absent. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  if (json === undefined) return typeof value;
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** One line per problem: `users[3].accountEnabled: expected boolean, got "yes"`. */
export function formatIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path);
    if (issue.code === "invalid_type") {
      const got = valueAt(input, issue.path);
      return `${where}: expected ${issue.expected}, got ${describeValue(got)}`;
    }
    return `${where}: ${issue.message}`;
  });
}

/** The value at a zod issue's path in the document it was found in; undefined where the path breaks off. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Validate an already-parsed document. `source` names it in errors (a file name or "response"). */
export function parseSnapshot(document: unknown, source = "snapshot"): Snapshot {
  return validated(document, source, false);
}

/**
 * `owned`: the document was parsed here and nobody else holds it, so once the compiled check
 * (src/snapshot/validate.generated.ts, the same schema) accepts it, it is returned as it is, without
 * zod's copy of every object. Anything the compiled check refuses goes through zod, which names the
 * fields; the result is zod's whatever the compiled check said.
 */
function validated(document: unknown, source: string, owned: boolean): Snapshot {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new SnapshotError(`${source}: a snapshot is a JSON object with "schema": "${SNAPSHOT_SCHEMA}"`);
  }
  const schema = (document as { schema?: unknown }).schema;
  if (schema !== SNAPSHOT_SCHEMA) {
    throw new SnapshotError(
      `${source}: schema: expected "${SNAPSHOT_SCHEMA}", got ${describeValue(schema)}. ` +
        `Export the tenant again with this version of breakglass, or fix the "schema" field.`,
    );
  }
  const snapshot = owned && compiledCheck(document) ? (document as Snapshot) : zodChecked(document, source);
  const duplicates = duplicateIds(snapshot);
  if (duplicates.length > 0) {
    const issues = duplicates.map(
      (d) =>
        `${d.list}: the id ${JSON.stringify(d.id)} appears twice (${d.list}[${d.first}] and ${d.list}[${d.second}])`,
    );
    throw invalid(
      `${source}: ids must be unique in each list (compared case-insensitively, as Entra ids are); ` +
        `remove or correct the duplicate`,
      issues,
    );
  }
  return snapshot;
}

function zodChecked(document: unknown, source: string): Snapshot {
  const result = Snapshot.safeParse(document);
  if (!result.success) {
    throw invalid(`${source}: not a valid ${SNAPSHOT_SCHEMA} document`, formatIssues(result.error, document));
  }
  return result.data;
}

/** The error for a document with problems: the first 20 issues, one per line, and how many more. */
function invalid(heading: string, issues: string[]): SnapshotError {
  const shown = issues.slice(0, 20);
  const more = issues.length > shown.length ? `\n  ... and ${issues.length - shown.length} more` : "";
  return new SnapshotError(`${heading}:\n  ${shown.join("\n  ")}${more}`, issues);
}

/** Parse JSON text, reporting the line and column of a syntax error. */
export function parseSnapshotText(text: string, source = "snapshot"): Snapshot {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    let where = "";
    if (pos) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset);
      const line = before.split("\n").length;
      const column = offset - before.lastIndexOf("\n");
      where = ` at line ${line}, column ${column}`;
    }
    throw new SnapshotError(`${source}: malformed JSON${where}: ${message}`);
  }
  return validated(document, source, true);
}

export async function loadSnapshot(file: string): Promise<Snapshot> {
  const text = await readTextFile(file, {
    what: "snapshot",
    maxBytes: MAX_SNAPSHOT_BYTES,
    tooLargeHint: "export with fewer relationships, or split the tenant data",
  });
  return parseSnapshotText(text, basename(file));
}

/**
 * Write a snapshot with the one atomic writer (src/io/atomic-write.ts: 0600, never half-written),
 * after validating it, so a validation error never leaves a file behind.
 */
export async function saveSnapshot(file: string, snapshot: Snapshot): Promise<void> {
  await writeFileAtomically(file, snapshotText(snapshot));
}

/** The validated snapshot as the JSON text a file holds. */
export function snapshotText(snapshot: Snapshot): string {
  return JSON.stringify(parseSnapshot(snapshot, "snapshot to save"), null, 2) + "\n";
}
