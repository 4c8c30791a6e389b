/**
 * Directory object references (members, owners, memberOf, ownedObjects) resolved to what Graph sends,
 * OData casts on them, and the `principal`/`group` expansions of role and PIM items.
 */
import { listResponse, type CollectionSpec, type Wire } from "../odata/query.js";
import { DIRECTORY_OBJECT_SPEC, USER_DEFAULT_PROPERTIES } from "../specs.js";
import { RELATIONSHIP_PROPS, type Ref, type TenantStore } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import type { RouteContext } from "./route.js";
import { badRequest, strip } from "./support.js";

/** A stored directory object reference resolved to what Graph sends in member lists. */
export function resolveRef(store: TenantStore, ref: Ref): Wire {
  const found = store.directoryObject(ref.id);
  if (!found) return { ...ref };
  const rel =
    found.type === "#microsoft.graph.user"
      ? RELATIONSHIP_PROPS.users!
      : found.type === "#microsoft.graph.group"
        ? RELATIONSHIP_PROPS.groups!
        : RELATIONSHIP_PROPS.administrativeUnits!;
  return { "@odata.type": found.type, ...strip(found.entity, rel) };
}

export const directoryObjectSpec = (context: string): CollectionSpec => ({
  ...DIRECTORY_OBJECT_SPEC,
  context,
  select: {
    defaultsFor: (item) =>
      item["@odata.type"] === "#microsoft.graph.user" ? USER_DEFAULT_PROPERTIES : undefined,
  },
});

/** `/members/microsoft.graph.user` etc.: narrow by @odata.type; casts are advanced queries. */
function castFilter(cast: string | undefined): ((r: Wire) => boolean) | undefined {
  if (!cast) return undefined;
  const t = `#${cast}`.toLowerCase();
  return (r) => String(r["@odata.type"] ?? "").toLowerCase() === t;
}

const KNOWN_CASTS = new Set([
  "microsoft.graph.user",
  "microsoft.graph.group",
  "microsoft.graph.device",
  "microsoft.graph.serviceprincipal",
  "microsoft.graph.orgcontact",
  "microsoft.graph.administrativeunit",
  "microsoft.graph.directoryrole",
  "microsoft.graph.application",
]);

export function refListResponse(
  ctx: RouteContext,
  context: string,
  refs: Ref[],
  cast?: string,
): GraphResponse {
  if (cast && !KNOWN_CASTS.has(cast.toLowerCase())) {
    return badRequest(ctx.req, `Resource not found for the segment '${cast}'.`);
  }
  const spec = directoryObjectSpec(cast ? cast.replace("microsoft.graph.", "") + "s" : context);
  if (cast) {
    spec.requiresAdvanced = true;
    spec.context = `${cast.replace("microsoft.graph.", "")}s`;
  }
  let rows = refs.map((r) => resolveRef(ctx.store, r));
  const cf = castFilter(cast);
  if (cf) rows = rows.filter(cf);
  return listResponse(ctx.req, spec, rows, { view: (e) => e });
}

/** `$expand=principal` of role assignments, schedules and PIM for Groups items. */
export function principalOf(store: TenantStore) {
  return (item: Wire): unknown => {
    const id = item.principalId;
    if (typeof id !== "string") return null;
    const found = store.directoryObject(id);
    if (!found) return { "@odata.type": "#microsoft.graph.directoryObject", id, deletedDateTime: null };
    const rel = [...(RELATIONSHIP_PROPS.users ?? []), ...(RELATIONSHIP_PROPS.groups ?? [])];
    return { "@odata.type": found.type, ...strip(found.entity, rel) };
  };
}

/** `$expand=group` of PIM for Groups items. */
export function groupOf(store: TenantStore) {
  return (item: Wire): unknown => {
    const g = typeof item.groupId === "string" ? store.groups.get(item.groupId) : undefined;
    return g ? strip(g, RELATIONSHIP_PROPS.groups!) : null;
  };
}
