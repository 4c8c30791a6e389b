/**
 * User writes (docs/graph-writes.md 1, 7.3-7.6, 8): create, update, delete, Temporary Access Pass,
 * method deletion, per-user MFA state, revokeSignInSessions; and the enrollment control endpoints
 * that stand in for the person at the keyboard (a sign-in with the pass, a key registered in that
 * session).
 */
import { randomBytes, randomInt } from "node:crypto";
import { METHOD_COLLECTIONS, USER_DEFAULT_PROPERTIES } from "../specs.js";
import type { Entity, Ref } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  badRequest,
  bodyOf,
  created,
  fail,
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
const MOBILE_PHONE_ID = "3179e48a-750b-4051-897c-87b9720928f7";
const ALTERNATE_MOBILE_ID = "b6332ec1-7057-4abe-9331-3d72feddfe41";
const TAP_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethod";
const FIDO2_TYPE = "#microsoft.graph.fido2AuthenticationMethod";
/** the window after a one-time pass's sign-in in which keys can be registered */
export const ONE_TIME_PASS_REGISTRATION_MS = 10 * 60_000;

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

// --------------------------------------------------------------------------- Temporary Access Pass

export const createTapPermissions = [
  ["UserAuthMethod-TAP.ReadWrite.All", "UserAuthenticationMethod.ReadWrite.All"],
];

function tapPolicy(ctx: WriteContext): Body | undefined {
  const configs = ctx.store.authenticationMethodsPolicy?.authenticationMethodConfigurations;
  return Array.isArray(configs)
    ? (configs as Body[]).find((c) => String(c.id).toLowerCase() === "temporaryaccesspass")
    : undefined;
}

/** Whether a method configuration's include/exclude targets reach the user. */
export function targetsUser(ctx: WriteContext, config: Body, userId: string): boolean {
  const groups = new Set(ctx.store.transitiveMemberOf(userId).map((r) => r.id.toLowerCase()));
  const hits = (targets: unknown) =>
    Array.isArray(targets) &&
    (targets as Body[]).some((t) => {
      const id = String(t.id ?? "").toLowerCase();
      return id === "all_users" || groups.has(id) || id === userId.toLowerCase();
    });
  return hits(config.includeTargets) && !hits(config.excludeTargets);
}

const PASS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789@#$%+=";

function tapExpiry(method: Body): number {
  return Date.parse(String(method.startDateTime)) + Number(method.lifetimeInMinutes) * 60_000;
}

/** POST /users/{id}/authentication/temporaryAccessPassMethods (docs/graph-writes.md 7.3). */
export function createTemporaryAccessPass(ctx: WriteContext): GraphResponse {
  const user = userOr404(ctx);
  if (isResponse(user)) return user;
  const raw = ctx.req.body ?? {};
  if (typeof raw !== "object" || Array.isArray(raw))
    return badRequest(ctx, "Invalid request body.", "badRequest");
  const body = raw as Body;
  const denied = guardUserWrite(ctx, user, "sensitive");
  if (denied) return denied;
  const policy = tapPolicy(ctx);
  if (!policy || policy.state !== "enabled" || !targetsUser(ctx, policy, user.id)) {
    return badRequest(
      ctx,
      "The Temporary Access Pass method is not enabled for this user by the authentication methods policy.",
      "badRequest",
    );
  }
  const min = Number(policy.minimumLifetimeInMinutes ?? 10);
  const max = Number(policy.maximumLifetimeInMinutes ?? 43200);
  const lifetime = body.lifetimeInMinutes ?? policy.defaultLifetimeInMinutes ?? 60;
  if (
    typeof lifetime !== "number" ||
    !Number.isInteger(lifetime) ||
    lifetime < Math.max(10, min) ||
    lifetime > Math.min(43200, max)
  ) {
    return badRequest(
      ctx,
      `lifetimeInMinutes must be between ${Math.max(10, min)} and ${Math.min(43200, max)}, as the Temporary Access Pass policy allows.`,
      "badRequest",
    );
  }
  const policyOnce = policy.isUsableOnce === true;
  if (body.isUsableOnce !== undefined && typeof body.isUsableOnce !== "boolean") {
    return badRequest(ctx, "isUsableOnce must be a boolean.", "badRequest");
  }
  if (policyOnce && body.isUsableOnce === false) {
    return badRequest(
      ctx,
      "The Temporary Access Pass policy requires one-time use: isUsableOnce cannot be false.",
      "badRequest",
    );
  }
  const once = (body.isUsableOnce as boolean | undefined) ?? policyOnce;
  const now = state(ctx).now();
  const start = body.startDateTime === undefined ? now : Date.parse(String(body.startDateTime));
  if (Number.isNaN(start)) return badRequest(ctx, "startDateTime is not a valid date.", "badRequest");

  // one usable pass per user: the previous one is deleted (docs/graph-writes.md 0.3)
  const methods = ctx.store.authenticationMethods(user);
  for (const m of methods) if (m["@odata.type"] === TAP_TYPE) state(ctx).forgetPass(m.id);
  state(ctx).endSession(user.id);
  const length = Math.min(48, Math.max(8, Number(policy.defaultLength ?? 8)));
  let value = "";
  for (let i = 0; i < length; i++) value += PASS_ALPHABET[randomInt(PASS_ALPHABET.length)];
  const method: Ref = {
    "@odata.type": TAP_TYPE,
    id: newId(),
    temporaryAccessPass: null,
    createdDateTime: new Date(now).toISOString(),
    startDateTime: new Date(start).toISOString(),
    lifetimeInMinutes: lifetime,
    isUsableOnce: once,
    isUsable: start <= now,
    methodUsabilityReason: start <= now ? "EnabledByPolicy" : "NotYetValid",
  };
  user.authenticationMethods = [...methods.filter((m) => m["@odata.type"] !== TAP_TYPE), method];
  state(ctx).rememberPass(method.id, value);
  state(ctx).trackPass(method);
  ctx.store.touch();
  // the pass itself only in this response; every GET shows null (docs/graph-writes.md 7.3)
  return created(ctx, `users('${user.id}')/authentication/temporaryAccessPassMethods`, {
    ...method,
    temporaryAccessPass: value,
  });
}

