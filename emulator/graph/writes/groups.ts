/**
 * Group writes (docs/graph-writes.md 2): groups (role-assignable ones included) with their members
 * and owners.
 */
import { randomBytes } from "node:crypto";
import type { Entity, Ref } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  alreadyLinked,
  badRequest,
  bodyOf,
  created,
  GROUP_TYPE,
  guardGroupWrite,
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
  type Body,
  type WriteContext,
} from "./common.js";
import { deleteUser, removeDirectoryObject } from "./users.js";

/** docs/graph-writes.md 2.1 */
const MAX_ROLE_ASSIGNABLE_GROUPS = 500;
const MAX_BIND = 20;
const MAIL_NICKNAME = /^[\x21-\x7e]+$/;
const MAIL_NICKNAME_FORBIDDEN = /[@()\\[\]";:<>,\s]/;

/** A directory object a `$ref` or `@odata.bind` names: found, still replicating, or unknown. */
function referenced(ctx: WriteContext, id: string): { type: string; entity: Entity } | "pending" | undefined {
  const found = ctx.store.directoryObject(id);
  if (found) return found;
  return state(ctx).pendingObject(id) ? "pending" : undefined;
}

// ----------------------------------------------------------------------------------------- groups

const GROUP_PROPS = new Set([
  "displayName",
  "description",
  "mailEnabled",
  "mailNickname",
  "securityEnabled",
  "groupTypes",
  "isAssignableToRole",
  "visibility",
  "membershipRule",
  "membershipRuleProcessingState",
]);

export function createGroupPermissions(ctx: WriteContext): string[][] {
  const body = (ctx.req.body ?? {}) as Body;
  const out = [["Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"]];
  if (body.isAssignableToRole === true) out.push(["RoleManagement.ReadWrite.Directory"]);
  return out;
}

/** The ids of `members@odata.bind` / `owners@odata.bind`, or the 400 for a malformed list. */
function binds(ctx: WriteContext, body: Body, rel: string): string[] | GraphResponse {
  const raw = body[`${rel}@odata.bind`];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return badRequest(ctx, `${rel}@odata.bind must be an array of URLs.`);
  const ids = raw.map(refId);
  if (ids.some((id) => id === undefined)) return badRequest(ctx, `Invalid URL in ${rel}@odata.bind.`);
  return ids as string[];
}

/** Checks refs to be linked to a group; returns the member refs or the error. */
function resolveLinks(ctx: WriteContext, group: Body, ids: string[], rel: string): Ref[] | GraphResponse {
  const out: Ref[] = [];
  for (const id of ids) {
    const found = referenced(ctx, id);
    if (found === "pending") return notReplicated(ctx);
    if (!found) return notFound(ctx, id);
    if (rel === "members" && group.isAssignableToRole === true && found.type === GROUP_TYPE) {
      return badRequest(ctx, "A group cannot be added as a member of a role-assignable group.");
    }
    if (found.type !== USER_TYPE && found.type !== GROUP_TYPE) {
      return badRequest(ctx, `Objects of type ${found.type} cannot be ${rel} of a group.`);
    }
    out.push({ "@odata.type": found.type, id: found.entity.id });
  }
  return out;
}

export function createGroup(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const unknown = unknownProperty(ctx, body, GROUP_PROPS, "Microsoft.DirectoryServices.Group");
  if (unknown) return unknown;
  if (typeof body.displayName !== "string" || body.displayName === "" || body.displayName.length > 256) {
    return badRequest(ctx, "Invalid value specified for property 'displayName' of resource 'Group'.");
  }
  if (
    typeof body.mailNickname !== "string" ||
    body.mailNickname.length > 64 ||
    !MAIL_NICKNAME.test(body.mailNickname) ||
    MAIL_NICKNAME_FORBIDDEN.test(body.mailNickname)
  ) {
    return badRequest(ctx, "Invalid value specified for property 'mailNickname' of resource 'Group'.");
  }
  if (typeof body.mailEnabled !== "boolean" || typeof body.securityEnabled !== "boolean") {
    return badRequest(ctx, "mailEnabled and securityEnabled are required booleans.");
  }
  const groupTypes = Array.isArray(body.groupTypes) ? (body.groupTypes as string[]) : [];
  const unified = groupTypes.includes("Unified");
  if (body.mailEnabled && !unified) {
    return badRequest(ctx, "Mail-enabled security groups cannot be created through Microsoft Graph.");
  }
  const roleAssignable = body.isAssignableToRole === true;
  if (roleAssignable) {
    if (body.securityEnabled !== true) {
      return badRequest(ctx, "A role-assignable group must be security enabled (securityEnabled: true).");
    }
    if (groupTypes.includes("DynamicMembership") || body.membershipRule) {
      return badRequest(ctx, "A role-assignable group cannot have dynamic membership.");
    }
    const count =
      ctx.store.groups.list().filter((g) => g.isAssignableToRole === true).length +
      state(ctx)
        .pendingIn(ctx.store.groups)
        .filter((g) => g.isAssignableToRole === true).length;
    if (count >= MAX_ROLE_ASSIGNABLE_GROUPS) {
      return badRequest(ctx, `The tenant already has ${MAX_ROLE_ASSIGNABLE_GROUPS} role-assignable groups.`);
    }
  }
  const memberIds = binds(ctx, body, "members");
  if (isResponse(memberIds)) return memberIds;
  const ownerIds = binds(ctx, body, "owners");
  if (isResponse(ownerIds)) return ownerIds;
  if (memberIds.length + ownerIds.length > MAX_BIND) {
    return badRequest(ctx, `At most ${MAX_BIND} members and owners can be added when a group is created.`);
  }
  const members = resolveLinks(ctx, body, memberIds, "members");
  if (isResponse(members)) return members;
  const owners = resolveLinks(ctx, body, ownerIds, "owners");
  if (isResponse(owners)) return owners;

  const now = state(ctx).nowIso();
  const group: Entity = {
    id: newId(),
    createdDateTime: now,
    description: body.description ?? null,
    displayName: body.displayName,
    groupTypes,
    isAssignableToRole: roleAssignable ? true : null,
    mail: null,
    mailEnabled: body.mailEnabled,
    mailNickname: body.mailNickname,
    membershipRule: body.membershipRule ?? null,
    membershipRuleProcessingState: body.membershipRuleProcessingState ?? null,
    onPremisesSyncEnabled: null,
    onPremisesLastSyncDateTime: null,
    securityEnabled: body.securityEnabled,
    securityIdentifier: `S-1-12-1-${[0, 1, 2, 3].map(() => randomBytes(4).readUInt32LE()).join("-")}`,
    visibility: roleAssignable ? "Private" : (body.visibility ?? null),
    members,
    owners,
  };
  state(ctx).create(ctx.store.groups, group);
  const { members: _m, owners: _o, ...view } = group;
  return created(ctx, "groups", view);
}

export const updateGroupPermissions = [["Group.ReadWrite.All", "Directory.ReadWrite.All"]];

export function updateGroup(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const group = ctx.store.groups.get(ctx.params.id!);
  if (!group) return notFound(ctx, ctx.params.id!);
  const unknown = unknownProperty(ctx, body, GROUP_PROPS, "Microsoft.DirectoryServices.Group");
  if (unknown) return unknown;
  if ("isAssignableToRole" in body && body.isAssignableToRole !== group.isAssignableToRole) {
    return badRequest(ctx, "Property 'isAssignableToRole' cannot be changed after the group is created.");
  }
  const memberIds = binds(ctx, body, "members");
  if (isResponse(memberIds)) return memberIds;
  if (memberIds.length > MAX_BIND)
    return badRequest(ctx, `At most ${MAX_BIND} members can be added per request.`);
  const denied = guardGroupWrite(ctx, group, memberIds.length ? "membership" : "properties");
  if (denied) return denied;
  // all or nothing (docs/graph-writes.md 2.2)
  const members = resolveLinks(ctx, group, memberIds, "members");
  if (isResponse(members)) return members;
  const current = ctx.store.members(group);
  if (members.some((m) => current.some((c) => c.id.toLowerCase() === m.id.toLowerCase()))) {
    return alreadyLinked(ctx, "members");
  }
  const props = Object.fromEntries(Object.entries(body).filter(([k]) => !k.endsWith("@odata.bind")));
  mergePatch(group, props);
  group.members = [...current, ...members];
  ctx.store.touch();
  return noContent();
}

export const deleteGroupPermissions = [["Group.ReadWrite.All", "Directory.ReadWrite.All"]];

export function deleteGroup(ctx: WriteContext): GraphResponse {
  const group = ctx.store.groups.get(ctx.params.id!);
  if (!group) return notFound(ctx, ctx.params.id!);
  const denied = guardGroupWrite(ctx, group, "properties");
  if (denied) return denied;
  removeDirectoryObject(ctx, group.id);
  ctx.store.groups.remove(group.id);
  ctx.store.touch();
  return noContent();
}

/** docs/graph-writes.md 2.2: adding a user needs a member permission and a user permission; a role-assignable group also RoleManagement. */
export function memberWritePermissions(ctx: WriteContext): string[][] {
  const out = [["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"]];
  const group = ctx.params.id ? ctx.store.groups.get(ctx.params.id) : undefined;
  if (ctx.req.method === "POST") out.push(["User.ReadWrite.All", "Directory.ReadWrite.All"]);
  if (group?.isAssignableToRole === true) out.push(["RoleManagement.ReadWrite.Directory"]);
  return out;
}

export const ownerWritePermissions = [["Group.ReadWrite.All", "Directory.ReadWrite.All"]];

/** POST /groups/{id}/{members|owners}/$ref */
export function addGroupLink(ctx: WriteContext, rel: "members" | "owners"): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const id = refId(body["@odata.id"]);
  if (!id) return badRequest(ctx, "The @odata.id of the reference is missing or invalid.");
  if (state(ctx).pendingObject(ctx.params.id!)) return notReplicated(ctx);
  const group = ctx.store.groups.get(ctx.params.id!);
  if (!group) return notFound(ctx, ctx.params.id!);
  const denied = guardGroupWrite(ctx, group, "membership");
  if (denied) return denied;
  const links = resolveLinks(ctx, group, [id], rel);
  if (isResponse(links)) return links;
  const current = rel === "members" ? ctx.store.members(group) : ctx.store.owners(group);
  if (current.some((c) => c.id.toLowerCase() === links[0]!.id.toLowerCase())) return alreadyLinked(ctx, rel);
  group[rel] = [...current, ...links];
  ctx.store.touch();
  return noContent();
}

