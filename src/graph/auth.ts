/**
 * Credentials, through @azure/identity only. The method comes from `--auth` or, when absent, from
 * the standard AZURE_* variables; a missing setting is an AuthConfigError naming the variable or
 * flag. There is deliberately no DefaultAzureCredential: its chain probes the instance-metadata
 * address and other hosts, which a test or a demo against 127.0.0.1 must never do, and which makes
 * "which identity did this export use" hard to answer.
 */
import {
  AzureAuthorityHosts,
  AzureCliCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { statSync } from "node:fs";
import { agentPolicy, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { AuthConfigError } from "./errors.js";
import { httpsAgentFor } from "./tls.js";

import { AUTH_METHODS, type AuthMethod } from "./auth-methods.js";

export { AUTH_METHODS, type AuthMethod };

export interface AuthSettings {
  /** `--auth`; when absent, inferred from the environment. */
  method?: AuthMethod;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** PEM text with the private key and certificate (in-process callers). */
  certificatePem?: string;
  certificatePath?: string;
  certificatePassword?: string;
  federatedTokenFile?: string;
  authorityHost?: string;
  /** the CA to trust for the authority (emulator), see tls.ts. */
  caPem?: string;
  /** where device-code instructions go (stderr for a person). */
  prompt?: (message: string) => void;
  /** extra pipeline policies for the credential's own requests (request tracking). */
  policies?: PipelinePolicy[];
}

const PUBLIC_AUTHORITIES = new Set(
  Object.values(AzureAuthorityHosts).map((h) => h.replace(/\/+$/, "").toLowerCase()),
);

/** Merge explicit settings over the standard AZURE_* variables. */
export function authSettingsFromEnv(
  explicit: AuthSettings = {},
  env: NodeJS.ProcessEnv = process.env,
): AuthSettings {
  return {
    method: explicit.method,
    tenantId: explicit.tenantId ?? env.AZURE_TENANT_ID,
    clientId: explicit.clientId ?? env.AZURE_CLIENT_ID,
    clientSecret: explicit.clientSecret ?? env.AZURE_CLIENT_SECRET,
    certificatePem: explicit.certificatePem,
    certificatePath: explicit.certificatePath ?? env.AZURE_CLIENT_CERTIFICATE_PATH,
    certificatePassword: explicit.certificatePassword ?? env.AZURE_CLIENT_CERTIFICATE_PASSWORD,
    federatedTokenFile: explicit.federatedTokenFile ?? env.AZURE_FEDERATED_TOKEN_FILE,
    authorityHost: explicit.authorityHost ?? env.AZURE_AUTHORITY_HOST,
    caPem: explicit.caPem,
    prompt: explicit.prompt,
    policies: explicit.policies,
  };
}

/** The method `--auth` names, or the one the environment implies. */
export function resolveAuthMethod(s: AuthSettings): AuthMethod {
  if (s.method) {
    if (!(AUTH_METHODS as readonly string[]).includes(s.method))
      throw new AuthConfigError(
        `--auth: unknown method "${s.method}"; use one of ${AUTH_METHODS.join(", ")}`,
      );
    return s.method;
  }
  if (s.clientSecret) return "secret";
  if (s.certificatePem || s.certificatePath) return "certificate";
  if (s.federatedTokenFile) return "workload-identity";
  throw new AuthConfigError(
    "no credential configured: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET " +
      "(or AZURE_CLIENT_CERTIFICATE_PATH, or AZURE_FEDERATED_TOKEN_FILE), or pass --auth " +
      `(${AUTH_METHODS.join(", ")})`,
  );
}

function need(value: string | undefined, what: string, variable: string, method: AuthMethod): string {
  if (!value) throw new AuthConfigError(`--auth ${method} needs ${what}: set ${variable}`);
  return value;
}

/** A tenant is named by its id (a GUID) or one of its verified domain names. */
const TENANT_GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TENANT_DOMAIN = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;

/** One line naming the variable to fix, for a setting that is there but cannot be right. */
function checkSettings(settings: AuthSettings, method: AuthMethod): void {
  const tenant = settings.tenantId;
  if (tenant !== undefined && tenant !== "" && !TENANT_GUID.test(tenant) && !TENANT_DOMAIN.test(tenant))
    throw new AuthConfigError(
      `AZURE_TENANT_ID: ${JSON.stringify(tenant)} is not a tenant id (a GUID such as ` +
        `72f988bf-86f1-41af-91ab-2d7cd011db47) or a domain name (contoso.onmicrosoft.com): fix AZURE_TENANT_ID`,
    );
  const certificate = settings.certificatePath;
  if (method === "certificate" && !settings.certificatePem && certificate) {
    let isFile = false;
    try {
      isFile = statSync(certificate).isFile();
    } catch {
      isFile = false;
    }
    // @azure/identity would read it only at the first token request, deep inside a read.
    if (!isFile)
      throw new AuthConfigError(
        `AZURE_CLIENT_CERTIFICATE_PATH: no file at ${JSON.stringify(certificate)}: set AZURE_CLIENT_CERTIFICATE_PATH to the PEM file holding the certificate and its private key`,
      );
  }
}

export function createCredential(settings: AuthSettings): TokenCredential {
  const method = resolveAuthMethod(settings);
  const authorityHost = settings.authorityHost?.replace(/\/+$/, "");
  if (authorityHost && !/^https:\/\//i.test(authorityHost))
    throw new AuthConfigError(`AZURE_AUTHORITY_HOST: "${authorityHost}" must be an https:// URL`);
  checkSettings(settings, method);
  const privateCloud = authorityHost !== undefined && !PUBLIC_AUTHORITIES.has(authorityHost.toLowerCase());
  const agent = httpsAgentFor(settings.caPem);
  const additionalPolicies = [
    ...(agent ? [{ policy: agentPolicy(agent), position: "perCall" as const }] : []),
    ...(settings.policies ?? []).map((policy) => ({ policy, position: "perRetry" as const })),
  ];
  const common = {
    ...(authorityHost ? { authorityHost } : {}),
    // Instance discovery asks login.microsoftonline.com about the authority: wrong for a private
    // cloud or the emulator, and a call to the internet from a test.
    ...(privateCloud ? { disableInstanceDiscovery: true } : {}),
    ...(additionalPolicies.length ? { additionalPolicies } : {}),
  };
  switch (method) {
    case "secret":
      return new ClientSecretCredential(
        need(settings.tenantId, "a tenant id", "AZURE_TENANT_ID", method),
        need(settings.clientId, "a client id", "AZURE_CLIENT_ID", method),
        need(settings.clientSecret, "a client secret", "AZURE_CLIENT_SECRET", method),
        common,
      );
    case "certificate": {
      const tenantId = need(settings.tenantId, "a tenant id", "AZURE_TENANT_ID", method);
      const clientId = need(settings.clientId, "a client id", "AZURE_CLIENT_ID", method);
      if (settings.certificatePem)
        return new ClientCertificateCredential(
          tenantId,
          clientId,
          { certificate: settings.certificatePem, certificatePassword: settings.certificatePassword },
          common,
        );
      return new ClientCertificateCredential(
        tenantId,
        clientId,
        {
          certificatePath: need(
            settings.certificatePath,
            "a PEM certificate with its key",
            "AZURE_CLIENT_CERTIFICATE_PATH",
            method,
          ),
          certificatePassword: settings.certificatePassword,
        },
        common,
      );
    }
    case "workload-identity":
      return new WorkloadIdentityCredential({
        ...common,
        tenantId: need(settings.tenantId, "a tenant id", "AZURE_TENANT_ID", method),
        clientId: need(settings.clientId, "a client id", "AZURE_CLIENT_ID", method),
        tokenFilePath: need(
          settings.federatedTokenFile,
          "a federated token file",
          "AZURE_FEDERATED_TOKEN_FILE",
          method,
        ),
      });
    case "cli":
      return new AzureCliCredential({ tenantId: settings.tenantId });
    case "device-code":
      return new DeviceCodeCredential({
        ...common,
        tenantId: settings.tenantId,
        clientId: need(settings.clientId, "the client id of a public client app", "AZURE_CLIENT_ID", method),
        userPromptCallback: (info) =>
          (settings.prompt ?? ((m) => process.stderr.write(`${m}\n`)))(info.message),
      });
    case "managed-identity":
      // Only chosen explicitly: it talks to the instance-metadata endpoint of the host it runs on.
      return settings.clientId
        ? new ManagedIdentityCredential({ clientId: settings.clientId })
        : new ManagedIdentityCredential();
  }
}
