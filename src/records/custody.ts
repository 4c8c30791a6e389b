/**
 * The custody registry (`custody.yaml` beside the configuration, docs/drills.md): who holds each
 * emergency key, each PIN envelope and each password half, where (as opaque location labels whose
 * meaning is written only in the sealed binder), the runbook's location and readers, and the last
 * review. People write it; Breakglass validates it like the configuration (errors name the key
 * path, exit 2) and grades it (EA-OPS-02..04). The JSON Schema is shipped as
 * schemas/breakglass.custody.schema.json.
 */
import { parseDocument, stringify } from "yaml";
import { z } from "zod";
import { ConfigError, describeIssues, parseYaml } from "../config/load.js";

export const CUSTODY_DOCUMENT = "custody.yaml";
export const CUSTODY_SCHEMA_FILE = "schemas/breakglass.custody.schema.json";

/** A calendar date or a date-time; YAML's unquoted dates arrive as Date objects and are accepted. */
const day = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/, "a date (YYYY-MM-DD)"),
);
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `site-a/safe-2`: a label, not an address. Its meaning lives in the sealed binder only. */
const location = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/,
    "an opaque label such as site-a/safe-2 (letters, digits, . _ / -)",
  );
const custodianNames = z.array(z.string().min(1)).min(1);

export const Custodian = z.strictObject({
  name: z.string().min(1).max(128),
  contact: z.string().max(256).optional(),
  since: day,
  /** the day the person stops being a custodian (left, moved role); absent: current. */
  until: day.nullish(),
  /** the last training on the emergency procedure. */
  trainedOn: day.nullish(),
});

export const CustodyKey = z.strictObject({
  label: z.string().min(1).max(64),
  /** the emergency account (userPrincipalName or object id) the key is enrolled on. */
  account: z.string().min(1),
  /** the FIDO2 method id as enrolled (Graph fido2AuthenticationMethod.id). */
  methodId: z.string().min(1).optional(),
  aaGuid: z.string().regex(guid, "an AAGUID (GUID)").optional(),
  model: z.string().max(128).optional(),
  location,
  custodians: custodianNames,
});

export const PinEnvelope = z.strictObject({
  /** the label of the key this PIN unlocks. */
  key: z.string().min(1),
  location,
  custodians: custodianNames,
});

export const PasswordHalf = z.strictObject({
  account: z.string().min(1),
  half: z.union([z.literal(1), z.literal(2)]),
  location,
  custodian: z.string().min(1),
});

export const Custody = z.strictObject({
  custodians: z.array(Custodian).default([]),
  keys: z.array(CustodyKey).default([]),
  pins: z.array(PinEnvelope).default([]),
  passwordHalves: z.array(PasswordHalf).default([]),
  runbook: z
    .strictObject({
      location,
      /** who may read the runbook (custodian names or roles). */
      readers: z.array(z.string().min(1)).default([]),
      /** the day the procedure last changed (training must come after it). */
      changedOn: day.optional(),
    })
    .optional(),
  review: z.strictObject({ date: day, by: z.string().min(1) }).optional(),
});
export type Custody = z.infer<typeof Custody>;
export type CustodyKey = z.infer<typeof CustodyKey>;
export type Custodian = z.infer<typeof Custodian>;

export function custodyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Custody, { io: "input", target: "draft-7" }) as Record<string, unknown>;
  return {
    $id: "https://breakglass.dev/schemas/breakglass.custody.schema.json",
    title: "Breakglass custody registry (custody.yaml)",
    ...generated,
  };
}

/** Parses custody.yaml; every problem is one line naming its key path (a ConfigError, exit 2). */
export function parseCustody(text: string, source = CUSTODY_DOCUMENT): Custody {
  const document = parseYaml(text, source) ?? {};
  if (typeof document !== "object" || Array.isArray(document))
    throw new ConfigError(`${source}: the registry is a mapping (custodians, keys, pins, runbook, review)`);
  const result = Custody.safeParse(document);
  if (!result.success) {
    const issues = describeIssues(result.error, document, custodyJsonSchema());
    throw new ConfigError(`${source}: invalid custody registry:\n  ${issues.join("\n  ")}`, issues);
  }
  const custody = result.data;
  const problems = crossReferenceProblems(custody);
  if (problems.length)
    throw new ConfigError(`${source}: invalid custody registry:\n  ${problems.join("\n  ")}`, problems);
  return custody;
}

/** Names that must refer to something declared elsewhere in the registry. */
function crossReferenceProblems(custody: Custody): string[] {
  const people = new Set(custody.custodians.map((c) => c.name));
  const labels = new Set<string>();
  const out: string[] = [];
  custody.custodians.forEach((c, i) => {
    if (custody.custodians.findIndex((o) => o.name === c.name) !== i)
      out.push(`custodians[${i}].name: ${JSON.stringify(c.name)} is listed twice`);
  });
  custody.keys.forEach((k, i) => {
    if (labels.has(k.label)) out.push(`keys[${i}].label: ${JSON.stringify(k.label)} is used twice`);
    labels.add(k.label);
    k.custodians.forEach((name, j) => {
      if (!people.has(name))
        out.push(
          `keys[${i}].custodians[${j}]: ${JSON.stringify(name)} is not under custodians:; add them there`,
        );
    });
  });
  custody.pins.forEach((p, i) => {
    if (!labels.has(p.key)) out.push(`pins[${i}].key: no key is labelled ${JSON.stringify(p.key)}`);
    p.custodians.forEach((name, j) => {
      if (!people.has(name))
        out.push(
          `pins[${i}].custodians[${j}]: ${JSON.stringify(name)} is not under custodians:; add them there`,
        );
    });
  });
  custody.passwordHalves.forEach((h, i) => {
    if (!people.has(h.custodian))
      out.push(
        `passwordHalves[${i}].custodian: ${JSON.stringify(h.custodian)} is not under custodians:; add them there`,
      );
  });
  return out;
}

/**
 * custody.yaml with `review:` set to this review (`breakglass runbook --reviewed-by`), everything
 * else as the person wrote it, comments included. The text must be a valid registry, and the
 * result is validated again before it is returned.
 */
export function withReview(
  text: string,
  review: { date: string; by: string },
  source = CUSTODY_DOCUMENT,
): string {
  parseCustody(text, source);
  if (review.by.trim() === "") throw new ConfigError("--reviewed-by is empty: name who reviewed the runbook");
  const doc = parseDocument(text, { uniqueKeys: true });
  const entry = { date: review.date, by: review.by };
  let updated: string;
  if (doc.contents === null) {
    // only comments: keep them, and add the review after
    updated = `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${stringify({ review: entry })}`;
  } else {
    doc.set("review", doc.createNode(entry));
    updated = doc.toString({ lineWidth: 0 });
  }
  parseCustody(updated, source);
  return updated;
}
