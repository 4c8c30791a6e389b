/**
 * User writes (docs/graph-writes.md 1, 8): create, update, delete, licences, per-user MFA state,
 * revokeSignInSessions. Methods are in methods.ts, the enrollment control endpoints in
 * enrollment-control.ts.
 */
import { USER_DEFAULT_PROPERTIES } from "../specs.js";
import type { Entity, Ref } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  badRequest,
  bodyOf,
  created,
  guardUserWrite,
  isResponse,
  newId,
  noContent,
  ok,
  state,
  unknownProperty,
  userOr404,
  type Body,
  type WriteContext,
} from "./common.js";

const PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490";

// ------------------------------------------------------------------------------------ validation

const UPN_LOCAL = /^[A-Za-z0-9'.\-_!#^~]+$/;
const PASSWORD_POLICIES = new Set([
  "None",
  "DisablePasswordExpiration",
  "DisableStrongPassword",
  "DisablePasswordExpiration, DisableStrongPassword",
  "DisableStrongPassword, DisablePasswordExpiration",
]);

const invalidValue = (ctx: WriteContext, prop: string) =>
  badRequest(ctx, `Invalid value specified for property '${prop}' of resource 'User'.`);

/** docs/graph-writes.md 1.1: character set, no `.` before the `@`, 64/48/113 limits, a tenant domain. */
function checkUpn(ctx: WriteContext, upn: unknown): GraphResponse | undefined {
  if (typeof upn !== "string") return invalidValue(ctx, "userPrincipalName");
  const parts = upn.split("@");
  if (parts.length !== 2) return invalidValue(ctx, "userPrincipalName");
  const [local, domain] = parts as [string, string];
  if (
    local === "" ||
    local.length > 64 ||
    domain.length > 48 ||
    upn.length > 113 ||
    !UPN_LOCAL.test(local) ||
    local.endsWith(".")
  ) {
    return invalidValue(ctx, "userPrincipalName");
  }
  const domains = ctx.store.domains.list().map((d) => d.id.toLowerCase());
  if (!domains.includes(domain.toLowerCase())) {
    return badRequest(
      ctx,
      "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
    );
  }
  return undefined;
}

/** 8 to 256 characters, three of the four classes, no characters outside ASCII (docs/graph-writes.md 1.1). */
function checkPassword(ctx: WriteContext, profile: unknown, strong: boolean): GraphResponse | undefined {
  const password = (profile as { password?: unknown } | null)?.password;
  if (typeof password !== "string") return invalidValue(ctx, "passwordProfile");
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  const ascii = /^[\x20-\x7e]*$/.test(password);
  if (password.length < 8 || password.length > 256 || !ascii || (strong && classes < 3)) {
    return badRequest(
      ctx,
      "The specified password does not comply with password complexity requirements. Please provide a different password.",
    );
  }
  return undefined;
}

function upnTaken(ctx: WriteContext, upn: string, except?: string): boolean {
  const k = upn.toLowerCase();
  const existing = ctx.store.users.get(upn);
  if (existing && existing.id !== except) return true;
  return state(ctx)
    .pendingIn(ctx.store.users)
    .some((u) => String(u.userPrincipalName).toLowerCase() === k && u.id !== except);
}

/** docs/graph-writes.md 0.2 E1: 400 (not 409) with the ObjectConflict detail. */
function duplicateUpn(ctx: WriteContext): GraphResponse {
  const res = badRequest(
    ctx,
    "Another object with the same value for property userPrincipalName already exists.",
  );
  const error = (res.body as { error: Body }).error;
  error.details = [{ target: "userPrincipalName", code: "ObjectConflict" }];
  return res;
}

function checkPasswordPolicies(ctx: WriteContext, v: unknown): GraphResponse | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === "string" && PASSWORD_POLICIES.has(v)
    ? undefined
    : invalidValue(ctx, "passwordPolicies");
}

// ----------------------------------------------------------------------------------- create/update

