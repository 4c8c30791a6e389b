/** The organization, its subscribed SKUs (licences) and its domains. */
import { P } from "../permissions.js";
import { DOMAINS_SPEC, ORGANIZATION_SPEC, SUBSCRIBED_SKUS_SPEC } from "../specs.js";
import { collectionRoutes, type RouteDef } from "./route.js";

export const organizationRoutes: RouteDef[] = [
  ...collectionRoutes({
    path: "/organization",
    context: "organization",
    permissions: P.organization,
    section: "organization",
    spec: ORGANIZATION_SPEC,
    source: (ctx) => ctx.store.organization,
    doc: { list: { query: "$select only", page: "one object" } },
  }),
  ...collectionRoutes({
    path: "/subscribedSkus",
    context: "subscribedSkus",
    permissions: P.subscribedSkus,
    section: "subscribedSkus",
    spec: SUBSCRIBED_SKUS_SPEC,
    source: (ctx) => ctx.store.subscribedSkus,
    doc: { list: { query: "$select; $top → 400 Request_UnsupportedQuery", page: "all in one page" } },
  }),
  ...collectionRoutes({
    path: "/domains",
    context: "domains",
    permissions: P.domains,
    section: "domains",
    spec: DOMAINS_SPEC,
    source: (ctx) => ctx.store.domains,
    doc: {
      list: { query: "$select", page: "all in one page" },
      get: { query: "$select; the key is the FQDN" },
    },
  }),
];
