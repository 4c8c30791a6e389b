/** Administrative units and their members: `/directory/administrativeUnits` on v1.0, `/administrativeUnits` on beta. */
import type { Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import { AU_SPEC } from "../specs.js";
import { RELATIONSHIP_PROPS } from "../tenant-store.js";
import { refListResponse } from "./directory-objects.js";
import { BETA, collectionRoutes, V1, writeRoute, type RouteDef } from "./route.js";
import { notFound, strip } from "./support.js";
import * as dir from "../writes/administrative-units.js";

const auView = (e: Wire): Wire => strip(e, RELATIONSHIP_PROPS.administrativeUnits!);

export const administrativeUnitRoutes: RouteDef[] = (
  [
    ["/directory/administrativeUnits", V1],
    ["/administrativeUnits", BETA],
  ] as const
)
  .flatMap(([prefix, versions]): RouteDef[] => [
    ...collectionRoutes({
      path: prefix,
      context: prefix.slice(1),
      versions,
      permissions: P.administrativeUnits,
      section: "administrativeUnits",
      spec: AU_SPEC,
      source: (ctx) => ctx.store.administrativeUnits,
      view: () => auView,
      doc: {
        list: {
          query:
            "$select, $filter (id eq; displayName eq/startsWith/in; isMemberManagementRestricted eq), $orderby displayName, $search†, $count†, $top",
          page: "100 / 999",
        },
      },
    }),
    {
      method: "GET",
      pattern: `${prefix}/{id}/members`,
      versions,
      family: "directory",
      permissions: [P.administrativeUnits],
      section: "administrativeUnits.members",
      objectParam: "id",
      doc: { query: "$select, $filter†, $count†, $top", page: "100 / 999" },
      handle(ctx) {
        const au = ctx.store.administrativeUnits.get(ctx.params.id!);
        if (!au) return notFound(ctx.req, ctx.params.id!);
        return refListResponse(ctx, "directoryObjects", ctx.store.members(au));
      },
    },
  ])
  .concat(administrativeUnitWriteRoutes());

// ---------------------------------------------------------------- writes (handlers in ../writes/)

function administrativeUnitWriteRoutes(): RouteDef[] {
  const routes: RouteDef[] = [];
  for (const [prefix, versions] of [
    ["/directory/administrativeUnits", V1],
    ["/administrativeUnits", BETA],
  ] as const) {
    const context = prefix.slice(1);
    routes.push(
      writeRoute(
        "POST",
        prefix,
        "administrativeUnits",
        dir.auWritePermissions,
        (ctx) => dir.createAdministrativeUnit(ctx, context),
        "none; isMemberManagementRestricted on create only",
        { versions },
      ),
      writeRoute(
        "PATCH",
        `${prefix}/{id}`,
        "administrativeUnits",
        dir.auWritePermissions,
        dir.updateAdministrativeUnit,
        "none; 204",
        { versions },
      ),
      writeRoute(
        "DELETE",
        `${prefix}/{id}`,
        "administrativeUnits",
        dir.auWritePermissions,
        dir.deleteAdministrativeUnit,
        "none; 204",
        { versions },
      ),
      writeRoute(
        "POST",
        `${prefix}/{id}/members/$ref`,
        "administrativeUnits.members",
        dir.auWritePermissions,
        dir.addAdministrativeUnitMember,
        "none; { @odata.id }; 204",
        { versions, objectParam: "id" },
      ),
      writeRoute(
        "DELETE",
        `${prefix}/{id}/members/{memberId}/$ref`,
        "administrativeUnits.members",
        dir.auWritePermissions,
        dir.removeAdministrativeUnitMember,
        "none; 204",
        { versions, objectParam: "id" },
      ),
    );
  }
  return routes;
}