/** DELETE /groups/{id}/{members|owners}/{memberId}/$ref */
export function removeGroupLink(ctx: WriteContext, rel: "members" | "owners"): GraphResponse {
  const group = ctx.store.groups.get(ctx.params.id!);
  if (!group) return notFound(ctx, ctx.params.id!);
  const denied = guardGroupWrite(ctx, group, "membership");
  if (denied) return denied;
  const current = rel === "members" ? ctx.store.members(group) : ctx.store.owners(group);
  const k = ctx.params.memberId!.toLowerCase();
  if (!current.some((c) => c.id.toLowerCase() === k)) return notFound(ctx, ctx.params.memberId!);
  group[rel] = current.filter((c) => c.id.toLowerCase() !== k);
  ctx.store.touch();
  return noContent();
}

/**
 * DELETE /groups/{id}/members/{memberId} without `/$ref` deletes the member object itself
 * (docs/graph-writes.md 0.1's caution box); the emulator does it for users.
 */
export function deleteMemberObject(ctx: WriteContext): GraphResponse {
  const group = ctx.store.groups.get(ctx.params.id!);
  if (!group) return notFound(ctx, ctx.params.id!);
  const k = ctx.params.memberId!.toLowerCase();
  if (!ctx.store.members(group).some((m) => m.id.toLowerCase() === k))
    return notFound(ctx, ctx.params.memberId!);
  if (!ctx.store.users.get(k)) return badRequest(ctx, "Only user members can be deleted through this path.");
  return deleteUser(ctx, k);
}
