import { ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT_READ_PERMISSIONS, startEmulator, type RunningEmulator } from "../../emulator/index.js";
import { createFakeGraphLayer } from "./fake-graph-layer.js";
import { call, credentialOptions, sampleSnapshot, TENANT_ID, tokenFor, undiciAgent } from "./support.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("emulator identity (token endpoint, metadata)", () => {
  let emu: RunningEmulator;
  let agent: ReturnType<typeof undiciAgent>;

  beforeAll(async () => {
    emu = await startEmulator({ snapshot: sampleSnapshot(), graphLayer: createFakeGraphLayer });
    agent = undiciAgent(emu);
  });
  afterAll(async () => {
    await agent?.close();
    await emu?.close();
  });

  const tokenRequest = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    call(emu, agent, "POST", `/${TENANT_ID}/oauth2/v2.0/token`, {
      headers: { ...FORM, ...headers },
      body: new URLSearchParams(params).toString(),
    });

  it("serves the OpenID configuration with the keys MSAL checks, pointing at the emulator", async () => {
    const res = await call(emu, agent, "GET", `/${TENANT_ID}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    for (const key of [
      "authorization_endpoint",
      "token_endpoint",
      "issuer",
      "jwks_uri",
      "end_session_endpoint",
    ]) {
      expect(res.body[key], key).toMatch(new RegExp(`^${emu.url.replace(/\./g, "\\.")}/${TENANT_ID}/`));
    }
    const jwks = await call(emu, agent, "GET", new URL(res.body.jwks_uri).pathname);
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: "RSA", use: "sig" });
  });

  it("default app: ClientSecretCredential gets a Graph token whose roles are the export read set", async () => {
    const app = emu.apps[0]!;
    expect(app.graphPermissions).toEqual([...EXPORT_READ_PERMISSIONS]);
    const credential = new ClientSecretCredential(
      TENANT_ID,
      app.clientId,
      app.secrets[0]!,
      credentialOptions(emu),
    );
    const token = await credential.getToken("https://graph.microsoft.com/.default");
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
    const claims = jose.decodeJwt(token.token);
    expect(claims).toMatchObject({
      aud: "https://graph.microsoft.com",
      iss: `https://sts.windows.net/${TENANT_ID}/`,
      tid: TENANT_ID,
      appid: app.clientId,
      oid: app.objectId,
      idtyp: "app",
    });
    expect(claims.roles).toEqual([...EXPORT_READ_PERMISSIONS]);
    // the token verifies against the published JWKS
    const jwks = jose.createLocalJWKSet(
      (await call(emu, agent, "GET", `/${TENANT_ID}/discovery/v2.0/keys`)).body,
    );
    await expect(jose.jwtVerify(token.token, jwks)).resolves.toBeTruthy();

    const arm = await credential.getToken("https://management.azure.com/.default");
    const armClaims = jose.decodeJwt(arm.token);
    expect(armClaims.aud).toBe("https://management.azure.com/");
    expect(armClaims.roles).toBeUndefined();
  });

  it("ClientCertificateCredential (x5t#S256, PS256 assertion) gets a token; a wrong certificate is refused", async () => {
    const { app, certificate } = emu.registerCertificateApp({ graphPermissions: ["User.Read.All"] });
    const credential = new ClientCertificateCredential(
      TENANT_ID,
      app.clientId,
      { certificate: certificate.combinedPem },
      credentialOptions(emu),
    );
    const token = await credential.getToken("https://graph.microsoft.com/.default");
    expect(jose.decodeJwt(token.token)).toMatchObject({
      appid: app.clientId,
      roles: ["User.Read.All"],
      appidacr: "2",
    });
    // MSAL reuses its signed assertion for the next resource, as Entra allows
    const arm = await credential.getToken("https://management.azure.com/.default");
    expect(jose.decodeJwt(arm.token)).toMatchObject({
      appid: app.clientId,
      aud: "https://management.azure.com/",
    });

    const other = emu.registerCertificateApp({ graphPermissions: [] });
    const wrong = new ClientCertificateCredential(
      TENANT_ID,
      app.clientId,
      { certificate: other.certificate.combinedPem },
      credentialOptions(emu),
    );
    await expect(wrong.getToken("https://graph.microsoft.com/.default")).rejects.toThrow(/AADSTS700027/);
  });

  it("checks the assertion's audience, issuer and expiry (x5t / RS256 variant)", async () => {
    const { app, certificate } = emu.registerCertificateApp({ graphPermissions: [] });
    const key = await jose.importPKCS8(certificate.privateKeyPem, "RS256");
    const x5t = Buffer.from(certificate.thumbprintSha1, "hex").toString("base64url");
    const endpoint = `${emu.url}/${TENANT_ID}/oauth2/v2.0/token`;
    const sign = (claims: jose.JWTPayload, exp: number) =>
      new jose.SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", typ: "JWT", x5t })
        .setIssuedAt()
        .setExpirationTime(exp)
        .setJti(crypto.randomUUID())
        .sign(key);
    const now = Math.floor(Date.now() / 1000);
    const send = (assertion: string) =>
      tokenRequest({
        grant_type: "client_credentials",
        client_id: app.clientId,
        scope: "https://graph.microsoft.com/.default",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      });
    const good = await send(await sign({ aud: endpoint, iss: app.clientId, sub: app.clientId }, now + 300));
    expect(good.status).toBe(200);
    expect(good.body.expires_in).toBe(3599);

    const wrongAud = await send(
      await sign(
        {
          aud: "https://login.microsoftonline.com/x/oauth2/v2.0/token",
          iss: app.clientId,
          sub: app.clientId,
        },
        now + 300,
      ),
    );
    expect(wrongAud.status).toBe(401);
    expect(wrongAud.body.error).toBe("invalid_client");

    const wrongIss = await send(await sign({ aud: endpoint, iss: "someone", sub: "someone" }, now + 300));
    expect(wrongIss.body.error_codes).toEqual([700021]);

    const expired = await send(
      await sign({ aud: endpoint, iss: app.clientId, sub: app.clientId }, now - 600),
    );
    expect(expired.body.error_codes).toEqual([700024]);
  });

  it("accepts HTTP Basic client authentication and the scope variants msal sends", async () => {
    const app = emu.apps[0]!;
    const basic = Buffer.from(
      `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.secrets[0]!)}`,
    ).toString("base64");
    for (const scope of [
      "https://graph.microsoft.com/.default",
      "https://graph.microsoft.com//.default",
      "00000003-0000-0000-c000-000000000000/.default",
      "https://management.core.windows.net//.default",
    ]) {
      const res = await tokenRequest(
        { grant_type: "client_credentials", scope },
        { authorization: `Basic ${basic}` },
      );
      expect(res.status, scope).toBe(200);
      expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
      expect(Object.keys(res.body).sort()).toEqual([
        "access_token",
        "expires_in",
        "ext_expires_in",
        "token_type",
      ]);
    }
  });

  it("answers errors in the AADSTS shape", async () => {
    const app = emu.apps[0]!;
    const base = { grant_type: "client_credentials", scope: "https://graph.microsoft.com/.default" };
    const wrongSecret = await tokenRequest({ ...base, client_id: app.clientId, client_secret: "nope" });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    expect(wrongSecret.body.error_description).toMatch(/^AADSTS7000215: /);
    for (const key of ["timestamp", "trace_id", "correlation_id", "error_uri"])
      expect(wrongSecret.body).toHaveProperty(key);
    expect(wrongSecret.text).not.toContain(app.secrets[0]);

    const unknownClient = await tokenRequest({ ...base, client_id: crypto.randomUUID(), client_secret: "x" });
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });

    const badScope = await tokenRequest({
      ...base,
      scope: "User.Read.All",
      client_id: app.clientId,
      client_secret: app.secrets[0]!,
    });
    expect(badScope.body).toMatchObject({ error: "invalid_scope", error_codes: [70011] });

    const unknownTenant = await call(
      emu,
      agent,
      "POST",
      `/00000000-dead-beef-0000-000000000000/oauth2/v2.0/token`,
      {
        headers: FORM,
        body: new URLSearchParams({
          ...base,
          client_id: app.clientId,
          client_secret: app.secrets[0]!,
        }).toString(),
      },
    );
    expect(unknownTenant.body).toMatchObject({ error: "invalid_request", error_codes: [90002] });

    const byDomain = await call(emu, agent, "POST", `/contoso.example/oauth2/v2.0/token`, {
      headers: FORM,
      body: new URLSearchParams({
        ...base,
        client_id: app.clientId,
        client_secret: app.secrets[0]!,
      }).toString(),
    });
    expect(byDomain.status).toBe(200);
  });

  it("refuses a token another emulator of the process issued, for the same tenant and app id", async () => {
    const other = await startEmulator({ snapshot: sampleSnapshot(), graphLayer: createFakeGraphLayer });
    try {
      const app = emu.apps[0]!;
      const own = await emu.issueToken(app.clientId, "graph");
      expect((await call(emu, agent, "GET", "/graph/v1.0/organization", { token: own })).status).toBe(200);
      // The other emulator's own app, given this app's id, so only the signature's key id differs.
      other.registerApp({ clientId: app.clientId, graphPermissions: [...EXPORT_READ_PERMISSIONS] });
      const foreign = await other.issueToken(app.clientId, "graph");
      expect(jose.decodeJwt(foreign)).toMatchObject({ tid: TENANT_ID, appid: app.clientId });
      const refused = await call(emu, agent, "GET", "/graph/v1.0/organization", { token: foreign });
      expect(refused.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("writes the CA to the state dir and exposes the client environment", async () => {
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(emu.caFile, "utf8")).toBe(emu.caPem);
    expect(emu.env).toMatchObject({
      NODE_EXTRA_CA_CERTS: emu.caFile,
      AZURE_TENANT_ID: TENANT_ID,
      AZURE_CLIENT_ID: emu.apps[0]!.clientId,
      AZURE_AUTHORITY_HOST: emu.url,
      BREAKGLASS_GRAPH_URL: `${emu.url}/graph`,
      BREAKGLASS_ARM_URL: `${emu.url}/arm`,
      AZURE_SUBSCRIPTION_ID: emu.subscriptionId,
    });
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("emulators of one process", () => {
  it("refuse each other's tokens though they share the signing key and the tenant", async () => {
    const app = {
      clientId: "5b7f7c61-0000-4000-8000-00000000c0de",
      secret: "s3cret",
      graphPermissions: ["User.Read.All"],
    };
    const start = () =>
      startEmulator({
        snapshot: sampleSnapshot(),
        graphLayer: createFakeGraphLayer,
        throttle: false,
        apps: [app],
      });
    const [a, b] = [await start(), await start()];
    const [agentA, agentB] = [undiciAgent(a), undiciAgent(b)];
    try {
      const token = await tokenFor(a, agentA, app.clientId, app.secret);
      expect((await call(a, agentA, "GET", "/graph/v1.0/users", { token })).status).toBe(200);
      const elsewhere = await call(b, agentB, "GET", "/graph/v1.0/users", { token });
      expect(elsewhere.status).toBe(401);
      expect(elsewhere.body.error.code).toBe("InvalidAuthenticationToken");
      const own = await tokenFor(b, agentB, app.clientId, app.secret);
      expect((await call(b, agentB, "GET", "/graph/v1.0/users", { token: own })).status).toBe(200);
    } finally {
      await Promise.all([agentA.close(), agentB.close()]);
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("Microsoft Graph client against the emulator", () => {
  it("reads through @microsoft/microsoft-graph-client with an undici dispatcher trusting the CA", async () => {
    const { Client } = await import("@microsoft/microsoft-graph-client");
    const { TokenCredentialAuthenticationProvider } =
      await import("@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js");
    const emu = await startEmulator({
      snapshot: sampleSnapshot(),
      graphLayer: createFakeGraphLayer,
      throttle: false,
    });
    const agent = undiciAgent(emu);
    try {
      const app = emu.apps[0]!;
      const credential = new ClientSecretCredential(
        TENANT_ID,
        app.clientId,
        app.secrets[0]!,
        credentialOptions(emu),
      );
      const client = Client.initWithMiddleware({
        authProvider: new TokenCredentialAuthenticationProvider(credential, {
          scopes: ["https://graph.microsoft.com/.default"],
        }),
        baseUrl: emu.graphUrl,
        defaultVersion: "v1.0",
        // the client sends the token only to Graph hosts and customHosts (hostname, without the port)
        customHosts: new Set([new URL(emu.url).hostname]),
        fetchOptions: { dispatcher: agent } as RequestInit,
      });
      const users = await client.api("/users").get();
      expect(users.value).toHaveLength(2);
      await expect(client.api("/nothingHere").get()).rejects.toMatchObject({ statusCode: 400 });
    } finally {
      await agent.close();
      await emu.close();
    }
  });
});
