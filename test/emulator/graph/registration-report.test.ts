/**
 * `GET /reports/authenticationMethods/userRegistrationDetails` as Graph's reference documents it:
 * the row shape, methodsRegistered from the stored methods, exactly the documented `$filter`
 * support (anything else 400), no `$top`, paging, the reports throttling family and
 * AuditLog.Read.All enforced over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT_READ_PERMISSIONS, startEmulator, type RunningEmulator } from "../../../emulator/index.js";
import type { Snapshot } from "../../../src/snapshot/schema.js";
import { call, tokenFor, undiciAgent } from "../support.js";
import { BASE, BG1, BG2, GUEST, follow, get, makeLayer, request, resolveOk, tenant } from "./fixture.js";

const PATH = "/reports/authenticationMethods/userRegistrationDetails";
const ALEX = "abababab-0000-0000-0000-000000000001";

/** The fixture tenant plus Alex, an everyday admin with Authenticator (passwordless), a phone and a passkey in Authenticator. */
function withAlex(): Snapshot {
  const t = structuredClone(tenant());
  t.users!.push({
    id: ALEX,
    userPrincipalName: "alex@contoso.com",
    displayName: "Alex Wilber",
    accountEnabled: true,
    userType: "Member",
    authenticationMethods: [
      {
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        id: "28c10230-6103-485e-b985-444c60001490",
      },
      {
        "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
        id: "m1",
        displayName: "iPhone 15",
        createdDateTime: "2025-01-01T00:00:00Z",
      },
      {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "b6332ec1-7057-4abe-9331-3d72feddfe41",
        phoneNumber: "+1 5555550111",
        phoneType: "alternateMobile",
      },
      {
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: "p1",
        displayName: "iPhone 15",
        aaGuid: "90a3ccdf-635c-4729-a248-9b709135078f",
      },
      { "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", id: "o1" },
    ],
  });
  return t;
}

