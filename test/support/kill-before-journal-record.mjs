/**
 * Test-only preload (`node --import <this file>`): the process sends itself SIGKILL just before it
 * appends the Nth record to an apply journal, N from BREAKGLASS_TEST_KILL_BEFORE_JOURNAL_RECORD. The
 * product has no kill hook: src/io/append-line.ts appendLineDurably opens the stream once per record,
 * with O_APPEND, through `openSync` of node:fs, so this replaces that function on the module's
 * default export and syncBuiltinESMExports() makes every ESM import of it see the replacement
 * (test/setup-timers.ts does the same for timers). Only an append-open of a `.jsonl` file under
 * `.breakglass/journal/` counts; reads and the lock go through untouched. Killed before the open,
 * the file holds exactly N-1 records, which test/deploy/apply-sigkill-every.test.ts checks.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { sep } from "node:path";
import process from "node:process";

const VARIABLE = "BREAKGLASS_TEST_KILL_BEFORE_JOURNAL_RECORD";
const killAt = Number(process.env[VARIABLE]);
if (!Number.isInteger(killAt) || killAt < 1)
  throw new Error(`${VARIABLE} must be a record number from 1, not ${JSON.stringify(process.env[VARIABLE])}`);

const JOURNAL_FOLDER = `${sep}.breakglass${sep}journal${sep}`;
const realOpenSync = fs.openSync;
let journalAppends = 0;

const isJournalAppend = (path, flags) =>
  typeof path === "string" &&
  path.includes(JOURNAL_FOLDER) &&
  path.endsWith(".jsonl") &&
  typeof flags === "number" &&
  (flags & fs.constants.O_APPEND) !== 0;

function openSync(path, flags, mode) {
  if (isJournalAppend(path, flags) && ++journalAppends === killAt) process.kill(process.pid, "SIGKILL");
  return realOpenSync(path, flags, mode);
}

fs.openSync = openSync;
syncBuiltinESMExports();

// An interception that did not take would let the run finish: refuse to start instead.
const { openSync: imported } = await import("node:fs");
if (imported !== openSync) throw new Error("the preload could not replace openSync of node:fs");
