/** Identity Protection: risky users. */
import { P } from "../permissions.js";
import { RISKY_USERS_SPEC } from "../specs.js";
import { collectionRoutes, type RouteDef } from "./route.js";

export const identityProtectionRoutes: RouteDef[] = collectionRoutes({
  path: "/identityProtection/riskyUsers",
  context: "identityProtection/riskyUsers",
  family: "identityProtection",
  permissions: P.riskyUsers,
  section: "riskyUsers",
  spec: RISKY_USERS_SPEC,
  source: (ctx) => ctx.store.riskyUsers,
  notFoundCode: "itemNotFound",
  doc: {
    list: {
      query:
        "$select, $filter (riskLevel/riskState/id eq,in; userPrincipalName eq,startsWith; riskLastUpdatedDateTime eq,ge,le,gt,lt), $orderby, $top",
      page: "100 / 500 (capped)",
    },
  },
});
