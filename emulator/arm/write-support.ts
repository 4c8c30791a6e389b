/**
 * What every emulated ARM write shares (emulator/arm/writes.ts routes them): ARM's error envelope
 * `{ error: { code, message, target? } }` with its codes (`InvalidRequestContent` for a body that
 * does not deserialize, `BadRequest` for one that names something that does not exist), the
 * property validators, and the store operations every resource handler does the same way.
 */
import { json, type HttpResponse } from "../http.js";
import type { ArmResourceStore, ArmSection } from "./resource-store.js";

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** ISO 8601 duration (PnDTnHnMnS, weeks), the form ARM's TimeSpan properties take. */
const ISO_DURATION = /^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** What a resource handler needs of the emulator: its resource store and its clock. */
export interface ArmWriteContext {
  readonly store: ArmResourceStore;
  readonly now: () => number;
}

export class Invalid extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
  }
}

export const invalidContent = (message: string, target?: string) =>
  new Invalid(400, "InvalidRequestContent", message, target);
export const badRequest = (message: string, target?: string) =>
  new Invalid(400, "BadRequest", message, target);

export function errorResponse(e: Invalid): HttpResponse {
  return json(e.status, {
    error: { code: e.code, message: e.message, ...(e.target ? { target: e.target } : {}) },
  });
}

export function requireDuration(p: Json, name: string, required: boolean): void {
  const v = p[name];
  if (v === undefined || v === null) {
    if (required) throw invalidContent(`The property '${name}' is required.`, `properties.${name}`);
    return;
  }
  if (typeof v !== "string" || !ISO_DURATION.test(v))
    throw invalidContent(
      `The request content was invalid and could not be deserialized: '${name}' value '${String(v)}' is not a valid ISO 8601 duration.`,
      `properties.${name}`,
    );
}

export function requireString(p: Json, name: string, where = "properties"): string {
  const v = p[name];
  if (typeof v !== "string" || v.length === 0)
    throw invalidContent(`The property '${name}' is required.`, `${where}.${name}`);
  return v;
}

export function requireBoolean(p: Json, name: string): boolean {
  const v = p[name];
  if (typeof v !== "boolean")
    throw invalidContent(`The property '${name}' is required.`, `properties.${name}`);
  return v;
}

export function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

export function parseBody(raw: string): Json {
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    throw invalidContent(
      "The request content was invalid and could not be deserialized: the body is not JSON.",
    );
  }
  if (!isObject(body))
    throw invalidContent(
      "The request content was invalid and could not be deserialized: an object is expected.",
    );
  return body;
}

export function requireProperties(body: Json): Json {
  if (!isObject(body.properties))
    throw invalidContent("The property 'properties' is required.", "properties");
  return body.properties;
}

export function methodNotAllowed(method: string): Invalid {
  return new Invalid(405, "MethodNotAllowed", `The method '${method}' is not supported on this resource.`);
}

export function notFound(key: string): Invalid {
  return new Invalid(
    404,
    "ResourceNotFound",
    `The Resource '${key.split("/").slice(-2).join("/")}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function locationOf(resource: Json): string {
  return typeof resource.location === "string" ? resource.location : "westeurope";
}

export function removeResource(store: ArmResourceStore, key: string): HttpResponse {
  return store.removeArm(key) ? json(200, undefined) : { status: 204, headers: {}, body: undefined };
}

/** Stores the resource and answers 201 (new) or 200 (replaced), unless `createdStatus` says otherwise. */
export function upsertResource(
  store: ArmResourceStore,
  resource: Json,
  section: ArmSection,
  existed: boolean,
  createdStatus = 201,
): HttpResponse {
  store.putArm(resource, section);
  return json(existed ? 200 : createdStatus, resource);
}

export function requireParent(store: ArmResourceStore, path: string, levels: number, what: string): Json {
  const parent = path.split("/").slice(0, -levels).join("/");
  const entry = store.getArm(parent);
  if (!entry)
    throw new Invalid(
      404,
      "ParentResourceNotFound",
      `Can not perform requested operation on nested resource. Parent resource '${parent.split("/").pop()}' (${what}) not found.`,
    );
  return entry.resource;
}

/** A body etag that differs from the current one is a conflict (Sentinel's optimistic concurrency). */
export function checkEtag(existing: Json | undefined, body: Json): void {
  if (typeof body.etag !== "string" || !existing) return;
  if (body.etag !== existing.etag)
    throw new Invalid(
      409,
      "Conflict",
      "The resource was changed since it was read: the etag does not match the current one.",
      "etag",
    );
}
