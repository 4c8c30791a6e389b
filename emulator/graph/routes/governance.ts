/** Identity governance: access review definitions and lifecycle workflows. */
import type { Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import { ACCESS_REVIEWS_SPEC, WORKFLOWS_SPEC } from "../specs.js";
import { collectionRoutes, type RouteContext, type RouteDef } from "./route.js";
import { evolve, EVOLVABLE } from "./support.js";

function workflowView(ctx: RouteContext): (e: Wire) => Wire {
  return (e) =>
    e.category === undefined
      ? e
      : { ...e, category: evolve(ctx.req, e.category, EVOLVABLE.workflowCategory) };
}

export const governanceRoutes: RouteDef[] = [
  ...collectionRoutes({
    path: "/identityGovernance/accessReviews/definitions",
    context: "identityGovernance/accessReviews/definitions",
    permissions: P.accessReviews,
    section: "accessReviewDefinitions",
    spec: ACCESS_REVIEWS_SPEC,
    source: (ctx) => ctx.store.accessReviewDefinitions,
    notFoundCode: "itemNotFound",
    doc: {
      list: {
        query:
          "$select, $filter (id, displayName eq/startsWith; status eq/ne), $orderby, $top, $skip, $count",
        page: "100 / 100",
      },
    },
  }),
  ...collectionRoutes({
    path: "/identityGovernance/lifecycleWorkflows/workflows",
    context: "identityGovernance/lifecycleWorkflows/workflows",
    permissions: P.lifecycleWorkflows,
    section: "lifecycleWorkflows",
    spec: WORKFLOWS_SPEC,
    source: (ctx) => ctx.store.lifecycleWorkflows,
    view: workflowView,
    notFoundCode: "itemNotFound",
    doc: {
      list: {
        query:
          "$select, $filter (category, isEnabled, isSchedulingEnabled eq/ne; displayName eq/startsWith), $orderby, $search, $top, $skip, $count. category mover/extensibility is sent as unknownFutureValue unless Prefer: include-unknown-enum-members",
        page: "100 / 100",
      },
    },
  }),
];
