/**
 * Conditional Access policy writes (docs/graph-writes.md 6): Graph's validation (users and
 * applications required, known controls, an existing strength), the 195-policy limit, PATCH
 * replacing arrays whole.
 */
import type { Entity } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  badRequest,
  bodyOf,
  created,
  fail,
  isPlainObject,
  isResponse,
  mergePatch,
  newId,
  noContent,
  state,
  type Body,
  type WriteContext,
} from "./common.js";

// ------------------------------------------------------------------------ Conditional Access policies

/** docs/graph-writes.md 6.1: create and update need Application.Read.All as well (a documented quirk). */
export const caWritePermissions = [
  ["Policy.Read.All"],
  ["Policy.ReadWrite.ConditionalAccess"],
  ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"],
];
export const caDeletePermissions = [["Policy.Read.All"], ["Policy.ReadWrite.ConditionalAccess"]];

/** docs/graph-writes.md 6.1: counted over every state. */
export const MAX_CA_POLICIES = 195;

const CA_PROPS = new Set([
  "displayName",
  "state",
  "conditions",
  "grantControls",
  "sessionControls",
  "description",
  "templateId",
  "id",
  "createdDateTime",
  "modifiedDateTime",
]);
const CONDITION_PROPS = new Set([
  "users",
  "applications",
  "clientApplications",
  "clientAppTypes",
  "platforms",
  "locations",
  "devices",
  "signInRiskLevels",
  "userRiskLevels",
  "servicePrincipalRiskLevels",
  "insiderRiskLevels",
  "authenticationFlows",
  "times",
  "deviceStates",
  "agentIdRiskLevels",
]);
const USER_CONDITION_PROPS = new Set([
  "includeUsers",
  "excludeUsers",
  "includeGroups",
  "excludeGroups",
  "includeRoles",
  "excludeRoles",
  "includeGuestsOrExternalUsers",
  "excludeGuestsOrExternalUsers",
]);
const STATES = new Set(["enabled", "disabled", "enabledForReportingButNotEnforced"]);

/** The schema error of docs/graph-writes.md 0.2 (code "BadRequest", message "1007: …"). */
const schemaError = (ctx: WriteContext) =>
  badRequest(
    ctx,
    "1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For examples, please see API documentation at https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0.",
    "BadRequest",
  );

/** Unknown property names are fatal (docs/graph-writes.md 6.3). */
function matchesSchema(body: Body): boolean {
  if (Object.keys(body).some((k) => !k.startsWith("@odata.") && !CA_PROPS.has(k))) return false;
  const conditions = body.conditions;
  if (conditions === undefined || conditions === null) return true;
  if (!isPlainObject(conditions)) return false;
  if (Object.keys(conditions).some((k) => !k.startsWith("@odata.") && !CONDITION_PROPS.has(k))) return false;
  const users = conditions.users;
  if (users === undefined || users === null) return true;
  if (!isPlainObject(users)) return false;
  return Object.entries(users).every(
    ([k, v]) =>
      k.startsWith("@odata.") ||
      (USER_CONDITION_PROPS.has(k) &&
        (k.endsWith("GuestsOrExternalUsers") ? v === null || isPlainObject(v) : Array.isArray(v))),
  );
}

const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