describe("userRegistrationDetails", () => {
  const layer = makeLayer(withAlex());

  it("is a report in v1.0 and beta: reports family, AuditLog.Read.All, section registrationDetails", () => {
    const r = resolveOk(layer, request(PATH));
    expect(r.family).toBe("reports");
    expect(r.permissions).toEqual([["AuditLog.Read.All"]]);
    expect(r.section).toBe("registrationDetails");
    expect(r.endpoint).toBe(`GET ${PATH}`);
    const beta = get(layer, PATH, { version: "beta" });
    expect(beta.status).toBe(200);
    expect(beta.json.value.map((row: { defaultMfaMethod: string }) => row.defaultMfaMethod)).toEqual([
      "none",
      "microsoftAuthenticatorPush",
    ]);
    expect(get(layer, PATH).json.value[1]).not.toHaveProperty("defaultMfaMethod");
  });

  it("has one row per enabled user whose methods are known, in Graph's shape", () => {
    const r = get(layer, PATH);
    expect(r.status).toBe(200);
    expect(r.json["@odata.context"]).toBe(
      `${BASE}/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails`,
    );
    const ids = r.json.value.map((row: { id: string }) => row.id);
    // BG2 is disabled ("doesn't work for disabled users"); the guest's methods were never read
    expect(ids).toEqual([BG1, ALEX]);
    expect(ids).not.toContain(BG2);
    expect(ids).not.toContain(GUEST);
    expect(r.json.value[0]).toEqual({
      id: BG1,
      userPrincipalName: "bg1@contoso.onmicrosoft.com",
      userDisplayName: "Break Glass 1",
      userType: "member",
      isAdmin: true,
      isSsprRegistered: false,
      isSsprEnabled: false,
      isSsprCapable: false,
      isMfaRegistered: true,
      isMfaCapable: true,
      isPasswordlessCapable: true,
      isSystemPreferredAuthenticationMethodEnabled: true,
      lastUpdatedDateTime: "2026-11-01T10:00:00Z",
      methodsRegistered: ["passKeyDeviceBound"],
      systemPreferredAuthenticationMethods: [],
      userPreferredMethodForSecondaryAuthentication: "",
    });
    expect(r.json.value[1]).toMatchObject({
      id: ALEX,
      isAdmin: false,
      methodsRegistered: [
        "microsoftAuthenticatorPush",
        "microsoftAuthenticatorPasswordless",
        "alternateMobilePhone",
        "passKeyDeviceBoundAuthenticator",
        "softwareOneTimePasscode",
      ],
      systemPreferredAuthenticationMethods: ["push"],
      userPreferredMethodForSecondaryAuthentication: "push",
    });
    expect(get(layer, `${PATH}/${ALEX}`).json.id).toBe(ALEX);
    expect(get(layer, `${PATH}/${BG2}`).status).toBe(404);
  });

  it("serves the snapshot's own row for a user whose methods it does not hold", () => {
    const t = withAlex();
    t.registrationDetails = [{ id: GUEST, userPrincipalName: "guest", methodsRegistered: ["email"] }];
    const ids = get(makeLayer(t), PATH).json.value.map((row: { id: string }) => row.id);
    expect(ids).toEqual([BG1, GUEST, ALEX]);
  });

  it("filters as documented: methodsRegistered/any with eq, booleans eq, UPN eq/startsWith", () => {
    const ids = (query: string) => {
      const r = get(layer, PATH, { query: `$filter=${encodeURIComponent(query)}` });
      expect(r.status, query).toBe(200);
      return r.json.value.map((row: { id: string }) => row.id);
    };
    expect(ids("methodsRegistered/any(m: m eq 'passKeyDeviceBound')")).toEqual([BG1]);
    expect(ids("methodsRegistered/any(x:x eq 'alternateMobilePhone')")).toEqual([ALEX]);
    expect(ids("methodsRegistered/any(m: m eq 'mobilePhone')")).toEqual([]);
    expect(ids("isPasswordlessCapable eq true and isMfaRegistered eq true")).toEqual([BG1, ALEX]);
    expect(ids("startswith(userPrincipalName, 'alex')")).toEqual([ALEX]);
    expect(ids("systemPreferredAuthenticationMethods/any(m: m eq 'push')")).toEqual([ALEX]);
  });

  it("refuses what Graph does not document with 400", () => {
    for (const query of [
      "$filter=isAdmin eq true",
      "$filter=userType eq 'member'",
      "$filter=isMfaRegistered ne true",
      "$filter=methodsRegistered/all(m: m eq 'email')",
      "$filter=id eq 'x'",
      "$filter=userPrincipalName in ('a')",
      "$top=10",
      "$select=id,methodsRegistered",
      "$count=true",
      "$skip=1",
      "$orderby=lastUpdatedDateTime",
    ]) {
      const r = get(layer, PATH, { query });
      expect(r.status, query).toBe(400);
      expect(r.json.error.code, query).toBe("BadRequest");
    }
    expect(get(layer, PATH, { query: "$orderby=userPrincipalName" }).json.value[0].id).toBe(ALEX);
  });

  it("pages at 1,000 rows with a nextLink", () => {
    const t = structuredClone(tenant());
    for (let i = 0; i < 1200; i++)
      t.users!.push({
        id: `eeeeeeee-0000-0000-0000-${String(i).padStart(12, "0")}`,
        accountEnabled: true,
        authenticationMethods: [],
      });
    const big = makeLayer(t);
    const first = get(big, PATH);
    expect(first.json.value).toHaveLength(1000);
    const second = follow(big, first.json["@odata.nextLink"]);
    expect(second.status).toBe(200);
    expect(second.json.value).toHaveLength(201);
    expect(second.json["@odata.nextLink"]).toBeUndefined();
  });
});

describe("userRegistrationDetails over HTTPS", () => {
  let emu: RunningEmulator;
  let agent: ReturnType<typeof undiciAgent>;
  beforeAll(async () => {
    emu = await startEmulator({ snapshot: withAlex(), throttle: false });
    agent = undiciAgent(emu);
  });
  afterAll(async () => {
    await agent?.close();
    await emu?.close();
  });

  it("needs AuditLog.Read.All: 403 without it, 200 with it", async () => {
    const without = emu.registerApp({
      secret: "no-audit",
      graphPermissions: EXPORT_READ_PERMISSIONS.filter((p) => p !== "AuditLog.Read.All"),
    });
    const denied = await call(emu, agent, "GET", `/graph/v1.0${PATH}`, {
      token: await tokenFor(emu, agent, without.clientId, "no-audit"),
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("Authorization_RequestDenied");
    const app = emu.apps[0]!;
    const ok = await call(emu, agent, "GET", `/graph/v1.0${PATH}`, {
      token: await tokenFor(emu, agent, app.clientId, app.secrets[0]!),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.value).toHaveLength(2);
  });
});
