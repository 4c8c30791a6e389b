/**
 * The step contract between the pure planner (src/deploy/*) and the write executor (src/graph/write*).
 *
 * A plan is an ordered list of steps. Each step is ONE request to Microsoft Graph or Azure Resource
 * Manager, fully spelled out at plan time (method, url, body), so a reader of the plan sees every
 * request before it is sent and `apply` never decides anything the plan did not show
 * (docs/deploy.md). Only two things are filled in at apply time, both through placeholder strings
 * inside `request.url` / `request.body`:
 *
 * - a reference to an object another step of the same plan creates: `{{ref:<step id>}}` is
 *   replaced by the id the executor obtained for that step (from the 201 body, from the journal, or
 *   from the step's `lookup` when the create's outcome was unknown). A step whose request holds a
 *   reference lists the referenced step in `needs` and is never sent before it is confirmed.
 * - a secret generated at apply time: `{{secret}}` (only in a step whose `secret` is set) is
 *   replaced by a fresh value from a CSPRNG; the value never reaches the plan, the journal or a log.
 *
 * Everything else in a step is plain data, JSON-serialisable, and compared byte for byte when a plan
 * file is checked against a fresh derivation.
 */

/** The monitoring kinds (docs/deploy.md "Monitoring resources"): ARM writes, no change to who gets in. */
const MONITORING = [
  "diagnostics",
  "retention",
  "actionGroup",
  "signinAlert",
  "auditAlerts",
  "sentinel",
] as const;

/** The resource kinds, in apply order (docs/deploy.md "Resources"). */
export const RESOURCE_KINDS = [
  "accounts",
  "group",
  "strength",
  "policy",
  "exclusions",
  "methods",
  // the monitoring kinds (Azure Resource Manager) do not wait for enrollment: the accounts are
  // watched from the moment they exist
  ...MONITORING,
  "activate",
  "role",
  "au",
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const MONITORING_KINDS: readonly ResourceKind[] = MONITORING;

/** The kinds held by the enrollment gate until every account holds its keys. */
export const ENROLLMENT_GATED_KINDS: readonly ResourceKind[] = ["activate", "role", "au"];

export type StepAction = "create" | "update" | "destroy";

/** What kind of object a step reads or changes (Graph entity names). */
export type ObjectType =
  | "user"
  | "group"
  | "groupMember"
  | "groupOwner"
  | "authenticationStrengthPolicy"
  | "conditionalAccessPolicy"
  | "authenticationMethodConfiguration"
  | "authenticationMethod"
  | "userAuthenticationRequirements"
  | "authorizationPolicy"
  | "registrationEnforcement"
  | "roleAssignment"
  | "roleEligibilitySchedule"
  | "administrativeUnit"
  | "administrativeUnitMember"
  // ARM resources of the monitoring kinds
  | "diagnosticSetting"
  | "workspaceTable"
  | "actionGroup"
  | "scheduledQueryRule"
  | "sentinelAlertRule"
  | "sentinelWatchlist";

/**
 * The object a step is about. `id` is the tenant's object id when the object exists at plan time;
 * `name` is the configured name (a UPN, a display name from `names:`) that finds it again, and is
 * always set for an object the plan creates. `key` is the stable short name used in step ids and
 * fingerprints (e.g. the UPN's local part, a policy's display name).
 */
export interface ObjectRef {
  type: ObjectType;
  key: string;
  id?: string;
  name?: string;
}

/** One changed property, as the plan shows it: `property: old -> new`. Never a secret. */
export interface PropertyChange {
  /** a dotted path, e.g. "conditions.users.excludeGroups". */
  property: string;
  /** the value read from the tenant (undefined: absent; the object does not exist yet). */
  old?: unknown;
  new?: unknown;
}

export type HttpMethod = "POST" | "PATCH" | "DELETE" | "PUT";

/** Which API a request goes to; `url` is relative to its base. */
export type Service = "graph" | "arm";

export interface StepRequest {
  service: Service;
  method: HttpMethod;
  /**
   * Relative to the service's base and including the API version segment for Graph
   * ("/v1.0/users", "/beta/users/{id}/authentication/requirements"); ARM urls carry their
   * `api-version` query parameter. May hold `{{ref:<step id>}}`.
   */
  url: string;
  /** JSON body; absent for DELETE and for bodiless actions. May hold `{{ref:...}}` and `{{secret}}`. */
  body?: unknown;
}

/**
 * How to find again the object a create makes, when its outcome is unknown (a timeout, a dropped
 * connection: look up before create). `url` may hold `{{ref:...}}` like the request. A GET of it returns a Graph
 * collection; exactly one item means the create happened and its `id` is the created id; none means
 * it did not happen and the create may be sent again; more than one is an error for the operator.
 */
export interface StepLookup {
  service: Service;
  url: string;
}

/**
 * The fingerprint of one object as the step saw it at plan time: a hash (sha256 of the canonical
 * JSON) of exactly the properties the step's decision depends on. Apply re-reads the object and
 * refuses the step when the hash differs ("changed since plan"). `hash: "absent"` records that the
 * object did not exist (a create depends on it still not existing).
 */
export interface ObjectFingerprint {
  ref: ObjectRef;
  hash: string;
}

export const ABSENT = "absent";

export interface Step {
  /** unique within a plan: `<kind>.<object key>[.<detail>]`, e.g. "accounts.zq4x8". */
  id: string;
  kind: ResourceKind;
  action: StepAction;
  objectRef: ObjectRef;
  /** one line for the plan, e.g. `create user zq4x8@fabrikamx.onmicrosoft.com`. */
  summary: string;
  changes: PropertyChange[];
  request: StepRequest;
  /** set on a create that makes an object with an id; see StepLookup. */
  lookup?: StepLookup;
  /** steps whose created object this step references (`{{ref:...}}`); they are sent first. */
  needs: string[];
  dependsOn: ObjectFingerprint[];
  /** the check ids this step makes pass (EA-ACC-03, ...). */
  satisfies: string[];
  /** what the step costs or could break, shown under it in the plan. */
  risk?: string;
  /**
   * a secret the executor generates and places at `{{secret}}` in the body ("password": 64
   * characters from a CSPRNG), or one the response carries ("tap": the Temporary Access Pass,
   * shown once by `enroll`, never written).
   */
  secret?: "password" | "tap";
  /** set when a gate holds the step: the reason, shown under `Waiting for enrollment:`. */
  waiting?: string;
}

export const PLAN_SCHEMA = "breakglass.plan/v1";

/** The plan file (schemas/breakglass.plan.schema.json). */
export interface PlanFile {
  schema: typeof PLAN_SCHEMA;
  /** sha256 of the canonical steps, config hash and tenant id: the plan's identity (journal name). */
  id: string;
  createdAt: string;
  tenant: { id: string; displayName?: string | null };
  /** when the snapshot the plan was derived from was read. */
  readAt: string;
  /** sha256 of the canonical JSON of the parsed configuration (defaults filled in). */
  configHash: string;
  /** the `--target` kinds, or every kind. */
  targets: ResourceKind[];
  /** the steps in apply order; waiting steps are included, marked `waiting`. */
  steps: Step[];
  /** object key -> fingerprint hash, for every object any step reads or changes. */
  fingerprints: Record<string, string>;
}

/** `{{ref:<step id>}}`: the id of the object step `stepId` creates, filled in at apply. */
export const refToken = (stepId: string): string => `{{ref:${stepId}}}`;
export const SECRET_TOKEN = "{{secret}}";
const REF = /\{\{ref:([^}]+)\}\}/g;

