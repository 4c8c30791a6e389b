/**
 * The Entra side of the emulator: OpenID metadata, JWKS and the v2.0 token endpoint for the client
 * credentials grant (secret in the body or HTTP Basic, or a certificate assertion), plus validation
 * of the access tokens it issued (docs/graph-contract.md §12).
 */
import { randomUUID, createPublicKey, type KeyObject } from "node:crypto";
import * as jose from "jose";
import type { EmulatedApp } from "./apps.js";
import type { GraphResponse as HttpResponse } from "./graph/types.js";
import { processKeyPair } from "./tls.js";

export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
export const TOKEN_LIFETIME_SECONDS = 3599;

export type Audience = "graph" | "arm";

/** The `aud` each resource's tokens carry. */
export const AUDIENCE_CLAIM: Record<Audience, string> = {
  graph: "https://graph.microsoft.com",
  arm: "https://management.azure.com/",
};

/** Every spelling of a resource a client may put before `/.default` (msal keeps what it is given). */
const RESOURCE_ALIASES: Record<string, Audience> = {
  "https://graph.microsoft.com": "graph",
  "https://graph.microsoft.com/": "graph",
  [GRAPH_APP_ID]: "graph",
  "https://management.azure.com": "arm",
  "https://management.azure.com/": "arm",
  "https://management.core.windows.net": "arm",
  "https://management.core.windows.net/": "arm",
  [ARM_APP_ID]: "arm",
};

const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface AccessTokenClaims {
  aud: string;
  tid: string;
  appid: string;
  oid: string;
  roles?: string[];
  /** tenant-wide directory role template ids held by the caller */
  wids?: string[];
}

export type TokenCheck =
  | { ok: true; audience: Audience; claims: AccessTokenClaims }
  | { ok: false; reason: "missing" | "malformed" | "expired" | "audience" | "invalid" };

function aadstsTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").slice(0, 19) + "Z";
}

