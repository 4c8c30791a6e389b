import { describe, expect, it } from "vitest";
import {
  clip,
  escapeHtml,
  escapeMarkdown,
  escapeXml,
  markdownFence,
  sanitizeForTerminal,
  terminalInline,
} from "../../src/report/escape.js";
import { BIDI_CONTROLS, CONTROL_BYTES, HOSTILE, HOSTILE_NAMES } from "./fixtures.js";

describe("terminal escaping", () => {
  it("shows every C0, C1 and DEL control as text", () => {
    const out = terminalInline(HOSTILE.ansi + HOSTILE.c1 + HOSTILE.controls);
    expect(out).not.toMatch(CONTROL_BYTES);
    expect(out).toContain("\\u{1b}[31mRED");
    expect(out).toContain("\\u{9b}31m");
    expect(out).toContain("\\u{0}");
    expect(out).toContain("\\r");
  });
  it("shows bidi controls and invisible characters escaped", () => {
    const out = terminalInline(`${HOSTILE.bidi}\u200b\u2028\u{e0041}\u00ad`);
    expect(out).not.toMatch(BIDI_CONTROLS);
    expect(out).toContain("admin\\u{202e}gpj.exe");
    expect(out).toContain("\\u{e0041}");
    expect(out).toContain("\\u{2028}");
  });
  it("keeps newlines and tabs only when asked", () => {
    expect(sanitizeForTerminal("a\nb\tc")).toBe("a\nb\tc");
    expect(terminalInline("a\nb\tc")).toBe("a\\nb c");
  });
  it("escapes lone surrogates but keeps pairs", () => {
    expect(terminalInline("\ud800x\u{1f600}")).toBe("\\u{d800}x\u{1f600}");
  });
  it("leaves ordinary names alone", () => {
    expect(terminalInline("Zoë Ångström 王")).toBe("Zoë Ångström 王");
  });
});

describe("clip", () => {
  it("cuts long names by code point and says how long they were", () => {
    expect(clip(HOSTILE.long, 10)).toBe("Lxxxxxxxxx... (10000 characters)");
    expect(clip("\u{1f600}".repeat(5), 2)).toBe("\u{1f600}\u{1f600}... (5 characters)");
    expect(clip("short", 10)).toBe("short");
  });
});

describe("HTML escaping", () => {
  it("leaves no markup character", () => {
    for (const name of HOSTILE_NAMES) {
      const out = escapeHtml(name);
      expect(out).not.toMatch(/[<>"']/);
      expect(out).not.toMatch(CONTROL_BYTES);
      expect(out).not.toMatch(BIDI_CONTROLS);
    }
    expect(escapeHtml(HOSTILE.entity)).toBe("&amp;lt;script&amp;gt;window.__pwned=6&amp;lt;/script&amp;gt;");
  });
});

describe("Markdown escaping", () => {
  it("makes every Markdown construct literal", () => {
    const out = escapeMarkdown(HOSTILE.markdownLink);
    // Brackets escaped, no raw < or >: parentheses alone open nothing.
    expect(out).not.toMatch(/(^|[^\\])[[\]<>]/);
    expect(out).not.toMatch(/(?<!\\)\]\(/);
    expect(escapeMarkdown(HOSTILE.markdownTable)).not.toMatch(/(^|[^\\])\|/);
    expect(escapeMarkdown(HOSTILE.markdownHeading)).not.toContain("\n");
    expect(escapeMarkdown("**bold** _x_ `c` ~~s~~")).toBe("\\*\\*bold\\*\\* \\_x\\_ \\`c\\` \\~\\~s\\~\\~");
    expect(escapeMarkdown("1. item")).toBe("1\\. item");
    expect(escapeMarkdown("<b>&amp;")).toBe("&lt;b&gt;&amp;amp;");
  });
  it("escapes only what GFM reads as syntax: plain punctuation stays readable", () => {
    expect(escapeMarkdown("v1.2.3 (EU); a/b: 50% = ok!")).toBe("v1.2.3 (EU); a/b: 50% = ok!");
    expect(escapeMarkdown("# x")).toBe("\\# x");
    expect(escapeMarkdown("- x")).toBe("\\- x");
    expect(escapeMarkdown("---")).toBe("\\---");
    expect(escapeMarkdown("2026.")).toBe("2026\\.");
    // GitHub's autolink literals: a URL, www. and an e-mail address would become links.
    expect(escapeMarkdown("https://x.test www.x.test a@x.test")).toBe(
      "https\\://x.test www\\.x.test a\\@x.test",
    );
  });
  it("fences code with a fence longer than any backtick run", () => {
    const fenced = markdownFence("a ```` b");
    expect(fenced.startsWith("`````\n")).toBe(true);
    expect(fenced.endsWith("\n`````")).toBe(true);
    expect(markdownFence(HOSTILE.ansi)).not.toMatch(CONTROL_BYTES);
  });
});

describe("XML escaping", () => {
  it("leaves only characters XML 1.0 allows and no markup", () => {
    const out = escapeXml(HOSTILE_NAMES.join("") + "\ufffe\ud800");
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff]/);
    expect(out).not.toMatch(/[<>"']/);
  });
});
