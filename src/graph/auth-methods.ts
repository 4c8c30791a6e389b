/**
 * The credential kinds `--auth` accepts. Kept apart from auth.ts (which loads @azure/identity) so
 * the CLI can list and check them without loading the Azure SDKs until a command reads a tenant.
 */
export const AUTH_METHODS = [
  "secret",
  "certificate",
  "cli",
  "device-code",
  "managed-identity",
  "workload-identity",
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
