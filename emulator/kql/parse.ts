/**
 * The parser of the emulator's small KQL: `let` statements, a table or `union` source, and the
 * operators `where`, `project`, `extend`, `summarize`, `take`/`limit`, `count`. Anything else is an
 * UnsupportedKql error naming the construct, so the emulator never guesses what a rule means.
 */
import { tokenize, UnsupportedKql, type Token } from "./lexer.js";

export type Expr =
  | { kind: "lit"; value: unknown }
  | { kind: "span"; ms: number }
  | { kind: "name"; name: string }
  | { kind: "member"; of: Expr; name: string }
  | { kind: "index"; of: Expr; key: Expr }
  | { kind: "not"; of: Expr }
  | { kind: "neg"; of: Expr }
  | { kind: "bin"; op: string; left: Expr; right: Expr }
  | { kind: "in"; op: "in" | "in~" | "!in" | "!in~"; left: Expr; items: Expr[] }
  | { kind: "call"; fn: string; args: Expr[] }
  | { kind: "array"; items: Expr[] }
  | { kind: "bag"; entries: Array<[string, Expr]> };

export interface Column {
  name: string;
  expr: Expr;
}

export type Operator =
  | { kind: "where"; pred: Expr }
  | { kind: "project"; cols: Column[] }
  | { kind: "extend"; cols: Column[] }
  | { kind: "summarize"; aggs: Column[]; by: Column[] }
  | { kind: "take"; n: number }
  | { kind: "count" };

export type Source = { kind: "tables"; names: string[]; fuzzy: boolean } | { kind: "let"; name: string };

export interface Tabular {
  source: Source;
  ops: Operator[];
}

export interface Query {
  scalars: Map<string, Expr>;
  tabulars: Map<string, Tabular>;
  body: Tabular;
}

/** Word operators between two expressions, with their precedence (KQL: `or` < `and` < comparisons). */
const STRING_OPS = new Set([
  "has",
  "!has",
  "has_cs",
  "!has_cs",
  "contains",
  "!contains",
  "contains_cs",
  "!contains_cs",
  "startswith",
  "!startswith",
  "endswith",
  "!endswith",
  "has_any",
  "has_all",
]);
const COMPARE = new Set(["==", "!=", "=~", "!~", "<", ">", "<=", ">="]);
const TABULAR_OPERATORS = new Set([
  "where",
  "filter",
  "project",
  "extend",
  "summarize",
  "take",
  "limit",
  "count",
]);

export function parseQuery(src: string, tables: ReadonlySet<string>): Query {
  return new Parser(tokenize(src), tables).query();
}

class Parser {
  private i = 0;
  private readonly scalars = new Map<string, Expr>();
  private readonly tabulars = new Map<string, Tabular>();

  constructor(
    private readonly toks: Token[],
    private readonly tables: ReadonlySet<string>,
  ) {}

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private isPunct(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === "punct" && t.value === v;
  }
  private isWord(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === "ident" && t.value.toLowerCase() === v;
  }
  private expectPunct(v: string): void {
    const t = this.next();
    if (t.kind !== "punct" || t.value !== v) throw this.unexpected(t, `'${v}'`);
  }
  private ident(): string {
    const t = this.next();
    if (t.kind !== "ident") throw this.unexpected(t, "a name");
    return t.value;
  }
  private unexpected(t: Token, wanted: string): UnsupportedKql {
    return new UnsupportedKql(
      t.kind === "eof"
        ? `the query ends where ${wanted} was expected`
        : `'${String(t.value)}' at ${t.pos} where ${wanted} was expected`,
    );
  }

  query(): Query {
    let body: Tabular | undefined;
    while (this.peek().kind !== "eof") {
      if (this.isPunct(";")) {
        this.next();
        continue;
      }
      if (this.isWord("let")) {
        this.next();
        const name = this.ident();
        this.expectPunct("=");
        if (this.startsTabular()) this.tabulars.set(name, this.tabular());
        else {
          const expr = this.expr();
          if (this.isPunct("|"))
            throw new UnsupportedKql(
              `let ${name}: a tabular expression over ${describe(expr)} is not supported`,
            );
          this.scalars.set(name, expr);
        }
        continue;
      }
      if (body) throw this.unexpected(this.peek(), "the end of the query");
      body = this.tabular();
    }
    if (!body) throw new UnsupportedKql("the query has no tabular expression");
    return { scalars: this.scalars, tabulars: this.tabulars, body };
  }

