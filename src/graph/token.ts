/**
 * What the access token grants, for the read-only warning: a read-only command that holds
 * ReadWrite permissions is over-privileged, which is worth a line on stderr. The token is decoded
 * (not verified: Breakglass is not its audience) and never printed or logged.
 */
import { decodeJwt } from "jose";
import type { TokenCredential } from "@azure/core-auth";

/** Application roles (`roles`) and delegated scopes (`scp`) of a JWT access token. */
export function grantedPermissions(accessToken: string): string[] {
  try {
    const claims = decodeJwt(accessToken);
    const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    const scp = typeof claims.scp === "string" ? claims.scp.split(" ").filter(Boolean) : [];
    return [...roles, ...scp];
  } catch {
    // An opaque token (Graph may issue them) says nothing we can read.
    return [];
  }
}

/** The directory role template ids (`wids`) a token carries: the app's or the signed-in user's roles. */
export function grantedDirectoryRoles(accessToken: string): string[] {
  try {
    const claims = decodeJwt(accessToken);
    return Array.isArray(claims.wids) ? claims.wids.map((w) => String(w).toLowerCase()) : [];
  } catch {
    return [];
  }
}

/** The object id (`oid`) a token was issued to: the service principal's, or the signed-in user's. */
export function tokenObjectId(accessToken: string): string | undefined {
  try {
    const oid = decodeJwt(accessToken).oid;
    return typeof oid === "string" && oid ? oid : undefined;
  } catch {
    return undefined;
  }
}

export function writePermissions(granted: string[]): string[] {
  return granted.filter((p) => /ReadWrite/i.test(p)).sort();
}

/** The ReadWrite permissions the credential's token for `scope` carries (same cached token the client uses). */
export async function tokenWritePermissions(credential: TokenCredential, scope: string): Promise<string[]> {
  const token = await credential.getToken(scope);
  return token ? writePermissions(grantedPermissions(token.token)) : [];
}