/** AADSTS error body (docs/graph-contract.md §12.1). */
export function aadstsError(status: number, error: string, code: number, message: string): HttpResponse {
  const now = new Date();
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = aadstsTimestamp(now);
  return {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store, no-cache",
      pragma: "no-cache",
      "x-ms-request-id": traceId,
    },
    body: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export interface IdentityProviderOptions {
  tenantId: string;
  /** verified domain names of the tenant: Entra accepts them in place of the tenant id. */
  tenantDomains: string[];
  /** the emulator's origin, e.g. https://127.0.0.1:8443 */
  origin: string;
  /** the Graph base URL, for userinfo in the metadata. */
  graphUrl: string;
  findApp(clientId: string): EmulatedApp | undefined;
}

/**
 * One token signing key pair per process (emulator/tls.ts processKeyPair): a 2048-bit RSA key takes
 * 50-250 ms to generate, and tests start hundreds of emulators. Each emulator has its own key id (`kid`),
 * which its tokens carry in their signed header and checkBearer requires, so one emulator's tokens
 * never pass another's check.
 */
let processKeys: { verifyKey: KeyObject; signingKey: Promise<jose.CryptoKey> } | undefined;
function signingKeys(): NonNullable<typeof processKeys> {
  if (!processKeys) {
    const pair = processKeyPair();
    processKeys = {
      verifyKey: createPublicKey(pair.publicKeyPem),
      signingKey: jose.importPKCS8(pair.privateKeyPem, "RS256"),
    };
  }
  return processKeys;
}

export class IdentityProvider {
  private readonly keyId = randomUUID().replaceAll("-", "");
  private readonly keys = signingKeys();
  private readonly verifyKey = this.keys.verifyKey;
  /** tokens this emulator signed or whose signature it has verified, with their claims */
  private readonly verifiedTokens = new Map<string, jose.JWTPayload>();

  constructor(private readonly options: IdentityProviderOptions) {}

  get tenantId(): string {
    return this.options.tenantId;
  }

  /** true when `segment` names this tenant (its id or one of its domains). */
  isTenant(segment: string): boolean {
    const lower = segment.toLowerCase();
    return (
      lower === this.options.tenantId.toLowerCase() ||
      this.options.tenantDomains.some((domain) => domain.toLowerCase() === lower)
    );
  }

  tokenEndpoint(tenantSegment = this.options.tenantId): string {
    return `${this.options.origin}/${tenantSegment}/oauth2/v2.0/token`;
  }

  unknownTenant(tenantSegment: string): HttpResponse {
    return aadstsError(
      400,
      "invalid_request",
      90002,
      `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    );
  }

  /** The document names the tenant by its id even when asked by domain name, as Entra does. */
  openIdConfiguration(): HttpResponse {
    const base = `${this.options.origin}/${this.options.tenantId}`;
    const body = {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.options.graphUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub",
        "iss",
        "cloud_instance_name",
        "cloud_instance_host_name",
        "cloud_graph_host_name",
        "msgraph_host",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "acr",
        "nonce",
        "preferred_username",
        "name",
        "tid",
        "ver",
        "at_hash",
        "c_hash",
        "email",
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: null,
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
      rbac_url: "https://pas.windows.net",
    };
    return { status: 200, headers: jsonHeaders(), body };
  }

  async jwks(): Promise<HttpResponse> {
    const jwk = await jose.exportJWK(this.verifyKey);
    return {
      status: 200,
      headers: jsonHeaders(),
      body: { keys: [{ ...jwk, kty: "RSA", use: "sig", kid: this.keyId, issuer: this.issuer() }] },
    };
  }

  issuer(): string {
    return `https://sts.windows.net/${this.options.tenantId}/`;
  }

  /** POST /{tenant}/oauth2/v2.0/token */
  async token(
    tenantSegment: string,
    contentType: string | undefined,
    authorization: string | undefined,
    rawBody: string,
  ): Promise<HttpResponse> {
    if (!this.isTenant(tenantSegment)) return this.unknownTenant(tenantSegment);
    if (!contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return aadstsError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    const form = new URLSearchParams(rawBody);
    const grantType = form.get("grant_type");
    if (!grantType) {
      return aadstsError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    if (grantType !== "client_credentials") {
      return aadstsError(
        400,
        "unsupported_grant_type",
        70003,
        "The app requested an unsupported grant type.",
      );
    }

    let clientId = form.get("client_id") ?? undefined;
    let secret = form.get("client_secret") ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? "");
    if (basic) {
      // RFC 6749 2.3.1: client id and secret are form-urlencoded before base64
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) {
        return aadstsError(
          401,
          "invalid_client",
          7000216,
          "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
      }
      const basicId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
      const basicSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
      if (clientId && clientId !== basicId) {
        return aadstsError(
          401,
          "invalid_client",
          7000215,
          "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
        );
      }
      clientId = basicId;
      secret = basicSecret;
    }
    if (!clientId) {
      return aadstsError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    }

    const scope = form.get("scope");
    const audience = parseScope(scope);
    if (!audience) {
      return aadstsError(
        400,
        "invalid_scope",
        70011,
        `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope ?? ""} is not valid.`,
      );
    }

    const app = this.options.findApp(clientId);
    if (!app) {
      return aadstsError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.options.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }

    const assertionType = form.get("client_assertion_type");
    const assertion = form.get("client_assertion");
    let credentialKind: "secret" | "certificate";
    if (assertion || assertionType) {
      if (assertionType !== JWT_BEARER || !assertion) {
        return aadstsError(
          400,
          "invalid_request",
          50027,
          "Invalid JWT token. client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
        );
      }
      const failure = await this.checkAssertion(app, assertion, this.tokenEndpoint(tenantSegment));
      if (failure) return failure;
      credentialKind = "certificate";
    } else if (secret !== undefined) {
      if (!app.secrets.includes(secret)) {
        return aadstsError(
          401,
          "invalid_client",
          7000215,
          "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" +
            app.clientId +
            "'.",
        );
      }
      credentialKind = "secret";
    } else {
      return aadstsError(
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }

    const accessToken = await this.issueAccessToken(app, audience, credentialKind);
    return {
      status: 200,
      headers: { ...jsonHeaders(), "cache-control": "no-store, no-cache", pragma: "no-cache" },
      body: {
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_SECONDS,
        ext_expires_in: TOKEN_LIFETIME_SECONDS,
        access_token: accessToken,
      },
    };
  }

  private async checkAssertion(
    app: EmulatedApp,
    assertion: string,
    tokenEndpoint: string,
  ): Promise<HttpResponse | undefined> {
    let header: jose.ProtectedHeaderParameters;
    try {
      header = jose.decodeProtectedHeader(assertion);
    } catch {
      return aadstsError(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
    }
    const sha1 = typeof header.x5t === "string" ? header.x5t : undefined;
    const sha256 = typeof header["x5t#S256"] === "string" ? (header["x5t#S256"] as string) : undefined;
    const certificate = app.certificates.find(
      (cert) =>
        (sha1 !== undefined && hexToBase64Url(cert.thumbprintSha1) === sha1) ||
        (sha256 !== undefined && hexToBase64Url(cert.thumbprintSha256) === sha256),
    );
    if (!certificate) {
      return aadstsError(
        401,
        "invalid_client",
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${sha1 ?? sha256 ?? "none"}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`,
      );
    }
    const alg = header.alg === "PS256" ? "PS256" : "RS256";
    let payload: jose.JWTPayload;
    try {
      const key = await jose.importX509(certificate.certificatePem, alg);
      // Entra tolerates five minutes of clock skew; msal rounds "now" up, so nbf can lead by a second
      ({ payload } = await jose.jwtVerify(assertion, key, {
        algorithms: ["RS256", "PS256"],
        clockTolerance: 300,
      }));
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired || err instanceof jose.errors.JWTClaimValidationFailed) {
        return aadstsError(
          401,
          "invalid_client",
          700024,
          "Client assertion is not within its valid time range.",
        );
      }
      return aadstsError(401, "invalid_client", 700027, "Client assertion failed signature validation.");
    }
    if (payload.iss !== app.clientId || payload.sub !== app.clientId) {
      return aadstsError(
        401,
        "invalid_client",
        700021,
        "Client assertion application identifier doesn't match 'client_id' parameter.",
      );
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some((aud) => typeof aud === "string" && sameUrl(aud, tokenEndpoint))) {
      return aadstsError(
        401,
        "invalid_client",
        700212,
        `Client assertion audience claim does not match Realm issuer. Expected '${tokenEndpoint}'.`,
      );
    }
    if (typeof payload.exp !== "number") {
      return aadstsError(
        401,
        "invalid_client",
        700024,
        "Client assertion is not within its valid time range.",
      );
    }
    // No replay check on `jti`: MSAL signs one assertion and reuses it for every token request until it
    // expires (Graph and ARM tokens from one credential), and Entra accepts that.
    return undefined;
  }

  async issueAccessToken(
    app: EmulatedApp,
    audience: Audience,
    credentialKind: "secret" | "certificate" = "secret",
    lifetimeSeconds = TOKEN_LIFETIME_SECONDS,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      aud: AUDIENCE_CLAIM[audience],
      iss: this.issuer(),
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      aio: randomUUID(),
      app_displayname: app.displayName,
      appid: app.clientId,
      appidacr: credentialKind === "certificate" ? "2" : "1",
      idp: this.issuer(),
      idtyp: "app",
      oid: app.objectId,
      sub: app.objectId,
      tid: this.options.tenantId,
      uti: randomUUID().replaceAll("-", ""),
      ver: "1.0",
    };
    if (audience === "graph" && app.graphPermissions.length > 0) {
      claims.roles = [...app.graphPermissions];
    }
    if (audience === "graph" && app.directoryRoles.length > 0) {
      claims.wids = [...app.directoryRoles];
    }
    const token = await new jose.SignJWT(claims)
      .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: this.keyId, x5t: this.keyId })
      .sign(await this.keys.signingKey);
    // Its own signature under its own key id: verifying it would give these claims, so they are kept
    // as verified (a client's first requests, sent at once, each verified it). The expired ones go.
    for (const [kept, payload] of this.verifiedTokens)
      if (typeof payload.exp === "number" && payload.exp <= now) this.verifiedTokens.delete(kept);
    this.verifiedTokens.set(token, jose.decodeJwt(token));
    return token;
  }

  /**
   * The token's claims once its signature, issuer and key id have been checked (undefined: another
   * emulator's token); its time claims are checked on every use as jose checks them. A client
   * sends one token with hundreds of requests, and an RSA verification through WebCrypto cost more
   * than most of the requests it guarded, so a verified token's claims are kept, and those of the
   * tokens this emulator issued are kept from the start.
   */
  private async verified(token: string): Promise<jose.JWTPayload | undefined> {
    let payload = this.verifiedTokens.get(token);
    if (!payload) {
      // the key is shared by the process's emulators: the signed `kid` says which one issued it
      const verified = await jose.jwtVerify(token, this.verifyKey, {
        issuer: this.issuer(),
        algorithms: ["RS256"],
      });
      if (verified.protectedHeader.kid !== this.keyId) return undefined;
      payload = verified.payload;
      this.verifiedTokens.set(token, payload);
      return payload;
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.nbf === "number" && payload.nbf > now)
      throw new jose.errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', payload, "nbf");
    if (typeof payload.exp === "number" && payload.exp <= now) {
      // an expired token never passes again: forgetting it keeps a long-running emulator's map small
      this.verifiedTokens.delete(token);
      throw new jose.errors.JWTExpired('"exp" claim timestamp check failed', payload, "exp");
    }
    return payload;
  }

  /** Validates `Authorization: Bearer ...` for a resource. */
  async checkBearer(authorization: string | undefined, audience: Audience): Promise<TokenCheck> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match) return { ok: false, reason: "missing" };
    try {
      const payload = await this.verified(match[1]!);
      if (!payload) return { ok: false, reason: "invalid" };
      if (payload.aud !== AUDIENCE_CLAIM[audience]) return { ok: false, reason: "audience" };
      if (payload.tid !== this.options.tenantId) return { ok: false, reason: "invalid" };
      return { ok: true, audience, claims: payload as unknown as AccessTokenClaims };
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired) return { ok: false, reason: "expired" };
      if (err instanceof jose.errors.JWSInvalid || err instanceof jose.errors.JWTInvalid) {
        return { ok: false, reason: "malformed" };
      }
      return { ok: false, reason: "invalid" };
    }
  }
}

/** The resource of a client-credentials scope, or undefined when it is not `<known resource>/.default`. */
export function parseScope(scope: string | null): Audience | undefined {
  if (!scope) return undefined;
  const scopes = scope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
  if (scopes.length !== 1) return undefined;
  const [only] = scopes as [string];
  if (!only.endsWith("/.default")) return undefined;
  const resource = only.slice(0, -"/.default".length);
  return RESOURCE_ALIASES[resource.toLowerCase()];
}

function hexToBase64Url(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64url");
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

function jsonHeaders(): Record<string, string> {
  return { "content-type": "application/json; charset=utf-8" };
}
