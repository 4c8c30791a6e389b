/**
 * Escaping of tenant data. Tenant data is hostile: display names can carry HTML, Markdown, ANSI and
 * C1 escape sequences, bidi overrides and absurd lengths. Every renderer escapes with these
 * functions; none prints a tenant string any other way.
 */

/** C0 and C1 controls and DEL (tab and newline included: callers decide how those show). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidi embedding/override/isolate controls and marks (Trojan Source). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/**
 * Invisible format characters that can hide, join or reflow text: soft hyphen, Mongolian vowel
 * separator, zero-width characters, line/paragraph separators, word joiner and invisible operators,
 * deprecated format controls, BOM, interlinear annotation, and the Unicode tag block.
 */
const INVISIBLE =
  /[\u00ad\u180e\u200b-\u200d\u2028\u2029\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]/gu;
/** A UTF-16 surrogate without its pair: not a character, and invalid in XML. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const hex = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

/**
 * Terminal output: no control byte from tenant data reaches the terminal (ESC, CSI, OSC, C1 all
 * become visible `\u{..}` text); bidi controls and invisible characters are shown escaped.
 */
export function sanitizeForTerminal(text: string, { keepNewlines = true } = {}): string {
  return text
    .replace(CONTROL, (c) => {
      if (c === "\n") return keepNewlines ? c : "\\n";
      if (c === "\t") return keepNewlines ? c : " ";
      if (c === "\r") return "\\r";
      return hex(c);
    })
    .replace(BIDI, hex)
    .replace(INVISIBLE, hex)
    .replace(LONE_SURROGATE, hex);
}

/** One line of terminal text: newlines escaped too. */
export const terminalInline = (text: string): string => sanitizeForTerminal(text, { keepNewlines: false });

/**
 * Lines of terminal text, each shown inline and ended with a newline: a tenant name or a service
 * message inside one line cannot start another (a forged `PASS` or `PROVEN` line).
 */
export const terminalLines = (lines: readonly string[]): string =>
  lines.map((line) => `${terminalInline(line)}\n`).join("");

/**
 * At most `max` characters (code points, so no surrogate pair is split), with the length said when
 * cut: a 10,000-character display name must not swamp a table or a terminal.
 */
export function clip(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max).join("")}... (${points.length} characters)`;
}

/**
 * HTML text and attribute values: the five significant characters as entities; controls (newlines
 * too, unless `keepNewlines` for a <pre> block) made visible.
 */
export function escapeHtml(text: string, { keepNewlines = false } = {}): string {
  return sanitizeForTerminal(text, { keepNewlines })
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Inline punctuation GFM gives a meaning anywhere in a line: escapes, code, emphasis, links, cells, strikethrough. */
const MARKDOWN_INLINE = /[\\`*_[\]|~]/g;

/**
 * One line of Markdown text that renders literally in GitHub-flavoured Markdown, escaping only what
 * GFM would read as syntax: `& < >` as entities (no HTML tag or entity from the tenant), the inline
 * punctuation above (no emphasis, code, link, image or table cell), the start of a block when the
 * text starts the line (heading, list, quote, setext underline), and the three autolink literals
 * GitHub turns into links by themselves (`scheme://`, `www.` and `name@domain`). Controls are shown
 * escaped. Dots, colons and other punctuation stay as they are, so the source reads as plain text.
 */
export function escapeMarkdown(text: string): string {
  return terminalInline(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(MARKDOWN_INLINE, (c) => `\\${c}`)
    .replace(/:(?=\/\/)/g, "\\:")
    .replace(/\b(www)\./gi, "$1\\.")
    .replace(/@/g, "\\@")
    .replace(/^(\s*)(#{1,6}(?=\s|$)|[-+](?=\s|$)|[-=]+\s*$)/, "$1\\$2")
    .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/, "$1\\$2");
}

/**
 * Markdown code (inside a fenced block): only the fence can break out, so the fence is made longer
 * than any backtick run in the text; controls are shown escaped.
 */
export function markdownFence(text: string, info = ""): string {
  const clean = sanitizeForTerminal(text);
  const longest = Math.max(0, ...Array.from(clean.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${clean}\n${fence}`;
}

/**
 * XML text and attribute values: characters XML 1.0 forbids (controls other than tab and newline,
 * U+FFFE/U+FFFF, lone surrogates) shown escaped, the markup characters as entities.
 */
export function escapeXml(text: string): string {
  return sanitizeForTerminal(text)
    .replace(/[\ufffe\uffff]/g, hex)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