// ---------------------------------------------------------------------------------- method deletes

/** The method collections whose items can be deleted (not passwordMethods: docs/graph-writes.md 7.4). */
export const DELETABLE_METHODS: Record<string, string[]> = {
  fido2Methods: ["UserAuthMethod-Passkey.ReadWrite.All"],
  phoneMethods: ["UserAuthMethod-Phone.ReadWrite.All"],
  emailMethods: ["UserAuthMethod-Email.ReadWrite.All"],
  microsoftAuthenticatorMethods: ["UserAuthMethod-MicrosoftAuthApp.ReadWrite.All"],
  softwareOathMethods: ["UserAuthMethod-SoftwareOATH.ReadWrite.All"],
  temporaryAccessPassMethods: ["UserAuthMethod-TAP.ReadWrite.All"],
  windowsHelloForBusinessMethods: ["UserAuthMethod-WindowsHello.ReadWrite.All"],
  platformCredentialMethods: ["UserAuthMethod-PlatformCred.ReadWrite.All"],
};

export const deleteMethodPermissions = (segment: string) => [
  [...(DELETABLE_METHODS[segment] ?? []), "UserAuthenticationMethod.ReadWrite.All"],
];

export function deleteMethod(ctx: WriteContext, segment: string): GraphResponse {
  const user = userOr404(ctx);
  if (isResponse(user)) return user;
  const type = METHOD_COLLECTIONS[segment]!;
  const methods = ctx.store.authenticationMethods(user);
  const id = ctx.params.methodId!.toLowerCase();
  const method = methods.find((m) => m["@odata.type"] === type && m.id.toLowerCase() === id);
  if (!method) {
    return fail(
      ctx,
      404,
      "itemNotFound",
      `The requested authentication method '${ctx.params.methodId}' was not found.`,
    );
  }
  const denied = guardUserWrite(ctx, user, "sensitive");
  if (denied) return denied;
  if (
    method.id.toLowerCase() === MOBILE_PHONE_ID &&
    methods.some((m) => m.id.toLowerCase() === ALTERNATE_MOBILE_ID)
  ) {
    return badRequest(
      ctx,
      "The mobile phone method cannot be deleted while an alternate mobile phone is registered.",
      "badRequest",
    );
  }
  user.authenticationMethods = methods.filter((m) => m !== method);
  if (type === TAP_TYPE) state(ctx).forgetPass(method.id);
  ctx.store.touch();
  return noContent();
}

// ----------------------------------------------------------------------- enrollment control surface

function control(status: number, body: Body): GraphResponse {
  return { status, headers: { "content-type": "application/json" }, body };
}

