/**
 * A compact OData v4 `$filter` parser and evaluator, covering what Microsoft Graph accepts on the
 * endpoints the emulator serves: comparisons (eq, ne, gt, ge, lt, le), `in`, `has`, `not`, `and`,
 * `or`, the functions startsWith/endsWith/contains/isof, `any`/`all` lambdas, `null`, booleans,
 * numbers, quoted strings ('' escapes a quote), and the unquoted GUID and datetime literals Graph
 * uses (`assignedLicenses/any(u:u/skuId eq 6fd2c87f-...)`, `createdDateTime ge 2024-01-01T00:00:00Z`).
 *
 * No npm OData parser is installed, so this is a small recursive-descent parser. Parsing is
 * separate from validation: `collectClauses` lists every (property, operator) pair so a route can
 * reject operators Graph does not allow on that property before anything is evaluated.
 */

export type CompareOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "has";

export type Operand =
  | { kind: "path"; segments: string[] }
  | {
      kind: "literal";
      value: string | number | boolean | null;
      type: "string" | "number" | "boolean" | "null" | "guid" | "datetime";
    };

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; expr: FilterNode }
  | { kind: "compare"; op: CompareOp; left: Operand; right: Operand }
  | { kind: "in"; left: Operand; list: Operand[] }
  | { kind: "call"; name: "startswith" | "endswith" | "contains"; args: Operand[] }
  | { kind: "isof"; path: string[] | null; typeName: string }
  | { kind: "lambda"; op: "any" | "all"; path: string[]; variable: string; body: FilterNode | null }
  | { kind: "value"; operand: Operand };

export class FilterSyntaxError extends Error {}

