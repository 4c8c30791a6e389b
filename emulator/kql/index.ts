/**
 * The emulator's own KQL (emulator/kql/README.md): enough of the language to run the log search
 * alert rules Breakglass and the fixtures write over the emulator's sign-in rows. It is
 * deliberately separate from the product's KQL analysis (src/monitor): the emulator decides whether
 * a rule fires on its own, so a test of the product against it proves something.
 */
import { UnsupportedKql } from "./lexer.js";
import { runQuery, type LogRow, type Value } from "./evaluate.js";
import { parseQuery } from "./parse.js";

export { UnsupportedKql } from "./lexer.js";
export { Span, type LogRow, type Value } from "./evaluate.js";

export type KqlResult = { ok: true; rows: Array<Record<string, Value>> } | { ok: false; reason: string };

/** Runs `query` over `tables` at the emulator time `now`; an unsupported construct is `ok: false` with why. */
export function runKql(query: string, tables: Record<string, readonly LogRow[]>, now: number): KqlResult {
  try {
    const parsed = parseQuery(query, new Set(Object.keys(tables)));
    return { ok: true, rows: runQuery(parsed, { tables, now }) };
  } catch (err) {
    if (err instanceof UnsupportedKql) return { ok: false, reason: err.message };
    throw err;
  }
}