const conflict = (message: string) => control(409, { error: { code: "Conflict", message } });

function currentPass(ctx: WriteContext, user: Entity): Ref | undefined {
  return ctx.store.authenticationMethods(user).find((m) => m["@odata.type"] === TAP_TYPE);
}

/**
 * `POST {graph}/_emulator/users/{id}/signIn` `{ "temporaryAccessPass": "..." }`: the person signs in
 * with the pass. A one-time pass is spent and opens a 10-minute registration session; a multi-use
 * pass opens one that lasts as long as the pass.
 */
export function controlSignIn(ctx: WriteContext): GraphResponse {
  const user = ctx.store.users.get(ctx.params.id!);
  if (!user) return control(404, { error: { code: "NotFound", message: `No user '${ctx.params.id}'.` } });
  const pass = (ctx.req.body as Body | undefined)?.temporaryAccessPass;
  if (typeof pass !== "string") {
    return control(400, {
      error: { code: "BadRequest", message: "temporaryAccessPass (string) is required." },
    });
  }
  if (user.accountEnabled === false) return conflict("The account is disabled.");
  const method = currentPass(ctx, user);
  const now = state(ctx).now();
  if (!method || state(ctx).passValue(method.id) !== pass)
    return conflict("The Temporary Access Pass is not valid.");
  if (now < Date.parse(String(method.startDateTime)))
    return conflict("The Temporary Access Pass is not valid yet.");
  if (now >= tapExpiry(method)) return conflict("The Temporary Access Pass has expired.");
  if (method.isUsable === false) return conflict("The one-time Temporary Access Pass has already been used.");
  const endsAt = method.isUsableOnce === true ? now + ONE_TIME_PASS_REGISTRATION_MS : tapExpiry(method);
  if (method.isUsableOnce === true) {
    method.isUsable = false;
    method.methodUsabilityReason = "OneTimeUsed";
  }
  state(ctx).openSession(user.id, { methodId: method.id, startedAt: now, endsAt });
  ctx.store.touch();
  return control(200, {
    userId: user.id,
    sessionStartedDateTime: new Date(now).toISOString(),
    registrationEndsDateTime: new Date(endsAt).toISOString(),
  });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST {graph}/_emulator/users/{id}/fido2Methods` `{ aaGuid, model, displayName }`: registers a
 * key in the session a pass sign-in opened; 409 without a pass within its lifetime or outside the
 * session (10 minutes after a one-time pass's sign-in).
 */
export function controlRegisterFido2(ctx: WriteContext): GraphResponse {
  const user = ctx.store.users.get(ctx.params.id!);
  if (!user) return control(404, { error: { code: "NotFound", message: `No user '${ctx.params.id}'.` } });
  const body = (ctx.req.body ?? {}) as Body;
  if (typeof body.aaGuid !== "string" || !GUID.test(body.aaGuid)) {
    return control(400, { error: { code: "BadRequest", message: "aaGuid must be a GUID." } });
  }
  for (const f of ["model", "displayName"]) {
    if (typeof body[f] !== "string" || body[f] === "") {
      return control(400, { error: { code: "BadRequest", message: `${f} (string) is required.` } });
    }
  }
  const now = state(ctx).now();
  const method = currentPass(ctx, user);
  if (!method) return conflict("The account holds no Temporary Access Pass.");
  if (now >= tapExpiry(method)) return conflict("The Temporary Access Pass has expired.");
  const session = state(ctx).session(user.id);
  if (!session || session.methodId !== method.id) {
    return conflict("No sign-in with the current Temporary Access Pass: sign in first.");
  }
  if (now >= session.endsAt) {
    return conflict("The registration window after the Temporary Access Pass sign-in has ended.");
  }
  const key: Ref = {
    "@odata.type": FIDO2_TYPE,
    id: randomBytes(24).toString("base64url"),
    displayName: body.displayName,
    createdDateTime: new Date(now).toISOString(),
    aaGuid: body.aaGuid.toLowerCase(),
    model: body.model,
    attestationCertificates: [],
    attestationLevel: body.attestationLevel === "notAttested" ? "notAttested" : "attested",
    passkeyType: body.passkeyType === "synced" ? "synced" : "deviceBound",
  };
  user.authenticationMethods = [...ctx.store.authenticationMethods(user), key];
  ctx.store.touch();
  return control(201, key);
}
