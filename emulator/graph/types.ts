/**
 * The contract between the emulator's HTTP pipeline (emulator/*.ts: TLS, tokens, permissions,
 * throttling, faults, counters, $batch) and its Graph resource layer (emulator/graph/*: routes,
 * OData query options, paging, relationship endpoints).
 *
 * The pipeline authenticates the request, then asks the resource layer to resolve it. Resolution is
 * cheap and pure: it tells which permissions the endpoint needs, which throttling family it is in and
 * which snapshot section it reads, so the pipeline can enforce permissions, throttle and inject faults
 * before `handle()` produces the response. `$batch` is the pipeline's: it runs each inner request
 * through the same steps.
 */
import type { Snapshot } from "../../src/snapshot/schema.js";

export type GraphVersion = "v1.0" | "beta";

export interface GraphRequest {
  method: string;
  version: GraphVersion;
  /** the path after the version, starting with "/", percent-decoded per segment (e.g. "/users/abc/authentication/methods"). */
  path: string;
  /** the query string (with $select, $filter, $top, $skiptoken, ...). */
  query: URLSearchParams;
  /** request headers, names lower-cased. */
  headers: Record<string, string>;
  body?: unknown;
  /** the absolute base URL Graph is served under, without the version (e.g. "https://127.0.0.1:8443/graph"), for nextLink and @odata.context. */
  baseUrl: string;
  /** who is calling (set by the pipeline from the access token), for the write rules that depend on the caller's directory roles */
  caller?: GraphCaller;
}

/** The authenticated app behind a request: its client id, service principal id, permissions and tenant-wide directory roles (`wids`). */
export interface GraphCaller {
  appId: string;
  objectId: string;
  roles: string[];
  wids: string[];
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body (object) or text (for `$count` as text/plain); undefined for 204. */
  body?: unknown;
}

/** Graph's throttling families (docs/graph-contract.md §10.3). */
export type ThrottleFamily = "directory" | "reports" | "conditionalAccess" | "identityProtection";

export interface ResolvedGraphRequest {
  /**
   * The application permissions the request needs, as AND-of-ORs: every inner list must be met by one
   * granted permission. Most endpoints have one list (least privileged first, then the higher ones
   * Graph also accepts, docs/graph-contract.md Appendix B); selecting `signInActivity` on /users adds a
   * second list (AuditLog.Read.All).
   */
  permissions: string[][];
  family: ThrottleFamily;
  /**
   * The snapshot path this endpoint reads, in the `unavailable` key syntax of docs/snapshot.md: a section
   * ("users", "conditionalAccessPolicies", "signIns"), a relationship for every object
   * ("users.authenticationMethods", "groups.members"). Fault injection and counters are keyed by it.
   */
  section: string;
  /** the object id in the path of a per-object relationship (`users/{id}/...`), so a fault maps to `users[<id>].authenticationMethods`. */
  objectId?: string;
  /** a stable name for counters, e.g. "GET /users/{id}/authentication/methods". */
  endpoint: string;
  handle(): GraphResponse;
}

/** 404/400 etc. from resolution (unknown segment, beta-only path on v1.0, unsupported query) are returned as a response. */
export type GraphResolution = ResolvedGraphRequest | { error: GraphResponse; endpoint: string };

export interface GraphResourceLayer {
  resolve(request: GraphRequest): GraphResolution;
  /**
   * The enrollment control surface under `{graph}/_emulator/...` (not part of Graph): undefined when
   * the path is not a control endpoint.
   */
  control?(method: string, path: string, body: unknown): GraphResponse | undefined;
}

export interface GraphLayerOptions {
  /** the emulator's clock (ms since the epoch) */
  now?: () => number;
  /** how long a created object stays invisible to other requests (docs/graph-writes.md 0.4) */
  replicationDelayMs?: number;
  /** told of every sign-in `POST /_emulator/signIns` records (the alert rules watch them) */
  onSignIn?: (signIn: Record<string, unknown>) => void;
}

export type CreateGraphResourceLayer = (
  snapshot: Snapshot,
  options?: GraphLayerOptions,
) => GraphResourceLayer;
