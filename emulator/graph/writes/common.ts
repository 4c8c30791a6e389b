/**
 * What every Graph write handler shares: the route context it runs in, Graph's responses and error
 * bodies for writes (docs/graph-writes.md 0.1-0.2), PATCH merging, and the caller's directory roles with
 * the two rules that limit what application permissions can do (docs/graph-writes.md 0.6): members of a
 * restricted-management administrative unit, and administrators (members of a role-assignable group
 * or holders of a role), whose credentials only a privileged role may change.
 */
import { graphError } from "../errors.js";
import { jsonHeaders, metadataUrl } from "../odata/query.js";
import type { Entity, TenantStore } from "../tenant-store.js";
import type { GraphRequest, GraphResponse } from "../types.js";
import { writeStateOf, type WriteState } from "./state.js";

export interface WriteContext {
  req: GraphRequest;
  params: Record<string, string>;
  store: TenantStore;
}

export type Body = Record<string, unknown>;

export const ROLE = {
  globalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
  privilegedRoleAdministrator: "e8611ab8-c189-46e8-94e1-60213ab1f814",
  privilegedAuthenticationAdministrator: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
} as const;

export const state = (ctx: WriteContext): WriteState => writeStateOf(ctx.store);

export const isResponse = (x: unknown): x is GraphResponse =>
  !!x && typeof x === "object" && "status" in x && "headers" in x;

export function isPlainObject(v: unknown): v is Body {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

export function fail(ctx: WriteContext, status: number, code: string, message: string): GraphResponse {
  return graphError(status, code, message, {}, ctx.req.headers["client-request-id"]);
}

export const badRequest = (ctx: WriteContext, message: string, code = "Request_BadRequest") =>
  fail(ctx, 400, code, message);

export const notFound = (ctx: WriteContext, id: string) =>
  fail(
    ctx,
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const forbidden = (ctx: WriteContext) =>
  fail(ctx, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

/** A `$ref` to an object in its replication window, or a link added right after a create (0.4). */
export const notReplicated = (ctx: WriteContext) =>
  badRequest(ctx, "The source resource object or one of the objects being referenced do not exist.");

/** The request body as an object, or the 400 Graph sends for a missing one. */
export function bodyOf(ctx: WriteContext): Body | GraphResponse {
  const b = ctx.req.body;
  if (!isPlainObject(b)) {
    return badRequest(ctx, "Empty Payload. JSON content expected.", "BadRequest");
  }
  return b;
}

export const noContent = (): GraphResponse => ({ status: 204, headers: {} });

export function created(ctx: WriteContext, context: string, entity: Body): GraphResponse {
  return {
    status: 201,
    headers: { ...jsonHeaders(), location: `${ctx.req.baseUrl}/${ctx.req.version}/${context}/${entity.id}` },
    body: { "@odata.context": `${metadataUrl(ctx.req)}#${context}/$entity`, ...entity },
  };
}

export function ok(ctx: WriteContext, context: string, body: Body): GraphResponse {
  return {
    status: 200,
    headers: jsonHeaders(),
    body: { "@odata.context": `${metadataUrl(ctx.req)}#${context}`, ...body },
  };
}

/** PATCH semantics (docs/graph-writes.md 0.1, 6.3): objects merge property by property, arrays are replaced whole. */
export function mergePatch(target: Body, patch: Body): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("@odata.")) continue;
    const cur = target[k];
    if (isPlainObject(v) && isPlainObject(cur)) mergePatch(cur, v);
    else target[k] = structuredClone(v);
  }
}

