/**
 * The plan file `breakglass.plan/v1`: its zod definition (the shipped JSON Schema
 * schemas/breakglass.plan.schema.json is generated from it), reading one back, and comparing it
 * with a fresh derivation. A plan file is never trusted: apply derives the steps again and refuses
 * unless they are exactly the plan's, naming every difference.
 */
import { z } from "zod";
import { canonicalJson, hashOf } from "./canonical.js";
import { PLAN_SCHEMA, type PlanFile, RESOURCE_KINDS, type Step } from "./types.js";

/** Every object's fingerprint, keyed `<type>:<key>` (a create's object: `absent`). */
export function fingerprintsOf(steps: readonly Step[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of steps) for (const f of s.dependsOn) out[`${f.ref.type}:${f.ref.key}`] = f.hash;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export const PLAN_SCHEMA_FILE = "schemas/breakglass.plan.schema.json";

const ObjectRefSchema = z.strictObject({
  type: z.string(),
  key: z.string(),
  id: z.string().optional(),
  name: z.string().optional(),
});
const Service = z.enum(["graph", "arm"]);

export const StepSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(RESOURCE_KINDS),
  action: z.enum(["create", "update", "destroy"]),
  objectRef: ObjectRefSchema,
  summary: z.string(),
  changes: z.array(
    z.strictObject({ property: z.string(), old: z.unknown().optional(), new: z.unknown().optional() }),
  ),
  request: z.strictObject({
    service: Service,
    method: z.enum(["POST", "PATCH", "DELETE", "PUT"]),
    url: z.string().startsWith("/"),
    body: z.unknown().optional(),
  }),
  lookup: z.strictObject({ service: Service, url: z.string().startsWith("/") }).optional(),
  needs: z.array(z.string()),
  dependsOn: z.array(z.strictObject({ ref: ObjectRefSchema, hash: z.string() })),
  satisfies: z.array(z.string()),
  risk: z.string().optional(),
  secret: z.enum(["password", "tap"]).optional(),
  waiting: z.string().optional(),
});

export const PlanFileSchema = z.strictObject({
  schema: z.literal(PLAN_SCHEMA),
  id: z.string().regex(/^[0-9a-f]{32}$/),
  createdAt: z.iso.datetime({ offset: true }),
  tenant: z.strictObject({ id: z.string(), displayName: z.string().nullish() }),
  readAt: z.string(),
  configHash: z.string().regex(/^[0-9a-f]{64}$/),
  targets: z.array(z.enum(RESOURCE_KINDS)),
  steps: z.array(StepSchema),
  fingerprints: z.record(z.string(), z.string()),
});

export function planJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(PlanFileSchema, { target: "draft-7" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: "Breakglass plan file (breakglass.plan/v1)", ...rest };
}

/** A plan file that is not one (bad JSON, wrong shape): exit 2, naming the first problem. */
export class PlanFileError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "PlanFileError";
  }
}

export function parsePlanFile(text: string, source = "plan file"): PlanFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PlanFileError(`${source}: not JSON (${(err as Error).message})`);
  }
  const r = PlanFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new PlanFileError(`${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return r.data as PlanFile;
}

/** The id a plan's content gives it (planFile computes it the same way). */
export const planIdOf = (p: Pick<PlanFile, "steps" | "configHash" | "tenant" | "targets">): string =>
  hashOf({ steps: p.steps, configHash: p.configHash, tenant: p.tenant.id, targets: p.targets }).slice(0, 32);

export interface FreshDerivation {
  tenantId: string;
  configHash: string;
  steps: readonly Step[];
}

/**
 * Every difference between a plan file and a fresh derivation, one line each naming the step or
 * object; empty when they are exactly equal (then, and only then, the plan may be applied).
 */
export function comparePlan(plan: PlanFile, fresh: FreshDerivation): string[] {
  const out: string[] = [];
  if (planIdOf(plan) !== plan.id) out.push("the plan's content does not match its id (the file was edited)");
  if (canonicalJson(fingerprintsOf(plan.steps)) !== canonicalJson(plan.fingerprints))
    out.push("the plan's fingerprints do not match its steps (the file was edited)");
  if (plan.tenant.id.toLowerCase() !== fresh.tenantId.toLowerCase())
    out.push(`the plan is for tenant ${plan.tenant.id}, this is tenant ${fresh.tenantId}`);
  if (plan.configHash !== fresh.configHash) out.push("the configuration changed since the plan was made");
  const freshById = new Map(fresh.steps.map((s) => [s.id, s]));
  const planIds = new Set(plan.steps.map((s) => s.id));
  for (const s of plan.steps) {
    const now = freshById.get(s.id);
    if (!now) {
      out.push(`step ${s.id} (${s.summary}) is no longer needed or no longer the same step`);
      continue;
    }
    if (canonicalJson(s) === canonicalJson(now)) continue;
    const changedObjects = s.dependsOn
      .filter((f) => {
        const g = now.dependsOn.find((x) => x.ref.type === f.ref.type && x.ref.key === f.ref.key);
        return !g || g.hash !== f.hash;
      })
      .map((f) => `${f.ref.type} ${f.ref.name ?? f.ref.id ?? f.ref.key}`);
    if (changedObjects.length) out.push(`step ${s.id}: ${changedObjects.join(", ")} changed since the plan`);
    const fields = (Object.keys({ ...s, ...now }) as Array<keyof Step>).filter(
      (k) => k !== "dependsOn" && canonicalJson(s[k]) !== canonicalJson(now[k]),
    );
    if (fields.length) out.push(`step ${s.id}: ${fields.join(", ")} differ from a fresh derivation`);
  }
  for (const s of fresh.steps)
    if (!planIds.has(s.id)) out.push(`step ${s.id} (${s.summary}) is needed now but is not in the plan`);
  if (!out.length) {
    const a = plan.steps.map((s) => s.id).join("\n");
    const b = fresh.steps.map((s) => s.id).join("\n");
    if (a !== b) out.push("the steps are the same but in another order");
  }
  return out;
}