  private startsTabular(): boolean {
    const t = this.peek();
    if (t.kind !== "ident") return false;
    if (t.value.toLowerCase() === "union") return true;
    if (this.tabulars.has(t.value)) return true;
    return this.tables.has(t.value) && !this.isPunct("(", 1);
  }

  private tabular(): Tabular {
    const source = this.source();
    const ops: Operator[] = [];
    while (this.isPunct("|")) {
      this.next();
      ops.push(this.operator());
    }
    return { source, ops };
  }

  private source(): Source {
    const t = this.peek();
    if (t.kind !== "ident") throw this.unexpected(t, "a table");
    if (t.value.toLowerCase() === "union") {
      this.next();
      let fuzzy = false;
      while (this.peek().kind === "ident" && this.isPunct("=", 1)) {
        const opt = this.ident().toLowerCase();
        this.next();
        const v = this.next();
        if (opt === "isfuzzy") fuzzy = String(v.value).toLowerCase() === "true";
        else if (opt === "kind") {
          if (String(v.value).toLowerCase() !== "outer")
            throw new UnsupportedKql(`union kind=${String(v.value)} is not supported`);
        } else throw new UnsupportedKql(`union option ${opt} is not supported`);
      }
      const names = [this.tableName()];
      while (this.isPunct(",")) {
        this.next();
        names.push(this.tableName());
      }
      return { kind: "tables", names, fuzzy };
    }
    if (this.tabulars.has(t.value)) {
      this.next();
      return { kind: "let", name: t.value };
    }
    return { kind: "tables", names: [this.tableName()], fuzzy: false };
  }

  private tableName(): string {
    const t = this.next();
    if (t.kind !== "ident") throw this.unexpected(t, "a table");
    if (this.isPunct("(")) throw new UnsupportedKql(`the function ${t.value}() as a source is not supported`);
    if (!this.tables.has(t.value))
      throw new UnsupportedKql(`table '${t.value}' is not one the emulator holds`);
    return t.value;
  }

  private operator(): Operator {
    const t = this.next();
    const word = t.kind === "ident" ? t.value.toLowerCase() : "";
    if (!TABULAR_OPERATORS.has(word))
      throw new UnsupportedKql(`the operator '${String(t.value)}' is not supported`);
    switch (word) {
      case "where":
      case "filter":
        return { kind: "where", pred: this.expr() };
      case "project":
        return { kind: "project", cols: this.columns(false) };
      case "extend":
        return { kind: "extend", cols: this.columns(true) };
      case "summarize": {
        const aggs = this.isWord("by") ? [] : this.columns(false);
        let by: Column[] = [];
        if (this.isWord("by")) {
          this.next();
          by = this.columns(false);
        }
        for (const a of aggs)
          if (a.expr.kind !== "call") throw new UnsupportedKql(`summarize ${a.name}: not an aggregation`);
        return { kind: "summarize", aggs, by };
      }
      case "take":
      case "limit": {
        const n = this.next();
        if (n.kind !== "number") throw this.unexpected(n, "a number");
        return { kind: "take", n: n.value };
      }
      default:
        return { kind: "count" };
    }
  }

