/**
 * The configured clients for one command: a credential, Graph and ARM, sharing one request tracker.
 * Base URLs come from BREAKGLASS_GRAPH_URL / BREAKGLASS_ARM_URL (the emulator prints them).
 */
import type { TokenCredential } from "@azure/core-auth";
import { ArmApi, PUBLIC_ARM_URL, trackingPolicy } from "./arm.js";
import { createCredential, authSettingsFromEnv, resolveAuthMethod, type AuthSettings } from "./auth.js";
import type { Clock } from "./clock.js";
import { AuthConfigError } from "./errors.js";
import { GraphApi, PUBLIC_GRAPH_URL } from "./graph.js";
import type { FamilyLimit, GraphFamily } from "./pacing.js";
import { RequestTracker } from "./tracker.js";

export * from "./arm.js";
export * from "./auth.js";
export * from "./clock.js";
export * from "./pacing.js";
export * from "./errors.js";
export * from "./graph.js";
export * from "./token.js";
export * from "./tracker.js";
export * from "./write.js";
export * from "./arm-write.js";

export interface ClientSettings {
  auth?: AuthSettings;
  /** an already built credential (tests); otherwise built from `auth` and the environment. */
  credential?: TokenCredential;
  graphUrl?: string;
  armUrl?: string;
  caPem?: string;
  maxRetries?: number;
  /** base back-off in seconds when the service sends no Retry-After. */
  retryDelaySeconds?: number;
  /** time and waiting for pacing and retries (tests pass a virtual clock). */
  clock?: Clock;
}

export interface Clients {
  /** the credential Graph uses (its token's roles decide the read-only warning). */
  credential: TokenCredential;
  /** the credential ARM uses: the same one, or a second instance (see createClients). */
  armCredential: TokenCredential;
  graph: GraphApi;
  arm: ArmApi;
  tracker: RequestTracker;
}

function baseUrl(value: string | undefined, variable: string, fallback: string): string {
  const url = value ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthConfigError(`${variable}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== "https:")
    throw new AuthConfigError(`${variable}: "${url}" must be an https:// URL`);
  return url.replace(/\/+$/, "");
}

/**
 * BREAKGLASS_GRAPH_PACING=off: a Graph endpoint that does not throttle (the emulator started with
 * throttling off prints it) needs no pacing; anything else keeps Graph's limits.
 */
function pacingFromEnv(value: string | undefined): Partial<Record<GraphFamily, FamilyLimit>> | undefined {
  if (value === undefined || value === "") return undefined;
  if (value !== "off")
    throw new AuthConfigError(
      `BREAKGLASS_GRAPH_PACING: "${value}" is not "off" (unset it to keep Graph's pace)`,
    );
  const unlimited = { units: Number.MAX_SAFE_INTEGER, windowMs: 1 };
  return { directory: unlimited, reports: unlimited, conditionalAccess: unlimited };
}

export function createClients(settings: ClientSettings = {}, env: NodeJS.ProcessEnv = process.env): Clients {
  const caPem = settings.caPem ?? settings.auth?.caPem;
  const tracker = new RequestTracker(settings.clock);
  const authSettings = authSettingsFromEnv(
    { ...settings.auth, caPem, policies: [trackingPolicy(tracker, "identity")] },
    env,
  );
  const credential = settings.credential ?? createCredential(authSettings);
  // An app credential gets one instance per resource, so the Graph and ARM first token requests,
  // which run concurrently, do not race inside one MSAL client. Interactive and host credentials
  // (CLI, device code, managed identity) stay shared so nobody is prompted twice.
  const method = settings.credential ? undefined : resolveAuthMethod(authSettings);
  const armCredential =
    method === "secret" || method === "certificate" || method === "workload-identity"
      ? createCredential(authSettings)
      : credential;
  const common = { caPem, maxRetries: settings.maxRetries, tracker, clock: settings.clock };
  const graph = new GraphApi({
    ...common,
    familyLimits: pacingFromEnv(env.BREAKGLASS_GRAPH_PACING),
    credential,
    baseUrl: baseUrl(settings.graphUrl ?? env.BREAKGLASS_GRAPH_URL, "BREAKGLASS_GRAPH_URL", PUBLIC_GRAPH_URL),
    retryDelaySeconds: settings.retryDelaySeconds,
  });
  const arm = new ArmApi({
    ...common,
    credential: armCredential,
    baseUrl: baseUrl(settings.armUrl ?? env.BREAKGLASS_ARM_URL, "BREAKGLASS_ARM_URL", PUBLIC_ARM_URL),
    retryDelayMs: settings.retryDelaySeconds !== undefined ? settings.retryDelaySeconds * 1000 : undefined,
  });
  return { credential, armCredential, graph, arm, tracker };
}
