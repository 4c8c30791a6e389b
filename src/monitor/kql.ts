/**
 * What an alert query watches (docs/checks.md "An id counts as watched").
 *
 * The query is parsed with `@kusto/language-service-next` and never executed. Instead of matching
 * text, the analysis asks the question an alert answers: "would a row produced by this account reach
 * the output?". It builds one synthetic log row (a sign-in of the account, an audit event targeting
 * it, ...) and evaluates every `where` of the query on it in three-valued logic:
 *
 * - columns the row defines (UserId, UserPrincipalName, TargetResources, InitiatedBy, OperationName,
 *   Category, Type) have concrete values, and so have values derived from them (`tostring`, `tolower`,
 *   paths, `extend`, `mv-apply` / `mv-expand` bindings, `let` constants and `dynamic([...])` lists);
 * - time filters (TimeGenerated > ago(...), ingestion_time() > ago(...)) are true: they bound the
 *   window, not the accounts;
 * - anything else (ResultType, AppDisplayName, IPAddress, joins, regexes...) "depends": it may drop
 *   the account's rows, so it narrows the comparison.
 *
 * An account is watched when every filter is true for its row and at least one positive comparison
 * (`==`, `=~`, `in`, `in~`, `has`, `has_any`, `contains` and their `_cs` forms) on an identity value
 * held a literal naming it. Negations are evaluated, so `!=`, `!in`, `not(...)` never watch anyone.
 * Comments are trivia in the syntax tree and never reach the evaluation.
 */
import type { KNode } from "./kusto.js";
import {
  children,
  descendants,
  elements,
  excerptOf,
  nameOf,
  nodeClass,
  type ParsedKql,
  parseKql,
} from "./kusto.js";

export const SIGNIN_TABLES = ["SigninLogs", "AADNonInteractiveUserSignInLogs"] as const;
export const AUDIT_TABLE = "AuditLogs";
export const KNOWN_TABLES: readonly string[] = [...SIGNIN_TABLES, AUDIT_TABLE];

/** A principal as it appears in a log row (ids lower-case, as the logs write them). */
export interface KqlEntity {
  id: string;
  userPrincipalName?: string | null;
  type: "User" | "Group";
}

/** The synthetic row: the values a log row of the scenario certainly has. `undefined` = any value. */
export interface LogRow {
  table: string;
  /** sign-in tables: the signing-in user (UserId, UserPrincipalName). */
  user?: KqlEntity;
  /** AuditLogs: the event's targets (TargetResources). */
  targets?: KqlEntity[];
  /** AuditLogs: the user who initiated the event (InitiatedBy.user). */
  initiator?: KqlEntity;
  /** AuditLogs: OperationName / ActivityDisplayName. */
  operation?: string;
  /** AuditLogs: Category. */
  category?: string;
}

export type Tri = true | false | "depends";

/** A positive comparison on an identity value that held a literal naming the row's principal. */
export interface IdentityMatch {
  operator: string;
  literal: string;
  /** a case-sensitive comparison of a UPN: logs may spell it with other case. */
  caseSensitiveUpn: boolean;
  excerpt: string;
}

export interface RowVerdict {
  accepted: Tri;
  matches: IdentityMatch[];
  /** comparisons naming the principal in filters that held, even when another filter narrows them. */
  namedBy: IdentityMatch[];
  /** the filters that drop or may drop the row, each with why. */
  blockers: string[];
}

export interface WatchlistData {
  /** `properties.watchlistAlias` (or the resource name). */
  alias: string;
  /** the column `SearchKey` stands for (`properties.itemsSearchKey`). */
  searchKey?: string;
  items: Array<Record<string, unknown>>;
}

export interface QueryAnalysis {
  text: string;
  syntaxErrors: string[];
  /** known tables the query reads (SigninLogs, AADNonInteractiveUserSignInLogs, AuditLogs). */
  tables: string[];
  /** watchlists it reads through `_GetWatchlist`. */
  watchlists: string[];
  /** watchlists it reads that were not given: their contents are unknown. */
  missingWatchlists: string[];
  evaluate(row: LogRow): RowVerdict;
}

export type WatchStatus = "watched" | "warn" | "not-watched" | "unknown";

export interface WatchVerdict {
  status: WatchStatus;
  reason: string;
  /** the comparisons or filters the verdict rests on (query excerpts). */
  excerpts: string[];
}

// ---------------------------------------------------------------------------------------------
// Values

interface IdentInfo {
  /** the value is (derived from) a UPN. */
  upn: boolean;
  /** passed through tolower/toupper: the comparison's case is decided by the query, not the logs. */
  folded: boolean;
}

type Val =
  | { t: "text"; v: string; ident?: IdentInfo }
  | { t: "obj"; v: unknown; ident?: IdentInfo }
  | { t: "lits"; v: string[] }
  /** a time: the row's own (TimeGenerated), past (ago(x), now() - x), now, future, or other (datetime(...)). */
  | { t: "time"; when: "row" | "past" | "now" | "future" | "other" }
  | { t: "unknown"; why: string };

const unknown = (why: string): Val => ({ t: "unknown", why });

/** Nesting the evaluation follows before it gives up ("depends"): real alert queries stay far below. */
const MAX_DEPTH = 64;
const MAX_BRACKET_DEPTH = 200;