type Token =
  | { t: "id"; v: string; pos: number }
  | { t: "str"; v: string; pos: number }
  | { t: "num"; v: number; pos: number }
  | { t: "guid"; v: string; pos: number }
  | { t: "date"; v: string; pos: number }
  | { t: "punc"; v: "(" | ")" | "," | ":" | "/"; pos: number };

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;
const NUM_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
const ID_RE = /^[A-Za-z_$@][A-Za-z0-9_.$@]*/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    if (c === "'") {
      let v = "";
      let j = i + 1;
      for (;;) {
        if (j >= src.length)
          throw new FilterSyntaxError(`Unterminated string literal at position ${i} in '${src}'.`);
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += src[j];
        j++;
      }
      out.push({ t: "str", v, pos: i });
      i = j + 1;
      continue;
    }
    if ("(),:/".includes(c)) {
      out.push({ t: "punc", v: c as "(" | ")" | "," | ":" | "/", pos: i });
      i++;
      continue;
    }
    // GUIDs and datetimes come before numbers and identifiers: both can start with a digit and a
    // GUID can start with a hex letter.
    const g = GUID_RE.exec(rest);
    if (g && !/[A-Za-z0-9_]/.test(rest[g[0].length] ?? "")) {
      out.push({ t: "guid", v: g[0], pos: i });
      i += g[0].length;
      continue;
    }
    const d = DATE_RE.exec(rest);
    if (d && /^\d{4}-/.test(rest)) {
      out.push({ t: "date", v: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const n = NUM_RE.exec(rest);
    if (n) {
      out.push({ t: "num", v: Number(n[0]), pos: i });
      i += n[0].length;
      continue;
    }
    const id = ID_RE.exec(rest);
    if (id) {
      out.push({ t: "id", v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw new FilterSyntaxError(`Syntax error: character '${c}' is not valid at position ${i} in '${src}'.`);
  }
  return out;
}

const COMPARE_OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le", "has"]);

class Parser {
  private i = 0;
  private readonly vars: string[] = [];
  constructor(
    private readonly toks: Token[],
    private readonly src: string,
  ) {}

  parse(): FilterNode {
    if (this.toks.length === 0) throw new FilterSyntaxError("The $filter expression is empty.");
    const node = this.parseOr();
    if (this.i < this.toks.length) this.fail(`unexpected '${this.toks[this.i]!.v}'`);
    return node;
  }

  private fail(what: string): never {
    const pos = this.toks[this.i]?.pos ?? this.src.length;
    throw new FilterSyntaxError(`Syntax error: ${what} at position ${pos} in '${this.src}'.`);
  }
  private peek(): Token | undefined {
    return this.toks[this.i];
  }
  private isWord(w: string, offset = 0): boolean {
    const t = this.toks[this.i + offset];
    return t?.t === "id" && t.v.toLowerCase() === w;
  }
  private isPunc(p: string, offset = 0): boolean {
    const t = this.toks[this.i + offset];
    return t?.t === "punc" && t.v === p;
  }
  private expectPunc(p: string): void {
    if (!this.isPunc(p)) this.fail(`'${p}' expected`);
    this.i++;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isWord("or")) {
      this.i++;
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }
  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isWord("and")) {
      this.i++;
      left = { kind: "and", left, right: this.parseUnary() };
    }
    return left;
  }
  private parseUnary(): FilterNode {
    if (this.isWord("not")) {
      this.i++;
      return { kind: "not", expr: this.parseUnary() };
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterNode {
    if (this.isPunc("(")) {
      this.i++;
      const inner = this.parseOr();
      this.expectPunc(")");
      return inner;
    }
    const fn = this.peek();
    if (fn?.t === "id" && this.isPunc("(", 1)) {
      const name = fn.v.toLowerCase();
      if (name === "startswith" || name === "endswith" || name === "contains") {
        this.i += 2;
        const a = this.parseOperand();
        this.expectPunc(",");
        const b = this.parseOperand();
        this.expectPunc(")");
        const call: FilterNode = { kind: "call", name, args: [a, b] };
        return this.maybeCompareBool(call);
      }
      if (name === "isof") {
        this.i += 2;
        let path: string[] | null = null;
        let typeTok = this.peek();
        if (typeTok?.t === "id" && this.isPunc(",", 1)) {
          path = this.parsePathSegments();
          this.expectPunc(",");
          typeTok = this.peek();
        }
        if (typeTok?.t !== "str" && typeTok?.t !== "id") this.fail("type name expected");
        this.i++;
        this.expectPunc(")");
        return { kind: "isof", path, typeName: String(typeTok.v) };
      }
      this.fail(`unknown function '${fn.v}'`);
    }
    const left = this.parseOperandOrLambda();
    if ("kind" in left && left.kind === "lambda") return left;
    const operand = left as Operand;
    const opTok = this.peek();
    if (opTok?.t === "id" && COMPARE_OPS.has(opTok.v.toLowerCase())) {
      this.i++;
      const right = this.parseOperand();
      return { kind: "compare", op: opTok.v.toLowerCase() as CompareOp, left: operand, right };
    }
    if (opTok?.t === "id" && opTok.v.toLowerCase() === "in") {
      this.i++;
      this.expectPunc("(");
      const list: Operand[] = [this.parseOperand()];
      while (this.isPunc(",")) {
        this.i++;
        list.push(this.parseOperand());
      }
      this.expectPunc(")");
      return { kind: "in", left: operand, list };
    }
    // a bare boolean property: `$filter=accountEnabled` is not valid OData for Graph's directory;
    // only a boolean literal or path is accepted as a value node inside lambdas (`any(c:c)`).
    if (operand.kind === "path" || operand.type === "boolean") return { kind: "value", operand };
    return this.fail("comparison operator expected");
  }

  /** `startsWith(a,'b') eq true` is valid OData; fold it to the call (or its negation). */
  private maybeCompareBool(call: FilterNode): FilterNode {
    if ((this.isWord("eq") || this.isWord("ne")) && this.toks[this.i + 1]?.t === "id") {
      const neg = this.isWord("ne");
      const v = (this.toks[this.i + 1] as { v: string }).v.toLowerCase();
      if (v === "true" || v === "false") {
        this.i += 2;
        return (v === "true") !== neg ? call : { kind: "not", expr: call };
      }
    }
    return call;
  }

  private parsePathSegments(): string[] {
    const segs: string[] = [];
    const first = this.peek();
    if (first?.t !== "id") this.fail("property expected");
    segs.push(first.v);
    this.i++;
    while (this.isPunc("/") && this.toks[this.i + 1]?.t === "id" && !this.isLambdaAt(this.i + 1)) {
      segs.push((this.toks[this.i + 1] as { v: string }).v);
      this.i += 2;
    }
    return segs;
  }
  private isLambdaAt(idx: number): boolean {
    const t = this.toks[idx];
    const n = this.toks[idx + 1];
    return t?.t === "id" && (t.v === "any" || t.v === "all") && n?.t === "punc" && n.v === "(";
  }

  private parseOperandOrLambda(): Operand | FilterNode {
    const t = this.peek();
    if (t?.t === "id" && !["true", "false", "null"].includes(t.v)) {
      const segs = this.parsePathSegments();
      if (this.isPunc("/") && this.isLambdaAt(this.i + 1)) {
        const op = (this.toks[this.i + 1] as { v: string }).v as "any" | "all";
        this.i += 3;
        if (this.isPunc(")")) {
          this.i++;
          return { kind: "lambda", op, path: segs, variable: "", body: null };
        }
        const v = this.peek();
        if (v?.t !== "id") this.fail("lambda variable expected");
        this.i++;
        this.expectPunc(":");
        this.vars.push(v.v);
        const body = this.parseOr();
        this.vars.pop();
        this.expectPunc(")");
        return { kind: "lambda", op, path: segs, variable: v.v, body };
      }
      return { kind: "path", segments: segs };
    }
    return this.parseOperand();
  }

  private parseOperand(): Operand {
    const t = this.peek();
    if (!t) return this.fail("operand expected");
    switch (t.t) {
      case "str":
        this.i++;
        return { kind: "literal", value: t.v, type: "string" };
      case "num":
        this.i++;
        return { kind: "literal", value: t.v, type: "number" };
      case "guid":
        this.i++;
        return { kind: "literal", value: t.v, type: "guid" };
      case "date":
        this.i++;
        return { kind: "literal", value: t.v, type: "datetime" };
      case "id":
        if (t.v === "true" || t.v === "false") {
          this.i++;
          return { kind: "literal", value: t.v === "true", type: "boolean" };
        }
        if (t.v === "null") {
          this.i++;
          return { kind: "literal", value: null, type: "null" };
        }
        return { kind: "path", segments: this.parsePathSegments() };
      default:
        return this.fail(`unexpected '${t.v}'`);
    }
  }
}

export function parseFilter(src: string): FilterNode {
  return new Parser(tokenize(src), src).parse();
}

// ---------------------------------------------------------------------------------------------
// Validation support: every (property, operator) the expression uses.

export type ClauseOp =
  | "eq"
  | "ne"
  | "gt"
  | "ge"
  | "lt"
  | "le"
  | "has"
  | "in"
  | "not"
  | "eqNull"
  | "startsWith"
  | "endsWith"
  | "contains"
  | "any"
  | "all"
  | "isof";

export interface Clause {
  /** the property path, with lambda variables replaced by the collection path (`assignedLicenses/skuId`). */
  property: string;
  op: ClauseOp;
  /** literal values compared against, for mandatory-filter checks. */
  values: Operand[];
}

/** Lists every clause; `not` is reported for each property under a `not`. */
export function collectClauses(node: FilterNode): Clause[] {
  const out: Clause[] = [];
  const walk = (n: FilterNode, scope: Map<string, string>, negated: boolean): void => {
    const pathOf = (o: Operand): string | undefined => {
      if (o.kind !== "path") return undefined;
      const [head, ...rest] = o.segments;
      const bound = scope.get(head!);
      if (bound !== undefined) return [bound, ...rest].join("/");
      return o.segments.join("/");
    };
    const add = (o: Operand, op: ClauseOp, values: Operand[]): void => {
      const p = pathOf(o);
      if (p === undefined) {
        // literal on the left: Graph rejects it as unsupported; report against a pseudo property
        out.push({ property: "<literal>", op, values });
        return;
      }
      out.push({ property: p, op, values });
      if (negated) out.push({ property: p, op: "not", values });
    };
    switch (n.kind) {
      case "and":
      case "or":
        walk(n.left, scope, negated);
        walk(n.right, scope, negated);
        return;
      case "not":
        walk(n.expr, scope, true);
        return;
      case "compare": {
        const isNull = n.right.kind === "literal" && n.right.type === "null";
        const op: ClauseOp = isNull && n.op === "eq" ? "eqNull" : n.op;
        add(n.left, op, [n.right]);
        if (n.right.kind === "path") add(n.right, op, [n.left]);
        return;
      }
      case "in":
        add(n.left, "in", n.list);
        return;
      case "call": {
        const op: ClauseOp =
          n.name === "startswith" ? "startsWith" : n.name === "endswith" ? "endsWith" : "contains";
        add(n.args[0]!, op, [n.args[1]!]);
        return;
      }
      case "isof":
        out.push({ property: n.path ? n.path.join("/") : "$this", op: "isof", values: [] });
        return;
      case "lambda": {
        const p = pathOf({ kind: "path", segments: n.path })!;
        out.push({ property: p, op: n.op, values: [] });
        if (negated) out.push({ property: p, op: "not", values: [] });
        if (n.body) {
          const inner = new Map(scope);
          inner.set(n.variable, p);
          walk(n.body, inner, negated);
        }
        return;
      }
      case "value":
        if (n.operand.kind === "path") add(n.operand, "eq", []);
        return;
    }
  };
  walk(node, new Map(), false);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

type Scope = Map<string, unknown>;

function typeMatches(odataType: unknown, typeName: string): boolean {
  if (typeof odataType !== "string") return false;
  const want = typeName.replace(/^#/, "").toLowerCase();
  return odataType.replace(/^#/, "").toLowerCase() === want;
}

function resolvePath(item: unknown, segments: string[], scope: Scope): unknown {
  let cur: unknown;
  let rest = segments;
  if (scope.has(segments[0]!)) {
    cur = scope.get(segments[0]!);
    rest = segments.slice(1);
  } else {
    cur = item;
  }
  for (const seg of rest) {
    if (cur === null || cur === undefined) return undefined;
    // a type cast segment (`microsoft.graph.countryNamedLocation/...`) keeps the object when its
    // @odata.type matches and yields nothing otherwise
    if (seg.startsWith("microsoft.graph.")) {
      if (!typeMatches((cur as Record<string, unknown>)["@odata.type"], seg)) return undefined;
      continue;
    }
    if (typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function operandValue(o: Operand, item: unknown, scope: Scope): unknown {
  return o.kind === "literal" ? o.value : resolvePath(item, o.segments, scope);
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}T/;

/** Graph compares strings case-insensitively on directory properties; GUIDs likewise. */
function compareValues(a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined;
  if (typeof a === "string" && typeof b === "string") {
    if (DATE_LIKE.test(a) && DATE_LIKE.test(b)) {
      const x = Date.parse(a);
      const y = Date.parse(b);
      if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
    }
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : 1;
  return undefined;
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (b === null) return a === null || a === undefined;
  if (a === null || a === undefined) return false;
  return compareValues(a, b) === 0;
}

function evalNode(n: FilterNode, item: unknown, scope: Scope): boolean {
  switch (n.kind) {
    case "and":
      return evalNode(n.left, item, scope) && evalNode(n.right, item, scope);
    case "or":
      return evalNode(n.left, item, scope) || evalNode(n.right, item, scope);
    case "not":
      return !evalNode(n.expr, item, scope);
    case "compare": {
      const a = operandValue(n.left, item, scope);
      const b = operandValue(n.right, item, scope);
      switch (n.op) {
        case "eq":
          return looseEquals(a, b);
        case "ne":
          return !looseEquals(a, b);
        case "has": {
          // flags enums serialized as comma-separated strings; auth-strength combinations
          if (typeof a !== "string" || typeof b !== "string") return false;
          const norm = (s: string): string[] =>
            s
              .split(",")
              .map((x) => x.trim().toLowerCase())
              .sort();
          const want = norm(b);
          const have = norm(a);
          return want.every((w) => have.includes(w));
        }
        default: {
          const c = compareValues(a, b);
          if (c === undefined) return false;
          return n.op === "gt" ? c > 0 : n.op === "ge" ? c >= 0 : n.op === "lt" ? c < 0 : c <= 0;
        }
      }
    }
    case "in": {
      const a = operandValue(n.left, item, scope);
      return n.list.some((o) => looseEquals(a, operandValue(o, item, scope)));
    }
    case "call": {
      const a = operandValue(n.args[0]!, item, scope);
      const b = operandValue(n.args[1]!, item, scope);
      if (typeof a !== "string" || typeof b !== "string") return false;
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return n.name === "startswith"
        ? x.startsWith(y)
        : n.name === "endswith"
          ? x.endsWith(y)
          : x.includes(y);
    }
    case "isof": {
      const target = n.path ? resolvePath(item, n.path, scope) : item;
      if (!target || typeof target !== "object") return false;
      return typeMatches((target as Record<string, unknown>)["@odata.type"], n.typeName);
    }
    case "lambda": {
      const coll = resolvePath(item, n.path, scope);
      if (!Array.isArray(coll)) return n.op === "all";
      if (!n.body) return n.op === "any" ? coll.length > 0 : true;
      const test = (el: unknown): boolean => {
        const inner = new Map(scope);
        inner.set(n.variable, el);
        return evalNode(n.body!, item, inner);
      };
      return n.op === "any" ? coll.some(test) : coll.every(test);
    }
    case "value":
      return operandValue(n.operand, item, scope) === true;
  }
}

export function evaluateFilter(node: FilterNode, item: unknown): boolean {
  return evalNode(node, item, new Map());
}
