/**
 * Runs a parsed query over the emulator's log rows. Values are KQL's: string, number, bool, null,
 * datetime (Date), timespan (Span) and dynamic (arrays and objects). Comparisons of mismatched
 * types, unknown columns and unknown functions are UnsupportedKql errors, never a silent `false`
 * that could hide a mistake or a silent `true` that could raise a false alert.
 */
import { UnsupportedKql } from "./lexer.js";
import type { Column, Expr, Query, Tabular } from "./parse.js";

export class Span {
  constructor(readonly ms: number) {}
}

export type Value = string | number | boolean | null | Date | Span | Value[] | { [k: string]: Value };

export interface LogRow {
  /** the row's columns; datetime columns already as Date */
  columns: Record<string, Value>;
  /** when the row reached the workspace (ms), for ingestion_time() */
  ingestedAt: number;
}

interface Row {
  cols: Record<string, Value>;
  /** null once project/summarize dropped the table's hidden ingestion time */
  ingestedAt: number | null;
}

export interface EvalContext {
  tables: Record<string, readonly LogRow[]>;
  /** the emulator clock, for now() and ago() */
  now: number;
}

export function runQuery(q: Query, ctx: EvalContext): Array<Record<string, Value>> {
  return new Evaluator(q, ctx).tabular(q.body).map((r) => r.cols);
}

class Evaluator {
  private readonly scalarCache = new Map<string, Value>();

  constructor(
    private readonly q: Query,
    private readonly ctx: EvalContext,
  ) {}

  tabular(t: Tabular): Row[] {
    let rows: Row[];
    if (t.source.kind === "let") rows = this.tabular(this.q.tabulars.get(t.source.name)!);
    else {
      rows = [];
      for (const name of t.source.names) {
        for (const r of this.ctx.tables[name] ?? [])
          rows.push({ cols: { ...r.columns }, ingestedAt: r.ingestedAt });
      }
      if (t.source.names.length > 1) {
        // union: every row has every column of every table (null where its table has none)
        const all = new Set(rows.flatMap((r) => Object.keys(r.cols)));
        for (const r of rows) for (const c of all) if (!(c in r.cols)) r.cols[c] = null;
      }
    }
    for (const op of t.ops) {
      switch (op.kind) {
        case "where":
          rows = rows.filter((r) => this.value(op.pred, r) === true);
          break;
        case "project":
          rows = rows.map((r) => ({ cols: this.columns(op.cols, r), ingestedAt: null }));
          break;
        case "extend":
          rows = rows.map((r) => ({
            cols: { ...r.cols, ...this.columns(op.cols, r) },
            ingestedAt: r.ingestedAt,
          }));
          break;
        case "summarize":
          rows = this.summarize(rows, op.aggs, op.by);
          break;
        case "take":
          rows = rows.slice(0, op.n);
          break;
        case "count":
          rows = [{ cols: { Count: rows.length }, ingestedAt: null }];
          break;
      }
    }
    return rows;
  }

