/**
 * The Markdown reports as GitHub shows them: rendered with markdown-it (CommonMark with GFM tables
 * and strikethrough; linkify on, as GitHub's autolink literals are), the tenant's strings come out as
 * the same text, no tenant string becomes a tag or a link, and the summary fits a comment.
 */
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { terminalInline } from "../../src/report/escape.js";
import { renderMarkdown, renderMarkdownSummary, SUMMARY_BUDGET } from "../../src/report/markdown.js";
import { SOURCES } from "../../src/report/sources.js";
import { HOSTILE, hostileReport } from "./fixtures.js";
import { CHECK_SOURCES, largeReport, midsizeReport } from "./samples.js";

const gfm = new MarkdownIt({ html: true, linkify: true });
// GitHub links bare URLs with a scheme, www. and e-mail addresses, not bare domain names.
gfm.linkify.set({ fuzzyLink: false });

/** The text a reader sees: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

const links = (html: string) => Array.from(html.matchAll(/<a href="([^"]*)"/g), (m) => m[1]);

describe("markdown rendered as GFM", () => {
  const report = hostileReport();
  for (const [name, render] of [
    ["markdown", renderMarkdown],
    ["markdown-summary", renderMarkdownSummary],
  ] as const) {
    it(`${name}: every tenant string reads as itself, and opens no tag or link`, () => {
      const html = gfm.render(render(report, { sources: {} }));
      const text = visibleText(html);
      // The names the failing subjects carry (hostile display names), shown as a terminal would.
      for (const hostile of [HOSTILE.img, HOSTILE.attr, HOSTILE.style, HOSTILE.base])
        expect(text).toContain(terminalInline(hostile).replace(/\s+/g, " "));
      expect(links(html)).toEqual([]);
      expect(html).not.toMatch(/<(script|img|iframe|svg|style|meta|base|link)\b/i);
      for (const tag of html.match(/<[a-z][a-z0-9]*/g) ?? [])
        expect([
          "<h1",
          "<h2",
          "<p",
          "<strong",
          "<em",
          "<table",
          "<thead",
          "<tbody",
          "<tr",
          "<th",
          "<td",
          "<ul",
          "<li",
          "<details",
          "<summary",
          "<b",
          "<pre",
          "<code",
        ]).toContain(tag);
    });
  }

  it("keeps ordinary punctuation unescaped in the source", async () => {
    const md = renderMarkdown(await midsizeReport(), { sources: CHECK_SOURCES });
    expect(md).toContain("fixtures/tenants/midsize/breakglass.yaml");
    expect(md).toContain("2026-11-01T10:00:00Z");
    expect(md).not.toContain("\\.");
  });
});

describe("markdown-summary", () => {
  it("fits a comment on the mid-size sample, with the verdict, fix first and every failing finding", async () => {
    const report = await midsizeReport();
    const md = renderMarkdownSummary(report, { sources: CHECK_SOURCES });
    expect(md.length).toBeLessThan(SUMMARY_BUDGET);
    expect(md.split("\n")[2]).toMatch(/^\*\*FAIL: \d+ checks at or above high not met/);
    expect(md).toContain("## Fix first");
    expect(md).not.toContain("Left out");
    const html = gfm.render(md);
    expect(html.match(/<details>/g)?.length).toBe(report.checks.filter((c) => c.status !== "pass").length);
    const open = report.checks.flatMap((c) => c.findings.filter((f) => f.status !== "pass"));
    expect(md.match(/^- \*\*(FAIL|WARN|UNKNOWN|ERROR)\*\*/gm)?.length).toBe(open.length);
    // Links go only to the guides the checks cite.
    for (const url of links(html)) expect(SOURCES.map((s) => s.url)).toContain(url);
  });
  it("cuts a 500-finding tenant to fit, and counts what it left out", async () => {
    const report = await largeReport(500);
    const md = renderMarkdownSummary(report, { sources: CHECK_SOURCES });
    expect(md.length).toBeLessThan(SUMMARY_BUDGET);
    const shown = md.match(/^- \*\*(FAIL|WARN|UNKNOWN|ERROR)\*\*/gm)?.length ?? 0;
    const perCheck = Array.from(md.matchAll(/^- _(\d+) more findings? of this check left out\._$/gm), (m) =>
      Number(m[1]),
    );
    const left = /\*\*Left out to fit a comment:\*\* (\d+) findings? of (\d+) checks?/.exec(md);
    expect(left).not.toBeNull();
    const open = report.checks.flatMap((c) => c.findings.filter((f) => f.status !== "pass")).length;
    expect(shown + Number(left![1])).toBe(open);
    expect(perCheck.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Number(left![1]));
    // Still well-formed: every <details> closed.
    expect(md.match(/<details/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    // The full report keeps everything.
    expect(renderMarkdown(report).length).toBeGreaterThan(SUMMARY_BUDGET);
  });
});
