/**
 * A compact OData v4 `$filter` parser, covering what Microsoft Graph accepts on the
 * endpoints the emulator serves: comparisons (eq, ne, gt, ge, lt, le), `in`, `has`, `not`, `and`,
 * `or`, the functions startsWith/endsWith/contains/isof, `any`/`all` lambdas, `null`, booleans,
 * numbers, quoted strings ('' escapes a quote), and the unquoted GUID and datetime literals Graph
 * uses (`assignedLicenses/any(u:u/skuId eq 6fd2c87f-...)`, `createdDateTime ge 2024-01-01T00:00:00Z`).
 *
 * No npm OData parser is installed, so this is a small recursive-descent parser. Parsing is
 * separate from validation: `collectClauses` (filter-clauses.ts) lists every (property, operator)
 * pair so a route can reject operators Graph does not allow on that property before anything is
 * evaluated (filter-eval.ts).
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

/**
 * Bounds on an expression, so hostile input is a 400 and never a stack overflow (a 500) here or in
 * the recursive walks over the tree (validation, evaluation): parentheses, `not` and lambdas nest at
 * most MAX_FILTER_DEPTH deep, and `and`/`or` join at most MAX_FILTER_JOINS clauses (each join is a
 * level of the left-deep tree). Graph's own limits are lower (15 `or` clauses on directory objects).
 */
export const MAX_FILTER_DEPTH = 32;
export const MAX_FILTER_JOINS = 200;

class Parser {
  private i = 0;
  private depth = 0;
  private joins = 0;
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

  /** Enters one nesting level (a parenthesis, `not`, a lambda body) for the duration of `inner`. */
  private nested<T>(inner: () => T): T {
    if (++this.depth > MAX_FILTER_DEPTH)
      this.fail(`the expression nests more than ${MAX_FILTER_DEPTH} levels deep`);
    try {
      return inner();
    } finally {
      this.depth--;
    }
  }
  private join(): void {
    if (++this.joins > MAX_FILTER_JOINS)
      this.fail(`more than ${MAX_FILTER_JOINS} 'and'/'or' operators in one expression`);
    this.i++;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isWord("or")) {
      this.join();
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }
  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isWord("and")) {
      this.join();
      left = { kind: "and", left, right: this.parseUnary() };
    }
    return left;
  }
  private parseUnary(): FilterNode {
    if (this.isWord("not")) {
      this.i++;
      return { kind: "not", expr: this.nested(() => this.parseUnary()) };
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterNode {
    if (this.isPunc("(")) {
      this.i++;
      const inner = this.nested(() => this.parseOr());
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
        const body = this.nested(() => this.parseOr());
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
