/**
 * Authentication method writes (docs/graph-writes.md 7.3-7.6): the Temporary Access Pass, as
 * the methods policy allows it, and the deletion of a user's methods.
 */
import { randomInt } from "node:crypto";
import { METHOD_COLLECTIONS } from "../specs.js";
import type { Ref } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import {
  badRequest,
  created,
  fail,
  guardUserWrite,
  isResponse,
  newId,
  noContent,
  state,
  userOr404,
  type Body,
  type WriteContext,
} from "./common.js";

const MOBILE_PHONE_ID = "3179e48a-750b-4051-897c-87b9720928f7";
const ALTERNATE_MOBILE_ID = "b6332ec1-7057-4abe-9331-3d72feddfe41";
const TAP_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethod";

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

export function tapExpiry(method: Body): number {
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