const SETTABLE = new Set([
  "accountEnabled",
  "displayName",
  "mailNickname",
  "userPrincipalName",
  "passwordProfile",
  "passwordPolicies",
  "usageLocation",
  "givenName",
  "surname",
  "jobTitle",
  "department",
  "mobilePhone",
  "businessPhones",
  "otherMails",
  "employeeLeaveDateTime",
]);

/** Properties whose change on an administrator needs a privileged role (docs/graph-writes.md 0.6, 1.3). */
const SENSITIVE = new Set(["accountEnabled", "passwordProfile", "mobilePhone", "otherMails"]);

const ANY_USER_WRITE = ["User.ReadWrite.All", "Directory.ReadWrite.All"];

/** POST /users: User.Create is the least privileged permission. */
export const createUserPermissions = [["User.Create", ...ANY_USER_WRITE]];

/** PATCH /users/{id}: the permission per property group (docs/graph-writes.md 1.3). */
export function updateUserPermissions(ctx: WriteContext): string[][] {
  const body = (ctx.req.body ?? {}) as Body;
  const keys = Object.keys(body).filter((k) => !k.startsWith("@"));
  const out: string[][] = [];
  if (keys.includes("accountEnabled")) out.push(["User.EnableDisableAccount.All", ...ANY_USER_WRITE]);
  if (keys.includes("passwordProfile")) out.push(["User-PasswordProfile.ReadWrite.All", ...ANY_USER_WRITE]);
  if (keys.includes("mobilePhone")) out.push(["User-Phone.ReadWrite.All", ...ANY_USER_WRITE]);
  if (keys.includes("otherMails")) out.push(["User-Mail.ReadWrite.All", ...ANY_USER_WRITE]);
  if (keys.some((k) => !SENSITIVE.has(k)) || out.length === 0) {
    out.push(["User.ReadUpdate.All", ...ANY_USER_WRITE]);
  }
  return out;
}

export function createUser(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const unknown = unknownProperty(ctx, body, SETTABLE, "Microsoft.DirectoryServices.User");
  if (unknown) return unknown;
  for (const prop of [
    "accountEnabled",
    "displayName",
    "mailNickname",
    "passwordProfile",
    "userPrincipalName",
  ]) {
    if (body[prop] === undefined || body[prop] === null) return invalidValue(ctx, prop);
  }
  if (typeof body.accountEnabled !== "boolean") return invalidValue(ctx, "accountEnabled");
  if (typeof body.displayName !== "string" || body.displayName.length > 256) {
    return invalidValue(ctx, "displayName");
  }
  if (typeof body.mailNickname !== "string" || body.mailNickname.length > 64) {
    return invalidValue(ctx, "mailNickname");
  }
  const invalid =
    checkUpn(ctx, body.userPrincipalName) ??
    checkPasswordPolicies(ctx, body.passwordPolicies) ??
    checkPassword(
      ctx,
      body.passwordProfile,
      !String(body.passwordPolicies ?? "").includes("DisableStrongPassword"),
    );
  if (invalid) return invalid;
  const upn = body.userPrincipalName as string;
  if (upnTaken(ctx, upn)) return duplicateUpn(ctx);

  const now = state(ctx).nowIso();
  const domain = upn.split("@")[1]!;
  const user: Entity = {
    id: newId(),
    userPrincipalName: upn,
    displayName: body.displayName,
    givenName: body.givenName ?? null,
    surname: body.surname ?? null,
    mail: null,
    mailNickname: body.mailNickname,
    jobTitle: body.jobTitle ?? null,
    department: body.department ?? null,
    accountEnabled: body.accountEnabled,
    userType: "Member",
    creationType: null,
    identities: [{ signInType: "userPrincipalName", issuer: domain, issuerAssignedId: upn }],
    onPremisesSyncEnabled: null,
    onPremisesImmutableId: null,
    onPremisesLastSyncDateTime: null,
    passwordPolicies: body.passwordPolicies ?? null,
    usageLocation: body.usageLocation ?? null,
    lastPasswordChangeDateTime: now,
    createdDateTime: now,
    assignedLicenses: [],
    mobilePhone: body.mobilePhone ?? null,
    businessPhones: body.businessPhones ?? [],
    otherMails: body.otherMails ?? [],
    employeeLeaveDateTime: null,
    // the password is checked, never kept: nothing the emulator stores or serves holds a secret
    authenticationMethods: [
      {
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        id: PASSWORD_METHOD_ID,
        password: null,
        createdDateTime: now,
      },
    ],
    perUserMfaState: "disabled",
    ownedObjects: [],
  };
  state(ctx).create(ctx.store.users, user);
  // the default property set only; passwordProfile is never echoed (docs/graph-writes.md 1.2)
  const view: Body = { id: user.id };
  for (const p of [...USER_DEFAULT_PROPERTIES, "userPrincipalName"]) view[p] = user[p] ?? null;
  return created(ctx, "users", view);
}

