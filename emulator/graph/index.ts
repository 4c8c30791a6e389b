/**
 * The Graph resource layer: `createGraphResourceLayer(snapshot)` indexes the snapshot once into a
 * TenantStore and returns `resolve(request)`, which matches the route table and reports the
 * endpoint's permissions, throttling family and snapshot section without doing the work;
 * `handle()` then produces the response.
 */
import type { Snapshot } from "../../src/snapshot/schema.js";
import { graphError } from "./errors.js";
import { buildRoutes, type RouteContext, type RouteDef } from "./routes/index.js";
import { TenantStore } from "./tenant-store.js";
import type {
  CreateGraphResourceLayer,
  GraphLayerOptions,
  GraphRequest,
  GraphResolution,
  GraphResourceLayer,
} from "./types.js";
import { controlSignIn, controlRegisterFido2 } from "./writes/enrollment-control.js";
import { controlRecordSignIn } from "./writes/sign-ins.js";
import { writeStateOf } from "./writes/state.js";

export { TenantStore } from "./tenant-store.js";
export { buildRoutes } from "./routes/index.js";
export { DEFAULT_APP_PERMISSIONS } from "./permissions.js";
export type * from "./types.js";

interface CompiledRoute {
  def: RouteDef;
  segments: string[];
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** Match one pattern; literal segments compare case-insensitively, as Graph does. */
function match(route: CompiledRoute, segs: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const p = route.segments[i]!;
    const s = segs[i]!;
    if (p.startsWith("{")) {
      const name = p.slice(1, -1);
      // an OData cast segment is always namespace-qualified; an id never is
      if (
        name === "cast"
          ? !s.toLowerCase().startsWith("microsoft.graph.")
          : s.toLowerCase().startsWith("microsoft.graph.")
      ) {
        return undefined;
      }
      params[name] = s;
    } else if (p.toLowerCase() !== s.toLowerCase()) return undefined;
  }
  return params;
}

/** How many leading segments some route (of this version) accepts: the next one is the unknown segment. */
function matchedPrefix(routes: CompiledRoute[], segs: string[]): number {
  let best = 0;
  for (const r of routes) {
    let n = 0;
    while (n < segs.length && n < r.segments.length) {
      const p = r.segments[n]!;
      if (!p.startsWith("{") && p.toLowerCase() !== segs[n]!.toLowerCase()) break;
      n++;
    }
    best = Math.max(best, n);
  }
  return best;
}

function canonicalId(store: TenantStore, id: string): string {
  return store.users.get(id)?.id ?? store.directoryObject(id)?.entity.id ?? id;
}

/** `/_emulator/users/{id}/{signIn|fido2Methods}`: the person at the keyboard during enrollment. */
const CONTROL = /^\/_emulator\/users\/([^/]+)\/(signIn|fido2Methods)$/i;
/** `/_emulator/signIns`: a sign-in as Entra logs it (writes/sign-ins.ts). */
const SIGN_INS = /^\/_emulator\/signIns$/i;

export const createGraphResourceLayer: CreateGraphResourceLayer = (
  snapshot: Snapshot,
  options: GraphLayerOptions = {},
): GraphResourceLayer => {
  const store = new TenantStore(snapshot);
  const writes = writeStateOf(store, options);
  const routes: CompiledRoute[] = buildRoutes().map((def) => ({ def, segments: splitPath(def.pattern) }));
  return {
    control(method, path, body) {
      writes.settle();
      const req = {
        method,
        version: "v1.0" as const,
        path,
        query: new URLSearchParams(),
        headers: {},
        body,
        baseUrl: "",
      };
      if (SIGN_INS.test(path) && method.toUpperCase() === "POST") {
        const recorded = controlRecordSignIn({ req, params: {}, store });
        if (recorded.signIn) options.onSignIn?.(recorded.signIn);
        return recorded.response;
      }
      const m = CONTROL.exec(path);
      if (!m || method.toUpperCase() !== "POST") return undefined;
      const ctx = { req, params: { id: decodeURIComponent(m[1]!) }, store };
      return m[2]!.toLowerCase() === "signin" ? controlSignIn(ctx) : controlRegisterFido2(ctx);
    },
    resolve(req: GraphRequest): GraphResolution {
      // objects whose replication window has ended become visible before the request is served
      writes.settle();
      const segs = splitPath(req.path);
      const forVersion = routes.filter((r) => r.def.versions.includes(req.version));
      const clientId = req.headers["client-request-id"];
      let methodMismatch: CompiledRoute | undefined;
      for (const r of forVersion) {
        const params = match(r, segs);
        if (!params) continue;
        if (r.def.method !== req.method.toUpperCase()) {
          methodMismatch ??= r;
          continue;
        }
        const ctx: RouteContext = { req, params, store };
        const def = r.def;
        const permissions =
          typeof def.permissions === "function" ? def.permissions(ctx) : def.permissions.map((l) => [...l]);
        const section = typeof def.section === "function" ? def.section(ctx) : def.section;
        return {
          permissions,
          family: def.family,
          section,
          // the canonical id, so a fault keyed `users[<id>]` also hits a request made by UPN
          ...(def.objectParam ? { objectId: canonicalId(store, params[def.objectParam]!) } : {}),
          endpoint: `${def.method} ${def.pattern}`,
          handle: () => def.handle(ctx),
        };
      }
      if (methodMismatch) {
        return {
          endpoint: `${req.method.toUpperCase()} ${methodMismatch.def.pattern}`,
          error: graphError(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
            {},
            clientId,
          ),
        };
      }
      // the emulator issues app-only tokens, and Graph refuses /me without a signed-in user
      if (segs[0]?.toLowerCase() === "me") {
        return {
          endpoint: `${req.method.toUpperCase()} /me`,
          error: graphError(
            400,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
            {},
            clientId,
          ),
        };
      }
      // Graph names the first segment it could not bind (beta-only paths on v1.0 included)
      const n = matchedPrefix(forVersion, segs);
      const seg = segs[Math.min(n, segs.length - 1)] ?? "";
      return {
        endpoint: `${req.method.toUpperCase()} (unknown)`,
        error: graphError(400, "BadRequest", `Resource not found for the segment '${seg}'.`, {}, clientId),
      };
    },
  };
};
