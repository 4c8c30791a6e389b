/**
 * Filter for devices (docs/ca-semantics.md §1.4 "devices.deviceFilter"): the dynamic-group rule syntax,
 * parsed once and evaluated in three-valued logic.
 *
 * Microsoft's rule: on an unregistered device every attribute is null, and then "positive"
 * operators (-eq, -startsWith, -endsWith, -contains, -in) are false and "negative" ones (-ne,
 * -notStartsWith, -notEndsWith, -notContains, -notIn) are true. extensionAttribute1-15 are only
 * available on Intune-managed, compliant or hybrid-joined devices. An attribute the caller does
 * not know (SignInDevice.othersUnknown) answers MAYBE, so a guess never becomes a proof.
 *
 * Operators are case-insensitive and written with or without the hyphen (`-or` / `or`, `-eq` /
 * `eq`, `-notIn` / `notin`), as the rule syntax allows and exported policies show both. `-match`
 * and `-notMatch` take a regular expression from the tenant: it runs on the linear-time engine
 * (src/config/pattern.ts), case-insensitively like every comparison, and one that engine cannot
 * run makes the rule unparseable (so the policy's device condition is MAYBE, never a guess).
 */
import { linearPattern, PatternError } from "../config/pattern.js";
import { MAYBE, NO, type SignInDevice, type Tri, triAnd, triNot, triOr, YES } from "./types.js";

type Op =
  | "eq"
  | "ne"
  | "startswith"
  | "notstartswith"
  | "endswith"
  | "notendswith"
  | "contains"
  | "notcontains"
  | "in"
  | "notin"
  | "match"
  | "notmatch";
const NEGATIVE: ReadonlySet<Op> = new Set([
  "ne",
  "notstartswith",
  "notendswith",
  "notcontains",
  "notin",
  "notmatch",
]);
const OPS: ReadonlySet<string> = new Set<Op>([
  "eq",
  "startswith",
  "endswith",
  "contains",
  "in",
  "match",
  ...NEGATIVE,
]);

/** An operator token without its optional hyphen, lower-cased: `-notIn` and `notin` are `notin`. */
const operatorWord = (token: string | undefined): string | undefined =>
  token?.toLowerCase().replace(/^-/, "");

export type RuleNode =
  | { kind: "and" | "or"; left: RuleNode; right: RuleNode }
  | { kind: "not"; inner: RuleNode }
  | { kind: "cmp"; attribute: string; op: Op; value: string | string[] };

export class DeviceFilterSyntaxError extends Error {}

