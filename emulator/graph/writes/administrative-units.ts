/**
 * Administrative unit writes (docs/graph-writes.md 3): units (restricted management included) and
 * their members.
 */
import type { Entity } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  alreadyLinked,
  badRequest,
  bodyOf,
  created,
  GROUP_TYPE,
  isResponse,
  mergePatch,
  newId,
  noContent,
  notFound,
  notReplicated,
  refId,
  state,
  unknownProperty,
  USER_TYPE,
  type WriteContext,
} from "./common.js";

/** A directory object a `$ref` or `@odata.bind` names: found, still replicating, or unknown. */
function referenced(ctx: WriteContext, id: string): { type: string; entity: Entity } | "pending" | undefined {
  const found = ctx.store.directoryObject(id);
  if (found) return found;
  return state(ctx).pendingObject(id) ? "pending" : undefined;
}

// ---------------------------------------------------------------------------- administrative units

const AU_PROPS = new Set(["displayName", "description", "isMemberManagementRestricted", "visibility"]);
export const auWritePermissions = [["AdministrativeUnit.ReadWrite.All", "Directory.ReadWrite.All"]];

export function createAdministrativeUnit(ctx: WriteContext, context: string): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const unknown = unknownProperty(ctx, body, AU_PROPS, "Microsoft.DirectoryServices.AdministrativeUnit");
  if (unknown) return unknown;
  if (typeof body.displayName !== "string" || body.displayName === "") {
    return badRequest(
      ctx,
      "Invalid value specified for property 'displayName' of resource 'AdministrativeUnit'.",
    );
  }
  if (
    body.isMemberManagementRestricted !== undefined &&
    typeof body.isMemberManagementRestricted !== "boolean"
  ) {
    return badRequest(ctx, "isMemberManagementRestricted must be a boolean.");
  }
  const au: Entity = {
    id: newId(),
    displayName: body.displayName,
    description: body.description ?? null,
    isMemberManagementRestricted: body.isMemberManagementRestricted ?? null,
    membershipRule: null,
    membershipRuleProcessingState: null,
    membershipType: null,
    visibility: body.visibility ?? null,
    members: [],
  };
  state(ctx).create(ctx.store.administrativeUnits, au);
  const { members: _m, ...view } = au;
  return created(ctx, context, view);
}

export function updateAdministrativeUnit(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const au = ctx.store.administrativeUnits.get(ctx.params.id!);
  if (!au) return notFound(ctx, ctx.params.id!);
  const unknown = unknownProperty(ctx, body, AU_PROPS, "Microsoft.DirectoryServices.AdministrativeUnit");
  if (unknown) return unknown;
  // immutable (docs/graph-writes.md 3)
  if (
    "isMemberManagementRestricted" in body &&
    body.isMemberManagementRestricted !== au.isMemberManagementRestricted
  ) {
    return badRequest(ctx, "Property 'isMemberManagementRestricted' cannot be changed after creation.");
  }
  mergePatch(au, body);
  ctx.store.touch();
  return noContent();
}

export function deleteAdministrativeUnit(ctx: WriteContext): GraphResponse {
  const au = ctx.store.administrativeUnits.get(ctx.params.id!);
  if (!au) return notFound(ctx, ctx.params.id!);
  ctx.store.administrativeUnits.remove(au.id);
  ctx.store.touch();
  return noContent();
}

/** POST …/administrativeUnits/{id}/members/$ref: users and groups; an RMAU takes only plain security groups. */
export function addAdministrativeUnitMember(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const id = refId(body["@odata.id"]);
  if (!id) return badRequest(ctx, "The @odata.id of the reference is missing or invalid.");
  if (state(ctx).pendingObject(ctx.params.id!)) return notReplicated(ctx);
  const au = ctx.store.administrativeUnits.get(ctx.params.id!);
  if (!au) return notFound(ctx, ctx.params.id!);
  const found = referenced(ctx, id);
  if (found === "pending") return notReplicated(ctx);
  if (!found) return notFound(ctx, id);
  if (found.type !== USER_TYPE && found.type !== GROUP_TYPE) {
    return badRequest(ctx, `Objects of type ${found.type} cannot be members of an administrative unit.`);
  }
  if (au.isMemberManagementRestricted === true && found.type === GROUP_TYPE) {
    const g = found.entity;
    const unified = Array.isArray(g.groupTypes) && (g.groupTypes as string[]).includes("Unified");
    if (g.securityEnabled !== true || g.mailEnabled === true || unified || g.onPremisesSyncEnabled === true) {
      return badRequest(
        ctx,
        "Only security groups that are not mail-enabled, not Microsoft 365 groups and not synchronized can be added to a restricted management administrative unit.",
      );
    }
  }
  const current = ctx.store.members(au);
  if (current.some((m) => m.id.toLowerCase() === found.entity.id.toLowerCase()))
    return alreadyLinked(ctx, "members");
  au.members = [...current, { "@odata.type": found.type, id: found.entity.id }];
  ctx.store.touch();
  return noContent();
}

export function removeAdministrativeUnitMember(ctx: WriteContext): GraphResponse {
  const au = ctx.store.administrativeUnits.get(ctx.params.id!);
  if (!au) return notFound(ctx, ctx.params.id!);
  const k = ctx.params.memberId!.toLowerCase();
  const current = ctx.store.members(au);
  if (!current.some((m) => m.id.toLowerCase() === k)) return notFound(ctx, ctx.params.memberId!);
  au.members = current.filter((m) => m.id.toLowerCase() !== k);
  ctx.store.touch();
  return noContent();
}
