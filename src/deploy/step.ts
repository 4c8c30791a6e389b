/**
 * Building steps: what every resource module shares (the step shape, fingerprints, Graph paths and
 * OData literals), so a module only says what to change.
 */
import { hashOf } from "./canonical.js";
import {
  ABSENT,
  type ObjectFingerprint,
  type ObjectRef,
  type PropertyChange,
  referencedSteps,
  type ResourceKind,
  type Step,
  type StepAction,
  type StepLookup,
  type StepRequest,
} from "./types.js";

export const GRAPH_ORIGIN = "https://graph.microsoft.com";

/** An OData string literal: single quotes doubled (tenant names are hostile). */
export const odataString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** `{"@odata.id": ".../v1.0/directoryObjects/<id>"}`: the body of a `$ref` add. */
export const directoryObjectRef = (id: string): { "@odata.id": string } => ({
  "@odata.id": `${GRAPH_ORIGIN}/v1.0/directoryObjects/${id}`,
});

/** The fingerprint of an object as read (or `absent`): the hash of the properties given. */
export function fingerprint(ref: ObjectRef, managed: unknown | undefined): ObjectFingerprint {
  return { ref: { ...ref }, hash: managed === undefined ? ABSENT : hashOf(managed) };
}

export interface StepSpec {
  id: string;
  kind: ResourceKind;
  action: StepAction;
  objectRef: ObjectRef;
  summary: string;
  changes?: PropertyChange[];
  request: Omit<StepRequest, "service"> & { service?: StepRequest["service"] };
  lookup?: string;
  dependsOn?: ObjectFingerprint[];
  satisfies: string[];
  risk?: string;
  secret?: Step["secret"];
}

/** A step, with `needs` taken from the references its request holds. */
export function makeStep(spec: StepSpec): Step {
  const request: StepRequest = { service: "graph", ...spec.request };
  const lookup: StepLookup | undefined =
    spec.lookup === undefined ? undefined : { service: request.service, url: spec.lookup };
  const needs = referencedSteps([request.url, request.body]).filter((s) => s !== spec.id);
  return {
    id: spec.id,
    kind: spec.kind,
    action: spec.action,
    objectRef: spec.objectRef,
    summary: spec.summary,
    changes: spec.changes ?? [],
    request,
    ...(lookup ? { lookup } : {}),
    needs,
    dependsOn: spec.dependsOn ?? [],
    satisfies: spec.satisfies,
    ...(spec.risk ? { risk: spec.risk } : {}),
    ...(spec.secret ? { secret: spec.secret } : {}),
  };
}

/** A key usable in a step id: lower case letters, digits, dot, dash and underscore only. */
export function stepKey(text: string, max = 40): string {
  const key = text
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
  return key || "x";
}

/** Whether two string lists hold the same ids, case-insensitively and in any order. */
export function sameIdSet(
  a: readonly string[] | null | undefined,
  b: readonly string[] | null | undefined,
): boolean {
  const x = new Set((a ?? []).map((s) => s.toLowerCase()));
  const y = new Set((b ?? []).map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((s) => y.has(s));
}

export const hasId = (list: readonly string[] | null | undefined, id: string): boolean =>
  (list ?? []).some((x) => x.toLowerCase() === id.toLowerCase());
