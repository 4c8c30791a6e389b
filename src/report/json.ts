/**
 * JSON outputs (`--format json`, SARIF, `ca ... --format json`, `discover --format json`) as I-JSON
 * (RFC 7493): no lone surrogate and no noncharacter in any string or key; those are written as
 * visible `\u{..}` text, as the terminal shows them. C1 controls, bidi controls, invisible format
 * characters and U+2028/U+2029 are written as `\u` escapes (the same JSON value), which
 * JSON.stringify does not do, so `cat report.json` in a terminal is as inert as the console format
 * and the file embeds safely in JavaScript.
 */
import type { Report } from "./model.js";

const UNSAFE_IN_JSON_TEXT =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
/** Lone surrogates, and the noncharacters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of every plane. */
const NOT_I_JSON =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufdd0-\ufdef\ufffe\uffff]|[\u{1fffe}\u{1ffff}\u{2fffe}\u{2ffff}\u{3fffe}\u{3ffff}\u{4fffe}\u{4ffff}\u{5fffe}\u{5ffff}\u{6fffe}\u{6ffff}\u{7fffe}\u{7ffff}\u{8fffe}\u{8ffff}\u{9fffe}\u{9ffff}\u{afffe}\u{affff}\u{bfffe}\u{bffff}\u{cfffe}\u{cffff}\u{dfffe}\u{dffff}\u{efffe}\u{effff}\u{ffffe}\u{fffff}\u{10fffe}\u{10ffff}]/gu;

const visible = (s: string): string =>
  s.replace(NOT_I_JSON, (c) => `\\u{${(c.length === 1 ? c.charCodeAt(0) : c.codePointAt(0)!).toString(16)}}`);

/**
 * Keys are fixed on the way: the replacer sees each object before its members and may return a
 * copy with visible keys; strings are fixed as they are reached. No recursion of our own, so depth
 * is only bounded by JSON.stringify itself.
 */
function iJsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "string") return visible(value);
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.some((k) => visible(k) !== k))
      return Object.fromEntries(keys.map((k) => [visible(k), (value as Record<string, unknown>)[k]]));
  }
  return value;
}

/** Any value as I-JSON text (see the module comment), indented by `indent`, with a final newline. */
export function stringifyJson(value: unknown, indent = 2): string {
  const text = JSON.stringify(value, iJsonReplacer, indent) ?? "null";
  return (
    text.replace(UNSAFE_IN_JSON_TEXT, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`) + "\n"
  );
}

/** `--format json`: the report object as docs define it. */
export function renderJson(report: Report): string {
  return stringifyJson(report);
}
