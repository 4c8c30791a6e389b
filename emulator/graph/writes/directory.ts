/**
 * Directory writes (docs/graph-writes.md 2-4): groups with their members and owners, administrative
 * units (restricted management included) and their members, direct role assignments and PIM
 * assignment requests.
 */
import { randomBytes } from "node:crypto";
import type { Collection, Entity, Ref } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  badRequest,
  bodyOf,
  created,
  guardGroupWrite,
  isPlainObject,
  isResponse,
  mergePatch,
  newId,
  noContent,
  notFound,
  notReplicated,
  refId,
  state,
  unknownProperty,
  type Body,
  type WriteContext,
} from "./common.js";
import { deleteUser, removeDirectoryObject } from "./users.js";

const USER_TYPE = "#microsoft.graph.user";
const GROUP_TYPE = "#microsoft.graph.group";
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

const alreadyLinked = (ctx: WriteContext, rel: string) =>
  badRequest(
    ctx,
    `One or more added object references already exist for the following modified properties: '${rel}'.`,
  );

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

// ------------------------------------------------------------------------------- role assignments

export const roleAssignmentPermissions = [["RoleManagement.ReadWrite.Directory"]];
export const scheduleRequestPermissions = [
  ["RoleAssignmentSchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"],
];

function roleDefinition(ctx: WriteContext, id: unknown): Entity | undefined {
  if (typeof id !== "string") return undefined;
  const k = id.toLowerCase();
  return ctx.store.roleDefinitions
    .list()
    .find((d) => d.id.toLowerCase() === k || String(d.templateId ?? "").toLowerCase() === k);
}

/** Checks principal, role and scope of a new assignment; the principal must be a user or a role-assignable group. */
function checkAssignment(
  ctx: WriteContext,
  body: Body,
): { definition: Entity; scope: string } | GraphResponse {
  const definition = roleDefinition(ctx, body.roleDefinitionId);
  if (!definition) return badRequest(ctx, "The roleDefinitionId is not a role definition of this tenant.");
  if (typeof body.principalId !== "string") return badRequest(ctx, "principalId is required.");
  const found = referenced(ctx, body.principalId);
  if (found === "pending") return notReplicated(ctx);
  if (!found) return notFound(ctx, body.principalId);
  if (found.type === GROUP_TYPE && found.entity.isAssignableToRole !== true) {
    return badRequest(ctx, "Only groups created with isAssignableToRole set to true can be assigned roles.");
  }
  const scope = body.directoryScopeId ?? (body.appScopeId === undefined ? undefined : null);
  if (typeof scope !== "string") return badRequest(ctx, "directoryScopeId or appScopeId is required.");
  return { definition, scope };
}

function sameAssignment(ra: Body, principalId: string, definition: Entity, scope: string): boolean {
  return (
    String(ra.principalId).toLowerCase() === principalId.toLowerCase() &&
    [definition.id.toLowerCase(), String(definition.templateId ?? "").toLowerCase()].includes(
      String(ra.roleDefinitionId).toLowerCase(),
    ) &&
    String(ra.directoryScopeId ?? "/").toLowerCase() === scope.toLowerCase()
  );
}

/** Opaque ids like Graph's (`<base64url>-1`, docs/graph-writes.md 4.1). */
const assignmentId = (): string => `${randomBytes(33).toString("base64url")}-1`;

/** Stores an active permanent assignment and its schedule (graph-contract: direct assignments show in PIM with createdUsing null). */
function assign(
  ctx: WriteContext,
  principalId: string,
  definition: Entity,
  scope: string,
  createdUsing: string | null,
) {
  const now = state(ctx).nowIso();
  const id = assignmentId();
  const roleDefinitionId = String(definition.templateId ?? definition.id);
  const assignment: Entity = {
    id,
    principalId,
    directoryScopeId: scope,
    resourceScope: scope,
    roleDefinitionId,
    appScopeId: null,
  };
  put(ctx, ctx.store.roleAssignments, assignment);
  put(ctx, ctx.store.roleAssignmentSchedules, {
    id,
    principalId,
    roleDefinitionId,
    directoryScopeId: scope,
    appScopeId: null,
    createdUsing,
    createdDateTime: now,
    modifiedDateTime: null,
    status: "Provisioned",
    assignmentType: "Assigned",
    memberType: "Direct",
    scheduleInfo: {
      startDateTime: now,
      recurrence: null,
      expiration: { type: "noExpiration", endDateTime: null, duration: null },
    },
  });
  return assignment;
}

