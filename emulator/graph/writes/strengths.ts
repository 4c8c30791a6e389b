/**
 * Authentication strength writes (docs/graph-writes.md 5): custom strengths, their allowed
 * combinations and combination configurations; a strength a policy uses cannot be deleted.
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
