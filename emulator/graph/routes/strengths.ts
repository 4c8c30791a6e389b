/** Authentication strength policies, their combination configurations and their usage by Conditional Access. */
import { jsonHeaders, listResponse, metadataUrl, type Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import { AUTH_STRENGTH_SPEC, COMBINATION_CONFIG_SPEC } from "../specs.js";
import { caPolicyView } from "./conditional-access.js";
import { BOTH, collectionRoutes, writeRoute, type RouteContext, type RouteDef } from "./route.js";
import { notFound, quoteKey } from "./support.js";
import * as pol from "../writes/strengths.js";

const asp = "/policies/authenticationStrengthPolicies";

function strengthView(ctx: RouteContext): (e: Wire) => Wire {
  return (e) => {
    const { combinationConfigurations, ...rest } = e;
    return {
      ...rest,
      "combinationConfigurations@odata.context": `${metadataUrl(ctx.req)}#policies/authenticationStrengthPolicies(${quoteKey(String(e.id))})/combinationConfigurations`,
      combinationConfigurations: Array.isArray(combinationConfigurations) ? combinationConfigurations : [],
    };
  };
}

const common = {
  method: "GET",
  versions: BOTH,
  family: "directory",
  permissions: [P.authenticationStrengths],
  section: "authenticationStrengthPolicies",
} as const;

export const strengthRoutes: RouteDef[] = [
  ...collectionRoutes({
    path: asp,
    context: "policies/authenticationStrengthPolicies",
    permissions: P.authenticationStrengths,
    section: "authenticationStrengthPolicies",
    spec: AUTH_STRENGTH_SPEC,
    source: (ctx) => ctx.store.authenticationStrengthPolicies,
    view: strengthView,
    notFoundCode: "itemNotFound",
    doc: {
      list: {
        query:
          "$select, $filter (policyType eq; id eq; displayName eq/startsWith; allowedCombinations/any(x: x has 'a, b') or eq); combinationConfigurations inline",
        page: "all in one page",
      },
    },
  }),
  {
    ...common,
    pattern: `${asp}/{id}/combinationConfigurations`,
    doc: { query: "$select" },
    handle(ctx) {
      const s = ctx.store.authenticationStrengthPolicies.get(ctx.params.id!);
      if (!s) return notFound(ctx.req, ctx.params.id!, "itemNotFound");
      const items = Array.isArray(s.combinationConfigurations) ? (s.combinationConfigurations as Wire[]) : [];
      return listResponse(
        ctx.req,
        {
          ...COMBINATION_CONFIG_SPEC,
          context: `policies/authenticationStrengthPolicies(${quoteKey(s.id)})/combinationConfigurations`,
        },
        items,
        { view: (e) => e },
      );
    },
  },
  {
    ...common,
    pattern: `${asp}/{id}/usage`,
    doc: {
      query: "none; { mfa: [...], none: [...] } computed from the CA policies that reference the strength",
    },
    handle(ctx) {
      const s = ctx.store.authenticationStrengthPolicies.get(ctx.params.id!);
      if (!s) return notFound(ctx.req, ctx.params.id!, "itemNotFound");
      const users = ctx.store.conditionalAccessPolicies.list().filter((p) => {
        const id = (
          (p.grantControls as Wire | null | undefined)?.authenticationStrength as
            { id?: string } | null | undefined
        )?.id;
        return typeof id === "string" && id.toLowerCase() === s.id.toLowerCase();
      });
      // Policies referencing a strength that satisfies MFA require the MFA claim (Graph's authenticationStrengthUsage reference)
      const mfa = s.requirementsSatisfied === "mfa" || s.requirementsSatisfied === undefined;
      const view = caPolicyView(ctx);
      const bucket = users.map((p) => view(p));
      return {
        status: 200,
        headers: jsonHeaders(),
        body: {
          "@odata.context": `${metadataUrl(ctx.req)}#microsoft.graph.authenticationStrengthUsage`,
          mfa: mfa ? bucket : [],
          none: mfa ? [] : bucket,
        },
      };
    },
  },
  ...strengthWriteRoutes(),
];

// ---------------------------------------------------------------- writes (handlers in ../writes/)

function strengthWriteRoutes(): RouteDef[] {
  const routes: RouteDef[] = [];
  for (const prefix of [
    "/policies/authenticationStrengthPolicies",
    "/identity/conditionalAccess/authenticationStrength/policies",
  ]) {
    routes.push(
      writeRoute(
        "POST",
        prefix,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.createStrength,
        "none; server-assigned ids; invalid combination → 400 badRequest",
      ),
      writeRoute(
        "PATCH",
        `${prefix}/{id}`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.updateStrength,
        "none; displayName, description only",
      ),
      writeRoute(
        "DELETE",
        `${prefix}/{id}`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.deleteStrength,
        "none; refused while a policy references it",
      ),
      writeRoute(
        "POST",
        `${prefix}/{id}/updateAllowedCombinations`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.updateAllowedCombinations,
        "none; 200 updateAllowedCombinationsResult",
      ),
      writeRoute(
        "POST",
        `${prefix}/{id}/combinationConfigurations`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.createCombinationConfiguration,
        "none; @odata.type and appliesToCombinations required; 201 with a server id",
      ),
      writeRoute(
        "PATCH",
        `${prefix}/{id}/combinationConfigurations/{configId}`,
        "authenticationStrengthPolicies",
        pol.strengthWritePermissions,
        pol.updateCombinationConfiguration,
        "none; @odata.type required; 204",
      ),
    );
  }
  return routes;
}