function put(ctx: WriteContext, collection: Collection, e: Entity): void {
  state(ctx).create(collection, e);
}

export function createRoleAssignment(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const checked = checkAssignment(ctx, body);
  if (isResponse(checked)) return checked;
  const principalId = body.principalId as string;
  const all = [...ctx.store.roleAssignments.list(), ...state(ctx).pendingIn(ctx.store.roleAssignments)];
  if (all.some((ra) => sameAssignment(ra, principalId, checked.definition, checked.scope))) {
    return badRequest(
      ctx,
      "A conflicting object with one or more of the specified property values is present in the directory.",
    );
  }
  const assignment = assign(ctx, principalId, checked.definition, checked.scope, null);
  return created(ctx, "roleManagement/directory/roleAssignments", assignment);
}

export function deleteRoleAssignment(ctx: WriteContext): GraphResponse {
  const ra = ctx.store.roleAssignments.get(ctx.params.id!);
  if (!ra) return notFound(ctx, ctx.params.id!);
  ctx.store.roleAssignments.remove(ra.id);
  ctx.store.roleAssignmentSchedules.remove(ra.id);
  ctx.store.touch();
  return noContent();
}

/** Whether the role's PIM policy requires an end date on admin assignments (docs/graph-writes.md 4.2). */
function expirationRequired(ctx: WriteContext, definition: Entity): boolean {
  const ids = [definition.id.toLowerCase(), String(definition.templateId ?? "").toLowerCase()];
  const assignment = ctx.store.roleManagementPolicyAssignments
    .list()
    .find((a) => ids.includes(String(a.roleDefinitionId).toLowerCase()) && (a.scopeId ?? "/") === "/");
  const rules = (assignment?.policy as Body | undefined)?.rules;
  const rule = Array.isArray(rules)
    ? (rules as Body[]).find((r) => r.id === "Expiration_Admin_Assignment")
    : undefined;
  return rule?.isExpirationRequired === true;
}

/** `scheduleInfo.expiration.type` in any casing (the docs send "NoExpiration", the service answers camelCase). */
function expirationType(info: Body | undefined): string | undefined {
  const expiration = info && isPlainObject(info.expiration) ? info.expiration : {};
  const type = String(expiration.type ?? "noExpiration");
  return ["noExpiration", "afterDateTime", "afterDuration"].find(
    (t) => t.toLowerCase() === type.toLowerCase(),
  );
}

const PERMANENT = { type: "noExpiration", endDateTime: null, duration: null };

/**
 * POST /roleManagement/directory/roleAssignmentScheduleRequests: adminAssign (permanent),
 * adminUpdate (an expiring assignment made permanent) and adminRemove.
 */
