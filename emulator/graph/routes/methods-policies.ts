/** The authentication methods policy (a tenant singleton) and its per-method configurations. */
import { jsonHeaders, metadataUrl, type Wire } from "../odata/query.js";
import { P } from "../permissions.js";
import { BOTH, singletonRoute, writeRoute, type RouteDef } from "./route.js";
import { notFound } from "./support.js";
import * as pol from "../writes/methods-policy.js";

export const methodsPolicyRoutes: RouteDef[] = [
  singletonRoute(
    "/policies/authenticationMethodsPolicy",
    P.authenticationMethodsPolicy,
    "authenticationMethodsPolicy",
    "authenticationMethodsPolicy",
    (s) => s.authenticationMethodsPolicy,
    (ctx, e) => ({
      id: "authenticationMethodsPolicy",
      ...e,
      "authenticationMethodConfigurations@odata.context": `${metadataUrl(ctx.req)}#policies/authenticationMethodsPolicy/authenticationMethodConfigurations`,
      authenticationMethodConfigurations: Array.isArray(e.authenticationMethodConfigurations)
        ? e.authenticationMethodConfigurations
        : [],
    }),
  ),
  {
    method: "GET",
    pattern: "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
    versions: BOTH,
    family: "directory",
    permissions: [P.authenticationMethodsPolicy],
    section: "authenticationMethodsPolicy",
    doc: {
      query:
        "none; id is Fido2, MicrosoftAuthenticator, Sms, Voice, Email, TemporaryAccessPass, SoftwareOath, HardwareOath, X509Certificate",
    },
    handle(ctx) {
      const configs = ctx.store.authenticationMethodsPolicy?.authenticationMethodConfigurations;
      const c = Array.isArray(configs)
        ? (configs as Wire[]).find((x) => String(x.id).toLowerCase() === ctx.params.id!.toLowerCase())
        : undefined;
      if (!c) return notFound(ctx.req, ctx.params.id!, "itemNotFound");
      return {
        status: 200,
        headers: jsonHeaders(),
        body: {
          "@odata.context": `${metadataUrl(ctx.req)}#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity`,
          ...c,
        },
      };
    },
  },
  ...methodsPolicyWriteRoutes(),
];

// ---------------------------------------------------------------- writes (handlers in ../writes/)

function methodsPolicyWriteRoutes(): RouteDef[] {
  return [
    writeRoute(
      "PATCH",
      "/policies/authenticationMethodsPolicy",
      "authenticationMethodsPolicy",
      pol.methodsPolicyPermissions,
      pol.updateMethodsPolicy,
      "none; 204",
    ),
    writeRoute(
      "PATCH",
      "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
      "authenticationMethodsPolicy",
      pol.methodsPolicyPermissions,
      pol.updateMethodConfiguration,
      "none; @odata.type required; includeTargets replaced whole; unknown fields kept; 204",
    ),
  ];
}
