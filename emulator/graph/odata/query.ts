/**
 * OData query options as Graph applies them to one collection or entity: $select (with the default
 * property set of users), $filter (restricted per property and operator), $search, $orderby, $count,
 * $top with Graph's caps, $skip where Graph has it, $skiptoken paging with absolute nextLinks that
 * repeat the original query, and $expand through route-provided expanders.
 */
import type { GraphRequest, GraphResponse } from "../types.js";
import { QueryError, type CollectionSpec, type ListOptions, type Wire } from "./collection-spec.js";
import { contextSuffix, resolveExpands } from "./expand.js";
import { FilterSyntaxError, parseFilter, type FilterNode } from "./filter.js";
import { collectClauses } from "./filter-clauses.js";
import { evaluateFilter } from "./filter-eval.js";
import { decodeSkipToken, metadataUrl, nextLink, parseTop } from "./paging.js";

export * from "./collection-spec.js";
export { metadataUrl, nextLink, encodePath } from "./paging.js";
export { parseExpand } from "./expand.js";
const ADVANCED_HINT =
  "is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information";

export function isEventual(req: GraphRequest): boolean {
  return (req.headers["consistencylevel"] ?? "").toLowerCase() === "eventual";
}
export function countTrue(req: GraphRequest): boolean {
  return (req.query.get("$count") ?? "").toLowerCase() === "true";
}
export function isAdvanced(req: GraphRequest): boolean {
  return isEventual(req) && countTrue(req);
}

// -------------------------------------------------------------------------------------------------
// $select

export function parseSelect(req: GraphRequest, spec: CollectionSpec): string[] | undefined {
  const raw = req.query.get("$select");
  if (raw === null) return undefined;
  if (!spec.select) {
    throw new QueryError(
      400,
      "BadRequest",
      `Query option '$select' is not allowed. ($select is not supported on ${spec.typeName})`,
    );
  }
  const props = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of props) {
    if (p === "*") continue;
    if ((spec.select.known && !spec.select.known.has(p)) || spec.select.absent?.has(p)) {
      throw new QueryError(
        400,
        "BadRequest",
        `Could not find a property named '${p}' on type '${spec.typeName}'.`,
      );
    }
  }
  return props;
}

/** Project one wire item to the selected (or default) properties. `id` and `@odata.type` always stay. */
export function project(
  item: Wire,
  spec: CollectionSpec,
  select: string[] | undefined,
  keep: string[] = [],
): Wire {
  const props =
    select && !select.includes("*")
      ? select
      : select
        ? undefined
        : (spec.select?.defaultsFor?.(item) ?? spec.select?.defaults);
  if (!props) return item;
  const out: Wire = {};
  if (item["@odata.type"] !== undefined) out["@odata.type"] = item["@odata.type"];
  if (item.id !== undefined || props.includes("id") || spec.directoryObject) out.id = item.id ?? null;
  for (const p of props) {
    if (p === "id") continue;
    const v = Object.hasOwn(item, p) ? item[p] : undefined;
    out[p] = v === undefined ? (spec.select?.emptyArrays?.has(p) ? [] : null) : v;
  }
  for (const k of keep) if (item[k] !== undefined) out[k] = item[k];
  return out;
}

// -------------------------------------------------------------------------------------------------
// $filter

export function parseAndValidateFilter(req: GraphRequest, spec: CollectionSpec): FilterNode | undefined {
  const raw = req.query.get("$filter");
  if (raw === null) return undefined;
  if (!spec.filter) {
    throw new QueryError(
      400,
      spec.directoryObject ? "Request_UnsupportedQuery" : "BadRequest",
      `Invalid filter clause: $filter is not supported on ${spec.typeName}.`,
    );
  }
  let node: FilterNode;
  try {
    node = parseFilter(raw);
  } catch (e) {
    if (e instanceof FilterSyntaxError)
      throw new QueryError(400, "BadRequest", `Invalid filter clause: ${e.message}`);
    throw e;
  }
  validateClauses(node, req, spec);
  return node;
}

const resourceName = (typeName: string): string => {
  const t = typeName.split(".").pop() ?? typeName;
  return t.charAt(0).toUpperCase() + t.slice(1);
};

/** Directory objects allow at most 15 `or`/`in` child clauses in one $filter. */
const MAX_OR_CLAUSES = 15;

function orClauseCount(node: FilterNode): number {
  let inValues = 0;
  let orNodes = 0;
  const walk = (n: FilterNode): void => {
    if (n.kind === "or") orNodes++;
    if (n.kind === "in") inValues += n.list.length;
    if (n.kind === "and" || n.kind === "or") {
      walk(n.left);
      walk(n.right);
    } else if (n.kind === "not") walk(n.expr);
    else if (n.kind === "lambda" && n.body) walk(n.body);
  };
  walk(node);
  return inValues + (orNodes > 0 ? orNodes + 1 : 0);
}