/** `https://graph.microsoft.com/v1.0/directoryObjects/{id}` (any host, any entity set) → the id. */
export function refId(odataId: unknown): string | undefined {
  if (typeof odataId !== "string") return undefined;
  const m = /\/([^/()']+)(?:\('?([^')]+)'?\))?\/?$/.exec(odataId);
  if (!m) return undefined;
  return m[2] ?? m[1];
}

// ---------------------------------------------------------------------------------- caller roles

interface RoleGrant {
  roleDefinitionId: string;
  directoryScopeId: string;
}

/** The caller's directory roles: tenant-wide ones from the token's `wids`, any scope from the store. */
export function callerRoles(ctx: WriteContext): RoleGrant[] {
  const caller = ctx.req.caller;
  if (!caller) return [];
  const out: RoleGrant[] = caller.wids.map((id) => ({ roleDefinitionId: id, directoryScopeId: "/" }));
  const oid = caller.objectId.toLowerCase();
  for (const ra of ctx.store.roleAssignments.list()) {
    if (String(ra.principalId ?? "").toLowerCase() !== oid) continue;
    out.push({
      roleDefinitionId: String(ra.roleDefinitionId ?? "").toLowerCase(),
      directoryScopeId: String(ra.directoryScopeId ?? "/"),
    });
  }
  return out;
}

function holdsTenantRole(ctx: WriteContext, roles: readonly string[]): boolean {
  return callerRoles(ctx).some(
    (r) => r.directoryScopeId === "/" && roles.includes(r.roleDefinitionId.toLowerCase()),
  );
}

function holdsRoleScopedTo(ctx: WriteContext, auId: string): boolean {
  const scope = `/administrativeunits/${auId.toLowerCase()}`;
  return callerRoles(ctx).some((r) => r.directoryScopeId.toLowerCase() === scope);
}

/** The restricted-management units that list the object directly. */
export function restrictedUnitsOf(store: TenantStore, id: string): Entity[] {
  return store
    .memberOf(id)
    .filter((r) => r["@odata.type"] === "#microsoft.graph.administrativeUnit")
    .map((r) => store.administrativeUnits.get(r.id))
    .filter((au): au is Entity => !!au && au.isMemberManagementRestricted === true);
}

/**
 * An administrator in the sense of docs/graph-writes.md 0.6: a member of a role-assignable group (from
 * the moment it joins) or the principal of an active role assignment, directly or through a group.
 */
export function isProtectedUser(store: TenantStore, userId: string): boolean {
  const groups = store
    .transitiveMemberOf(userId)
    .filter((r) => r["@odata.type"] === "#microsoft.graph.group")
    .map((r) => store.groups.get(r.id))
    .filter((g): g is Entity => !!g);
  if (groups.some((g) => g.isAssignableToRole === true)) return true;
  const principals = new Set([userId.toLowerCase(), ...groups.map((g) => g.id.toLowerCase())]);
  return store.roleAssignments.list().some((ra) => principals.has(String(ra.principalId).toLowerCase()));
}

const PRIVILEGED_AUTH = [ROLE.privilegedAuthenticationAdministrator, ROLE.globalAdministrator];

/**
 * Checks a write to a user. Every write to a member of a restricted unit needs a role scoped to that
 * unit (tenant-wide admins and application permissions do not reach it); a write to an
 * administrator's credentials, methods, sign-in state or existence needs Privileged Authentication
 * Administrator (or Global Administrator). Returns the 403 to send, or undefined.
 */
export function guardUserWrite(
  ctx: WriteContext,
  user: Entity,
  kind: "general" | "sensitive",
): GraphResponse | undefined {
  for (const au of restrictedUnitsOf(ctx.store, user.id)) {
    if (!holdsRoleScopedTo(ctx, au.id)) return forbidden(ctx);
  }
  if (kind === "sensitive" && isProtectedUser(ctx.store, user.id) && !holdsTenantRole(ctx, PRIVILEGED_AUTH)) {
    return forbidden(ctx);
  }
  return undefined;
}

/**
 * Checks a change to a group (its properties or membership). In a restricted unit only a role
 * scoped to the unit may change it, except that a role-assignable group's membership may also be
 * changed by a tenant-wide Global or Privileged Role Administrator (docs/graph-writes.md 0.6).
 */
export function guardGroupWrite(
  ctx: WriteContext,
  group: Entity,
  kind: "properties" | "membership",
): GraphResponse | undefined {
  for (const au of restrictedUnitsOf(ctx.store, group.id)) {
    if (holdsRoleScopedTo(ctx, au.id)) continue;
    if (
      kind === "membership" &&
      group.isAssignableToRole === true &&
      holdsTenantRole(ctx, [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator])
    ) {
      continue;
    }
    return forbidden(ctx);
  }
  return undefined;
}

/** A user by id or userPrincipalName; a user still replicating is not found (404), like a missing one. */
export function userOr404(ctx: WriteContext, id = ctx.params.id!): Entity | GraphResponse {
  return ctx.store.users.get(id) ?? notFound(ctx, id);
}

export function groupOr404(ctx: WriteContext, id = ctx.params.id!): Entity | GraphResponse {
  return ctx.store.groups.get(id) ?? notFound(ctx, id);
}

/** Random ids shaped like Graph's. */
export function newId(): string {
  return crypto.randomUUID();
}

/** Reports the first property of `body` not in `allowed`, as Graph's directory services do. */
export function unknownProperty(
  ctx: WriteContext,
  body: Body,
  allowed: ReadonlySet<string>,
  typeName: string,
): GraphResponse | undefined {
  for (const k of Object.keys(body)) {
    if (k.startsWith("@odata.") || k.endsWith("@odata.bind") || allowed.has(k)) continue;
    return badRequest(
      ctx,
      `Property '${k}' does not exist as a declared property or extension property on type '${typeName}'.`,
      "Request_BadRequest",
    );
  }
  return undefined;
}

/** The `@odata.type` of the directory objects and methods several writes test for. */
export const USER_TYPE = "#microsoft.graph.user";
export const GROUP_TYPE = "#microsoft.graph.group";
export const TAP_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethod";
export const FIDO2_TYPE = "#microsoft.graph.fido2AuthenticationMethod";

/** Graph's answer to a `$ref` or `@odata.bind` naming an object the relationship already holds. */
export const alreadyLinked = (ctx: WriteContext, rel: string) =>
  badRequest(
    ctx,
    `One or more added object references already exist for the following modified properties: '${rel}'.`,
  );
