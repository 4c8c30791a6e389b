/**
 * Authentication methods policy writes (docs/graph-writes.md 7): method configurations with their
 * include and exclude targets, the policy itself, and the authorization policy's SSPR lever.
 */
import type { GraphResponse } from "../types.js";
import {
  badRequest,
  bodyOf,
  fail,
  isPlainObject,
  isResponse,
  mergePatch,
  noContent,
  state,
  type Body,
  type WriteContext,
} from "./common.js";

// ------------------------------------------------------------------ authentication methods policy

export const methodsPolicyPermissions = [["Policy.ReadWrite.AuthenticationMethod"]];

const TARGET_LISTS = ["includeTargets", "excludeTargets"];

function checkTargets(ctx: WriteContext, body: Body): GraphResponse | undefined {
  for (const list of TARGET_LISTS) {
    const v = body[list];
    if (v === undefined) continue;
    if (
      !Array.isArray(v) ||
      (v as Body[]).some(
        (t) => !isPlainObject(t) || typeof t.id !== "string" || typeof t.targetType !== "string",
      )
    ) {
      return badRequest(ctx, `${list} must be a list of { targetType, id }.`, "badRequest");
    }
  }
  return undefined;
}

/** PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id} (docs/graph-writes.md 7.1, 7.2). */
export function updateMethodConfiguration(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const configs = ctx.store.authenticationMethodsPolicy?.authenticationMethodConfigurations;
  const config = Array.isArray(configs)
    ? (configs as Body[]).find((c) => String(c.id).toLowerCase() === ctx.params.id!.toLowerCase())
    : undefined;
  if (!config)
    return fail(
      ctx,
      404,
      "itemNotFound",
      `Authentication method configuration '${ctx.params.id}' was not found.`,
    );
  // @odata.type is mandatory in the body (docs/graph-writes.md E14)
  if (
    typeof body["@odata.type"] !== "string" ||
    body["@odata.type"].replace(/^#/, "") !== String(config["@odata.type"]).replace(/^#/, "")
  ) {
    return badRequest(
      ctx,
      `The @odata.type of the request body must be ${String(config["@odata.type"])}.`,
      "badRequest",
    );
  }
  if (body.state !== undefined && !["enabled", "disabled"].includes(String(body.state))) {
    return badRequest(ctx, `Invalid state '${String(body.state)}'.`, "badRequest");
  }
  const invalid = checkTargets(ctx, body);
  if (invalid) return invalid;
  // unknown fields (passkeyProfiles …) are kept; arrays are replaced whole
  mergePatch(config, body);
  touchMethodsPolicy(ctx);
  return noContent();
}

/** PATCH /policies/authenticationMethodsPolicy: registration campaign and the policy's own settings. */
export function updateMethodsPolicy(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const policy = ctx.store.authenticationMethodsPolicy;
  if (!policy) return fail(ctx, 404, "itemNotFound", "The authentication methods policy was not found.");
  if ("authenticationMethodConfigurations" in body) {
    return badRequest(ctx, "Method configurations are updated through their own endpoint.", "badRequest");
  }
  mergePatch(policy, body);
  touchMethodsPolicy(ctx);
  return noContent();
}

function touchMethodsPolicy(ctx: WriteContext): void {
  if (ctx.store.authenticationMethodsPolicy) {
    ctx.store.authenticationMethodsPolicy.lastModifiedDateTime = state(ctx).nowIso();
  }
  ctx.store.touch();
}

// ------------------------------------------------------------------ authorization policy

/** PATCH /policies/authorizationPolicy needs Policy.ReadWrite.Authorization (nothing lower). */
export const authorizationPolicyPermissions = [["Policy.ReadWrite.Authorization"]];

/** The authorization policy's boolean settings: Graph refuses any other type for them. */
const AUTHORIZATION_BOOLEANS = [
  "allowedToUseSSPR",
  "allowedToSignUpEmailBasedSubscriptions",
  "allowEmailVerifiedUsersToJoinOrganization",
  "allowUserConsentForRiskyApps",
  "blockMsolPowerShell",
];

/**
 * PATCH /policies/authorizationPolicy: `allowedToUseSSPR` is the switch of the administrators'
 * self-service password reset policy (false: no administrator can reset their own password).
 */
export function updateAuthorizationPolicy(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const policy = ctx.store.authorizationPolicy;
  if (!policy) return fail(ctx, 404, "itemNotFound", "The authorization policy was not found.");
  for (const key of ["id", "displayName", "description"])
    if (key in body) return badRequest(ctx, `Property '${key}' is read-only.`, "badRequest");
  for (const key of AUTHORIZATION_BOOLEANS)
    if (key in body && typeof body[key] !== "boolean")
      return badRequest(ctx, `Invalid value for property '${key}': a Boolean is expected.`, "badRequest");
  mergePatch(policy, body);
  ctx.store.touch();
  return noContent();
}