function validateClauses(node: FilterNode, req: GraphRequest, spec: CollectionSpec): void {
  const clauses = collectClauses(node);
  if (spec.directoryObject) {
    const n = orClauseCount(node);
    if (n > MAX_OR_CLAUSES) {
      throw new QueryError(
        400,
        "Request_UnsupportedQuery",
        `Too many child clauses specified in search filter expression containing 'OR' operators: ${n}. Max allowed: ${MAX_OR_CLAUSES}.`,
      );
    }
  }
  const code = spec.directoryObject ? "Request_UnsupportedQuery" : "BadRequest";
  const advanced = isAdvanced(req);
  const advancedOps = new Set(spec.advancedOps ?? (spec.directoryObject ? ["ne", "not", "endsWith"] : []));
  for (const c of clauses) {
    // own keys only, so `constructor` or `__proto__` is an unsupported property, not Object's
    const allowed = Object.hasOwn(spec.filter!, c.property) ? spec.filter![c.property] : undefined;
    const ok = allowed?.includes(c.op) || (c.op === "eqNull" && allowed?.includes("eqNull"));
    if (!ok) {
      throw new QueryError(
        400,
        code,
        `Unsupported or invalid query filter clause specified for property '${c.property}' of resource '${resourceName(spec.typeName)}'.`,
      );
    }
    if (advancedOps.has(c.op) && !advanced) {
      throw new QueryError(400, "Request_UnsupportedQuery", `Operator '${c.op}' ${ADVANCED_HINT}`);
    }
  }
  // users: signInActivity can't be combined with any other filterable property (Graph's List users reference)
  const sia = clauses.filter((c) => c.property.startsWith("signInActivity/"));
  if (sia.length && sia.length !== clauses.length) {
    throw new QueryError(
      400,
      "Request_UnsupportedQuery",
      "Filtering on signInActivity can't be combined with any other filterable property.",
    );
  }
}

// -------------------------------------------------------------------------------------------------
// $search (directory objects): `"prop:term"` clauses joined by OR/AND; a term matches a word prefix.

