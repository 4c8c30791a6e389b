/**
 * strength (docs/deploy.md step 3): a custom authentication strength allowing only `fido2`, named
 * from `names.strength` (or the one the dedicated policy already uses). With
 * `profile.restrictKeyModels` it admits only `keyModels` (or, without them, the enrolled keys'
 * models); otherwise an existing model restriction is kept and widened to the accounts' attested
 * keys, so it never locks out a key an account holds.
 */
import type { Snapshot } from "../snapshot/schema.js";
import { attestedKeys } from "./enrollment.js";
import { PlanInputError } from "./desired.js";
import type { Planning } from "./planning.js";
import type { AccountActual } from "./accounts.js";
import { fingerprint, makeStep, odataString, sameIdSet, stepKey } from "./step.js";
import { type ObjectRef, type PropertyChange, refToken, type Step } from "./types.js";

export const KIND = "strength";
const FIDO2_CONFIG = "#microsoft.graph.fido2CombinationConfiguration";

type Strength = NonNullable<Snapshot["authenticationStrengthPolicies"]>[number];
type Combination = { "@odata.type"?: string; id?: string; allowedAAGUIDs?: string[] | null };

export interface StrengthActual {
  strength?: Strength;
}

/** `names.strength`, else the custom strength the adopted dedicated policy requires. */
export function read(p: Planning, dedicatedStrengthId?: string): StrengthActual {
  const custom = (p.snapshot.authenticationStrengthPolicies ?? []).filter((s) => s.policyType !== "builtIn");
  const name = p.desired.strength.displayName;
  if (name) {
    const matches = custom.filter((s) => s.displayName === name);
    if (matches.length > 1)
      throw new PlanInputError(
        `names.strength: ${matches.length} authentication strengths are named "${name}"; rename one`,
      );
    if (matches[0]) return { strength: matches[0] };
  }
  const used =
    dedicatedStrengthId && custom.find((s) => s.id.toLowerCase() === dedicatedStrengthId.toLowerCase());
  return used ? { strength: used } : {};
}

const fido2Config = (s: Strength | undefined): Combination | undefined =>
  ((s?.combinationConfigurations ?? []) as Combination[]).find((c) => c["@odata.type"] === FIDO2_CONFIG);

/** The models the strength should admit (undefined: any FIDO2 key). */
export function desiredAaguids(
  p: Planning,
  accounts: AccountActual[],
  s: Strength | undefined,
): string[] | undefined {
  const held = [
    ...new Set(accounts.flatMap((a) => attestedKeys(a.user).map((k) => (k.aaGuid ?? "").toLowerCase()))),
  ]
    .filter(Boolean)
    .sort();
  if (p.profile.restrictKeyModels) {
    if (p.profile.keyModels.length)
      return [...new Set(p.profile.keyModels.map((k) => k.toLowerCase()))].sort();
    const allHold = accounts.every((a) => attestedKeys(a.user).length >= p.profile.keysPerAccount);
    return allHold && held.length ? held : undefined;
  }
  const current = fido2Config(s)?.allowedAAGUIDs ?? [];
  if (!current.length) return undefined;
  const have = new Set(current.map((x) => x.toLowerCase()));
  return [...current, ...held.filter((h) => !have.has(h))];
}

export interface StrengthDiff {
  key: string;
  displayName?: string;
  strength?: Strength;
  aaguids?: string[];
  /** allowedCombinations to set (updateAllowedCombinations). */
  combinations?: PropertyChange;
  /** the model restriction to write. */
  models?: PropertyChange & { configId?: string };
}

export const managedStrength = (s: Strength) => ({
  displayName: s.displayName ?? null,
  allowedCombinations: [...(s.allowedCombinations ?? [])].sort(),
  allowedAAGUIDs: [...(fido2Config(s)?.allowedAAGUIDs ?? [])].map((x) => x.toLowerCase()).sort(),
  modifiedDateTime: (s as Record<string, unknown>).modifiedDateTime ?? null,
});

