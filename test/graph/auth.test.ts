import { describe, expect, it } from "vitest";
import {
  ClientSecretCredential,
  ClientCertificateCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { authSettingsFromEnv, createCredential, resolveAuthMethod } from "../../src/graph/auth.js";
import { grantedPermissions, writePermissions } from "../../src/graph/token.js";
import { GraphApi, retryAfterSeconds, describeGraphError } from "../../src/graph/graph.js";
import { VirtualClock } from "../support/virtual-clock.js";
import { RequestTracker } from "../../src/graph/tracker.js";
import { createClients } from "../../src/graph/index.js";

const T = "11111111-1111-1111-1111-111111111111";

describe("credential selection", () => {
  it("infers the method from the standard variables", () => {
    expect(resolveAuthMethod(authSettingsFromEnv({}, { AZURE_CLIENT_SECRET: "s" }))).toBe("secret");
    expect(resolveAuthMethod(authSettingsFromEnv({}, { AZURE_CLIENT_CERTIFICATE_PATH: "/c.pem" }))).toBe(
      "certificate",
    );
    expect(resolveAuthMethod(authSettingsFromEnv({}, { AZURE_FEDERATED_TOKEN_FILE: "/t" }))).toBe(
      "workload-identity",
    );
  });

  it("never falls back to a default chain", () => {
    expect(() => resolveAuthMethod(authSettingsFromEnv({}, {}))).toThrow(/no credential configured.*--auth/);
  });

  it("names the missing variable", () => {
    expect(() => createCredential(authSettingsFromEnv({ method: "secret" }, { AZURE_TENANT_ID: T }))).toThrow(
      /AZURE_CLIENT_ID/,
    );
    expect(() =>
      createCredential(
        authSettingsFromEnv({ method: "secret" }, { AZURE_TENANT_ID: T, AZURE_CLIENT_ID: "c" }),
      ),
    ).toThrow(/AZURE_CLIENT_SECRET/);
    expect(
      (() => {
        try {
          createCredential(
            authSettingsFromEnv({ method: "certificate" }, { AZURE_TENANT_ID: T, AZURE_CLIENT_ID: "c" }),
          );
        } catch (e) {
          return (e as { exitCode?: number }).exitCode;
        }
      })(),
    ).toBe(2);
  });

  it("rejects an http authority and a malformed tenant", () => {
    const env = { AZURE_TENANT_ID: T, AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" };
    expect(() =>
      createCredential(authSettingsFromEnv({}, { ...env, AZURE_AUTHORITY_HOST: "http://x" })),
    ).toThrow(/https/);
    expect(() => createCredential(authSettingsFromEnv({}, { ...env, AZURE_TENANT_ID: "a b" }))).toThrow(
      /AZURE_TENANT_ID/,
    );
  });

  it("builds the credential the method names", () => {
    const env = {
      AZURE_TENANT_ID: T,
      AZURE_CLIENT_ID: "c",
      AZURE_CLIENT_SECRET: "s",
      AZURE_AUTHORITY_HOST: "https://127.0.0.1:1",
    };
    expect(createCredential(authSettingsFromEnv({}, env))).toBeInstanceOf(ClientSecretCredential);
    expect(
      createCredential(
        authSettingsFromEnv({ method: "certificate", certificatePem: "-----BEGIN CERTIFICATE-----" }, env),
      ),
    ).toBeInstanceOf(ClientCertificateCredential);
    expect(
      createCredential(
        authSettingsFromEnv({ method: "workload-identity" }, { ...env, AZURE_FEDERATED_TOKEN_FILE: "/t" }),
      ),
    ).toBeInstanceOf(WorkloadIdentityCredential);
  });

  it("rejects non-https base URLs", () => {
    const env = { AZURE_TENANT_ID: T, AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" };
    expect(() => createClients({}, { ...env, BREAKGLASS_GRAPH_URL: "http://127.0.0.1/graph" })).toThrow(
      /BREAKGLASS_GRAPH_URL/,
    );
  });
});

describe("token claims", () => {
  const jwt = (claims: object) =>
    `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
  it("reads roles and scopes, and picks the ReadWrite ones", () => {
    const g = grantedPermissions(
      jwt({ roles: ["User.Read.All", "Policy.ReadWrite.ConditionalAccess"], scp: "Mail.Read" }),
    );
    expect(g).toEqual(["User.Read.All", "Policy.ReadWrite.ConditionalAccess", "Mail.Read"]);
    expect(writePermissions(g)).toEqual(["Policy.ReadWrite.ConditionalAccess"]);
  });
  it("says nothing about an opaque token", () => {
    expect(grantedPermissions("opaque")).toEqual([]);
  });
});

describe("retry helpers", () => {
  it("parses Retry-After seconds and dates", () => {
    expect(retryAfterSeconds("1")).toBe(1);
    expect(retryAfterSeconds(undefined)).toBeUndefined();
    expect(retryAfterSeconds(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(2);
  });
  it("describes a Graph error envelope", () => {
    const e = describeGraphError(403, {
      error: { code: "Authorization_RequestDenied", message: "Insufficient privileges" },
    });
    expect(e.message).toBe("403 Forbidden: Insufficient privileges");
    expect(e.code).toBe("Authorization_RequestDenied");
  });
});

describe("request depth", () => {
  it("is 1 + the deepest request finished before a request starts", () => {
    const t = new RequestTracker();
    const a = t.start("graph", "GET", "a");
    const b = t.start("graph", "GET", "b"); // parallel with a
    a(200);
    const c = t.start("graph", "GET", "c"); // after a
    b(200);
    c(200);
    const d = t.start("arm", "GET", "d"); // after c
    d(429);
    expect(t.records.map((r) => r.depth)).toEqual([1, 1, 2, 3]);
    expect(t.summary()).toMatchObject({ requests: 4, maxDepth: 3, throttled: 1, armRequests: 1 });
  });
});

describe("a credential that cannot give a token", () => {
  it("fails the read at once: asking again cannot mend a wrong secret, so nothing waits or retries", async () => {
    let asked = 0;
    const credential = {
      getToken: async () => {
        asked++;
        // @azure/identity's error for a client secret Entra refuses (AADSTS7000215)
        const err = new Error("invalid_client: AADSTS7000215: Invalid client secret provided.");
        err.name = "AuthenticationRequiredError";
        throw err;
      },
    };
    const clock = new VirtualClock(0);
    const graph = new GraphApi({
      credential,
      baseUrl: "https://127.0.0.1:9/graph",
      maxRetries: 6,
      retryDelaySeconds: 3,
      clock,
    });
    const r = await graph.get("/users/someone", "v1.0");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^no token: the credential failed: .*AADSTS7000215/);
    expect(asked).toBe(1);
    expect(clock.slept).toBe(0);
  });
});