export function updateUser(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const user = userOr404(ctx);
  if (isResponse(user)) return user;
  const unknown = unknownProperty(ctx, body, SETTABLE, "Microsoft.DirectoryServices.User");
  if (unknown) return unknown;
  const sensitive = Object.keys(body).some((k) => SENSITIVE.has(k));
  const denied = guardUserWrite(ctx, user, sensitive ? "sensitive" : "general");
  if (denied) return denied;
  if ("accountEnabled" in body && typeof body.accountEnabled !== "boolean") {
    return invalidValue(ctx, "accountEnabled");
  }
  if ("displayName" in body && (typeof body.displayName !== "string" || body.displayName === "")) {
    return invalidValue(ctx, "displayName");
  }
  const invalid =
    ("userPrincipalName" in body ? checkUpn(ctx, body.userPrincipalName) : undefined) ??
    ("passwordPolicies" in body ? checkPasswordPolicies(ctx, body.passwordPolicies) : undefined) ??
    ("passwordProfile" in body
      ? checkPassword(
          ctx,
          body.passwordProfile,
          !String(body.passwordPolicies ?? user.passwordPolicies ?? "").includes("DisableStrongPassword"),
        )
      : undefined);
  if (invalid) return invalid;
  if (typeof body.userPrincipalName === "string" && upnTaken(ctx, body.userPrincipalName, user.id)) {
    return duplicateUpn(ctx);
  }
  const next: Entity = { ...user };
  for (const [k, v] of Object.entries(body)) {
    if (k === "passwordProfile") next.lastPasswordChangeDateTime = state(ctx).nowIso();
    else next[k] = structuredClone(v);
  }
  ctx.store.users.put(next);
  ctx.store.touch();
  return noContent();
}

export const deleteUserPermissions = [ANY_USER_WRITE];

/** DELETE /users/{id}: into deleted items, out of every group, unit and role assignment. */
export function deleteUser(ctx: WriteContext, id = ctx.params.id!): GraphResponse {
  const user = userOr404(ctx, id);
  if (isResponse(user)) return user;
  const denied = guardUserWrite(ctx, user, "sensitive");
  if (denied) return denied;
  removeDirectoryObject(ctx, user.id);
  ctx.store.users.remove(user.id);
  ctx.store.deletedUsers.put({ ...user, deletedDateTime: state(ctx).nowIso() });
  ctx.store.touch();
  return noContent();
}

/** Drops every link to a deleted object: memberships, ownerships, role assignments. */
export function removeDirectoryObject(ctx: WriteContext, id: string): void {
  const k = id.toLowerCase();
  const without = (v: unknown) =>
    Array.isArray(v) ? (v as Ref[]).filter((r) => r.id.toLowerCase() !== k) : v;
  for (const g of ctx.store.groups.list()) {
    g.members = without(g.members);
    g.owners = without(g.owners);
  }
  for (const au of ctx.store.administrativeUnits.list()) au.members = without(au.members);
  for (const ra of [...ctx.store.roleAssignments.list()]) {
    if (String(ra.principalId).toLowerCase() === k) ctx.store.roleAssignments.remove(ra.id);
  }
  for (const s of [...ctx.store.roleAssignmentSchedules.list()]) {
    if (String(s.principalId).toLowerCase() === k) ctx.store.roleAssignmentSchedules.remove(s.id);
  }
}

