/**
 * Helpers the route families share: Graph's error responses, reading a `$filter` for mandatory
 * scope clauses, evolvable enums and `/$count`.
 */
import { graphError } from "../errors.js";
import { parseFilter, type FilterNode } from "../odata/filter.js";
import { isEventual, listResponse, type CollectionSpec, type Wire } from "../odata/query.js";
import type { GraphRequest, GraphResponse } from "../types.js";
import type { RouteContext } from "./route.js";

/** The item without the given properties (relationships stored inline, beta-only properties). */
export function strip(e: Wire, props: readonly string[]): Wire {
  const out: Wire = {};
  for (const [k, v] of Object.entries(e)) if (!props.includes(k)) out[k] = v;
  return out;
}

export function notFound(req: GraphRequest, id: string, code = "Request_ResourceNotFound"): GraphResponse {
  return graphError(
    404,
    code,
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    {},
    req.headers["client-request-id"],
  );
}

export function badRequest(
  req: GraphRequest,
  message: string,
  code = "BadRequest",
  status = 400,
): GraphResponse {
  return graphError(status, code, message, {}, req.headers["client-request-id"]);
}

/** An OData key literal: `'id'` with quotes doubled. */
export const quoteKey = (id: string): string => `'${id.replace(/'/g, "''")}'`;

export const isResponse = (x: unknown): x is GraphResponse =>
  !!x && typeof x === "object" && "status" in x && "headers" in x;

/** Top-level `and`-joined `prop eq 'value'` clauses of a filter (for mandatory scope filters). */
export function topLevelEq(node: FilterNode | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (n: FilterNode): void => {
    if (n.kind === "and") {
      walk(n.left);
      walk(n.right);
    } else if (
      n.kind === "compare" &&
      n.op === "eq" &&
      n.left.kind === "path" &&
      n.right.kind === "literal"
    ) {
      out.set(n.left.segments.join("/"), String(n.right.value));
    }
  };
  if (node) walk(node);
  return out;
}

/** The request's `$filter`, parsed; undefined when absent or invalid (listResponse reports the syntax error). */
export function tryParse(req: GraphRequest): FilterNode | undefined {
  const f = req.query.get("$filter");
  if (f === null) return undefined;
  try {
    return parseFilter(f);
  } catch {
    return undefined;
  }
}

/**
 * Evolvable enums (graph-contract 0.5): members added after `unknownFutureValue` are sent as
 * `unknownFutureValue` unless the client sends `Prefer: include-unknown-enum-members`.
 */
function includeUnknownEnums(req: GraphRequest): boolean {
  return /include-unknown-enum-members/i.test(req.headers["prefer"] ?? "");
}
export const EVOLVABLE = {
  builtInControls: new Set(["riskRemediation"]),
  workflowCategory: new Set(["mover", "extensibility"]),
};
export function evolve(req: GraphRequest, value: unknown, members: ReadonlySet<string>): unknown {
  if (includeUnknownEnums(req)) return value;
  if (typeof value === "string") return members.has(value) ? "unknownFutureValue" : value;
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "string" && members.has(v) ? "unknownFutureValue" : v));
  return value;
}

/** `/users/$count`, `/groups/$count`: a bare integer as text/plain, counting what the same $filter/$search lists. */
export function countResponse(
  ctx: RouteContext,
  spec: CollectionSpec,
  items: readonly Wire[],
  view: (e: Wire) => Wire,
): GraphResponse {
  if (!isEventual(ctx.req))
    return badRequest(ctx.req, "$count is not currently supported.", "Request_BadRequest");
  const q = new URLSearchParams(ctx.req.query);
  q.set("$count", "true");
  q.set("$top", "1");
  q.delete("$select");
  const res = listResponse({ ...ctx.req, query: q }, spec, items, { view });
  if (res.status !== 200) return res;
  const n = (res.body as Wire)["@odata.count"];
  return { status: 200, headers: { "content-type": "text/plain;charset=utf-8" }, body: String(n) };
}
