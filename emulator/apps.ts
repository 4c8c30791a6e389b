/**
 * Emulated app registrations (the service principals that call the emulator): credentials, the
 * Graph application permissions consented to them, and their Azure RBAC reach.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import {
  DEFAULT_APP_PERMISSIONS,
  DEPLOYER_APP_PERMISSIONS,
  DEPLOYER_DIRECTORY_ROLES,
} from "./graph/permissions.js";
import { certificateThumbprint, createClientCertificate, type ClientCertificate } from "./tls.js";

/** The least-privileged read set `breakglass export` needs: what the default emulated app holds. */
export const EXPORT_READ_PERMISSIONS = DEFAULT_APP_PERMISSIONS;

export interface ArmAccess {
  /** subscriptions the app holds a reader role on: "*" for every subscription of the snapshot. */
  subscriptions: "*" | string[];
  /** an RBAC role at `/providers/microsoft.aadiam` (docs/monitoring.md §1), needed for Entra diagnostic settings. */
  aadiam: boolean;
  /** a write role (Contributor) on those subscriptions and at the aadiam scope: what deploy's ARM steps need. */
  write: boolean;
}

export interface RegisteredCertificate {
  certificatePem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
}

export interface EmulatedApp {
  clientId: string;
  displayName: string;
  /** the service principal's object id: `oid` of the tokens issued to it. */
  objectId: string;
  secrets: string[];
  certificates: RegisteredCertificate[];
  graphPermissions: string[];
  /** directory role template ids assigned to the app's service principal tenant-wide (sent as `wids`) */
  directoryRoles: string[];
  arm: ArmAccess;
}

/** What `--apps FILE` holds (a JSON list of these) and what `registerApp` takes. */
export const AppRegistrationInput = z.strictObject({
  clientId: z
    .string()
    .regex(/^[0-9a-zA-Z-]+$/, "expected a GUID-like client id")
    .optional(),
  displayName: z.string().optional(),
  objectId: z.string().optional(),
  secret: z.string().min(1).optional(),
  secrets: z.array(z.string().min(1)).optional(),
  certificate: z.string().includes("BEGIN CERTIFICATE").optional(),
  certificates: z.array(z.string().includes("BEGIN CERTIFICATE")).optional(),
  graphPermissions: z.array(z.string().min(1)),
  directoryRoles: z
    .array(z.string().regex(/^[0-9a-fA-F-]{36}$/, "expected a role template id (GUID)"))
    .optional(),
  arm: z
    .strictObject({
      subscriptions: z.union([z.literal("*"), z.array(z.string())]).default("*"),
      aadiam: z.boolean().default(false),
      write: z.boolean().default(false),
    })
    .optional(),
});
export type AppRegistrationInput = z.input<typeof AppRegistrationInput>;

export const AppRegistrationList = z.array(AppRegistrationInput);

export function newClientSecret(): string {
  // Entra secrets are 40 characters with a "~" in them; any opaque string of that size will do.
  return `bg~${randomBytes(28).toString("base64url")}`;
}

export function buildApp(input: AppRegistrationInput): EmulatedApp {
  const parsed = AppRegistrationInput.parse(input);
  const pems = [...(parsed.certificate ? [parsed.certificate] : []), ...(parsed.certificates ?? [])];
  return {
    clientId: parsed.clientId ?? randomUUID(),
    displayName: parsed.displayName ?? "Breakglass emulated app",
    objectId: parsed.objectId ?? randomUUID(),
    secrets: [...(parsed.secret ? [parsed.secret] : []), ...(parsed.secrets ?? [])],
    certificates: pems.map((certificatePem) => ({
      certificatePem,
      thumbprintSha1: certificateThumbprint(certificatePem, "sha1"),
      thumbprintSha256: certificateThumbprint(certificatePem, "sha256"),
    })),
    graphPermissions: [...parsed.graphPermissions],
    directoryRoles: (parsed.directoryRoles ?? []).map((r) => r.toLowerCase()),
    arm: parsed.arm
      ? {
          subscriptions: parsed.arm.subscriptions ?? "*",
          aadiam: parsed.arm.aadiam ?? false,
          write: parsed.arm.write ?? false,
        }
      : { subscriptions: [], aadiam: false, write: false },
  };
}

/** The default app: a fresh secret, the export read set, ARM read on every subscription and aadiam. */
export function defaultApp(): EmulatedApp {
  return buildApp({
    displayName: "Breakglass export (emulated)",
    secret: newClientSecret(),
    graphPermissions: [...EXPORT_READ_PERMISSIONS],
    arm: { subscriptions: "*", aadiam: true },
  });
}

/** The registration of an app that can deploy: the export reads, deploy's writes and its directory roles. */
export function deployerRegistration(): AppRegistrationInput {
  return {
    displayName: "Breakglass deploy (emulated)",
    secret: newClientSecret(),
    graphPermissions: [...new Set([...EXPORT_READ_PERMISSIONS, ...DEPLOYER_APP_PERMISSIONS])],
    directoryRoles: [...DEPLOYER_DIRECTORY_ROLES],
    arm: { subscriptions: "*", aadiam: true, write: true },
  };
}

export function deployerApp(): EmulatedApp {
  return buildApp(deployerRegistration());
}

/** An app authenticating with a new client certificate; the certificate (with key) is returned for the client. */
export function certificateApp(
  overrides: Omit<AppRegistrationInput, "certificate" | "certificates"> = {
    graphPermissions: [...EXPORT_READ_PERMISSIONS],
  },
): { app: EmulatedApp; certificate: ClientCertificate } {
  const certificate = createClientCertificate();
  const app = buildApp({
    arm: { subscriptions: "*", aadiam: true },
    ...overrides,
    certificate: certificate.certificatePem,
  });
  return { app, certificate };
}
