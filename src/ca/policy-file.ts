/**
 * Policy files for `ca check-change`: the Conditional Access policies a pipeline holds as code, in
 * either of the two shapes people export them in.
 *
 * - Graph JSON (`GET identity/conditionalAccess/policies`): one policy, a list, or `{ "value": [...] }`.
 * - Graph PowerShell's `Get-MgIdentityConditionalAccessPolicy | ConvertTo-Json -Depth 10`: the SDK's
 *   objects serialised with their .NET property names (`DisplayName`, `Conditions.Users.IncludeUsers`,
 *   `GrantControls.BuiltInControls`), every unset property written as null, and what the SDK has no
 *   property for (`@odata.type`, `authenticationStrength@odata.context`) in an `AdditionalProperties`
 *   object at the level it belongs to. Windows PowerShell 5.1 also writes a one-item list as the item
 *   itself when an object went through ConvertFrom-Json first, and an unset list as "". An object
 *   whose every property is null (`ApplicationFilter: { Mode: null, Rule: null }`) is an unset one.
 *
 * The PowerShell form is turned into Graph's, then both are validated the same way (validate.ts):
 * a policy the engine cannot read is refused with the field it trips on, named as the file names it.
 */
import { asObject, isJsonObject, type JsonObject } from "../snapshot/json.js";
import { readPolicy } from "./validate.js";

/** Graph's collection-valued properties of a policy: a bare string or "" there is a PowerShell list. */
const LIST_PROPERTIES = new Set([
  "includeUsers",
  "excludeUsers",
  "includeGroups",
  "excludeGroups",
  "includeRoles",
  "excludeRoles",
  "includeApplications",
  "excludeApplications",
  "includeUserActions",
  "includeAuthenticationContextClassReferences",
  "includeServicePrincipals",
  "excludeServicePrincipals",
  "clientAppTypes",
  "includePlatforms",
  "excludePlatforms",
  "includeLocations",
  "excludeLocations",
  "signInRiskLevels",
  "userRiskLevels",
  "servicePrincipalRiskLevels",
  "builtInControls",
  "customAuthenticationFactors",
  "termsOfUse",
  "allowedCombinations",
  "combinationConfigurations",
  "allowedAAGUIDs",
  "appliesToCombinations",
  "members",
  "excludeStates",
]);

/** Properties only the SDK's PowerShell objects carry at a policy's top level. */
const POWERSHELL_MARKERS = ["DisplayName", "State", "Conditions", "GrantControls", "AdditionalProperties"];

export class PolicyFileError extends Error {}

/** Whether a policy object is in the PowerShell (.NET property name) form. */
export function isPowerShellForm(policy: JsonObject): boolean {
  return POWERSHELL_MARKERS.some((k) => k in policy);
}

/** `DisplayName` -> `displayName`; `@odata.type` and already camelCase names stay. */
const graphName = (key: string): string => (/^[A-Z]/.test(key) ? key[0]!.toLowerCase() + key.slice(1) : key);

/** Graph's name -> the name the PowerShell form writes, to name a field as the file holds it. */
const powerShellName = (key: string): string =>
  /^[a-z]/.test(key) ? key[0]!.toUpperCase() + key.slice(1) : key;

function fromPowerShell(value: unknown, name?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => fromPowerShell(v));
  if (!isJsonObject(value)) {
    if (name && LIST_PROPERTIES.has(name)) {
      if (value === "") return [];
      if (typeof value === "string") return [value];
    }
    return value;
  }
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "AdditionalProperties" || key === "additionalProperties") continue;
    const k = graphName(key);
    const converted = fromPowerShell(v, k);
    // The SDK writes every unset property as null, and an unset object as one of nulls: Graph
    // leaves both out (or null), which the engine reads alike.
    if (converted !== null) out[k] = converted;
  }
  // What the SDK has no property for sits in AdditionalProperties; a property of its own wins.
  const extra = value.AdditionalProperties ?? value.additionalProperties;
  if (isJsonObject(extra))
    for (const [key, v] of Object.entries(extra))
      if (!(graphName(key) in out)) out[graphName(key)] = fromPowerShell(v, graphName(key));
  return Object.keys(out).length === 0 && Object.keys(value).length > 0 ? null : out;
}

/** The policies of one file's parsed JSON, in Graph's shape; throws PolicyFileError naming the field. */
export function policiesFromDocument(doc: unknown, file: string): JsonObject[] {
  const list: unknown[] = Array.isArray(doc)
    ? doc
    : isJsonObject(doc) && Array.isArray(doc.value)
      ? doc.value
      : isJsonObject(doc) && Array.isArray(doc.Value)
        ? doc.Value
        : [doc];
  if (list.length === 0) throw new PolicyFileError(`${file}: holds no policy (an empty list)`);
  return list.map((item, i) => {
    const where = list.length > 1 ? ` policy ${i + 1}` : "";
    if (!isJsonObject(item))
      throw new PolicyFileError(
        `${file}${where}: not a conditionalAccessPolicy: expected a JSON object, got ${item === null ? "null" : Array.isArray(item) ? "a list" : typeof item}`,
      );
    const powerShell = isPowerShellForm(item);
    const policy = powerShell ? (asObject(fromPowerShell(item)) ?? {}) : item;
    const { problems } = readPolicy(policy);
    if (problems.length) {
      const id = typeof policy.id === "string" ? ` (${policy.id})` : "";
      const named = powerShell
        ? problems.map((p) => {
            const colon = p.indexOf(": ");
            return colon < 0
              ? p
              : p.slice(0, colon).split(".").map(powerShellName).join(".") + p.slice(colon);
          })
        : problems;
      throw new PolicyFileError(
        `${file}${where}${id}: not a valid conditionalAccessPolicy${powerShell ? " (Graph PowerShell form)" : ""}: ${named.join("; ")}`,
      );
    }
    return policy;
  });
}
