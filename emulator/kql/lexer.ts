/**
 * Tokens of the emulator's small KQL (emulator/kql/README.md): identifiers (with `-` inside
 * operator names such as `mv-apply`, `project-away`, `has_any`), string literals ("...", '...',
 * verbatim @"..."), numbers, timespans (`5m`, `1h`, `100ms`) and punctuation. A character it does
 * not know is an UnsupportedKql error, so a query it cannot read never fires an alert.
 */
export class UnsupportedKql extends Error {}

export type Token =
  | { kind: "ident"; value: string; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "number"; value: number; pos: number }
  | { kind: "timespan"; value: number; pos: number }
  | { kind: "punct"; value: string; pos: number }
  | { kind: "eof"; value: ""; pos: number };

const PUNCT = [
  "==",
  "!=",
  "=~",
  "!~",
  "<=",
  ">=",
  "=",
  "<",
  ">",
  "|",
  ",",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ";",
  ".",
  "+",
  "-",
  "*",
  "/",
  ":",
  "!",
];

/** Timespan suffixes (KQL literal form) in milliseconds. */
const SPAN_UNITS: Record<string, number> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  microsecond: 0.001,
  tick: 0.0001,
};

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    const start = i;
    if (c === "@" && (src[i + 1] === '"' || src[i + 1] === "'")) {
      const q = src[i + 1]!;
      const end = src.indexOf(q, i + 2);
      if (end < 0) throw new UnsupportedKql(`unterminated string at ${start}`);
      out.push({ kind: "string", value: src.slice(i + 2, end), pos: start });
      i = end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= src.length) throw new UnsupportedKql(`unterminated string at ${start}`);
        const ch = src[i]!;
        if (ch === c) break;
        if (ch === "\\") {
          const n = src[i + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" };
          if (n === undefined || !(n in map)) throw new UnsupportedKql(`escape \\${n ?? ""} at ${i}`);
          value += map[n];
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      i++;
      out.push({ kind: "string", value, pos: start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(\d+(?:\.\d+)?)(ms|microsecond|tick|d|h|m|s)?(?![A-Za-z0-9_])/.exec(src.slice(i));
      if (!m) throw new UnsupportedKql(`number at ${start}: '${src.slice(i, i + 12)}'`);
      const n = Number(m[1]);
      if (m[2]) out.push({ kind: "timespan", value: n * SPAN_UNITS[m[2]]!, pos: start });
      else out.push({ kind: "number", value: n, pos: start });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      // `-` belongs to a name only in operator names such as `mv-apply`
      const m = /^[A-Za-z_$][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*/.exec(src.slice(i))!;
      let word = m[0];
      // `x-y` between columns is subtraction: only known dashed operators keep the dash
      if (word.includes("-") && !DASHED.has(word.toLowerCase())) word = word.slice(0, word.indexOf("-"));
      i += word.length;
      // `in~`, the case-insensitive `in`
      if (word.toLowerCase() === "in" && src[i] === "~") {
        word += "~";
        i++;
      }
      out.push({ kind: "ident", value: word, pos: start });
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (!p) throw new UnsupportedKql(`character '${c}' at ${start}`);
    out.push({ kind: "punct", value: p, pos: start });
    i += p.length;
  }
  out.push({ kind: "eof", value: "", pos: src.length });
  return out;
}

/** Operator names that contain a dash; recognised so they can be named when refused. */
const DASHED = new Set([
  "mv-apply",
  "mv-expand",
  "project-away",
  "project-rename",
  "project-keep",
  "project-reorder",
  "make-series",
  "parse-where",
  "parse-kv",
]);