/** The validation a stored policy must pass (after a PATCH merge too). */
function validatePolicy(ctx: WriteContext, p: Body): GraphResponse | undefined {
  if (typeof p.displayName !== "string" || p.displayName.trim() === "") {
    return badRequest(ctx, "1010: displayName is required.", "BadRequest");
  }
  if (!STATES.has(String(p.state))) {
    return badRequest(ctx, `1010: Invalid state '${String(p.state)}'.`, "BadRequest");
  }
  const conditions = (p.conditions ?? {}) as Body;
  const users = (conditions.users ?? {}) as Body;
  const workload = isPlainObject(conditions.clientApplications);
  const targetsUsers =
    nonEmpty(users.includeUsers) ||
    nonEmpty(users.includeGroups) ||
    nonEmpty(users.includeRoles) ||
    isPlainObject(users.includeGuestsOrExternalUsers);
  // a policy must say whom it applies to (docs/graph-writes.md 6.1); workload-identity policies name apps instead
  if (!targetsUsers && !workload) {
    return badRequest(
      ctx,
      "1011: The policy must include users, groups, roles or guests (conditions.users), or workload identities.",
      "BadRequest",
    );
  }
  const apps = (conditions.applications ?? {}) as Body;
  if (
    !nonEmpty(apps.includeApplications) &&
    !nonEmpty(apps.includeUserActions) &&
    !nonEmpty(apps.includeAuthenticationContextClassReferences) &&
    !isPlainObject(apps.applicationFilter)
  ) {
    return badRequest(
      ctx,
      "1012: The policy must include applications, user actions or authentication contexts.",
      "BadRequest",
    );
  }
  const grant = p.grantControls as Body | null | undefined;
  const strength = grant?.authenticationStrength as Body | null | undefined;
  if (strength) {
    const id = String(strength.id ?? "");
    if (!ctx.store.authenticationStrengthPolicies.get(id)) {
      return badRequest(ctx, `1013: The authentication strength '${id}' does not exist.`, "BadRequest");
    }
  }
  if (!grant && !p.sessionControls) {
    return badRequest(ctx, "1014: The policy must have grant controls or session controls.", "BadRequest");
  }
  return undefined;
}

/** Strength references are stored as `{ id }` and read back expanded (docs/graph-writes.md E12). */
function storeStrengthRef(p: Body): void {
  const grant = p.grantControls as Body | null | undefined;
  const strength = grant?.authenticationStrength as Body | null | undefined;
  if (grant && strength && typeof strength.id === "string")
    grant.authenticationStrength = { id: strength.id };
}

export function createCaPolicy(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  if (!matchesSchema(body)) return schemaError(ctx);
  const policy: Entity = {
    ...structuredClone(body),
    id: newId(),
    templateId: body.templateId ?? null,
    createdDateTime: state(ctx).nowIso(),
    modifiedDateTime: null,
  };
  for (const k of Object.keys(policy)) if (k.startsWith("@odata.")) delete policy[k];
  policy.description ??= null;
  policy.sessionControls ??= null;
  const invalid = validatePolicy(ctx, policy);
  if (invalid) return invalid;
  const count =
    ctx.store.conditionalAccessPolicies.size +
    state(ctx).pendingIn(ctx.store.conditionalAccessPolicies).length;
  if (count >= MAX_CA_POLICIES) {
    return badRequest(
      ctx,
      `1021: The tenant has reached the limit of ${MAX_CA_POLICIES} Conditional Access policies.`,
      "BadRequest",
    );
  }
  storeStrengthRef(policy);
  state(ctx).create(ctx.store.conditionalAccessPolicies, policy);
  return created(ctx, "identity/conditionalAccess/policies", policy);
}

export function updateCaPolicy(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  // a PATCH builds on the newest version, even one other requests do not see yet
  const policy = state(ctx).latest(ctx.store.conditionalAccessPolicies, ctx.params.id!);
  if (!policy) return fail(ctx, 404, "itemNotFound", `Policy '${ctx.params.id}' was not found.`);
  if (!matchesSchema(body)) return schemaError(ctx);
  const next = structuredClone(policy);
  const { id: _id, createdDateTime: _c, modifiedDateTime: _m, ...changes } = body;
  mergePatch(next, changes);
  const invalid = validatePolicy(ctx, next);
  if (invalid) return invalid;
  storeStrengthRef(next);
  next.modifiedDateTime = state(ctx).nowIso();
  state(ctx).replace(ctx.store.conditionalAccessPolicies, next);
  return noContent();
}

export function deleteCaPolicy(ctx: WriteContext): GraphResponse {
  const policy = ctx.store.conditionalAccessPolicies.get(ctx.params.id!);
  if (!policy) return fail(ctx, 404, "itemNotFound", `Policy '${ctx.params.id}' was not found.`);
  ctx.store.conditionalAccessPolicies.remove(policy.id);
  state(ctx).forget(ctx.store.conditionalAccessPolicies, policy.id);
  ctx.store.touch();
  return noContent();
}
