/**
 * A small evaluator for lifecycle-workflow scope rules (ruleBasedSubjectSet.rule), an OData-like
 * filter such as `(department eq 'Sales') and (employeeType ne 'Contractor')`. Three-valued: a rule
 * over a property the snapshot does not carry is undefined ("cannot tell"), never false, so a
 * workflow is only cleared when the data proves the account is outside its scope.
 *
 * Supported: eq, ne, in (…), startswith(p,'v'), endswith(p,'v'), contains(p,'v'), and, or, not, ().
 * Anything else makes the whole rule undefined.
 */
type Tri = boolean | undefined;
type Token = { kind: "str" | "id" | "punct"; value: string };

function tokenize(rule: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (/\s/.test(c)) i++;
    else if ("(),".includes(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= rule.length) return undefined;
        if (rule[i] === "'" && rule[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (rule[i] === "'") break;
        else value += rule[i++];
      }
      i++;
      tokens.push({ kind: "str", value });
    } else {
      const m = /^[A-Za-z_][\w./]*/.exec(rule.slice(i));
      if (!m) return undefined;
      tokens.push({ kind: "id", value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly lookup: (property: string) => { known: boolean; value: unknown },
  ) {}
  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private take(value?: string): Token {
    const t = this.tokens[this.pos++];
    if (!t || (value !== undefined && t.value.toLowerCase() !== value)) throw new Error("syntax");
    return t;
  }
  parse(): Tri {
    const v = this.or();
    if (this.pos !== this.tokens.length) throw new Error("syntax");
    return v;
  }
  private or(): Tri {
    let v = this.and();
    while (this.peek()?.value.toLowerCase() === "or") {
      this.take();
      const r = this.and();
      v = v === true || r === true ? true : v === false && r === false ? false : undefined;
    }
    return v;
  }
  private and(): Tri {
    let v = this.unary();
    while (this.peek()?.value.toLowerCase() === "and") {
      this.take();
      const r = this.unary();
      v = v === false || r === false ? false : v === true && r === true ? true : undefined;
    }
    return v;
  }
  private unary(): Tri {
    if (this.peek()?.value.toLowerCase() === "not") {
      this.take();
      const v = this.unary();
      return v === undefined ? undefined : !v;
    }
    return this.primary();
  }
  private primary(): Tri {
    const t = this.take();
    if (t.value === "(") {
      const v = this.or();
      this.take(")");
      return v;
    }
    if (t.kind !== "id") throw new Error("syntax");
    const fn = t.value.toLowerCase();
    if (["startswith", "endswith", "contains"].includes(fn) && this.peek()?.value === "(") {
      this.take("(");
      const prop = this.take().value;
      this.take(",");
      const arg = this.take();
      this.take(")");
      if (arg.kind !== "str") throw new Error("syntax");
      const { known, value } = this.lookup(prop);
      if (!known) return undefined;
      const s = String(value ?? "").toLowerCase();
      const a = arg.value.toLowerCase();
      return fn === "startswith" ? s.startsWith(a) : fn === "endswith" ? s.endsWith(a) : s.includes(a);
    }
    const op = this.take().value.toLowerCase();
    const { known, value } = this.lookup(t.value);
    const actual = value === null || value === undefined ? null : String(value).toLowerCase();
    if (op === "in") {
      this.take("(");
      const list: string[] = [];
      for (;;) {
        const v = this.take();
        if (v.kind !== "str") throw new Error("syntax");
        list.push(v.value.toLowerCase());
        if (this.peek()?.value === ",") this.take(",");
        else break;
      }
      this.take(")");
      return known ? actual !== null && list.includes(actual) : undefined;
    }
    if (op !== "eq" && op !== "ne") throw new Error("syntax");
    const rhs = this.take();
    const expected =
      rhs.kind === "str" ? rhs.value.toLowerCase() : rhs.value.toLowerCase() === "null" ? null : undefined;
    if (expected === undefined) throw new Error("syntax");
    if (!known) return undefined;
    return op === "eq" ? actual === expected : actual !== expected;
  }
}

/** Whether a user object falls in a rule: true, false, or undefined when the data cannot tell. */
export function evaluateSubjectRule(rule: string | null | undefined, user: Record<string, unknown>): Tri {
  if (!rule || !rule.trim()) return true;
  const tokens = tokenize(rule);
  if (!tokens) return undefined;
  const lookup = (property: string) => {
    const key = Object.keys(user).find((k) => k.toLowerCase() === property.toLowerCase());
    return key === undefined ? { known: false, value: undefined } : { known: true, value: user[key] };
  };
  try {
    return new Parser(tokens, lookup).parse();
  } catch {
    return undefined;
  }
}