function tokenize(rule: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "[" || c === "]" || c === ",") {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = "";
      while (j < rule.length && rule[j] !== c) {
        if (rule[j] === "\\" && j + 1 < rule.length) j++;
        s += rule[j];
        j++;
      }
      if (j >= rule.length) throw new DeviceFilterSyntaxError(`unterminated string at ${i}`);
      tokens.push(`"${s}`);
      i = j + 1;
    } else {
      let j = i;
      while (j < rule.length && !/[\s()[\],"']/.test(rule[j]!)) j++;
      tokens.push(rule.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** Parses a device filter rule; throws DeviceFilterSyntaxError on anything it does not understand. */
export function parseDeviceFilter(rule: string): RuleNode {
  const tokens = tokenize(rule);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new DeviceFilterSyntaxError("unexpected end of rule");
    return t;
  };
  const literal = (t: string): string => {
    if (t.startsWith('"')) return t.slice(1);
    if (/^(true|false)$/i.test(t)) return t.toLowerCase();
    if (/^[\w.-]+$/.test(t)) return t;
    throw new DeviceFilterSyntaxError(`expected a value, got ${t}`);
  };
  const parseOr = (): RuleNode => {
    let left = parseAnd();
    while (operatorWord(peek()) === "or") {
      pos++;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): RuleNode => {
    let left = parseUnary();
    while (operatorWord(peek()) === "and") {
      pos++;
      left = { kind: "and", left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): RuleNode => {
    const t = next();
    if (operatorWord(t) === "not") return { kind: "not", inner: parseUnary() };
    if (t === "(") {
      const inner = parseOr();
      if (next() !== ")") throw new DeviceFilterSyntaxError("expected )");
      return inner;
    }
    const m = /^device\.(\w+)$/i.exec(t);
    if (!m) throw new DeviceFilterSyntaxError(`expected device.<attribute>, got ${t}`);
    const opToken = next();
    const op = operatorWord(opToken)!;
    if (!OPS.has(op)) throw new DeviceFilterSyntaxError(`unknown operator ${opToken}`);
    let value: string | string[];
    if (peek() === "[") {
      pos++;
      const list: string[] = [];
      while (peek() !== "]") {
        list.push(literal(next()));
        if (peek() === ",") pos++;
      }
      pos++;
      value = list;
    } else {
      value = literal(next());
    }
    if (op === "match" || op === "notmatch") {
      if (typeof value !== "string") throw new DeviceFilterSyntaxError(`${opToken} takes one pattern`);
      try {
        linearPattern(value, { ignoreCase: true });
      } catch (e) {
        if (e instanceof PatternError)
          throw new DeviceFilterSyntaxError(`${opToken} "${value}": ${e.message}`);
        throw e;
      }
    }
    return { kind: "cmp", attribute: m[1]!.toLowerCase(), op: op as Op, value };
  };
  const node = parseOr();
  if (pos !== tokens.length) throw new DeviceFilterSyntaxError(`unexpected ${tokens[pos]}`);
  return node;
}

/** The attribute value: null (absent), a lower-case string, or undefined = unknown. */
function attributeOf(device: SignInDevice | null, attribute: string): string | null | undefined {
  if (!device) return null;
  let found: string | boolean | null | undefined;
  for (const [k, v] of Object.entries(device.attributes)) if (k.toLowerCase() === attribute) found = v;
  if (/^extensionattribute\d+$/.test(attribute)) {
    // Only Intune-managed, compliant or hybrid-joined devices expose extension attributes.
    const a = Object.fromEntries(Object.entries(device.attributes).map(([k, v]) => [k.toLowerCase(), v]));
    const managed =
      a["iscompliant"] === true ||
      a["ismanaged"] === true ||
      String(a["trusttype"] ?? "").toLowerCase() === "serverad";
    const unmanagedForSure =
      !device.othersUnknown &&
      a["iscompliant"] !== true &&
      a["ismanaged"] !== true &&
      String(a["trusttype"] ?? "").toLowerCase() !== "serverad";
    if (unmanagedForSure) return null;
    if (!managed && found === undefined) return device.othersUnknown ? undefined : null;
  }
  if (found === undefined) return device.othersUnknown ? undefined : null;
  if (found === null) return null;
  return String(found).toLowerCase();
}

function compare(op: Op, actual: string, value: string | string[]): boolean {
  const v = Array.isArray(value) ? value.map((x) => x.toLowerCase()) : value.toLowerCase();
  switch (op) {
    case "eq":
      return actual === v;
    case "ne":
      return actual !== v;
    case "startswith":
      return actual.startsWith(String(v));
    case "notstartswith":
      return !actual.startsWith(String(v));
    case "endswith":
      return actual.endsWith(String(v));
    case "notendswith":
      return !actual.endsWith(String(v));
    case "contains":
      return actual.includes(String(v));
    case "notcontains":
      return !actual.includes(String(v));
    case "in":
      return (Array.isArray(v) ? v : [v]).includes(actual);
    case "notin":
      return !(Array.isArray(v) ? v : [v]).includes(actual);
    case "match":
      return linearPattern(String(value), { ignoreCase: true }).test(actual);
    case "notmatch":
      return !linearPattern(String(value), { ignoreCase: true }).test(actual);
  }
}

export function evalDeviceFilter(node: RuleNode, device: SignInDevice | null): Tri {
  switch (node.kind) {
    case "and":
      return triAnd(evalDeviceFilter(node.left, device), evalDeviceFilter(node.right, device));
    case "or":
      return triOr(evalDeviceFilter(node.left, device), evalDeviceFilter(node.right, device));
    case "not":
      return triNot(evalDeviceFilter(node.inner, device));
    case "cmp": {
      const actual = attributeOf(device, node.attribute);
      if (actual === undefined) return MAYBE;
      if (actual === null) return NEGATIVE.has(node.op) ? YES : NO;
      return compare(node.op, actual, node.value) ? YES : NO;
    }
  }
}

/** The attributes a rule reads (for the scenario space). */
export function ruleAttributes(node: RuleNode, out = new Set<string>()): Set<string> {
  if (node.kind === "cmp") out.add(node.attribute);
  else if (node.kind === "not") ruleAttributes(node.inner, out);
  else {
    ruleAttributes(node.left, out);
    ruleAttributes(node.right, out);
  }
  return out;
}
