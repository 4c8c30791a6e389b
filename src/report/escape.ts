/**
 * Escaping of tenant data. Tenant data is hostile: display names can carry HTML, Markdown, ANSI and
 * C1 escape sequences and bidi overrides. Every renderer escapes with these functions.
 */

/** C0 and C1 controls, DEL; bidi controls and other invisible format characters are handled separately. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Bidi embedding/override/isolate controls and marks (Trojan Source). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Zero-width and line/paragraph separators that can hide or reflow text. */
const INVISIBLE = /[\u200b-\u200d\u2028\u2029\ufeff]/g;

const hex = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

/** Terminal output: no control byte from tenant data reaches the terminal; bidi controls shown escaped. */
export function sanitizeForTerminal(text: string, { keepNewlines = true } = {}): string {
  let out = text.replace(CONTROL, (c) => (keepNewlines && c === "\n" ? c : c === "\t" ? " " : hex(c)));
  if (!keepNewlines) out = out.replace(/\n/g, "\\n");
  return out.replace(BIDI, hex).replace(INVISIBLE, hex);
}

/** One line of terminal text: newlines escaped too. */
export const terminalInline = (text: string): string => sanitizeForTerminal(text, { keepNewlines: false });