export const assignLicensePermissions = [["LicenseAssignment.ReadWrite.All", ...ANY_USER_WRITE]];

/** POST /users/{id}/assignLicense { addLicenses: [{ skuId, disabledPlans }], removeLicenses: [skuId] } → 200 the user. */
export function assignLicense(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const user = userOr404(ctx);
  if (isResponse(user)) return user;
  const add = body.addLicenses;
  const remove = body.removeLicenses;
  if (!Array.isArray(add) || !Array.isArray(remove)) {
    return badRequest(ctx, "addLicenses and removeLicenses are both required (use [] for none).");
  }
  const denied = guardUserWrite(ctx, user, "general");
  if (denied) return denied;
  const skus = new Set(ctx.store.subscribedSkus.list().map((s) => String(s.skuId ?? "").toLowerCase()));
  for (const l of add as Body[]) {
    const sku = String(l?.skuId ?? "").toLowerCase();
    if (!skus.has(sku))
      return badRequest(ctx, `License ${String(l?.skuId)} does not correspond to a valid company License.`);
  }
  if (add.length && !user.usageLocation) {
    return badRequest(ctx, "License assignment cannot be done for user with invalid usage location.");
  }
  const current = Array.isArray(user.assignedLicenses) ? (user.assignedLicenses as Body[]) : [];
  const removing = new Set((remove as unknown[]).map((r) => String(r).toLowerCase()));
  for (const r of removing) {
    if (!current.some((l) => String(l.skuId).toLowerCase() === r)) {
      return badRequest(ctx, `User does not have a corresponding license ${r}.`);
    }
  }
  const kept = current.filter((l) => !removing.has(String(l.skuId).toLowerCase()));
  const added = (add as Body[]).map((l) => ({
    disabledPlans: l.disabledPlans ?? [],
    skuId: String(l.skuId),
  }));
  user.assignedLicenses = [
    ...kept.filter((l) => !added.some((a) => a.skuId.toLowerCase() === String(l.skuId).toLowerCase())),
    ...added,
  ];
  ctx.store.touch();
  const view: Body = { id: user.id };
  for (const p of [...USER_DEFAULT_PROPERTIES, "userPrincipalName"]) view[p] = user[p] ?? null;
  return ok(ctx, "users/$entity", view);
}

// ----------------------------------------------------------------------------- sign-in and MFA state

export const perUserMfaPermissions = [["Policy.ReadWrite.AuthenticationMethod"]];

/** PATCH beta /users/{id}/authentication/requirements (docs/graph-writes.md 7.6). */
export function updatePerUserMfa(ctx: WriteContext): GraphResponse {
  const body = bodyOf(ctx);
  if (isResponse(body)) return body;
  const user = userOr404(ctx);
  if (isResponse(user)) return user;
  const value = body.perUserMfaState;
  if (!["enforced", "enabled", "disabled"].includes(String(value)) || Object.keys(body).length !== 1) {
    return badRequest(
      ctx,
      "Invalid value for perUserMfaState: expected enforced, enabled or disabled.",
      "badRequest",
    );
  }
  const denied = guardUserWrite(ctx, user, "sensitive");
  if (denied) return denied;
  user.perUserMfaState = value;
  ctx.store.touch();
  return noContent();
}

export const revokePermissions = [["User.RevokeSessions.All", ...ANY_USER_WRITE]];

/** POST /users/{id}/revokeSignInSessions → 200 { value: true } (docs/graph-writes.md 8). */
export function revokeSignInSessions(ctx: WriteContext): GraphResponse {
  const user = userOr404(ctx);
  if (isResponse(user)) return user;
  const denied = guardUserWrite(ctx, user, "sensitive");
  if (denied) return denied;
  user.signInSessionsValidFromDateTime = state(ctx).nowIso();
  // a revoked session cannot register keys any more
  state(ctx).endSession(user.id);
  ctx.store.touch();
  return ok(ctx, "Edm.Boolean", { value: true });
}
