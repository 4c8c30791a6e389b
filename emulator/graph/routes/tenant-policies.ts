/** Tenant-wide singleton policies: the authorization policy and security defaults. */
import { P } from "../permissions.js";
import { singletonRoute, writeRoute, type RouteDef } from "./route.js";
import * as pol from "../writes/methods-policy.js";

export const tenantPolicyRoutes: RouteDef[] = [
  singletonRoute(
    "/policies/authorizationPolicy",
    P.authorizationPolicy,
    "authorizationPolicy",
    "policies/authorizationPolicy/$entity",
    (s) => s.authorizationPolicy,
    (_c, e) => ({ id: "authorizationPolicy", ...e }),
  ),
  writeRoute(
    "PATCH",
    "/policies/authorizationPolicy",
    "authorizationPolicy",
    pol.authorizationPolicyPermissions,
    pol.updateAuthorizationPolicy,
    "none; id, displayName, description read-only; Boolean settings type-checked; 204",
  ),
  singletonRoute(
    "/policies/identitySecurityDefaultsEnforcementPolicy",
    P.securityDefaults,
    "securityDefaults",
    "policies/identitySecurityDefaultsEnforcementPolicy",
    (s) => s.securityDefaults,
    (_c, e) => ({
      id: "00000000-0000-0000-0000-000000000005",
      displayName: "Security Defaults",
      ...e,
    }),
  ),
];