export function createScheduleRequest(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const action = String(body.action ?? "");
  if (!["adminAssign", "adminUpdate", "adminRemove"].includes(action)) {
    return badRequest(
      ctx,
      `The action '${action}' is not supported by the emulator (adminAssign, adminUpdate, adminRemove).`,
      "InvalidRequest",
    );
  }
  const checked = checkAssignment(ctx, body);
  if (isResponse(checked)) return checked;
  const principalId = body.principalId as string;
  const existing = ctx.store.roleAssignments
    .list()
    .find((ra) => sameAssignment(ra, principalId, checked.definition, checked.scope));
  const info = isPlainObject(body.scheduleInfo) ? body.scheduleInfo : undefined;
  const now = state(ctx).nowIso();
  let targetScheduleId: string;
  let scheduleInfo: Body;
  if (action === "adminRemove") {
    if (!existing)
      return badRequest(ctx, "The Role assignment does not exist.", "RoleAssignmentDoesNotExist");
    ctx.store.roleAssignments.remove(existing.id);
    ctx.store.roleAssignmentSchedules.remove(existing.id);
    ctx.store.touch();
    targetScheduleId = existing.id;
    scheduleInfo = info ?? { startDateTime: now, recurrence: null, expiration: null };
  } else {
    if (!info) return badRequest(ctx, "scheduleInfo is required.", "InvalidRequest");
    const type = expirationType(info);
    if (!type) return badRequest(ctx, "Invalid expiration type.", "InvalidRequest");
    if (type === "noExpiration" && expirationRequired(ctx, checked.definition)) {
      return badRequest(
        ctx,
        'The following policy rules failed: ["ExpirationRule"]',
        "RoleAssignmentRequestPolicyValidationFailed",
      );
    }
    if (type !== "noExpiration") {
      return badRequest(
        ctx,
        "The emulator models permanent assignments only (noExpiration).",
        "InvalidRequest",
      );
    }
    scheduleInfo = { startDateTime: info.startDateTime ?? now, recurrence: null, expiration: PERMANENT };
    if (action === "adminAssign") {
      if (existing) return badRequest(ctx, "The Role assignment already exists.", "RoleAssignmentExists");
      targetScheduleId = assign(ctx, principalId, checked.definition, checked.scope, newId()).id;
    } else {
      if (!existing)
        return badRequest(ctx, "The Role assignment does not exist.", "RoleAssignmentDoesNotExist");
      const schedule = ctx.store.roleAssignmentSchedules.get(existing.id);
      if (schedule)
        schedule.scheduleInfo = { ...((schedule.scheduleInfo as Body) ?? {}), expiration: PERMANENT };
      ctx.store.touch();
      targetScheduleId = existing.id;
    }
  }
  return scheduleRequestResponse(
    ctx,
    "roleAssignmentScheduleRequests",
    action,
    principalId,
    checked,
    targetScheduleId,
    scheduleInfo,
    body,
  );
}

function scheduleRequestResponse(
  ctx: WriteContext,
  collection: string,
  action: string,
  principalId: string,
  checked: { definition: Entity; scope: string },
  targetScheduleId: string,
  scheduleInfo: Body,
  body: Body,
): GraphResponse {
  const now = state(ctx).nowIso();
  return created(ctx, `roleManagement/directory/${collection}`, {
    id: newId(),
    status: action === "adminRemove" ? "Revoked" : "Provisioned",
    createdDateTime: now,
    completedDateTime: now,
    action,
    principalId,
    roleDefinitionId: String(checked.definition.templateId ?? checked.definition.id),
    directoryScopeId: checked.scope,
    appScopeId: null,
    isValidationOnly: false,
    targetScheduleId,
    justification: body.justification ?? null,
    scheduleInfo,
  });
}

export const eligibilityRequestPermissions = [
  ["RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"],
];

/** POST /roleManagement/directory/roleEligibilityScheduleRequests: adminRemove of an eligible assignment. */
export function createEligibilityRequest(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const action = String(body.action ?? "");
  if (action !== "adminRemove") {
    return badRequest(
      ctx,
      `The action '${action}' is not supported by the emulator (adminRemove).`,
      "InvalidRequest",
    );
  }
  const checked = checkAssignment(ctx, body);
  if (isResponse(checked)) return checked;
  const principalId = body.principalId as string;
  const existing = ctx.store.roleEligibilitySchedules
    .list()
    .find((e) => sameAssignment(e, principalId, checked.definition, checked.scope));
  if (!existing) return badRequest(ctx, "The Role assignment does not exist.", "RoleAssignmentDoesNotExist");
  ctx.store.roleEligibilitySchedules.remove(existing.id);
  ctx.store.touch();
  return scheduleRequestResponse(
    ctx,
    "roleEligibilityScheduleRequests",
    action,
    principalId,
    checked,
    existing.id,
    (existing.scheduleInfo as Body) ?? {},
    body,
  );
}
