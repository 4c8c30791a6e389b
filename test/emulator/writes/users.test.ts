import { afterEach, describe, expect, it } from "vitest";
import { EA_GROUP, EA_USER, startWriteHarness, type WriteHarness } from "./support.js";

const PASSWORD = "Aa1!" + "x".repeat(60);
const newUser = (upn: string) => ({
  accountEnabled: true,
  displayName: upn.split("@")[0],
  mailNickname: upn.split("@")[0],
  userPrincipalName: upn,
  passwordProfile: { forceChangePasswordNextSignIn: false, password: PASSWORD },
  passwordPolicies: "DisablePasswordExpiration",
});

describe("user writes", () => {
  let h: WriteHarness;
  afterEach(async () => h?.close());

  it("creates a user (201, default properties, no password), visible to a later read; a duplicate UPN is 400 ObjectConflict", async () => {
    h = await startWriteHarness();
    const res = await h.graph("POST", "/v1.0/users", newUser("zq4x8@contosomedical.onmicrosoft.com"));
    expect(res.status).toBe(201);
    expect(res.body.userPrincipalName).toBe("zq4x8@contosomedical.onmicrosoft.com");
    expect(res.body.passwordProfile).toBeUndefined();
    expect(res.body.passwordPolicies).toBeUndefined();
    expect(res.text).not.toContain(PASSWORD);
    const read = await h.graph(
      "GET",
      `/v1.0/users/${res.body.id}?$select=id,passwordPolicies,accountEnabled`,
      undefined,
      h.reader,
    );
    expect(read.status).toBe(200);
    expect(read.body.passwordPolicies).toBe("DisablePasswordExpiration");
    const methods = await h.graph(
      "GET",
      `/v1.0/users/${res.body.id}/authentication/methods`,
      undefined,
      h.reader,
    );
    expect(methods.body.value.map((m: any) => m["@odata.type"])).toEqual([
      "#microsoft.graph.passwordAuthenticationMethod",
    ]);

    const dup = await h.graph("POST", "/v1.0/users", newUser("ZQ4X8@contosomedical.onmicrosoft.com"));
    expect(dup.status).toBe(400);
    expect(dup.body.error.code).toBe("Request_BadRequest");
    expect(dup.body.error.message).toBe(
      "Another object with the same value for property userPrincipalName already exists.",
    );
    expect(dup.body.error.details).toEqual([{ target: "userPrincipalName", code: "ObjectConflict" }]);
  });

  it("validates the UPN, the domain and the password", async () => {
    h = await startWriteHarness();
    const bad = [
      newUser("a.@contosomedical.onmicrosoft.com"),
      newUser(`${"a".repeat(65)}@contosomedical.onmicrosoft.com`),
      newUser("zz@fabrikam.example"),
      { ...newUser("ok1@contosomedical.onmicrosoft.com"), passwordProfile: { password: "short" } },
      { ...newUser("ok2@contosomedical.onmicrosoft.com"), mailNickname: undefined },
      { ...newUser("ok3@contosomedical.onmicrosoft.com"), favouriteColour: "red" },
    ];
    for (const body of bad) {
      const res = await h.graph("POST", "/v1.0/users", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("needs a write permission: the default read-only app gets 403", async () => {
    h = await startWriteHarness();
    const res = await h.graph("POST", "/v1.0/users", newUser("ro@contosomedical.onmicrosoft.com"), h.reader);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("Authorization_RequestDenied");
  });

  it("PATCH merges properties (204); a member of a restricted unit refuses tenant-wide writes (403)", async () => {
    h = await startWriteHarness();
    const created = await h.graph("POST", "/v1.0/users", newUser("p1@contosomedical.onmicrosoft.com"));
    const id = created.body.id;
    expect((await h.graph("PATCH", `/v1.0/users/${id}`, { jobTitle: "Vault" })).status).toBe(204);
    const read = await h.graph("GET", `/v1.0/users/${id}?$select=jobTitle,accountEnabled`);
    expect(read.body).toMatchObject({ jobTitle: "Vault", accountEnabled: true });
    const denied = await h.graph("PATCH", `/v1.0/users/${EA_USER}`, { passwordPolicies: "None" });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("Authorization_RequestDenied");
  });

  it("a member of a role-assignable group is protected: only Privileged Authentication Administrator changes its credentials", async () => {
    h = await startWriteHarness();
    const user = (await h.graph("POST", "/v1.0/users", newUser("k1@contosomedical.onmicrosoft.com"))).body;
    const group = await h.graph("POST", "/v1.0/groups", {
      displayName: "grp-fin-3318",
      mailEnabled: false,
      mailNickname: "grp-fin-3318",
      securityEnabled: true,
      isAssignableToRole: true,
    });
    expect(group.status).toBe(201);
    expect(group.body.visibility).toBe("Private");
    const add = await h.graph("POST", `/v1.0/groups/${group.body.id}/members/$ref`, {
      "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}`,
    });
    expect(add.status).toBe(204);
    // an app with every write permission but no directory role
    const plain = h.emu.registerApp({
      secret: "s3cret-plain-app-0000000000000000000",
      graphPermissions: [
        "User.ReadWrite.All",
        "UserAuthenticationMethod.ReadWrite.All",
        "Policy.ReadWrite.AuthenticationMethod",
      ],
    });
    const { tokenFor } = await import("../support.js");
    const plainToken = await tokenFor(h.emu, h.agent, plain.clientId, plain.secrets[0]!);
    for (const [method, path, body] of [
      ["PATCH", `/v1.0/users/${user.id}`, { accountEnabled: false }],
      ["PATCH", `/beta/users/${user.id}/authentication/requirements`, { perUserMfaState: "disabled" }],
      ["POST", `/v1.0/users/${user.id}/revokeSignInSessions`, undefined],
      ["DELETE", `/v1.0/users/${user.id}`, undefined],
    ] as const) {
      expect((await h.graph(method, path, body, plainToken)).status, `${method} ${path}`).toBe(403);
    }
    // general properties stay writable with the permission alone
    expect((await h.graph("PATCH", `/v1.0/users/${user.id}`, { jobTitle: "x" }, plainToken)).status).toBe(
      204,
    );
    // the deployer holds Privileged Authentication Administrator
    expect(
      (
        await h.graph("PATCH", `/beta/users/${user.id}/authentication/requirements`, {
          perUserMfaState: "disabled",
        })
      ).status,
    ).toBe(204);
    const revoke = await h.graph("POST", `/v1.0/users/${user.id}/revokeSignInSessions`);
    expect(revoke.status).toBe(200);
    expect(revoke.body.value).toBe(true);
  });

  it("per-user MFA is beta only; v1.0 does not know the segment", async () => {
    h = await startWriteHarness();
    const user = (await h.graph("POST", "/v1.0/users", newUser("m1@contosomedical.onmicrosoft.com"))).body;
    const v1 = await h.graph("PATCH", `/v1.0/users/${user.id}/authentication/requirements`, {
      perUserMfaState: "enforced",
    });
    expect(v1.status).toBe(400);
    expect(
      (
        await h.graph("PATCH", `/beta/users/${user.id}/authentication/requirements`, {
          perUserMfaState: "enforced",
        })
      ).status,
    ).toBe(204);
    const read = await h.graph("GET", `/beta/users/${user.id}/authentication/requirements`);
    expect(read.body.perUserMfaState).toBe("enforced");
    expect(
      (
        await h.graph("PATCH", `/beta/users/${user.id}/authentication/requirements`, {
          perUserMfaState: "on",
        })
      ).status,
    ).toBe(400);
  });

  it("deletes methods (204) but never the password; the group's own members stay in the RMAU's protection", async () => {
    h = await startWriteHarness();
    const user = (await h.graph("POST", "/v1.0/users", newUser("d1@contosomedical.onmicrosoft.com"))).body;
    const pw = await h.graph(
      "DELETE",
      `/v1.0/users/${user.id}/authentication/passwordMethods/28c10230-6103-485e-b985-444c60001490`,
    );
    expect(pw.status).toBe(405);
    const missing = await h.graph(
      "DELETE",
      `/v1.0/users/${user.id}/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7`,
    );
    expect(missing.status).toBe(404);
    const rmauKey = await h.graph("GET", `/v1.0/users/${EA_USER}/authentication/fido2Methods`);
    const keyId = rmauKey.body.value[0].id;
    expect(
      (await h.graph("DELETE", `/v1.0/users/${EA_USER}/authentication/fido2Methods/${keyId}`)).status,
    ).toBe(403);
    expect(EA_GROUP).toBeTruthy();
  });
});
