/** Validation support for `$filter`: every (property, operator) pair an expression uses, so a route can reject what Graph does not allow. */
import type { FilterNode, Operand } from "./filter.js";

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