/** The step ids a value (url or body) references. */
export function referencedSteps(value: unknown): string[] {
  const out = new Set<string>();
  const text = JSON.stringify(value ?? null);
  for (const m of text.matchAll(REF)) out.add(m[1]!);
  return [...out];
}

/**
 * Replaces every `{{ref:...}}` in a url or body with the ids `ids` gives; throws naming the first
 * reference it cannot fill (the executor must never send a request with a placeholder left in it).
 */
export function resolveRefs<T>(
  value: T,
  ids: ReadonlyMap<string, string>,
  /** what an unfilled reference becomes; by default it is an error. */
  unresolved?: (stepId: string) => string,
): T {
  const fill = (s: string): string =>
    s.replace(REF, (_, stepId: string) => {
      const id = ids.get(stepId) ?? unresolved?.(stepId);
      if (id === undefined) throw new Error(`no id yet for step ${stepId} (referenced as {{ref:${stepId}}})`);
      return id;
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return fill(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Whether a step changes the tenant (waiting steps are shown but are not changes). */
export const isChange = (s: Step): boolean => s.waiting === undefined;

/**
 * A setting the emergency access setup needs that Graph offers no API for: the plan shows it with
 * its portal path every time (it can be neither read nor written, so it is never "done"), and it is
 * not a change: `plan --exit-code` ignores it.
 */
export interface ManualStep {
  id: string;
  kind: ResourceKind;
  summary: string;
  /** where a person does it, in the Microsoft Entra admin center. */
  portal: string;
  why: string;
}
