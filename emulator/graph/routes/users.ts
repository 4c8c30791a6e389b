/**
 * Users: the collection and `$count`, one user, the user's authentication methods (all and per type),
 * per-user MFA state, owned objects, memberOf/transitiveMemberOf, and deleted users.
 */
import { entityResponse, jsonHeaders, listResponse, type Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import {
  DELETED_USERS_SPEC,
  METHOD_COLLECTIONS,
  METHODS_SPEC,
  SIGN_IN_ACTIVITY_PAGE,
  USER_KNOWN_PROPERTIES,
  USER_SINGLE_ONLY_PROPERTIES,
  USERS_SPEC,
} from "../specs.js";
import { RELATIONSHIP_PROPS, type Entity, type Ref, type TenantStore } from "../tenant-store.js";
import type { GraphRequest, GraphResponse } from "../types.js";
import { refListResponse } from "./directory-objects.js";
import { BETA, BOTH, writeRoute, type RouteContext, type RouteDef, type RouteDoc } from "./route.js";
import { badRequest, countResponse, isResponse, notFound, quoteKey, strip } from "./support.js";
import * as methods from "../writes/methods.js";
import * as users from "../writes/users.js";

const userRelations = RELATIONSHIP_PROPS.users!.filter((p) => p !== "signInActivity");

/** signInActivity is sent only when $select names it (and $filter may test it). */
function wantsSignInActivity(req: GraphRequest): boolean {
  const sel = req.query.get("$select");
  const f = req.query.get("$filter");
  return (
    (sel !== null && sel.split(",").some((s) => s.trim() === "signInActivity")) ||
    (f !== null && /signInActivity\//.test(f))
  );
}

function userView(req: GraphRequest): (e: Wire) => Wire {
  const sia = wantsSignInActivity(req);
  return (e) => {
    const v = strip(e, sia ? userRelations : RELATIONSHIP_PROPS.users!);
    if (sia && v.signInActivity === undefined) v.signInActivity = null;
    return v;
  };
}

const knownPropsCache = new WeakMap<TenantStore, { version: number; props: ReadonlySet<string> }>();

/** Graph's user properties plus any a stored user carries (cached per store version). */
function knownUserProps(store: TenantStore): ReadonlySet<string> {
  const cached = knownPropsCache.get(store);
  if (cached && cached.version === store.version) return cached.props;
  const props = computeKnownUserProps(store);
  knownPropsCache.set(store, { version: store.version, props });
  return props;
}

function computeKnownUserProps(store: TenantStore): ReadonlySet<string> {
  const s = new Set(USER_KNOWN_PROPERTIES);
  const rel = new Set(RELATIONSHIP_PROPS.users);
  for (const u of store.users.list())
    for (const k of Object.keys(u)) if (!rel.has(k) && !k.startsWith("@")) s.add(k);
  return s;
}

function userOr404(ctx: RouteContext): Entity | GraphResponse {
  const u = ctx.store.users.get(ctx.params.id!);
  return u ?? notFound(ctx.req, ctx.params.id!);
}

function usersPermissions(ctx: RouteContext): string[][] {
  return wantsSignInActivity(ctx.req) ? [[...P.users], [...P.signInActivity]] : [[...P.users]];
}
const usersSection = (ctx: RouteContext): string =>
  wantsSignInActivity(ctx.req) ? "users.signInActivity" : "users";

/** `lastUsedDateTime` of a method is a beta property (what drills read to prove which key was used). */
function methodView(req: GraphRequest): (e: Wire) => Wire {
  return req.version === "beta" ? (e) => e : (e) => strip(e, ["lastUsedDateTime"]);
}

function methodsList(ctx: RouteContext, typed?: string): GraphResponse {
  const u = userOr404(ctx);
  if (isResponse(u)) return u;
  const all = ctx.store.authenticationMethods(u);
  const rows = typed
    ? all
        .filter((m) => String(m["@odata.type"]).toLowerCase() === typed.toLowerCase())
        .map((m) => strip(m, ["@odata.type"]))
    : all;
  const seg = ctx.req.path.split("/").pop()!;
  // Graph returns all of a user's methods in one page and accepts no OData options here
  for (const k of ["$select", "$filter", "$top", "$orderby", "$expand", "$count", "$search", "$skip"]) {
    if (ctx.req.query.has(k))
      return badRequest(
        ctx.req,
        `Query option '${k.slice(1)}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`,
      );
  }
  return listResponse(
    ctx.req,
    { ...METHODS_SPEC, context: `users(${quoteKey(ctx.params.id!)})/authentication/${seg}` },
    rows,
    { view: methodView(ctx.req) },
  );
}

function methodGet(ctx: RouteContext, typed?: string): GraphResponse {
  const u = userOr404(ctx);
  if (isResponse(u)) return u;
  const m = ctx.store
    .authenticationMethods(u)
    .find(
      (x) =>
        x.id.toLowerCase() === ctx.params.methodId!.toLowerCase() &&
        (!typed || String(x["@odata.type"]).toLowerCase() === typed.toLowerCase()),
    );
  if (!m) return notFound(ctx.req, ctx.params.methodId!, "itemNotFound");
  const seg = ctx.req.path.split("/")[4];
  return entityResponse(
    ctx.req,
    { ...METHODS_SPEC, context: `users(${quoteKey(ctx.params.id!)})/authentication/${seg}` },
    m,
    { view: methodView(ctx.req) },
  );
}

const METHOD_DOC: RouteDoc = {
  query: "none (no $select/$filter/$top: 400)",
  page: "all methods in one page",
};

/** `/users/{id}/authentication/{seg}` and `.../{methodId}`: one user's methods, all or of one type. */
function methodRoutes(seg: string, typed?: string): RouteDef[] {
  const common = {
    method: "GET",
    versions: BOTH,
    family: "reports",
    permissions: [P.authMethods],
    section: "users.authenticationMethods",
    objectParam: "id",
  } as const;
  return [
    {
      ...common,
      pattern: `/users/{id}/authentication/${seg}`,
      doc: typed
        ? { ...METHOD_DOC, query: `none; items are ${typed.slice(1)} without @odata.type` }
        : METHOD_DOC,
      handle: (ctx) => methodsList(ctx, typed),
    },
    {
      ...common,
      pattern: `/users/{id}/authentication/${seg}/{methodId}`,
      doc: { query: "none" },
      handle: (ctx) => methodGet(ctx, typed),
    },
  ];
}

/** `/users/{id}/{rel}` and its `/{cast}`: directory objects related to one user. */
function userRelationRoutes(
  rel: string,
  perms: readonly string[],
  section: string,
  objectParam: "id" | undefined,
  doc: RouteDoc,
  refs: (ctx: RouteContext, u: Entity) => Ref[],
): RouteDef[] {
  const common = {
    method: "GET",
    versions: BOTH,
    family: "directory",
    permissions: [perms],
    section,
    ...(objectParam ? { objectParam } : {}),
  } as const;
  const handle =
    (cast: boolean) =>
    (ctx: RouteContext): GraphResponse => {
      const u = userOr404(ctx);
      if (isResponse(u)) return u;
      return refListResponse(ctx, "directoryObjects", refs(ctx, u), cast ? ctx.params.cast : undefined);
    };
  return [
    { ...common, pattern: `/users/{id}/${rel}`, doc, handle: handle(false) },
    {
      ...common,
      pattern: `/users/{id}/${rel}/{cast}`,
      doc: { query: `as ${rel}`, mandatory: "ConsistencyLevel: eventual + $count=true" },
      handle: handle(true),
    },
  ];
}

export const userRoutes: RouteDef[] = [
  {
    method: "GET",
    pattern: "/users/$count",
    versions: BOTH,
    family: "directory",
    permissions: [P.users],
    section: "users",
    doc: { query: "$filter, $search (same rules as /users)", mandatory: "ConsistencyLevel: eventual" },
    handle(ctx) {
      return countResponse(
        ctx,
        { ...USERS_SPEC(knownUserProps(ctx.store)), context: "users" },
        ctx.store.users.list(),
        userView(ctx.req),
      );
    },
  },
  {
    method: "GET",
    pattern: "/users",
    versions: BOTH,
    family: "directory",
    permissions: usersPermissions,
    section: usersSection,
    doc: {
      query:
        "$select (default set without it; signInActivity only when selected), $filter (per-property operators, see specs.ts USER_FILTER: id eq/in; userPrincipalName eq/in/startsWith/ge/le, endsWith†; displayName eq/in/startsWith/ge/le/eq null; accountEnabled eq/in; userType eq/in/eq null; onPremisesSyncEnabled eq/in/eq null; passwordPolicies ne†/not†/eq null only; createdDateTime, lastPasswordChangeDateTime eq/ge/le/in; assignedLicenses/any(x:x/skuId eq GUID); signInActivity/* eq/ge/le, not combinable), $search†, $orderby (displayName, userPrincipalName, createdDateTime; with $filter†), $count†, $top. † = advanced query",
      page: "100 / 999 ($top>999: 400); with signInActivity 120 (larger $top capped)",
    },
    handle(ctx) {
      const single = (ctx.req.query.get("$select") ?? "")
        .split(",")
        .map((x) => x.trim())
        .find((x) => USER_SINGLE_ONLY_PROPERTIES.has(x));
      if (single) {
        return badRequest(
          ctx.req,
          `The property '${single}' can only be returned for a single user: request GET /users/{id}?$select=${single}.`,
          "NotImplemented",
          501,
        );
      }
      const sia = wantsSignInActivity(ctx.req);
      return listResponse(
        ctx.req,
        { ...USERS_SPEC(knownUserProps(ctx.store)), context: "users" },
        ctx.store.users.list(),
        {
          view: userView(ctx.req),
          capTop: sia ? SIGN_IN_ACTIVITY_PAGE : undefined,
        },
      );
    },
  },
  {
    method: "GET",
    pattern: "/users/{id}",
    versions: BOTH,
    family: "directory",
    permissions: usersPermissions,
    section: usersSection,
    doc: { query: "$select (id or userPrincipalName; `#` percent-encoded as %23)" },
    handle(ctx) {
      const u = userOr404(ctx);
      if (isResponse(u)) return u;
      return entityResponse(ctx.req, { ...USERS_SPEC(knownUserProps(ctx.store)), context: "users" }, u, {
        view: userView(ctx.req),
      });
    },
  },
  ...methodRoutes("methods"),
  ...Object.entries(METHOD_COLLECTIONS).flatMap(([seg, type]) => methodRoutes(seg, type)),
  {
    method: "GET",
    pattern: "/users/{id}/authentication/requirements",
    versions: BETA,
    family: "directory",
    permissions: [P.perUserMfa],
    section: "users.perUserMfaState",
    objectParam: "id",
    doc: { query: "none; body { perUserMfaState } without @odata.context (docs example)" },
    handle(ctx) {
      const u = userOr404(ctx);
      if (isResponse(u)) return u;
      const state = typeof u.perUserMfaState === "string" ? u.perUserMfaState : "disabled";
      return { status: 200, headers: jsonHeaders(), body: { perUserMfaState: state } };
    },
  },
  ...userRelationRoutes(
    "ownedObjects",
    P.userRelations,
    "users.ownedObjects",
    "id",
    {
      query: "$select, $filter†, $count†, $top; cast /ownedObjects/microsoft.graph.group†",
      page: "100 / 999",
    },
    (ctx, u) => ctx.store.ownedObjects(u),
  ),
  ...(["memberOf", "transitiveMemberOf"] as const).flatMap((rel) =>
    userRelationRoutes(
      rel,
      P.memberOf,
      "groups.members",
      undefined,
      {
        query:
          "$select, $filter†, $count†, $search†, $top (groups and administrative units; directory roles are not in the snapshot)",
        page: "100 / 999",
      },
      (ctx, u) => (rel === "memberOf" ? ctx.store.memberOf(u.id) : ctx.store.transitiveMemberOf(u.id)),
    ),
  ),
  ...userWriteRoutes(),
];

export const deletedUserRoutes: RouteDef[] = [
  {
    method: "GET",
    pattern: "/directory/deletedItems/microsoft.graph.user",
    versions: BOTH,
    family: "directory",
    permissions: [P.deletedUsers],
    section: "deletedUsers",
    doc: {
      query:
        "$select, $filter (id, displayName, userPrincipalName, deletedDateTime), $orderby (deletedDateTime†), $count†, $top",
      page: "100 / 999",
    },
    handle: (ctx) =>
      listResponse(
        ctx.req,
        { ...DELETED_USERS_SPEC, context: "directory/deletedItems/microsoft.graph.user" },
        ctx.store.deletedUsers.list(),
        { view: (e) => e },
      ),
  },
  {
    method: "GET",
    pattern: "/directory/deletedItems/{id}",
    versions: BOTH,
    family: "directory",
    permissions: [P.deletedUsers],
    section: "deletedUsers",
    doc: { query: "$select" },
    handle(ctx) {
      const e = ctx.store.deletedUsers.get(ctx.params.id!);
      if (!e) return notFound(ctx.req, ctx.params.id!);
      return entityResponse(ctx.req, { ...DELETED_USERS_SPEC, context: "directory/deletedItems" }, e, {
        view: (x) => ({ "@odata.type": "#microsoft.graph.user", ...x }),
      });
    },
  },
];

// ---------------------------------------------------------------- writes (handlers in ../writes/)

function userWriteRoutes(): RouteDef[] {
  const routes: RouteDef[] = [
    writeRoute(
      "POST",
      "/users",
      "users",
      users.createUserPermissions,
      users.createUser,
      "none; 400 ObjectConflict on a duplicate userPrincipalName; 201 with the default property set",
    ),
    writeRoute(
      "PATCH",
      "/users/{id}",
      "users",
      users.updateUserPermissions,
      users.updateUser,
      "none; 204; accountEnabled/passwordProfile of an administrator need Privileged Authentication Administrator",
      { objectParam: "id" },
    ),
    writeRoute(
      "DELETE",
      "/users/{id}",
      "users",
      users.deleteUserPermissions,
      users.deleteUser,
      "none; 204; into deletedItems",
      { objectParam: "id" },
    ),
    writeRoute(
      "POST",
      "/users/{id}/assignLicense",
      "users",
      users.assignLicensePermissions,
      users.assignLicense,
      "none; { addLicenses, removeLicenses }; 200 the user",
      { objectParam: "id" },
    ),
    writeRoute(
      "POST",
      "/users/{id}/revokeSignInSessions",
      "users",
      users.revokePermissions,
      users.revokeSignInSessions,
      "none; 200 { value: true }",
      { objectParam: "id" },
    ),
    writeRoute(
      "PATCH",
      "/users/{id}/authentication/requirements",
      "users.perUserMfaState",
      users.perUserMfaPermissions,
      users.updatePerUserMfa,
      "none; { perUserMfaState }; 204",
      { objectParam: "id", versions: BETA },
    ),
    writeRoute(
      "POST",
      "/users/{id}/authentication/temporaryAccessPassMethods",
      "users.authenticationMethods",
      methods.createTapPermissions,
      methods.createTemporaryAccessPass,
      "none; the pass only in the 201; one usable pass per user; lifetime within the policy",
      { objectParam: "id" },
    ),
  ];
  for (const segment of Object.keys(methods.DELETABLE_METHODS)) {
    if (!METHOD_COLLECTIONS[segment]) continue;
    routes.push(
      writeRoute(
        "DELETE",
        `/users/{id}/authentication/${segment}/{methodId}`,
        "users.authenticationMethods",
        methods.deleteMethodPermissions(segment),
        (ctx) => methods.deleteMethod(ctx, segment),
        "none; 204",
        { objectParam: "id" },
      ),
    );
  }
  return routes;
}
