/** Evaluating a parsed `$filter` against one item. */
import type { FilterNode, Operand } from "./filter.js";

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
    // own properties only: `constructor`, `__proto__` or `toString` name nothing in tenant data
    if (typeof cur !== "object" || !Object.hasOwn(cur, seg)) return undefined;
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
