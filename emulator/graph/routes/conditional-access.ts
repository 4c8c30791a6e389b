/** Conditional Access: policies (with their authentication strength inlined), What If evaluation, named locations. */
import { whatIfResponse, WhatIfRequestError } from "../../../src/ca/whatif.js";
import { graphError } from "../errors.js";
import { metadataUrl, type Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import { CA_POLICIES_SPEC, NAMED_LOCATIONS_SPEC } from "../specs.js";
import { BOTH, collectionRoutes, writeRoute, type RouteContext, type RouteDef } from "./route.js";
import { evolve, EVOLVABLE, quoteKey, strip } from "./support.js";
import * as pol from "../writes/ca-policies.js";
import { currentSnapshot } from "../writes/sign-ins.js";

function strengthInline(ctx: RouteContext, id: string): Wire {
  const s = ctx.store.authenticationStrengthPolicies.get(id);
  return s ? strip(s, ["combinationConfigurations"]) : { id };
}

/** A policy as Graph sends it: evolvable grant controls, the referenced strength inlined. */
export function caPolicyView(ctx: RouteContext): (e: Wire) => Wire {
  return (raw) => {
    let e = raw;
    const gc0 = raw.grantControls as Wire | null | undefined;
    if (gc0 && Array.isArray(gc0.builtInControls)) {
      e = {
        ...raw,
        grantControls: {
          ...gc0,
          builtInControls: evolve(ctx.req, gc0.builtInControls, EVOLVABLE.builtInControls),
        },
      };
    }
    const gc = e.grantControls as Wire | null | undefined;
    const strength = gc?.authenticationStrength as { id?: string } | null | undefined;
    if (!gc || !strength?.id) return e;
    // Graph inlines the referenced strength with its own context annotation (graph-contract 4.5)
    return {
      ...e,
      grantControls: {
        ...gc,
        "authenticationStrength@odata.context": `${metadataUrl(ctx.req)}#identity/conditionalAccess/policies(${quoteKey(String(e.id))})/grantControls/authenticationStrength/$entity`,
        authenticationStrength: strengthInline(ctx, strength.id),
      },
    };
  };
}

// What If (docs/graph-contract.md §11): the CA engine evaluates every policy for one described sign-in.
const evaluate: RouteDef = {
  method: "POST",
  pattern: "/identity/conditionalAccess/evaluate",
  versions: BOTH,
  family: "conditionalAccess",
  permissions: [["Policy.Read.ConditionalAccess", "Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"]],
  section: "conditionalAccessPolicies",
  doc: {
    query:
      "no query options; JSON body: signInIdentity, signInContext, signInConditions, appliedPoliciesOnly",
  },
  handle: (ctx) => {
    try {
      const body = (ctx.req.body ?? {}) as Record<string, unknown>;
      return {
        status: 200,
        headers: { "content-type": "application/json" },
        // the tenant as it is now: policies and memberships written through Graph count
        body: whatIfResponse(body, currentSnapshot(ctx.store), ctx.req.version),
      };
    } catch (err) {
      if (err instanceof WhatIfRequestError)
        return graphError(400, "BadRequest", err.message, {}, ctx.req.headers["client-request-id"]);
      throw err;
    }
  },
};

export const conditionalAccessRoutes: RouteDef[] = [
  ...collectionRoutes({
    path: "/identity/conditionalAccess/policies",
    context: "identity/conditionalAccess/policies",
    family: "conditionalAccess",
    permissions: P.conditionalAccess,
    section: "conditionalAccessPolicies",
    spec: CA_POLICIES_SPEC,
    source: (ctx) => ctx.store.conditionalAccessPolicies,
    view: caPolicyView,
    notFoundCode: "itemNotFound",
    doc: {
      list: {
        query:
          "$select, $filter (id eq/in; displayName eq/ne/startsWith; state eq/ne; createdDateTime, modifiedDateTime eq/ge/le/gt/lt), $orderby, $count, $top, $skip; grantControls.authenticationStrength inlined; builtInControls riskRemediation is sent as unknownFutureValue unless Prefer: include-unknown-enum-members",
        page: "1000 / 1000 (capped)",
      },
    },
  }),
  evaluate,
  ...collectionRoutes({
    path: "/identity/conditionalAccess/namedLocations",
    context: "identity/conditionalAccess/namedLocations",
    family: "conditionalAccess",
    permissions: P.conditionalAccess,
    section: "namedLocations",
    spec: NAMED_LOCATIONS_SPEC,
    source: (ctx) => ctx.store.namedLocations,
    notFoundCode: "itemNotFound",
    doc: {
      list: {
        query:
          "$select, $filter (isof('microsoft.graph.ipNamedLocation'); microsoft.graph.countryNamedLocation/countriesAndRegions/any(c: c eq 'CA'); displayName eq/startsWith; createdDateTime, modifiedDateTime eq/ge/le), $orderby, $count, $top, $skip",
        page: "1000 / 1000 (capped)",
      },
    },
  }),
  ...conditionalAccessWriteRoutes(),
];

// ---------------------------------------------------------------- writes (handlers in ../writes/)

function conditionalAccessWriteRoutes(): RouteDef[] {
  const ca = "/identity/conditionalAccess/policies";
  const extra = { family: "conditionalAccess" as const };
  return [
    writeRoute(
      "POST",
      ca,
      "conditionalAccessPolicies",
      pol.caWritePermissions,
      pol.createCaPolicy,
      "none; 201 full policy; 195-policy limit; 1 request/s per tenant",
      extra,
    ),
    writeRoute(
      "PATCH",
      `${ca}/{id}`,
      "conditionalAccessPolicies",
      pol.caWritePermissions,
      pol.updateCaPolicy,
      "none; 204; objects merged, arrays replaced",
      extra,
    ),
    writeRoute(
      "DELETE",
      `${ca}/{id}`,
      "conditionalAccessPolicies",
      pol.caDeletePermissions,
      pol.deleteCaPolicy,
      "none; 204",
      extra,
    ),
  ];
}
