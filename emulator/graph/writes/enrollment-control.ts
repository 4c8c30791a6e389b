/**
 * The enrollment control endpoints that stand in for the person at the keyboard: a sign-in with
 * the Temporary Access Pass, and a FIDO2 key registered in that session's registration window.
 */
import { randomBytes } from "node:crypto";
import type { Entity, Ref } from "../tenant-store.js";
import type { GraphResponse } from "../types.js";
import { state, type Body, type WriteContext } from "./common.js";
import { tapExpiry } from "./methods.js";

const TAP_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethod";
const FIDO2_TYPE = "#microsoft.graph.fido2AuthenticationMethod";
/** the window after a one-time pass's sign-in in which keys can be registered */
export const ONE_TIME_PASS_REGISTRATION_MS = 10 * 60_000;

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