/** The deepest nesting of (, [ and { in the text (strings and comments included: an upper bound). */
function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (const ch of text) {
    if (ch === "(" || ch === "[" || ch === "{") max = Math.max(max, ++depth);
    else if (ch === ")" || ch === "]" || ch === "}") depth = Math.max(0, depth - 1);
  }
  return max;
}

/** Longer queries are not analysed (Sentinel caps queries at 10,000 characters). */
const MAX_QUERY_LENGTH = 65_536;

const TIME_COLUMNS = new Set(["TimeGenerated", "CreatedDateTime", "ActivityDateTime", "_TimeReceived"]);
const TIME_FUNCTIONS = new Set(["ago", "now", "datetime", "startofday", "startofweek", "endofday", "bin"]);
const POSITIVE_OPERATORS = new Set([
  "==",
  "=~",
  "in",
  "in~",
  "has",
  "has_cs",
  "has_any",
  "has_all",
  "contains",
  "contains_cs",
]);

const CROSS_RESOURCE_FUNCTIONS = new Set(["workspace", "app", "cluster", "database", "resource", "adx"]);

/** Operators that keep every row reaching them, or whose effect is evaluated elsewhere (where, join). */
const ROW_KEEPING_OPERATORS = new Set([
  "FilterOperator",
  "JoinOperator",
  "LookupOperator",
  "ExtendOperator",
  "ProjectOperator",
  "ProjectAwayOperator",
  "ProjectKeepOperator",
  "ProjectRenameOperator",
  "ProjectReorderOperator",
  "SummarizeOperator",
  "TakeOperator",
  "TopOperator",
  "SortOperator",
  "DistinctOperator",
  "UnionOperator",
  "MvApplyOperator",
  "MvExpandOperator",
  "ParseOperator",
  "SerializeOperator",
  "AsOperator",
  "CountOperator",
  "RenderOperator",
]);

const entityJson = (e: KqlEntity) => ({
  id: e.id.toLowerCase(),
  userPrincipalName: e.userPrincipalName ?? null,
  type: e.type,
});

// ---------------------------------------------------------------------------------------------
// Parsing and the static parts of the analysis

interface Binding {
  expr: KNode;
  /** bound by mv-apply / mv-expand: the value is one element of the array. */
  element: boolean;
}

export function analyzeQuery(text: string, watchlists: WatchlistData[] = []): QueryAnalysis {
  try {
    if (text.length > MAX_QUERY_LENGTH) throw new Error(`longer than ${MAX_QUERY_LENGTH} characters`);
    // The parser takes seconds on thousands of nested brackets; no real alert query nests that deep.
    if (bracketDepth(text) > MAX_BRACKET_DEPTH)
      throw new Error(`brackets nested deeper than ${MAX_BRACKET_DEPTH}`);
    const analysis = analyze(text, watchlists);
    return {
      ...analysis,
      evaluate: (row) => {
        try {
          return analysis.evaluate(row);
        } catch (err) {
          const why = `the query could not be evaluated: ${err instanceof Error ? err.message : String(err)}`;
          return { accepted: "depends", matches: [], namedBy: [], blockers: [why] };
        }
      },
    };
  } catch (err) {
    // A query the parser or the walk cannot handle (absurd nesting, say) watches nobody provably.
    const why = `the query could not be analysed: ${err instanceof Error ? err.message : String(err)}`;
    const verdict: RowVerdict = { accepted: "depends", matches: [], namedBy: [], blockers: [why] };
    return {
      text,
      syntaxErrors: [why],
      tables: [],
      watchlists: [],
      missingWatchlists: [],
      evaluate: () => verdict,
    };
  }
}

/** A step of the query that may drop the alert's rows, with the tables whose rows pass through it. */
interface RowGate {
  node: KNode;
  /** empty when it cannot be told: the step applies to every row. */
  sources: ReadonlySet<string>;
}

/**
 * What a query is, apart from the rows asked about and the watchlists given: its names, tables, and
 * the steps that decide which rows come out. Read once per syntax tree (and so once per query text
 * while the parse cache holds it): one assess asks about the same alert query for several checks and
 * many accounts.
 */
interface QueryStructure {
  lets: Map<string, KNode>;
  bindings: Map<string, Binding[]>;
  elementColumns: Set<string>;
  tables: string[];
  watchlistNames: string[];
  crossResource: KNode[];
  filters: Array<RowGate & { predicate: KNode | undefined }>;
  joins: Array<RowGate & { kind: string }>;
  opaque: RowGate[];
}

const structures = new WeakMap<ParsedKql, QueryStructure>();

function structureOf(parsed: ParsedKql): QueryStructure {
  let structure = structures.get(parsed);
  if (!structure) {
    structure = readStructure(parsed.root);
    structures.set(parsed, structure);
  }
  return structure;
}

