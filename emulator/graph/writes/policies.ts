/**
 * Policy writes (docs/graph-writes.md 5-7): authentication strengths, Conditional Access policies, and
 * the authentication methods policy with its method configurations.
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
  ok,
  state,
  type Body,
  type WriteContext,
} from "./common.js";

// ------------------------------------------------------------------------- authentication strengths

export const strengthWritePermissions = [
  ["Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.AuthenticationMethod"],
];

/** The combinations an authentication strength accepts (authenticationMethodModes), and the single-factor ones. */
const VALID_COMBINATIONS = new Set([
  "windowsHelloForBusiness",
  "fido2",
  "x509CertificateMultiFactor",
  "deviceBasedPush",
  "temporaryAccessPassOneTime",
  "temporaryAccessPassMultiUse",
  "password,microsoftAuthenticatorPush",
  "password,softwareOath",
  "password,hardwareOath",
  "password,sms",
  "password,voice",
  "federatedMultiFactor",
  "microsoftAuthenticatorPush,federatedSingleFactor",
  "softwareOath,federatedSingleFactor",
  "hardwareOath,federatedSingleFactor",
  "sms,federatedSingleFactor",
  "voice,federatedSingleFactor",
  "federatedSingleFactor",
  "x509CertificateSingleFactor",
  "sms",
  "password",
  "qrCodePin",
]);
const SINGLE_FACTOR = new Set([
  "federatedSingleFactor",
  "x509CertificateSingleFactor",
  "sms",
  "password",
  "qrCodePin",
]);

const normalize = (c: string) =>
  c
    .split(",")
    .map((x) => x.trim())
    .join(",");

