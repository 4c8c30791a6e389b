/**
 * Role writes (docs/graph-writes.md 4): direct role assignments and PIM assignment and
 * eligibility schedule requests.
 */
import { randomBytes } from "node:crypto";
import type { Collection, Entity } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  badRequest,
  bodyOf,
  created,
  isPlainObject,
  isResponse,
  newId,
  noContent,
  notFound,
  notReplicated,
  state,
  type Body,
  type WriteContext,
} from "./common.js";

const GROUP_TYPE = "#microsoft.graph.group";

/** A directory object a `$ref` or `@odata.bind` names: found, still replicating, or unknown. */
function referenced(ctx: WriteContext, id: string): { type: string; entity: Entity } | "pending" | undefined {
  const found = ctx.store.directoryObject(id);
  if (found) return found;
  return state(ctx).pendingObject(id) ? "pending" : undefined;
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