  /** `a, b = expr, ...`; `extend` needs a name for anything that is not a column. */
  private columns(named: boolean): Column[] {
    const cols: Column[] = [];
    for (;;) {
      if (this.peek().kind === "ident" && this.isPunct("=", 1)) {
        const name = this.ident();
        this.next();
        cols.push({ name, expr: this.expr() });
      } else {
        const expr = this.expr();
        if (named && expr.kind !== "name") throw new UnsupportedKql("extend needs a column name");
        cols.push({ name: defaultName(expr), expr });
      }
      if (!this.isPunct(",")) return cols;
      this.next();
    }
  }

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord("or")) {
      this.next();
      left = { kind: "bin", op: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.comparison();
    while (this.isWord("and")) {
      this.next();
      left = { kind: "bin", op: "and", left, right: this.comparison() };
    }
    return left;
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.peek();
    if (t.kind === "punct" && COMPARE.has(t.value)) {
      this.next();
      return { kind: "bin", op: t.value, left, right: this.additive() };
    }
    // `!in`, `!has`, `!contains`: a `!` before a word operator
    let negated = false;
    if (t.kind === "punct" && t.value === "!" && this.peek(1).kind === "ident") negated = true;
    const w = this.peek(negated ? 1 : 0);
    if (w.kind !== "ident") return left;
    const word = (negated ? "!" : "") + w.value.toLowerCase();
    if (word === "in" || word === "in~" || word === "!in" || word === "!in~") {
      this.i += negated ? 2 : 1;
      return { kind: "in", op: word, left, items: this.list() };
    }
    if (STRING_OPS.has(word)) {
      this.i += negated ? 2 : 1;
      const right =
        word === "has_any" || word === "has_all"
          ? { kind: "array" as const, items: this.list() }
          : this.additive();
      return { kind: "bin", op: word, left, right };
    }
    if (negated || /^!?(matches|has_prefix|has_suffix|hasprefix|hassuffix|between|like)/.test(word))
      throw new UnsupportedKql(`the operator '${word}' is not supported`);
    return left;
  }

  private list(): Expr[] {
    this.expectPunct("(");
    const items: Expr[] = [];
    if (!this.isPunct(")")) {
      items.push(this.expr());
      while (this.isPunct(",")) {
        this.next();
        items.push(this.expr());
      }
    }
    this.expectPunct(")");
    return items;
  }

  private additive(): Expr {
    let left = this.unary();
    while (this.isPunct("+") || this.isPunct("-")) {
      const op = this.next().value as string;
      left = { kind: "bin", op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isPunct("-")) {
      this.next();
      return { kind: "neg", of: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Expr): Expr {
    let e = base;
    for (;;) {
      if (this.isPunct(".")) {
        this.next();
        e = { kind: "member", of: e, name: this.ident() };
      } else if (this.isPunct("[")) {
        this.next();
        const key = this.expr();
        this.expectPunct("]");
        e = { kind: "index", of: e, key };
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case "string":
        return { kind: "lit", value: t.value };
      case "number":
        return { kind: "lit", value: t.value };
      case "timespan":
        return { kind: "span", ms: t.value };
      case "punct":
        if (t.value === "(") {
          const e = this.expr();
          this.expectPunct(")");
          return e;
        }
        if (t.value === "[") return { kind: "array", items: this.rest("]") };
        throw this.unexpected(t, "a value");
      case "ident": {
        const lower = t.value.toLowerCase();
        if (lower === "true" || lower === "false") return { kind: "lit", value: lower === "true" };
        if (lower === "not" && this.isPunct("(")) {
          this.next();
          const e = this.expr();
          this.expectPunct(")");
          return { kind: "not", of: e };
        }
        if (lower === "dynamic" && this.isPunct("(")) {
          this.next();
          const e = this.dynamicLiteral();
          this.expectPunct(")");
          return e;
        }
        if (this.isPunct("(")) {
          this.next();
          return { kind: "call", fn: lower, args: this.rest(")") };
        }
        return { kind: "name", name: t.value };
      }
      default:
        throw this.unexpected(t, "a value");
    }
  }

  /** Comma-separated expressions up to the closing punctuation. */
  private rest(close: string): Expr[] {
    const items: Expr[] = [];
    if (this.isPunct(close)) {
      this.next();
      return items;
    }
    items.push(this.expr());
    while (this.isPunct(",")) {
      this.next();
      items.push(this.expr());
    }
    this.expectPunct(close);
    return items;
  }

  /** `dynamic([...])`, `dynamic({...})`, `dynamic(null)`, or a scalar. */
  private dynamicLiteral(): Expr {
    if (this.isPunct("{")) {
      this.next();
      const entries: Array<[string, Expr]> = [];
      while (!this.isPunct("}")) {
        const k = this.next();
        if (k.kind !== "string" && k.kind !== "ident") throw this.unexpected(k, "a property name");
        this.expectPunct(":");
        entries.push([String(k.value), this.dynamicLiteral()]);
        if (this.isPunct(",")) this.next();
      }
      this.next();
      return { kind: "bag", entries };
    }
    if (this.isPunct("[")) {
      this.next();
      const items: Expr[] = [];
      while (!this.isPunct("]")) {
        items.push(this.dynamicLiteral());
        if (this.isPunct(",")) this.next();
      }
      this.next();
      return { kind: "array", items };
    }
    if (this.isWord("null")) {
      this.next();
      return { kind: "lit", value: null };
    }
    return this.primary();
  }
}

function defaultName(e: Expr): string {
  if (e.kind === "name") return e.name;
  if (e.kind === "member") return e.name;
  if (e.kind === "call") {
    const a = e.args[0];
    // summarize count() -> count_, dcount(X) -> dcount_X, by bin(TimeGenerated, 1h) -> TimeGenerated
    if (e.fn === "bin" && a) return defaultName(a);
    return a && a.kind === "name" ? `${e.fn}_${a.name}` : `${e.fn}_`;
  }
  return "Column1";
}

function describe(e: Expr): string {
  return e.kind === "call" ? `${e.fn}()` : e.kind;
}