  private columns(cols: Column[], r: Row): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (const c of cols) out[c.name] = this.value(c.expr, r);
    return out;
  }

  private summarize(rows: Row[], aggs: Column[], by: Column[]): Row[] {
    const groups = new Map<string, { keys: Record<string, Value>; rows: Row[] }>();
    for (const r of rows) {
      const keys = this.columns(by, r);
      const k = JSON.stringify(Object.values(keys).map(keyOf));
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { keys, rows: [] }));
      g.rows.push(r);
    }
    // summarize without `by` over no rows still yields one row (count() = 0)
    if (groups.size === 0 && by.length === 0) groups.set("", { keys: {}, rows: [] });
    return [...groups.values()].map((g) => {
      const cols: Record<string, Value> = { ...g.keys };
      for (const a of aggs) cols[a.name] = this.aggregate(a.expr, g.rows);
      return { cols, ingestedAt: null };
    });
  }

  private aggregate(e: Expr, rows: Row[]): Value {
    if (e.kind !== "call") throw new UnsupportedKql("summarize: not an aggregation");
    const arg = e.args[0];
    const values = () => rows.map((r) => this.value(arg!, r)).filter((v) => v !== null);
    switch (e.fn) {
      case "count":
        return rows.length;
      case "countif":
        return rows.filter((r) => this.value(arg!, r) === true).length;
      case "dcount":
        return new Set(values().map(keyOf)).size;
      case "sum":
        return values().reduce<number>((s, v) => s + num(v, "sum"), 0);
      case "min":
      case "max": {
        const nums = values().map((v) => (v instanceof Date ? v.getTime() : num(v, e.fn)));
        if (nums.length === 0) return null;
        return e.fn === "min" ? Math.min(...nums) : Math.max(...nums);
      }
      default:
        throw new UnsupportedKql(`the aggregation ${e.fn}() is not supported`);
    }
  }

  private scalar(name: string): Value | undefined {
    if (this.scalarCache.has(name)) return this.scalarCache.get(name);
    const e = this.q.scalars.get(name);
    if (!e) return undefined;
    const v = this.value(e, { cols: {}, ingestedAt: null });
    this.scalarCache.set(name, v);
    return v;
  }

  value(e: Expr, r: Row): Value {
    switch (e.kind) {
      case "lit":
        return e.value as Value;
      case "span":
        return new Span(e.ms);
      case "array":
        return e.items.map((i) => this.value(i, r));
      case "bag":
        return Object.fromEntries(e.entries.map(([k, v]) => [k, this.value(v, r)]));
      case "name": {
        if (e.name in r.cols) return r.cols[e.name]!;
        const s = this.scalar(e.name);
        if (s !== undefined) return s;
        if (this.q.tabulars.has(e.name))
          throw new UnsupportedKql(`'${e.name}' is a tabular expression; sub-queries are not supported`);
        throw new UnsupportedKql(`unknown column or name '${e.name}'`);
      }
      case "member":
        return access(this.value(e.of, r), e.name);
      case "index": {
        const k = this.value(e.key, r);
        return access(this.value(e.of, r), typeof k === "number" ? k : String(k));
      }
      case "not":
        return !truthy(this.value(e.of, r));
      case "neg": {
        const v = this.value(e.of, r);
        return v instanceof Span ? new Span(-v.ms) : -num(v, "-");
      }
      case "in": {
        const left = this.value(e.left, r);
        const ci = e.op.endsWith("~");
        const items = e.items.flatMap((i) => {
          const v = this.value(i, r);
          return Array.isArray(v) ? v : [v];
        });
        const hit = left !== null && items.some((v) => (ci ? eqCi(left, v) : eq(left, v)));
        return e.op.startsWith("!") ? !hit : hit;
      }
      case "bin":
        return this.binary(e.op, e.left, e.right, r);
      case "call":
        return this.call(e.fn, e.args, r);
    }
  }

  private binary(op: string, le: Expr, re: Expr, r: Row): Value {
    if (op === "and") return truthy(this.value(le, r)) && truthy(this.value(re, r));
    if (op === "or") return truthy(this.value(le, r)) || truthy(this.value(re, r));
    const l = this.value(le, r);
    const rv = this.value(re, r);
    switch (op) {
      case "==":
        return l !== null && rv !== null && eq(l, rv, true);
      case "!=":
        return l !== null && rv !== null && !eq(l, rv, true);
      case "=~":
        return l !== null && rv !== null && eqCi(l, rv);
      case "!~":
        return l !== null && rv !== null && !eqCi(l, rv);
      case "<":
      case ">":
      case "<=":
      case ">=": {
        if (l === null || rv === null) return false;
        const [a, b] = ordered(l, rv, op);
        return op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : a >= b;
      }
      case "+":
      case "-":
        return arithmetic(op, l, rv);
      default:
        return stringOp(op, l, rv);
    }
  }

  private call(fn: string, args: Expr[], r: Row): Value {
    const arg = (i: number) => {
      const a = args[i];
      if (!a) throw new UnsupportedKql(`${fn}() needs ${i + 1} argument(s)`);
      return this.value(a, r);
    };
    switch (fn) {
      case "now":
        return new Date(this.ctx.now);
      case "ago": {
        const s = arg(0);
        if (!(s instanceof Span)) throw new UnsupportedKql("ago() needs a timespan");
        return new Date(this.ctx.now - s.ms);
      }
      case "ingestion_time":
        return r.ingestedAt === null ? null : new Date(r.ingestedAt);
      case "tolower":
      case "toupper": {
        const v = arg(0);
        if (v === null) return null;
        const s = stringOf(v);
        return fn === "tolower" ? s.toLowerCase() : s.toUpperCase();
      }
      case "tostring": {
        const v = arg(0);
        return v === null ? "" : stringOf(v);
      }
      case "isempty":
      case "isnotempty": {
        const v = arg(0);
        const empty = v === null || v === "";
        return fn === "isempty" ? empty : !empty;
      }
      case "isnull":
        return arg(0) === null;
      case "isnotnull":
        return arg(0) !== null;
      case "strlen":
        return stringOf(arg(0)).length;
      case "parse_json":
      case "todynamic": {
        const v = arg(0);
        if (typeof v !== "string") return v;
        try {
          return JSON.parse(v) as Value;
        } catch {
          return v;
        }
      }
      case "datetime":
      case "todatetime": {
        const v = arg(0);
        if (v instanceof Date || v === null) return v;
        const t = Date.parse(String(v));
        return Number.isNaN(t) ? null : new Date(t);
      }
      case "bin": {
        const v = arg(0);
        const s = arg(1);
        if (v instanceof Date && s instanceof Span) return new Date(Math.floor(v.getTime() / s.ms) * s.ms);
        if (typeof v === "number" && typeof s === "number") return Math.floor(v / s) * s;
        throw new UnsupportedKql("bin() of these types is not supported");
      }
      case "array_length": {
        const v = arg(0);
        return Array.isArray(v) ? v.length : null;
      }
      default:
        throw new UnsupportedKql(`the function ${fn}() is not supported`);
    }
  }
}

function truthy(v: Value): boolean {
  return v === true;
}