function checkCombinations(ctx: WriteContext, value: unknown): string[] | GraphResponse {
  if (!Array.isArray(value) || value.length === 0 || value.some((c) => typeof c !== "string")) {
    return badRequest(
      ctx,
      "allowedCombinations is required: a non-empty list of combinations.",
      "badRequest",
    );
  }
  const combos = (value as string[]).map(normalize);
  const invalid = combos.filter((c) => !VALID_COMBINATIONS.has(c));
  if (invalid.length) {
    // docs/graph-writes.md 0.2: lower-case "badRequest", the combinations in PascalCase
    const shown = invalid.map((c) =>
      c.replace(/(^|,)([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase()),
    );
    return badRequest(
      ctx,
      `Invalid authentication method mode combination(s): ${shown.join(", ")}`,
      "badRequest",
    );
  }
  return [...new Set(combos)];
}

const requirementsOf = (combos: string[]) => (combos.some((c) => SINGLE_FACTOR.has(c)) ? "none" : "mfa");

function combinationConfigs(ctx: WriteContext, raw: unknown, combos: string[]): Body[] | GraphResponse {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return badRequest(ctx, "combinationConfigurations must be a list.", "badRequest");
  const out: Body[] = [];
  for (const c of raw as Body[]) {
    if (!isPlainObject(c) || typeof c["@odata.type"] !== "string") {
      return badRequest(ctx, "Each combination configuration needs its @odata.type.", "badRequest");
    }
    const applies = Array.isArray(c.appliesToCombinations) ? (c.appliesToCombinations as string[]) : [];
    if (applies.length === 0 || applies.some((a) => !combos.includes(normalize(a)))) {
      return badRequest(ctx, "appliesToCombinations must name combinations of the strength.", "badRequest");
    }
    // the server assigns its own ids (docs/graph-writes.md 5.1)
    out.push({ ...structuredClone(c), id: newId() });
  }
  return out;
}

export function createStrength(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  if (typeof body.displayName !== "string" || body.displayName.trim() === "") {
    return badRequest(ctx, "displayName is required.", "badRequest");
  }
  const combos = checkCombinations(ctx, body.allowedCombinations);
  if (isResponse(combos)) return combos;
  const configs = combinationConfigs(ctx, body.combinationConfigurations, combos);
  if (isResponse(configs)) return configs;
  const now = state(ctx).nowIso();
  const strength: Entity = {
    id: newId(),
    createdDateTime: now,
    modifiedDateTime: now,
    displayName: body.displayName,
    description: typeof body.description === "string" ? body.description : "",
    policyType: "custom",
    requirementsSatisfied: requirementsOf(combos),
    allowedCombinations: combos,
    combinationConfigurations: configs,
  };
  state(ctx).create(ctx.store.authenticationStrengthPolicies, strength);
  return created(ctx, "policies/authenticationStrengthPolicies", strength);
}

function customStrength(ctx: WriteContext): Entity | GraphResponse {
  const s = ctx.store.authenticationStrengthPolicies.get(ctx.params.id!);
  if (!s) return fail(ctx, 404, "itemNotFound", `Authentication strength '${ctx.params.id}' was not found.`);
  if (s.policyType === "builtIn") {
    return badRequest(ctx, "Built-in authentication strengths cannot be changed.", "badRequest");
  }
  return s;
}

export function updateStrength(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const s = customStrength(ctx);
  if (isResponse(s)) return s;
  for (const k of Object.keys(body)) {
    if (k.startsWith("@odata.")) continue;
    if (!["displayName", "description"].includes(k)) {
      return badRequest(
        ctx,
        k === "allowedCombinations"
          ? "allowedCombinations can only be changed with the updateAllowedCombinations action."
          : `Property '${k}' cannot be updated.`,
        "badRequest",
      );
    }
  }
  mergePatch(s, body);
  s.modifiedDateTime = state(ctx).nowIso();
  ctx.store.touch();
  return noContent();
}

/** CA policies that reference a strength. */
function referencingPolicies(ctx: WriteContext, strengthId: string): string[] {
  return ctx.store.conditionalAccessPolicies
    .list()
    .filter(
      (p) =>
        String(
          ((p.grantControls as Body | null)?.authenticationStrength as Body | null)?.id ?? "",
        ).toLowerCase() === strengthId.toLowerCase(),
    )
    .map((p) => p.id);
}

/** POST …/{id}/updateAllowedCombinations → 200 updateAllowedCombinationsResult (docs/graph-writes.md 5.2). */
export function updateAllowedCombinations(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const s = customStrength(ctx);
  if (isResponse(s)) return s;
  const combos = checkCombinations(ctx, body.allowedCombinations);
  if (isResponse(combos)) return combos;
  const previous = (s.allowedCombinations as string[] | undefined) ?? [];
  s.allowedCombinations = combos;
  s.requirementsSatisfied = requirementsOf(combos);
  // configurations of combinations no longer allowed go with them
  s.combinationConfigurations = ((s.combinationConfigurations as Body[] | undefined) ?? []).filter((c) =>
    ((c.appliesToCombinations as string[] | undefined) ?? []).some((a) => combos.includes(a)),
  );
  s.modifiedDateTime = state(ctx).nowIso();
  ctx.store.touch();
  return ok(ctx, "microsoft.graph.updateAllowedCombinationsResult", {
    // the service warns when the change lowers the security of the policies using the strength
    additionalInformation: combos.some((c) => SINGLE_FACTOR.has(c))
      ? "The new combinations lower the security of the policies that use this strength."
      : null,
    conditionalAccessReferences: referencingPolicies(ctx, s.id),
    currentCombinations: combos,
    previousCombinations: previous,
  });
}

/** POST …/{id}/combinationConfigurations: a new configuration (server id) for combinations of the strength. */
export function createCombinationConfiguration(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const s = customStrength(ctx);
  if (isResponse(s)) return s;
  const configs = combinationConfigs(ctx, [body], (s.allowedCombinations as string[] | undefined) ?? []);
  if (isResponse(configs)) return configs;
  const config = configs[0]!;
  const existing = (s.combinationConfigurations as Body[] | undefined) ?? [];
  const applies = (config.appliesToCombinations as string[]).map(normalize);
  if (
    existing.some((c) =>
      ((c.appliesToCombinations as string[] | undefined) ?? []).some((a) => applies.includes(a)),
    )
  ) {
    return badRequest(
      ctx,
      "A combination configuration already exists for these combinations.",
      "badRequest",
    );
  }
  s.combinationConfigurations = [...existing, config];
  s.modifiedDateTime = state(ctx).nowIso();
  ctx.store.touch();
  return created(ctx, `policies/authenticationStrengthPolicies('${s.id}')/combinationConfigurations`, config);
}

/** PATCH …/{id}/combinationConfigurations/{configId}: allowedAAGUIDs (and appliesToCombinations). */
export function updateCombinationConfiguration(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const s = customStrength(ctx);
  if (isResponse(s)) return s;
  const configs = (s.combinationConfigurations as Body[] | undefined) ?? [];
  const config = configs.find((c) => String(c.id).toLowerCase() === ctx.params.configId!.toLowerCase());
  if (!config)
    return fail(
      ctx,
      404,
      "itemNotFound",
      `Combination configuration '${ctx.params.configId}' was not found.`,
    );
  if (typeof body["@odata.type"] !== "string" || body["@odata.type"] !== config["@odata.type"]) {
    return badRequest(
      ctx,
      "The @odata.type of the combination configuration is required and must match.",
      "badRequest",
    );
  }
  mergePatch(config, body);
  s.modifiedDateTime = state(ctx).nowIso();
  ctx.store.touch();
  return noContent();
}

export function deleteStrength(ctx: WriteContext): GraphResponse {
  const s = customStrength(ctx);
  if (isResponse(s)) return s;
  const refs = referencingPolicies(ctx, s.id);
  if (refs.length) {
    return badRequest(
      ctx,
      `The authentication strength is used by Conditional Access policies (${refs.join(", ")}) and cannot be deleted.`,
      "badRequest",
    );
  }
  ctx.store.authenticationStrengthPolicies.remove(s.id);
  ctx.store.touch();
  return noContent();
}

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