function readStructure(root: KNode): QueryStructure {
  const all = [...descendants(root)];

  const lets = new Map<string, KNode>();
  const bindings = new Map<string, Binding[]>();
  const elementColumns = new Set<string>();
  for (const n of all) {
    const cls = nodeClass(n);
    if (cls === "LetStatement") {
      const [decl, expr] = elements(n);
      const name = decl ? nameOf(decl) : undefined;
      if (name && expr) lets.set(name, expr);
    } else if (cls === "SimpleNamedExpression") {
      const [decl, expr] = elements(n);
      const name = decl ? nameOf(decl) : undefined;
      if (name && expr)
        bindings.set(name, [...(bindings.get(name) ?? []), { expr, element: underMvOperator(n) }]);
    } else if (cls === "MvExpandExpression" || cls === "MvApplyExpression") {
      // `mv-expand TargetResources` without a new name turns the column into its elements.
      const [expr] = elements(n);
      const name = expr && nodeClass(expr) === "NameReference" ? nameOf(expr) : undefined;
      if (name) elementColumns.add(name);
    }
  }

  const tables = new Set<string>();
  const watchlistNames = new Set<string>();
  // workspace("...").SigninLogs reads another workspace: the rule's scope says nothing about it.
  const crossResource: KNode[] = [];
  for (const n of all) {
    const cls = nodeClass(n);
    if (cls === "NameReference") {
      const name = nameOf(n);
      if (name && KNOWN_TABLES.includes(name) && !lets.has(name)) tables.add(name);
    } else if (cls === "FunctionCallExpression") {
      const fn = functionName(n);
      const arg = stringArgument(n);
      if (fn === "table" && arg && KNOWN_TABLES.includes(arg)) tables.add(arg);
      if (fn === "_GetWatchlist" && arg) watchlistNames.add(arg);
      if (fn && CROSS_RESOURCE_FUNCTIONS.has(fn)) crossResource.push(n);
    }
  }

  const gate = (node: KNode): RowGate => ({ node, sources: sourceTables(node, lets) });
  // The filters that decide which rows come out: every `where`, except those that only build a list
  // of values (inside `x in (subquery)`, or a `let` that reads no log table).
  const filters = all
    .filter((n) => nodeClass(n) === "FilterOperator" && !buildsValueList(n, lets))
    .map((n) => ({ ...gate(n), predicate: elements(n).at(-1) }));
  const joins = all
    .filter(
      (n) =>
        (nodeClass(n) === "JoinOperator" || nodeClass(n) === "LookupOperator") && !buildsValueList(n, lets),
    )
    .map((n) => ({
      ...gate(n),
      kind: joinKind(n, nodeClass(n) === "LookupOperator" ? "leftouter" : "innerunique"),
    }));
  // Operators whose effect on rows the analysis does not model (search, sample, parse-where,
  // evaluate, invoke, ...) may drop the account's rows: they narrow like an unknown filter.
  const opaque = all
    .filter(
      (n) =>
        nodeClass(n).endsWith("Operator") &&
        (!ROW_KEEPING_OPERATORS.has(nodeClass(n)) || !keepsAtLeastOneRow(n)) &&
        !buildsValueList(n, lets),
    )
    .map(gate);

  return {
    lets,
    bindings,
    elementColumns,
    tables: [...tables].sort(),
    watchlistNames: [...watchlistNames].sort(),
    crossResource,
    filters,
    joins,
    opaque,
  };
}

function analyze(text: string, watchlists: WatchlistData[]): QueryAnalysis {
  const parsed = parseKql(text);
  const { lets, bindings, elementColumns, tables, watchlistNames, crossResource, filters, joins, opaque } =
    structureOf(parsed);
  const watchlistByAlias = new Map(watchlists.map((w) => [w.alias.toLowerCase(), w]));
  const missingWatchlists = watchlistNames.filter((w) => !watchlistByAlias.has(w.toLowerCase())).sort();

  const ctx: EvalContext = {
    text,
    lets,
    bindings,
    elementColumns,
    watchlists: watchlistByAlias,
    row: { table: "" },
    depth: 0,
    evaluating: new Set(),
  };
  // A step whose rows come from other tables than the row's does not see it.
  const passes = (g: RowGate, row: LogRow) => g.sources.size === 0 || g.sources.has(row.table);

  const evaluate = (row: LogRow): RowVerdict => {
    ctx.row = row;
    let accepted: Tri = true;
    const matches: IdentityMatch[] = [];
    const blockers: string[] = [];
    for (const f of filters) {
      if (!passes(f, row)) continue;
      if (!f.predicate) continue;
      const r = evalBool(f.predicate, ctx);
      accepted = and3(accepted, r.r);
      if (r.r === true) matches.push(...r.m);
      else blockers.push(...r.why);
    }
    for (const c of crossResource) {
      accepted = and3(accepted, "depends");
      blockers.push(`${excerptOf(text, c, 120)}: reads data outside the rule's workspace`);
    }
    for (const o of opaque) {
      if (!passes(o, row)) continue;
      accepted = and3(accepted, "depends");
      blockers.push(`${excerptOf(text, o.node, 120)}: this operator may drop rows`);
    }
    for (const j of joins) {
      if (["leftouter", "fullouter"].includes(j.kind)) continue;
      if (!passes(j, row)) continue;
      accepted = and3(accepted, "depends");
      blockers.push(`${excerptOf(text, j.node, 120)}: a ${j.kind} join keeps only rows that find a partner`);
    }
    return { accepted, matches: accepted === true ? matches : [], namedBy: matches, blockers };
  };

  return {
    text,
    syntaxErrors: parsed.errors.map((e) => `${e.message} (at ${e.start})`),
    tables: [...tables],
    watchlists: [...watchlistNames],
    missingWatchlists,
    evaluate,
  };
}