function stringOf(v: Value): string {
  if (typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Span) return `${v.ms}ms`;
  if (v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function keyOf(v: Value): unknown {
  return v instanceof Date ? `d:${v.getTime()}` : v instanceof Span ? `s:${v.ms}` : v;
}

function num(v: Value, op: string): number {
  if (typeof v !== "number") throw new UnsupportedKql(`${op}: ${typeName(v)} is not a number`);
  return v;
}

function typeName(v: Value): string {
  if (v === null) return "null";
  if (v instanceof Date) return "datetime";
  if (v instanceof Span) return "timespan";
  if (Array.isArray(v)) return "dynamic";
  return typeof v === "object" ? "dynamic" : typeof v;
}

/** `==`: strings compare case-sensitively; a datetime compares with a date string; other mixes are errors. */
function eq(a: Value, b: Value, strict = false): boolean {
  if (a instanceof Date || b instanceof Date) {
    const [x, y] = ordered(a, b, "==");
    return x === y;
  }
  if (a instanceof Span && b instanceof Span) return a.ms === b.ms;
  if (typeof a === typeof b && (typeof a !== "object" || a === null)) return a === b;
  // a dynamic value from a JSON column compares by its scalar value
  if (strict && typeName(a) !== typeName(b) && typeName(a) !== "dynamic" && typeName(b) !== "dynamic")
    throw new UnsupportedKql(`cannot compare ${typeName(a)} with ${typeName(b)}`);
  return stringOf(a) === stringOf(b);
}

function eqCi(a: Value, b: Value): boolean {
  if (b === null || a === null) return false;
  return stringOf(a).toLowerCase() === stringOf(b).toLowerCase();
}

function ordered(a: Value, b: Value, op: string): [number, number] {
  const asTime = (v: Value): number => {
    if (v instanceof Date) return v.getTime();
    const t = Date.parse(String(v));
    if (typeof v !== "string" || Number.isNaN(t))
      throw new UnsupportedKql(`${op}: cannot compare datetime with ${typeName(v)}`);
    return t;
  };
  if (a instanceof Date || b instanceof Date) return [asTime(a), asTime(b)];
  if (a instanceof Span && b instanceof Span) return [a.ms, b.ms];
  return [num(a, op), num(b, op)];
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  const sign = op === "+" ? 1 : -1;
  if (a instanceof Date && b instanceof Span) return new Date(a.getTime() + sign * b.ms);
  if (a instanceof Date && b instanceof Date && op === "-") return new Span(a.getTime() - b.getTime());
  if (a instanceof Span && b instanceof Span) return new Span(a.ms + sign * b.ms);
  return num(a, op) + sign * num(b, op);
}

/** KQL's `has`: the right side is a whole term of the left (terms are runs of letters and digits). */
function hasTerm(hay: string, needle: string): boolean {
  const h = hay.toLowerCase();
  const n = needle.toLowerCase();
  if (n === "") return true;
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    const before = h[i - 1];
    const after = h[i + n.length];
    const startOk = !isWord(n[0]) || !isWord(before);
    const endOk = !isWord(n[n.length - 1]) || !isWord(after);
    if (startOk && endOk) return true;
  }
  return false;
}

function stringOp(op: string, l: Value, r: Value): Value {
  const negated = op.startsWith("!");
  const name = negated ? op.slice(1) : op;
  if (name === "has_any" || name === "has_all") {
    const terms = (r as Value[]).flatMap((v) => (Array.isArray(v) ? v : [v])).map(stringOf);
    if (l === null) return false;
    const s = stringOf(l);
    return name === "has_any" ? terms.some((t) => hasTerm(s, t)) : terms.every((t) => hasTerm(s, t));
  }
  if (l === null || r === null) return negated;
  const s = stringOf(l);
  const t = stringOf(r);
  let hit: boolean;
  switch (name) {
    case "has":
      hit = hasTerm(s, t);
      break;
    case "has_cs":
      hit = hasTerm(s, t) && s.includes(t);
      break;
    case "contains":
      hit = s.toLowerCase().includes(t.toLowerCase());
      break;
    case "contains_cs":
      hit = s.includes(t);
      break;
    case "startswith":
      hit = s.toLowerCase().startsWith(t.toLowerCase());
      break;
    case "endswith":
      hit = s.toLowerCase().endsWith(t.toLowerCase());
      break;
    default:
      throw new UnsupportedKql(`the operator '${op}' is not supported`);
  }
  return negated ? !hit : hit;
}

function access(v: Value, key: string | number): Value {
  let base = v;
  if (typeof base === "string") {
    // a string column holding JSON (AuthenticationDetails) is not dynamic in KQL without parse_json
    return null;
  }
  if (base === null || typeof base !== "object" || base instanceof Date || base instanceof Span) return null;
  if (Array.isArray(base)) {
    if (typeof key !== "number") return null;
    const i = key < 0 ? base.length + key : key;
    return base[i] ?? null;
  }
  base = base as { [k: string]: Value };
  return Object.prototype.hasOwnProperty.call(base, key) ? base[String(key)]! : null;
}
