/**
 * Building KQL from tenant data, safely: every value is a string literal escaped so that no input
 * (quotes, backslashes, `|`, newlines, KQL keywords, any Unicode) can end the literal or add an
 * operator; and every query is parsed with Microsoft's Kusto parser and its column names checked
 * against the shipped table schema (src/monitor/log-tables.ts) before it is planned.
 */
import { children, descendants, nameOf, nodeClass, parseKql } from "../../monitor/kusto.js";
import { LOG_TABLE_COLUMNS } from "../../monitor/log-tables.js";
import { durationSeconds } from "../../monitor/alerts.js";

/**
 * A double-quoted KQL string literal. Printable ASCII other than `"` and `\` is kept; everything else
 * becomes a `\uXXXX` escape (UTF-16 code units), so the query text is plain ASCII and the literal's
 * value is exactly the input.
 */
export function kqlString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const ch = value[i]!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/** `("a", "b")`: the list of an `in~` / `has_any`, each value a literal. */
export const kqlList = (values: readonly string[]): string => `(${values.map(kqlString).join(", ")})`;

/** An ISO 8601 duration as a KQL timespan literal (`PT5M` -> `5m`). */
export function kqlTimespan(iso: string): string {
  const seconds = durationSeconds(iso);
  if (seconds === undefined || seconds <= 0) throw new Error(`not a positive ISO 8601 duration: ${iso}`);
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export interface QueryProblems {
  syntax: string[];
  /** names that are neither a column of the tables read nor declared by the query */
  unknownColumns: string[];
  tables: string[];
}

/** Parses a query and checks its names against the shipped schema. */
export function queryProblems(query: string): QueryProblems {
  const parsed = parseKql(query);
  const nodes = descendants(parsed.root);
  const declared = new Set<string>();
  const references: Array<{ name: string; parent: string; first: boolean }> = [];
  for (const n of nodes) {
    const cls = nodeClass(n);
    const name = nameOf(n);
    if (!name) continue;
    if (cls === "NameDeclaration") declared.add(name);
    if (cls !== "NameReference") continue;
    const parent = n.Parent ? nodeClass(n.Parent) : "";
    const first = parent !== "PathExpression" || children(n.Parent!)[0] === n;
    references.push({ name, parent, first });
  }
  const tables = [...new Set(references.map((r) => r.name).filter((r) => r in LOG_TABLE_COLUMNS))].sort();
  const columns = new Set(tables.flatMap((t) => LOG_TABLE_COLUMNS[t] ?? []));
  const unknownColumns = references
    .filter((r) => r.parent !== "FunctionCallExpression" && r.first)
    .map((r) => r.name)
    .filter((name) => !(name in LOG_TABLE_COLUMNS) && !columns.has(name) && !declared.has(name));
  return {
    syntax: parsed.errors.map((e) => `${e.message} (at ${e.start})`),
    unknownColumns: [...new Set(unknownColumns)].sort(),
    tables,
  };
}

/** Throws when a generated query does not parse or reads a column the schema does not have. */
export function checkedQuery(query: string): string {
  const problems = queryProblems(query);
  if (problems.syntax.length || problems.unknownColumns.length || problems.tables.length === 0)
    throw new Error(
      `a generated query failed its check (${[
        ...problems.syntax,
        ...problems.unknownColumns.map((c) => `unknown column ${c}`),
        ...(problems.tables.length ? [] : ["reads no known table"]),
      ].join("; ")}): ${query}`,
    );
  return query;
}