/**
 * Whether a query watches the row's principal: the row reaches the output, and a positive comparison
 * on an identity value names it (`requireIdentity`), or merely reaches the output (families such as
 * "any Conditional Access policy change" name no account).
 */
export function watchVerdict(q: QueryAnalysis, row: LogRow, requireIdentity = true): WatchVerdict {
  if (q.syntaxErrors.length)
    return {
      status: "not-watched",
      reason: `the query does not parse: ${q.syntaxErrors.join("; ")}`,
      excerpts: [],
    };
  if (!q.tables.includes(row.table))
    return {
      status: "not-watched",
      reason: `the query does not read ${row.table} (it reads ${q.tables.join(", ") || "no known table"})`,
      excerpts: [],
    };
  const v = q.evaluate(row);
  if (v.accepted === true) {
    if (requireIdentity && v.matches.length === 0)
      return {
        status: "not-watched",
        reason:
          "no positive comparison on UserId, UserPrincipalName, TargetResources or InitiatedBy names it",
        excerpts: [],
      };
    const excerpts = [...new Set(v.matches.map((m) => m.excerpt))];
    if (requireIdentity && v.matches.every((m) => m.caseSensitiveUpn))
      return {
        status: "warn",
        reason: `only a case-sensitive comparison of the UPN names it (${v.matches
          .map((m) => m.operator)
          .join(", ")}); logs may spell the UPN in other case: use =~, in~ or the object id`,
        excerpts,
      };
    return {
      status: "watched",
      reason: requireIdentity
        ? `named by ${v.matches.map((m) => `${m.operator} "${m.literal}"`).join(", ")}`
        : "every filter of the query keeps the event",
      excerpts,
    };
  }
  if (q.missingWatchlists.length && v.blockers.some((b) => b.includes("watchlist")))
    return {
      status: "unknown",
      reason: `the query reads watchlist ${q.missingWatchlists.join(", ")}, which is not in the snapshot`,
      excerpts: v.blockers,
    };
  const named = [...new Set(v.namedBy.map((m) => m.excerpt))];
  const namedText = named.length ? `named by ${named.join(", ")}, but ` : "";
  return {
    status: "not-watched",
    reason:
      v.accepted === false
        ? `${namedText}a filter drops it: ${v.blockers.join("; ")}`
        : `${namedText}a filter may drop it (narrows the comparison): ${v.blockers.join("; ")}`,
    excerpts: [...named, ...v.blockers],
  };
}

// ---------------------------------------------------------------------------------------------
// Structure helpers

function underMvOperator(n: KNode): boolean {
  for (let p = n.Parent; p; p = p.Parent) {
    const cls = nodeClass(p);
    if (cls === "MvApplyExpression" || cls === "MvExpandExpression") return true;
    if (cls.endsWith("Operator")) return false;
  }
  return false;
}

function functionName(call: KNode): string | undefined {
  const [name] = elements(call);
  return name ? nameOf(name) : undefined;
}

function callArguments(call: KNode): readonly KNode[] {
  const list = elements(call)[1];
  return list ? elements(list) : [];
}

function stringArgument(call: KNode): string | undefined {
  const first = callArguments(call)[0];
  return first && typeof first.LiteralValue === "string" ? first.LiteralValue : undefined;
}

/** `take 0` / `top 0 by ...` keep nothing: a count that is not a positive literal may silence the alert. */
function keepsAtLeastOneRow(op: KNode): boolean {
  const cls = nodeClass(op);
  if (cls !== "TakeOperator" && cls !== "TopOperator") return true;
  const count = elements(op).find((e) => nodeClass(e) !== "SyntaxList" && nodeClass(e) !== "NamedParameter");
  const v = count ? literalValues(count) : undefined;
  return v !== undefined && v.length === 1 && Number(v[0]) >= 1;
}

function joinKind(j: KNode, byDefault: string): string {
  for (const n of children(j)) {
    for (const p of descendants(n)) {
      if (nodeClass(p) !== "NamedParameter") continue;
      const [decl, value] = elements(p);
      if (decl && nameOf(decl) === "kind" && value) return String(value.LiteralValue ?? byDefault);
    }
    if (!n.IsToken && nodeClass(n) !== "SyntaxList") break;
  }
  return byDefault;
}

/** A filter that only narrows a list of values (a watchlist subquery), not the alert's rows. */
function buildsValueList(n: KNode, lets: Map<string, KNode>): boolean {
  for (let p = n.Parent; p; p = p.Parent) {
    const cls = nodeClass(p);
    if (cls === "ExpressionList" && p.Parent && /In|Has/.test(nodeClass(p.Parent))) return true;
    if (cls === "LetStatement") {
      const expr = elements(p)[1];
      return !expr || referencedTables(expr, lets, 0).size === 0;
    }
  }
  return false;
}

function referencedTables(n: KNode, lets: Map<string, KNode>, depth: number): Set<string> {
  const out = new Set<string>();
  if (depth > 8) return out;
  for (const d of descendants(n)) {
    const cls = nodeClass(d);
    if (cls === "NameReference") {
      const name = nameOf(d);
      if (!name) continue;
      if (KNOWN_TABLES.includes(name) && !lets.has(name)) out.add(name);
      else if (lets.has(name)) for (const t of referencedTables(lets.get(name)!, lets, depth + 1)) out.add(t);
    } else if (cls === "FunctionCallExpression" && functionName(d) === "table") {
      const arg = stringArgument(d);
      if (arg && KNOWN_TABLES.includes(arg)) out.add(arg);
    }
  }
  return out;
}