function searchMatcher(req: GraphRequest, spec: CollectionSpec): ((e: Wire) => boolean) | undefined {
  const raw = req.query.get("$search");
  if (raw === null) return undefined;
  if (!spec.search)
    throw new QueryError(400, "BadRequest", `Query option '$search' is not allowed on ${spec.typeName}.`);
  if (!isEventual(req)) {
    throw new QueryError(
      400,
      "Request_UnsupportedQuery",
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const parts = raw.split(/\s+(AND|OR)\s+/);
  const clauses: { prop: string; term: string }[] = [];
  const joins: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 1) {
      joins.push(parts[i]!);
      continue;
    }
    const m = /^"([^":]+):([^"]*)"$/.exec(parts[i]!.trim());
    if (!m || !spec.search.includes(m[1]!)) {
      throw new QueryError(400, "Request_UnsupportedQuery", `Invalid $search query: ${raw}`);
    }
    clauses.push({ prop: m[1]!, term: m[2]!.toLowerCase() });
  }
  const one = (e: Wire, c: { prop: string; term: string }): boolean => {
    const v = e[c.prop];
    if (typeof v !== "string") return false;
    const lower = v.toLowerCase();
    return lower.startsWith(c.term) || lower.split(/[\s._@\-#]+/).some((w) => w.startsWith(c.term));
  };
  return (e) => {
    let acc = one(e, clauses[0]!);
    for (let i = 1; i < clauses.length; i++) {
      acc = joins[i - 1] === "AND" ? acc && one(e, clauses[i]!) : acc || one(e, clauses[i]!);
    }
    return acc;
  };
}

// -------------------------------------------------------------------------------------------------
// $orderby

function orderer(
  req: GraphRequest,
  spec: CollectionSpec,
  hasFilter: boolean,
): ((a: Wire, b: Wire) => number) | undefined {
  const raw = req.query.get("$orderby");
  if (raw === null) return undefined;
  const keys = raw.split(",").map((s) => {
    const [prop, dir] = s.trim().split(/\s+/);
    return { prop: prop!, desc: (dir ?? "asc").toLowerCase() === "desc" };
  });
  for (const k of keys) {
    if (!spec.orderby?.includes(k.prop)) {
      throw new QueryError(
        400,
        spec.directoryObject ? "Request_UnsupportedQuery" : "BadRequest",
        `Sorting not supported for '${k.prop}' on ${spec.typeName}.`,
      );
    }
  }
  if (spec.directoryObject && hasFilter && !isAdvanced(req)) {
    throw new QueryError(400, "Request_UnsupportedQuery", `$orderby with $filter ${ADVANCED_HINT}`);
  }
  return (a, b) => {
    for (const k of keys) {
      const x = a[k.prop];
      const y = b[k.prop];
      const c =
        x === y
          ? 0
          : x === undefined || x === null
            ? 1
            : y === undefined || y === null
              ? -1
              : String(x).toLowerCase() < String(y).toLowerCase()
                ? -1
                : String(x).toLowerCase() > String(y).toLowerCase()
                  ? 1
                  : 0;
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

// -------------------------------------------------------------------------------------------------

export function listResponse(
  req: GraphRequest,
  spec: CollectionSpec,
  items: readonly Wire[],
  opts: ListOptions,
): GraphResponse {
  try {
    const dirCode = spec.directoryObject ? "Request_BadRequest" : "BadRequest";
    if (spec.requiresAdvanced && !isAdvanced(req)) {
      throw new QueryError(400, "Request_UnsupportedQuery", `OData cast ${ADVANCED_HINT}`);
    }
    if (req.query.has("$count") && !spec.count) {
      throw new QueryError(400, dirCode, `Query option '$count' is not allowed on ${spec.typeName}.`);
    }
    if (spec.directoryObject && countTrue(req) && !isEventual(req)) {
      throw new QueryError(400, "Request_BadRequest", "$count is not currently supported.");
    }
    if (req.query.has("$skip") && !spec.skip) {
      throw new QueryError(400, dirCode, "'$skip' is not supported by the service.");
    }
    const select = parseSelect(req, spec);
    const filter = opts.filterHandled ? undefined : parseAndValidateFilter(req, spec);
    const search = searchMatcher(req, spec);
    const order = orderer(req, spec, filter !== undefined);
    const expands = resolveExpands(req, spec);
    const pageSize = parseTop(req, spec, opts.capTop);

    // Without a predicate or ordering, only the requested page needs the (allocating) view: paging
    // a 50,000-user tenant must not rebuild every user on every page.
    const whole = !opts.prefilter && !filter && !search && !order;
    let rows: readonly Wire[] = whole ? items : items.map(opts.view);
    if (opts.prefilter) rows = rows.filter((r) => opts.prefilter!(r, filter));
    if (filter) rows = rows.filter((r) => evaluateFilter(filter, r));
    if (search) rows = rows.filter(search);
    if (order) rows = [...rows].sort(order);
    const total = rows.length;

    let offset = 0;
    const tok = req.query.get("$skiptoken");
    if (tok !== null) offset = decodeSkipToken(tok, req.query, dirCode);
    if (spec.skip && req.query.has("$skip")) {
      const s = Number(req.query.get("$skip"));
      if (!Number.isInteger(s) || s < 0) throw new QueryError(400, "BadRequest", "Invalid value for $skip.");
      offset += s;
    }
    const page = whole
      ? rows.slice(offset, offset + pageSize).map(opts.view)
      : rows.slice(offset, offset + pageSize);
    const value = page.map((r) => {
      const expanded: Wire = { ...r };
      for (const e of expands) expanded[e.name] = e.fn(r, e.nested);
      return project(
        expanded,
        spec,
        select,
        expands.map((e) => e.name),
      );
    });

    const body: Wire = {
      "@odata.context": `${metadataUrl(req)}#${spec.context}${contextSuffix(select, expands)}`,
    };
    if (countTrue(req)) body["@odata.count"] = total;
    if (offset + pageSize < total) {
      // $skip-based endpoints still page with a skiptoken; the token carries the absolute offset, so
      // the repeated $skip must not be added twice.
      if (spec.skip && req.query.has("$skip")) {
        const q = new URLSearchParams(req.query);
        q.delete("$skip");
        body["@odata.nextLink"] = nextLink({ ...req, query: q }, offset + pageSize);
      } else body["@odata.nextLink"] = nextLink(req, offset + pageSize);
    }
    body.value = value;
    return { status: 200, headers: jsonHeaders(), body };
  } catch (e) {
    if (e instanceof QueryError) return e.toResponse(req);
    throw e;
  }
}

export function entityResponse(
  req: GraphRequest,
  spec: CollectionSpec,
  item: Wire,
  opts: { view: (e: Wire) => Wire; context?: string },
): GraphResponse {
  try {
    for (const k of ["$filter", "$top", "$skip", "$orderby", "$search"]) {
      if (req.query.has(k))
        throw new QueryError(
          400,
          "BadRequest",
          `Query option '${k}' is not allowed on a single ${spec.typeName}.`,
        );
    }
    const select = parseSelect(req, spec);
    const expands = resolveExpands(req, spec);
    const r = opts.view(item);
    const expanded: Wire = { ...r };
    for (const e of expands) expanded[e.name] = e.fn(r, e.nested);
    const projected = project(
      expanded,
      spec,
      select,
      expands.map((e) => e.name),
    );
    const ctx = opts.context ?? `${spec.context}${contextSuffix(select, expands)}/$entity`;
    return {
      status: 200,
      headers: jsonHeaders(),
      body: { "@odata.context": `${metadataUrl(req)}#${ctx}`, ...projected },
    };
  } catch (e) {
    if (e instanceof QueryError) return e.toResponse(req);
    throw e;
  }
}

export function jsonHeaders(): Record<string, string> {
  return {
    "content-type":
      "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
  };
}