export function diff(p: Planning, actual: StrengthActual, aaguids: string[] | undefined): StrengthDiff {
  const s = actual.strength;
  const displayName = p.desired.strength.displayName ?? s?.displayName ?? undefined;
  const out: StrengthDiff = {
    key: stepKey(displayName ?? s?.id ?? "strength"),
    ...(displayName ? { displayName } : {}),
    ...(aaguids ? { aaguids } : {}),
  };
  if (!s) {
    if (!displayName)
      throw new PlanInputError(
        "names.strength: the emergency authentication strength needs a name (breakglass init writes one)",
      );
    return out;
  }
  out.strength = s;
  const combos = s.allowedCombinations ?? [];
  if (combos.length !== 1 || combos[0] !== "fido2")
    out.combinations = { property: "allowedCombinations", old: combos, new: ["fido2"] };
  const config = fido2Config(s);
  const current = config?.allowedAAGUIDs ?? [];
  if (aaguids && !sameIdSet(current, aaguids))
    out.models = {
      property: "combinationConfigurations.fido2.allowedAAGUIDs",
      old: current,
      new: aaguids,
      ...(config?.id ? { configId: config.id } : {}),
    };
  return out;
}

export const stepId = (d: { key: string }): string => `${KIND}.${d.key}`;
const SATISFIES = ["EA-CA-03"];

export function steps(d: StrengthDiff): Step[] {
  const s = d.strength;
  const objectRef: ObjectRef = {
    type: "authenticationStrengthPolicy",
    key: d.key,
    ...(s ? { id: s.id } : {}),
    ...(d.displayName ? { name: d.displayName } : {}),
  };
  const dependsOn = [fingerprint(objectRef, s ? managedStrength(s) : undefined)];
  const label = `"${d.displayName ?? s?.id}"`;
  if (!s)
    return [
      makeStep({
        id: stepId(d),
        kind: KIND,
        action: "create",
        objectRef,
        summary: `create authentication strength ${label} (FIDO2 security keys only)`,
        changes: [
          { property: "allowedCombinations", new: ["fido2"] },
          ...(d.aaguids
            ? [{ property: "combinationConfigurations.fido2.allowedAAGUIDs", new: d.aaguids }]
            : []),
        ],
        request: {
          method: "POST",
          url: "/v1.0/policies/authenticationStrengthPolicies",
          body: {
            displayName: d.displayName,
            description: "",
            allowedCombinations: ["fido2"],
            ...(d.aaguids
              ? {
                  combinationConfigurations: [
                    {
                      "@odata.type": FIDO2_CONFIG,
                      appliesToCombinations: ["fido2"],
                      allowedAAGUIDs: d.aaguids,
                    },
                  ],
                }
              : {}),
          },
        },
        lookup: `/v1.0/policies/authenticationStrengthPolicies?$filter=displayName eq ${odataString(d.displayName!)}`,
        dependsOn,
        satisfies: SATISFIES,
      }),
    ];
  const out: Step[] = [];
  if (d.combinations)
    out.push(
      makeStep({
        id: `${stepId(d)}.combinations`,
        kind: KIND,
        action: "update",
        objectRef,
        summary: `allow only FIDO2 security keys in strength ${label}`,
        changes: [d.combinations],
        request: {
          method: "POST",
          url: `/v1.0/policies/authenticationStrengthPolicies/${s.id}/updateAllowedCombinations`,
          body: { allowedCombinations: ["fido2"] },
        },
        dependsOn,
        satisfies: SATISFIES,
      }),
    );
  if (d.models) {
    const base = `/v1.0/identity/conditionalAccess/authenticationStrength/policies/${s.id}/combinationConfigurations`;
    const { configId, ...change } = d.models;
    out.push(
      makeStep({
        id: `${stepId(d)}.models`,
        kind: KIND,
        action: "update",
        objectRef,
        summary: `set the key models strength ${label} admits`,
        changes: [change],
        request: configId
          ? {
              method: "PATCH",
              url: `${base}/${configId}`,
              body: { "@odata.type": FIDO2_CONFIG, allowedAAGUIDs: d.models.new },
            }
          : {
              method: "POST",
              url: base,
              body: {
                "@odata.type": FIDO2_CONFIG,
                appliesToCombinations: ["fido2"],
                allowedAAGUIDs: d.models.new,
              },
            },
        dependsOn,
        satisfies: SATISFIES,
      }),
    );
  }
  return out;
}

export const idOf = (d: StrengthDiff): string => (d.strength ? d.strength.id : refToken(stepId(d)));
