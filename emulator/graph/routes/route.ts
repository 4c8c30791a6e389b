/**
 * What a route entry is, and the helpers that declare the common shapes once: a collection with its
 * entity (`GET /things` + `GET /things/{id}`) and a singleton (`GET /policies/x`).
 *
 * A family file (users.ts, groups.ts, ...) exports its entries as an array; write routes
 * (POST/PATCH/PUT/DELETE) are further entries in the same array. emulator/graph/ROUTES.md is rendered from the
 * assembled table (routes-doc.ts), so `doc` is the route's documentation.
 */
import { entityResponse, listResponse, type CollectionSpec, type Wire } from "../odata/query.js";
import { Collection, type TenantStore } from "../tenant-store.js";
import type { GraphRequest, GraphResponse, GraphVersion, ThrottleFamily } from "../types.js";
import { notFound } from "./support.js";

export interface RouteContext {
  req: GraphRequest;
  params: Record<string, string>;
  store: TenantStore;
}

export interface RouteDoc {
  /** query options and filter operators, as the client may use them (for a write: the body it takes) */
  query: string;
  /** mandatory filters or headers */
  mandatory?: string;
  /** page size default / max */
  page?: string;
}

export interface RouteDef {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  pattern: string;
  versions: readonly GraphVersion[];
  family: ThrottleFamily;
  permissions: readonly (readonly string[])[] | ((ctx: RouteContext) => string[][]);
  section: string | ((ctx: RouteContext) => string);
  /** the path parameter naming the object of a per-object relationship */
  objectParam?: string;
  doc: RouteDoc;
  handle(ctx: RouteContext): GraphResponse;
}

export const BOTH: readonly GraphVersion[] = ["v1.0", "beta"];
export const BETA: readonly GraphVersion[] = ["beta"];
export const V1: readonly GraphVersion[] = ["v1.0"];

type ItemSpec = Omit<CollectionSpec, "context">;

export interface CollectionRoutes {
  /** the collection's path; its entity route is `${path}/{id}` */
  path: string;
  /** the `@odata.context` of both (without `/$entity`) */
  context: string;
  /** default: both versions */
  versions?: readonly GraphVersion[];
  /** default: "directory" */
  family?: ThrottleFamily;
  /** one AND-list: any one of these grants both routes */
  permissions: readonly string[];
  section: string;
  spec: ItemSpec | ((ctx: RouteContext) => ItemSpec);
  /** a store collection (looked up by key) or a derived list (searched by id, case-insensitively) */
  source: (ctx: RouteContext) => Collection | readonly Wire[];
  /** what Graph sends for a stored item (default: the item as stored) */
  view?: (ctx: RouteContext) => (e: Wire) => Wire;
  /** the error code of a missing id, which differs between Graph workloads */
  notFoundCode?: string;
  /** answers the list request instead when it returns a response (a mandatory filter missing) */
  listGuard?: (ctx: RouteContext) => GraphResponse | undefined;
  doc: { list: RouteDoc; get?: RouteDoc };
}

const asIs = (e: Wire): Wire => e;

/** `GET {path}` and `GET {path}/{id}`, declared once. */
export function collectionRoutes(c: CollectionRoutes): RouteDef[] {
  const spec = (ctx: RouteContext): CollectionSpec => ({
    ...(typeof c.spec === "function" ? c.spec(ctx) : c.spec),
    context: c.context,
  });
  const view = (ctx: RouteContext): ((e: Wire) => Wire) => (c.view ? c.view(ctx) : asIs);
  const common = {
    versions: c.versions ?? BOTH,
    family: c.family ?? "directory",
    permissions: [c.permissions],
    section: c.section,
  } as const;
  return [
    {
      ...common,
      method: "GET",
      pattern: c.path,
      doc: c.doc.list,
      handle(ctx) {
        const refused = c.listGuard?.(ctx);
        if (refused) return refused;
        const source = c.source(ctx);
        const items = source instanceof Collection ? source.list() : source;
        return listResponse(ctx.req, spec(ctx), items, { view: view(ctx) });
      },
    },
    {
      ...common,
      method: "GET",
      pattern: `${c.path}/{id}`,
      doc: c.doc.get ?? { query: "$select" },
      handle(ctx) {
        const id = ctx.params.id!;
        const source = c.source(ctx);
        const e =
          source instanceof Collection
            ? source.get(id)
            : source.find((x) => String(x.id).toLowerCase() === id.toLowerCase());
        if (!e) return notFound(ctx.req, id, c.notFoundCode);
        return entityResponse(ctx.req, spec(ctx), e, { view: view(ctx) });
      },
    },
  ];
}

/** `GET` of a tenant-wide singleton policy; 404 when the snapshot has no such section. */
export function singletonRoute(
  pattern: string,
  perms: readonly string[],
  section: string,
  context: string,
  get: (s: TenantStore) => Wire | undefined,
  extra?: (ctx: RouteContext, e: Wire) => Wire,
): RouteDef {
  return {
    method: "GET",
    pattern,
    versions: BOTH,
    family: "directory",
    permissions: [perms],
    section,
    doc: { query: "$select" },
    handle(ctx) {
      const e = get(ctx.store);
      if (!e) return notFound(ctx.req, pattern.split("/").pop()!);
      const spec: CollectionSpec = {
        context,
        typeName: `microsoft.graph.${section}`,
        directoryObject: false,
        select: {},
      };
      return entityResponse(ctx.req, spec, e, { view: (x) => (extra ? extra(ctx, x) : x), context });
    },
  };
}

/** A write route: the body it takes is documented in `doc.query`; directory family and both versions unless `extra` says otherwise. */
export function writeRoute(
  method: RouteDef["method"],
  pattern: string,
  section: string,
  permissions: RouteDef["permissions"],
  handle: RouteDef["handle"],
  query = "none; JSON body",
  extra: Partial<RouteDef> = {},
): RouteDef {
  return {
    method,
    pattern,
    versions: BOTH,
    family: "directory",
    permissions,
    section,
    doc: { query },
    handle,
    ...extra,
  };
}