/**
 * The tables whose rows pass through an operator: the leftmost source of its pipeline. Empty when it
 * cannot be told (an mv-apply subquery works on the outer row), in which case the filter applies.
 */
function sourceTables(op: KNode, lets: Map<string, KNode>): Set<string> {
  let pipe = op.Parent;
  while (pipe && nodeClass(pipe) !== "PipeExpression") pipe = pipe.Parent;
  if (!pipe) return new Set();
  let source = elements(pipe)[0];
  while (source && nodeClass(source) === "PipeExpression") source = elements(source)[0];
  if (!source) return new Set();
  // A union's own operands are its sources; a parenthesized branch of an outer union is scoped itself.
  if (nodeClass(source) === "MvApplySubqueryExpression") return new Set();
  return referencedTables(source, lets, 0);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

interface EvalContext {
  text: string;
  lets: Map<string, KNode>;
  bindings: Map<string, Binding[]>;
  /** bindings being evaluated: `extend UserId = tolower(UserId)` reads the column inside. */
  evaluating: Set<string>;
  elementColumns: Set<string>;
  watchlists: Map<string, WatchlistData>;
  row: LogRow;
  depth: number;
}

interface BoolResult {
  r: Tri;
  m: IdentityMatch[];
  why: string[];
}

const and3 = (a: Tri, b: Tri): Tri =>
  a === false || b === false ? false : a === "depends" || b === "depends" ? "depends" : true;
const or3 = (a: Tri, b: Tri): Tri =>
  a === true || b === true ? true : a === "depends" || b === "depends" ? "depends" : false;
const not3 = (a: Tri): Tri => (a === "depends" ? "depends" : !a);

function operatorToken(n: KNode): string | undefined {
  const tok = children(n).find((c) => c.IsToken);
  return tok?.Text?.trim();
}

function evalBool(n: KNode, ctx: EvalContext): BoolResult {
  if (ctx.depth > MAX_DEPTH)
    return { r: "depends", m: [], why: [`${excerptOf(ctx.text, n, 60)}: nested too deeply to evaluate`] };
  ctx.depth++;
  try {
    return evalBoolInner(n, ctx);
  } finally {
    ctx.depth--;
  }
}

function evalBoolInner(n: KNode, ctx: EvalContext): BoolResult {
  const cls = nodeClass(n);
  const excerpt = () => excerptOf(ctx.text, n);
  if (cls === "ParenthesizedExpression") {
    const inner = elements(n)[0];
    return inner ? evalBool(inner, ctx) : { r: "depends", m: [], why: [`${excerpt()}: empty`] };
  }
  if (cls === "BinaryExpression" || cls === "InExpression" || cls.startsWith("Has")) {
    const op = operatorToken(n) ?? "";
    const [left, right] = elements(n);
    if (!left || !right) return { r: "depends", m: [], why: [`${excerpt()}: incomplete`] };
    if (op === "and" || op === "or") {
      const a = evalBool(left, ctx);
      const b = evalBool(right, ctx);
      if (op === "and") {
        const r = and3(a.r, b.r);
        return {
          r,
          m: r === true ? [...a.m, ...b.m] : [],
          why: [...(a.r === true ? [] : a.why), ...(b.r === true ? [] : b.why)],
        };
      }
      const r = or3(a.r, b.r);
      return {
        r,
        m: [...(a.r === true ? a.m : []), ...(b.r === true ? b.m : [])],
        why: r === true ? [] : [...a.why, ...b.why],
      };
    }
    return compare(op, left, right, n, ctx);
  }
  if (cls === "BetweenExpression") {
    // TimeGenerated between (ago(1h) .. now()) bounds the window; fixed dates may exclude every new row.
    const [left, couple] = elements(n);
    const [low, high] = couple ? elements(couple) : [];
    const lv = left ? evalValue(left, ctx) : undefined;
    const lo = low ? evalValue(low, ctx) : undefined;
    const hi = high ? evalValue(high, ctx) : undefined;
    if (
      operatorToken(n) === "between" &&
      lv?.t === "time" &&
      lv.when === "row" &&
      lo?.t === "time" &&
      lo.when === "past" &&
      hi?.t === "time" &&
      (hi.when === "now" || hi.when === "future")
    )
      return { r: true, m: [], why: [] };
    return { r: "depends", m: [], why: [`${excerpt()}: a condition that may exclude recent events`] };
  }
  if (cls === "FunctionCallExpression") {
    const fn = functionName(n);
    const args = callArguments(n);
    if (fn === "not" && args[0]) {
      const inner = evalBool(args[0], ctx);
      const r = not3(inner.r);
      return { r, m: [], why: r === true ? [] : [`${excerpt()}: a negation`] };
    }
    if ((fn === "isnotempty" || fn === "isnotnull" || fn === "isempty" || fn === "isnull") && args[0]) {
      const v = evalValue(args[0], ctx);
      if (v.t === "text" || v.t === "obj") {
        const empty = v.t === "text" ? v.v === "" : v.v === undefined || v.v === null;
        const r = fn.startsWith("isnot") ? !empty : empty;
        return { r, m: [], why: r ? [] : [`${excerpt()}: false for this row`] };
      }
    }
    return { r: "depends", m: [], why: [`${excerpt()}: a condition on other data`] };
  }
  if (cls.endsWith("LiteralExpression") && typeof n.LiteralValue === "object" && n.LiteralValue) {
    const v = (n.LiteralValue as { v?: unknown }).v;
    if (typeof v === "boolean") return { r: v, m: [], why: v ? [] : [`${excerpt()}: always false`] };
  }
  return { r: "depends", m: [], why: [`${excerpt()}: a condition on other data`] };
}

/** The string form of a row value, as KQL's string operators see it. */
function asText(v: Val): string | undefined {
  if (v.t === "text") return v.v;
  if (v.t === "obj") return v.v === undefined || v.v === null ? "" : JSON.stringify(v.v);
  return undefined;
}

const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/** KQL `has`: the term appears with no letter or digit directly around it. */
function hasTerm(haystack: string, term: string): boolean {
  if (term === "") return true;
  let i = haystack.indexOf(term);
  while (i >= 0) {
    if (!isAlnum(haystack[i - 1]) && !isAlnum(haystack[i + term.length])) return true;
    i = haystack.indexOf(term, i + 1);
  }
  return false;
}

function compare(op: string, leftNode: KNode, rightNode: KNode, n: KNode, ctx: EvalContext): BoolResult {
  const excerpt = excerptOf(ctx.text, n);
  let left = evalValue(leftNode, ctx);
  let right = evalValue(rightNode, ctx);
  if (left.t === "lits" && (right.t === "text" || right.t === "obj")) [left, right] = [right, left];
  const fail = (r: Tri, why: string): BoolResult => ({
    r,
    m: [],
    why: r === true ? [] : [`${excerpt}: ${why}`],
  });

  if (left.t === "time" || right.t === "time") {
    // Only "the row's time is after a recent instant" bounds the window without hiding new events;
    // TimeGenerated < ago(30d), or a fixed date, silences the alert.
    const mirrored: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
    const [rowSide, other, o] =
      left.t === "time" && left.when === "row" ? [left, right, op] : [right, left, mirrored[op] ?? op];
    if (
      rowSide.t === "time" &&
      rowSide.when === "row" &&
      other.t === "time" &&
      other.when === "past" &&
      (o === ">" || o === ">=")
    )
      return { r: true, m: [], why: [] };
    return fail("depends", "a time condition that may exclude recent events");
  }
  if (left.t === "unknown") return fail("depends", left.why);
  if (right.t === "unknown") return fail("depends", right.why);
  if (right.t !== "lits") return fail("depends", "compares two columns");
  if (left.t === "lits") return fail("depends", "compares constants");

  const negated = op.startsWith("!");
  const base = negated ? op.slice(1) : op;
  const caseSensitive = base === "==" || base === "in" || base.endsWith("_cs") || op === "!=";
  const ident = left.ident;
  // A case-sensitive comparison of a UPN the query did not fold: the logs' spelling decides, which
  // the snapshot cannot tell. Evaluate it case-insensitively and let the verdict warn.
  const relaxCase = caseSensitive && !!ident?.upn && !ident.folded;
  const hay = asText(left) ?? "";
  const fold = (s: string) => (caseSensitive && !relaxCase ? s : s.toLowerCase());
  const h = fold(hay);
  const lits = right.v;
  const test = (lit: string): boolean | undefined => {
    const l = fold(lit);
    switch (base) {
      case "==":
      case "=~":
      case "=":
      case "in":
      case "in~":
        return h === l;
      case "!=":
      case "!~":
        return h === l; // negated below via `negated` or the explicit operator
      case "has":
      case "has_cs":
      case "has_any":
      case "has_all":
        return hasTerm(h, l);
      case "contains":
      case "contains_cs":
        return h.includes(l);
      case "startswith":
      case "startswith_cs":
        return h.startsWith(l);
      case "endswith":
      case "endswith_cs":
        return h.endsWith(l);
      default:
        return undefined;
    }
  };
  let matched: string[];
  let r: boolean;
  if (op === "!=" || op === "!~") {
    const t = lits.map(test);
    r = !t.some(Boolean);
    matched = [];
  } else {
    const results = lits.map((l) => [l, test(l)] as const);
    if (results.some(([, t]) => t === undefined))
      return fail("depends", `operator ${op} is not evaluated (it may drop rows)`);
    matched = results.filter(([, t]) => t).map(([l]) => l);
    const hit = base === "has_all" ? matched.length === lits.length && lits.length > 0 : matched.length > 0;
    r = negated ? !hit : hit;
  }
  if (!r)
    return fail(false, negated || op === "!=" || op === "!~" ? "excludes this row" : "false for this row");
  const m: IdentityMatch[] = [];
  if (!negated && POSITIVE_OPERATORS.has(op) && ident) {
    const names = rowIdentities(ctx.row);
    for (const lit of matched) {
      if (names.has(lit.toLowerCase()))
        m.push({ operator: op, literal: lit, caseSensitiveUpn: relaxCase, excerpt });
    }
  }
  return { r: true, m, why: [] };
}

/** Every id and UPN (lower-case) of the principals of the row: what a literal must equal to name one. */
function rowIdentities(row: LogRow): Set<string> {
  const out = new Set<string>();
  for (const e of [row.user, row.initiator, ...(row.targets ?? [])]) {
    if (!e) continue;
    out.add(e.id.toLowerCase());
    if (e.userPrincipalName) out.add(e.userPrincipalName.toLowerCase());
  }
  return out;
}

function columnValue(name: string, ctx: EvalContext): Val | undefined {
  const row = ctx.row;
  const signIn = (SIGNIN_TABLES as readonly string[]).includes(row.table);
  const audit = row.table === AUDIT_TABLE;
  switch (name) {
    case "UserId":
      if (!signIn) return { t: "text", v: "" };
      return row.user
        ? { t: "text", v: row.user.id.toLowerCase(), ident: { upn: false, folded: false } }
        : unknown("UserId varies");
    case "UserPrincipalName":
      if (!signIn) return { t: "text", v: "" };
      return row.user
        ? { t: "text", v: row.user.userPrincipalName ?? "", ident: { upn: true, folded: false } }
        : unknown("UserPrincipalName varies");
    case "TargetResources": {
      if (!audit) return { t: "obj", v: undefined };
      if (!row.targets) return unknown("the event's targets vary");
      const list = row.targets.map(entityJson);
      if (ctx.elementColumns.has("TargetResources")) {
        return list.length === 1
          ? { t: "obj", v: list[0], ident: { upn: false, folded: false } }
          : unknown("several targets");
      }
      return { t: "obj", v: list, ident: { upn: false, folded: false } };
    }
    case "InitiatedBy":
      if (!audit) return { t: "obj", v: undefined };
      return row.initiator
        ? {
            t: "obj",
            v: {
              user: {
                id: row.initiator.id.toLowerCase(),
                userPrincipalName: row.initiator.userPrincipalName,
              },
            },
            ident: { upn: false, folded: false },
          }
        : unknown("the initiator varies");
    case "OperationName":
    case "ActivityDisplayName":
      if (!audit) return { t: "text", v: "" };
      return row.operation !== undefined ? { t: "text", v: row.operation } : unknown("the operation varies");
    case "Category":
      if (!audit) return { t: "text", v: signIn ? "SignInLogs" : "" };
      return row.category !== undefined ? { t: "text", v: row.category } : unknown("the category varies");
    case "Type":
    case "$table":
      return { t: "text", v: row.table };
    default:
      if (TIME_COLUMNS.has(name)) return { t: "time", when: "row" };
      return undefined;
  }
}

function withIdent(v: Val, ident: IdentInfo | undefined): Val {
  if ((v.t === "text" || v.t === "obj") && ident && !v.ident) return { ...v, ident };
  return v;
}

function property(base: Val, key: string): Val {
  if (base.t !== "obj") return base.t === "unknown" ? base : unknown(`.${key} of a non-object`);
  const obj = base.v;
  if (Array.isArray(obj)) return unknown(`.${key} of an array`);
  const value = obj && typeof obj === "object" ? (obj as Record<string, unknown>)[key] : undefined;
  const ident: IdentInfo | undefined =
    base.ident && (key === "id" || key === "userPrincipalName" || key === "user")
      ? { upn: key === "userPrincipalName", folded: false }
      : undefined;
  if (typeof value === "string") return { t: "text", v: value, ident };
  if (value === undefined || value === null) return { t: "text", v: "" };
  return { t: "obj", v: value, ident };
}

function evalValue(n: KNode, ctx: EvalContext): Val {
  if (ctx.depth > MAX_DEPTH) return unknown("too deeply nested");
  ctx.depth++;
  try {
    return evalValueInner(n, ctx);
  } finally {
    ctx.depth--;
  }
}

function literalValues(n: KNode): string[] | undefined {
  const cls = nodeClass(n);
  if (cls === "LiteralExpression") {
    const v = n.LiteralValue;
    if (typeof v === "string") return [v];
    if (v && typeof v === "object" && "v" in (v as object)) return [String((v as { v: unknown }).v)];
    return v === null || v === undefined ? undefined : [String(v)];
  }
  return undefined;
}

function evalValueInner(n: KNode, ctx: EvalContext): Val {
  const cls = nodeClass(n);
  const lits = literalValues(n);
  if (lits) return { t: "lits", v: lits };
  switch (cls) {
    case "ParenthesizedExpression": {
      const inner = elements(n)[0];
      return inner ? evalValue(inner, ctx) : unknown("empty");
    }
    case "DynamicExpression":
    case "JsonArrayExpression": {
      const out: string[] = [];
      for (const d of descendants(n)) {
        if (nodeClass(d) === "LiteralExpression" && typeof d.LiteralValue === "string")
          out.push(d.LiteralValue);
      }
      return { t: "lits", v: out };
    }
    case "ExpressionList": {
      const out: string[] = [];
      for (const e of elements(n)) {
        const v = evalValue(e, ctx);
        if (v.t === "lits") out.push(...v.v);
        else return v.t === "unknown" ? v : unknown("a list holding row values");
      }
      return { t: "lits", v: out };
    }
    case "NameReference": {
      const name = nameOf(n) ?? "";
      // A name the query assigns (extend, project, mv-apply) shadows the column of the same name.
      const bound = ctx.evaluating.has(name) ? undefined : ctx.bindings.get(name);
      if (bound && bound.length > 1) return unknown(`${name} is assigned in several places`);
      const binding = bound?.[0];
      if (binding) {
        ctx.evaluating.add(name);
        try {
          const v = evalValue(binding.expr, ctx);
          if (binding.element && v.t === "obj" && Array.isArray(v.v)) {
            return v.v.length === 1 ? { t: "obj", v: v.v[0], ident: v.ident } : unknown("several elements");
          }
          return v;
        } finally {
          ctx.evaluating.delete(name);
        }
      }
      const col = columnValue(name, ctx);
      if (col) return col;
      const letExpr = ctx.lets.get(name);
      if (letExpr) return evalValue(letExpr, ctx);
      return unknown(`${name} is not an identity column, so this filter may drop the account's rows`);
    }
    case "PathExpression": {
      const [base, selector] = elements(n);
      if (!base || !selector) return unknown("incomplete path");
      const key = nameOf(selector) ?? selector.LiteralValue;
      return property(evalValue(base, ctx), String(key ?? ""));
    }
    case "ElementExpression": {
      const [base, bracket] = elements(n);
      const index = bracket ? elements(bracket)[0] : undefined;
      if (!base || !index) return unknown("incomplete element access");
      if (typeof index.LiteralValue === "string") return property(evalValue(base, ctx), index.LiteralValue);
      return unknown("indexes into an array whose order Entra does not guarantee");
    }
    case "FunctionCallExpression":
      return evalCall(n, ctx);
    case "BinaryExpression": {
      const op = operatorToken(n);
      const [l, r] = elements(n);
      if ((op === "-" || op === "+") && l && r) {
        const lv = evalValue(l, ctx);
        if (lv.t === "time" && lv.when === "now") return { t: "time", when: op === "-" ? "past" : "future" };
      }
      return unknown(`${excerptOf(ctx.text, n, 60)} is not evaluated`);
    }
    case "PipeExpression":
      return watchlistValues(n, ctx);
    default:
      return unknown(`${excerptOf(ctx.text, n, 60)} is not evaluated`);
  }
}

function evalCall(n: KNode, ctx: EvalContext): Val {
  const fn = functionName(n) ?? "";
  const args = callArguments(n);
  if (fn === "ago") return { t: "time", when: "past" };
  // ingestion_time() is the row's own arrival time: `ingestion_time() > ago(5m)` bounds the window
  // the way Microsoft's ingestion-delay guidance for scheduled rules shows, hiding no new event.
  if (fn === "ingestion_time" && args.length === 0) return { t: "time", when: "row" };
  if (fn === "now") return { t: "time", when: args.length === 0 ? "now" : "other" };
  if (TIME_FUNCTIONS.has(fn)) return { t: "time", when: "other" };
  if (fn === "_GetWatchlist") return watchlistValues(n, ctx);
  if (fn === "pack_array") {
    const out: string[] = [];
    for (const a of args) {
      const v = evalValue(a, ctx);
      if (v.t !== "lits") return unknown("pack_array of row values");
      out.push(...v.v);
    }
    return { t: "lits", v: out };
  }
  const arg = args[0] ? evalValue(args[0], ctx) : unknown(`${fn}() without argument`);
  switch (fn) {
    case "tostring":
      if (arg.t === "obj") return { t: "text", v: asText(arg) ?? "", ident: arg.ident };
      return arg;
    case "tolower":
    case "toupper": {
      const text = asText(arg);
      if (text === undefined) return arg;
      const ident = arg.t === "text" || arg.t === "obj" ? arg.ident : undefined;
      return withIdent(
        { t: "text", v: fn === "tolower" ? text.toLowerCase() : text.toUpperCase() },
        ident && { ...ident, folded: true },
      );
    }
    case "trim":
    case "strcat":
      return unknown(`${fn}() is not evaluated`);
    case "parse_json":
    case "todynamic":
      if (arg.t === "text") {
        try {
          return { t: "obj", v: JSON.parse(arg.v) as unknown, ident: arg.ident };
        } catch {
          return { t: "obj", v: arg.v, ident: arg.ident };
        }
      }
      return arg;
    default:
      return unknown(`${fn}() is not evaluated`);
  }
}

/** Values of a `_GetWatchlist(...)` (optionally `| project Column`), when the watchlist is known. */
function watchlistValues(n: KNode, ctx: EvalContext): Val {
  let alias: string | undefined;
  let column: string | undefined;
  for (const d of descendants(n)) {
    const cls = nodeClass(d);
    if (cls === "FunctionCallExpression" && functionName(d) === "_GetWatchlist") alias = stringArgument(d);
    if ((cls === "ProjectOperator" || cls === "DistinctOperator") && column === undefined) {
      const ref = [...descendants(d)].find((x) => nodeClass(x) === "NameReference");
      column = ref ? nameOf(ref) : undefined;
    }
  }
  if (!alias) return unknown(`${excerptOf(ctx.text, n, 80)} is not evaluated`);
  const wl = ctx.watchlists.get(alias.toLowerCase());
  if (!wl) return unknown(`watchlist ${alias} is not in the snapshot`);
  const key = column === "SearchKey" ? wl.searchKey : column;
  const out: string[] = [];
  for (const item of wl.items) {
    for (const [k, v] of Object.entries(item)) {
      if (typeof v !== "string") continue;
      if (key === undefined || k.toLowerCase() === key.toLowerCase()) out.push(v);
    }
  }
  return { t: "lits", v: out };
}
