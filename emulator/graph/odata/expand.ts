/** `$expand`: parsing "a,b(nested options)", resolving each name to the route's expander, and the context suffix. */
import type { GraphRequest } from "../types.js";
import { QueryError, type CollectionSpec, type Expander } from "./collection-spec.js";

export function parseExpand(raw: string | null): { name: string; nested: URLSearchParams }[] {
  if (raw === null || raw.trim() === "") return [];
  const out: { name: string; nested: URLSearchParams }[] = [];
  let depth = 0;
  let cur = "";
  const flush = (): void => {
    const s = cur.trim();
    cur = "";
    if (!s) return;
    const p = s.indexOf("(");
    if (p < 0) {
      out.push({ name: s, nested: new URLSearchParams() });
      return;
    }
    const inner = s.slice(p + 1, s.lastIndexOf(")"));
    const nested = new URLSearchParams();
    for (const part of splitTop(inner, ";")) {
      const eq = part.indexOf("=");
      if (eq > 0) nested.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    out.push({ name: s.slice(0, p).trim(), nested });
  };
  for (const ch of raw) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) flush();
    else cur += ch;
  }
  flush();
  return out;
}

function splitTop(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === sep && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function resolveExpands(
  req: GraphRequest,
  spec: CollectionSpec,
): { name: string; nested: URLSearchParams; fn: Expander }[] {
  return parseExpand(req.query.get("$expand")).map((x) => {
    const fn = spec.expand?.[x.name];
    if (!fn) {
      throw new QueryError(
        400,
        "BadRequest",
        `Could not find a property named '${x.name}' on type '${spec.typeName}'.`,
      );
    }
    return { ...x, fn };
  });
}

export function contextSuffix(
  select: string[] | undefined,
  expands: { name: string; nested: URLSearchParams }[],
): string {
  const parts = [...(select ?? [])];
  for (const e of expands) {
    const inner = e.nested.get("$expand");
    parts.push(`${e.name}(${inner ? `${inner.replace(/\(.*$/, "")}()` : ""})`);
  }
  return parts.length ? `(${parts.join(",")})` : "";
}
