/** Paging: `$top` with Graph's caps, opaque `$skiptoken`s bound to their query, absolute nextLinks. */
import { createHash } from "node:crypto";
import type { GraphRequest } from "../types.js";
import { QueryError, type CollectionSpec } from "./collection-spec.js";

function queryFingerprint(q: URLSearchParams): string {
  const entries = [...q.entries()]
    .filter(([k]) => k !== "$skiptoken")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(entries)).digest("base64url").slice(0, 10);
}

function encodeSkipToken(offset: number, q: URLSearchParams): string {
  // opaque to clients, like Graph's; the fingerprint catches a token replayed with another query
  return Buffer.from(JSON.stringify({ o: offset, q: queryFingerprint(q) })).toString("base64url");
}

export function decodeSkipToken(token: string, q: URLSearchParams, code: string): number {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown; q?: unknown };
    if (typeof v.o === "number" && Number.isInteger(v.o) && v.o >= 0 && v.q === queryFingerprint(q))
      return v.o;
  } catch {
    // fall through
  }
  throw new QueryError(400, code, "Invalid $skiptoken value.");
}

/** Graph path segments are percent-encoded except the characters Graph leaves readable. */
export function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) =>
      encodeURIComponent(s)
        .replace(/%24/g, "$")
        .replace(/%40/g, "@")
        .replace(/%3D/g, "=")
        .replace(/%2C/g, ","),
    )
    .join("/");
}

function encodeQuery(q: URLSearchParams): string {
  return [...q.entries()]
    .map(
      ([k, v]) =>
        `${encodeURIComponent(k).replace(/%24/g, "$")}=${encodeURIComponent(v).replace(/%24/g, "$").replace(/%2C/g, ",")}`,
    )
    .join("&");
}

export function nextLink(req: GraphRequest, offset: number): string {
  const q = new URLSearchParams(req.query);
  q.delete("$skiptoken");
  q.append("$skiptoken", encodeSkipToken(offset, req.query));
  return `${req.baseUrl}/${req.version}${encodePath(req.path)}?${encodeQuery(q)}`;
}

export function metadataUrl(req: GraphRequest): string {
  return `${req.baseUrl}/${req.version}/$metadata`;
}

export function parseTop(req: GraphRequest, spec: CollectionSpec, capTop: number | undefined): number {
  const raw = req.query.get("$top");
  const code = spec.directoryObject ? "Request_UnsupportedQuery" : "BadRequest";
  if (spec.top === "reject") {
    if (raw !== null)
      throw new QueryError(400, "Request_UnsupportedQuery", "The server does not support custom page sizes.");
    return Number.MAX_SAFE_INTEGER;
  }
  if (!spec.top) {
    if (raw !== null)
      throw new QueryError(400, code, `Query option '$top' is not allowed on ${spec.typeName}.`);
    return Number.MAX_SAFE_INTEGER;
  }
  const max = Math.min(spec.top.max, capTop ?? Infinity);
  if (raw === null) return Math.min(spec.top.default, max);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) {
    throw new QueryError(
      400,
      spec.directoryObject ? "Request_BadRequest" : "BadRequest",
      `Invalid page size specified: '${raw}'. Must be between 1 and ${spec.top.max} inclusive.`,
    );
  }
  if (n > spec.top.max && spec.top.overMax === "reject") {
    throw new QueryError(
      400,
      "Request_BadRequest",
      `Invalid page size specified: '${raw}'. Must be between 1 and ${spec.top.max} inclusive.`,
    );
  }
  return Math.min(n, max);
}
