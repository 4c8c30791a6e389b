/** Groups: the collection and `$count`, one group (with `$expand` of members/owners), members, owners and transitive members. */
import { project, type Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import { GROUPS_SPEC } from "../specs.js";
import { RELATIONSHIP_PROPS, type Entity, type Ref } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import { directoryObjectSpec, refListResponse, resolveRef } from "./directory-objects.js";
import { BOTH, collectionRoutes, writeRoute, type RouteContext, type RouteDef } from "./route.js";
import { badRequest, countResponse, isResponse, notFound, strip } from "./support.js";
import * as dir from "../writes/groups.js";
import * as users from "../writes/users.js";

const groupView = (e: Wire): Wire => strip(e, RELATIONSHIP_PROPS.groups!);

/** Graph returns at most 20 expanded members/owners per group, unpaged. */
const EXPAND_LIMIT = 20;

function groupExpand(ctx: RouteContext): Record<string, (item: Wire, nested: URLSearchParams) => unknown> {
  const expand = (rel: "members" | "owners") => (item: Wire, nested: URLSearchParams) => {
    const g = ctx.store.groups.get(String(item.id));
    if (!g) return [];
    const select = nested
      .get("$select")
      ?.split(",")
      .map((x) => x.trim());
    return (rel === "members" ? ctx.store.members(g) : ctx.store.owners(g))
      .slice(0, EXPAND_LIMIT)
      .map((r) => {
        const w = resolveRef(ctx.store, r);
        return project(w, directoryObjectSpec("directoryObjects"), select);
      });
  };
  return { members: expand("members"), owners: expand("owners") };
}

function groupOr404(ctx: RouteContext): Entity | GraphResponse {
  const g = ctx.store.groups.get(ctx.params.id!);
  return g ?? notFound(ctx.req, ctx.params.id!);
}

/** `/groups/{id}/{rel}` and its `/{cast}`. */
function groupRelationRoutes(rel: "members" | "owners" | "transitiveMembers"): RouteDef[] {
  const refs = (ctx: RouteContext, g: Entity): Ref[] =>
    rel === "members"
      ? ctx.store.members(g)
      : rel === "owners"
        ? ctx.store.owners(g)
        : ctx.store.transitiveMembers(g);
  const common = {
    method: "GET",
    versions: BOTH,
    family: "directory",
    permissions: [P.groupMembers],
    section: rel === "owners" ? "groups.owners" : "groups.members",
    objectParam: "id",
  } as const;
  return [
    {
      ...common,
      pattern: `/groups/{id}/${rel}`,
      doc: {
        query:
          "$select (users: user default set without it), $filter (user/group properties; ne†, endsWith†), $search†, $count†, $top",
        page: rel === "owners" ? "100 / 999 (a group has at most 100 owners)" : "100 / 999",
      },
      handle(ctx) {
        const g = groupOr404(ctx);
        if (isResponse(g)) return g;
        return refListResponse(ctx, "directoryObjects", refs(ctx, g));
      },
    },
    {
      ...common,
      pattern: `/groups/{id}/${rel}/{cast}`,
      doc: {
        query: `as ${rel}; a cast to a type the group cannot contain → 400 Request_UnsupportedQuery`,
        mandatory: "ConsistencyLevel: eventual + $count=true",
      },
      handle(ctx) {
        const g = groupOr404(ctx);
        if (isResponse(g)) return g;
        const cast = ctx.params.cast!;
        const unified = Array.isArray(g.groupTypes) && g.groupTypes.includes("Unified");
        if (unified && cast.toLowerCase() === "microsoft.graph.group" && rel !== "owners") {
          return badRequest(
            ctx.req,
            "Unsupported type cast: a Microsoft 365 group cannot contain groups.",
            "Request_UnsupportedQuery",
          );
        }
        return refListResponse(ctx, "directoryObjects", refs(ctx, g), cast);
      },
    },
  ];
}

export const groupRoutes: RouteDef[] = [
  {
    method: "GET",
    pattern: "/groups/$count",
    versions: BOTH,
    family: "directory",
    permissions: [P.groups],
    section: "groups",
    doc: { query: "$filter, $search (same rules as /groups)", mandatory: "ConsistencyLevel: eventual" },
    handle: (ctx) =>
      countResponse(ctx, { ...GROUPS_SPEC, context: "groups" }, ctx.store.groups.list(), groupView),
  },
  ...collectionRoutes({
    path: "/groups",
    context: "groups",
    permissions: P.groups,
    section: "groups",
    spec: (ctx) => ({ ...GROUPS_SPEC, expand: groupExpand(ctx) }),
    source: (ctx) => ctx.store.groups,
    view: () => groupView,
    doc: {
      list: {
        query:
          "$select, $filter (id eq/in; displayName eq/in/startsWith/ge/le/eq null; groupTypes/any(c:c eq '...'); securityEnabled, isAssignableToRole, mailEnabled eq; membershipRule eq/startsWith; ne†/not†/endsWith†), $search†, $orderby displayName, $count†, $top, $expand=members or owners (first 20 each, nested $select allowed; page members/owners through their own endpoints for more)",
        page: "100 / 999",
      },
      get: { query: "$select, $expand=members or owners (first 20)" },
    },
  }),
  ...(["members", "owners", "transitiveMembers"] as const).flatMap(groupRelationRoutes),
  ...groupWriteRoutes(),
];

// ---------------------------------------------------------------- writes (handlers in ../writes/)

function groupWriteRoutes(): RouteDef[] {
  return [
    writeRoute(
      "POST",
      "/groups",
      "groups",
      dir.createGroupPermissions,
      dir.createGroup,
      "none; members@odata.bind/owners@odata.bind (at most 20); no duplicate detection",
    ),
    writeRoute(
      "PATCH",
      "/groups/{id}",
      "groups",
      dir.updateGroupPermissions,
      dir.updateGroup,
      "none; 204; isAssignableToRole immutable",
      { objectParam: "id" },
    ),
    writeRoute("DELETE", "/groups/{id}", "groups", dir.deleteGroupPermissions, dir.deleteGroup, "none; 204", {
      objectParam: "id",
    }),
    writeRoute(
      "POST",
      "/groups/{id}/members/$ref",
      "groups.members",
      dir.memberWritePermissions,
      (ctx) => dir.addGroupLink(ctx, "members"),
      "none; { @odata.id }; 204; existing member 400",
      { objectParam: "id" },
    ),
    writeRoute(
      "DELETE",
      "/groups/{id}/members/{memberId}/$ref",
      "groups.members",
      dir.memberWritePermissions,
      (ctx) => dir.removeGroupLink(ctx, "members"),
      "none; 204",
      { objectParam: "id" },
    ),
    writeRoute(
      "DELETE",
      "/groups/{id}/members/{memberId}",
      "groups.members",
      users.deleteUserPermissions,
      dir.deleteMemberObject,
      "none; deletes the member object itself (no /$ref)",
      { objectParam: "id" },
    ),
    writeRoute(
      "POST",
      "/groups/{id}/owners/$ref",
      "groups.owners",
      dir.ownerWritePermissions,
      (ctx) => dir.addGroupLink(ctx, "owners"),
      "none; { @odata.id }; 204",
      { objectParam: "id" },
    ),
    writeRoute(
      "DELETE",
      "/groups/{id}/owners/{memberId}/$ref",
      "groups.owners",
      dir.ownerWritePermissions,
      (ctx) => dir.removeGroupLink(ctx, "owners"),
      "none; 204",
      { objectParam: "id" },
    ),
  ];
}
