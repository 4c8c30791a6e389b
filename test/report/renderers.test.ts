import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { cutTo, renderConsole, wrap } from "../../src/report/console.js";
import { HTML_CSP, renderHtml } from "../../src/report/html.js";
import { renderJson } from "../../src/report/json.js";
import { renderJunit } from "../../src/report/junit.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { REPORT_SCHEMA_FILE } from "../../src/report/model.js";
import { buildSarif, FINGERPRINT_KEY, renderSarif } from "../../src/report/sarif.js";
import { BIDI_CONTROLS, CONTROL_BYTES, HOSTILE, hostileReport } from "./fixtures.js";

// ajv-formats is CommonJS with a default export.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv,
) => Ajv;
const root = new URL("../../", import.meta.url);
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, root), "utf8"));

const report = hostileReport();
/** The SGR colour sequences the console renderer itself writes. */
// eslint-disable-next-line no-control-regex
const OUR_SGR = /\u001b\[[0-9;]*m/g;

describe("the report object", () => {
  it("lists every check once, in the order given, with counts and the verdict", () => {
    expect(report.checks.map((c) => c.id)).toEqual([
      "EA-ACC-02",
      "EA-AUTH-10",
      "EA-CA-01",
      "EA-MON-03",
      "EA-ACC-08",
    ]);
    expect(report.summary).toEqual({ accepted: 0, error: 1, fail: 1, unknown: 1, warn: 1, pass: 0, skip: 1 });
    expect(report.verdict).toEqual({
      failed: true,
      failOn: "high",
      allowUnknown: false,
      blocking: ["EA-ACC-02", "EA-AUTH-10", "EA-MON-03"],
    });
    expect(report.accounts.unresolved.some((u) => u.deleted && u.restorableUntil)).toBe(true);
  });
});

describe("console", () => {
  for (const color of [false, true]) {
    it(`carries no control byte or bidi control from tenant data (color ${color})`, () => {
      const out = renderConsole(report, { color });
      const text = out.replace(OUR_SGR, "");
      expect(text).not.toMatch(CONTROL_BYTES);
      expect(text).not.toMatch(BIDI_CONTROLS);
      expect(out.includes("\u001b")).toBe(color);
      expect(text).toContain("\\u{1b}[31mRED");
      expect(text).toContain("admin\\u{202e}gpj.exe");
      expect(text).toContain("\\u{9b}31m");
    });
  }
  it("starts with the verdict, then the accounts, then fix first, then the findings", () => {
    const out = renderConsole(report, { color: false });
    const lines = out.split("\n");
    expect(lines[0]).toBe("FAIL: 3 checks at or above high not met (2 critical, 1 high)");
    const words = out.replace(/\s+/g, " ");
    expect(words).toContain("identified by config");
    expect(words).toContain("configured account does not resolve");
    const accounts = lines.findIndex((l) => l.startsWith("Accounts"));
    const fix = lines.findIndex((l) => l.startsWith("Fix first"));
    const findings = lines.findIndex((l) => l.startsWith("Findings"));
    expect(accounts).toBeGreaterThan(0);
    expect(fix).toBeGreaterThan(accounts);
    expect(findings).toBeGreaterThan(fix);
    // Fix first: error, fail and unknown checks (not warn, not skip), by severity then status.
    const listed = lines.slice(fix + 1, findings - 1).map((l) => /EA-[A-Z]+-\d\d/.exec(l)?.[0]);
    expect(listed).toEqual(["EA-MON-03", "EA-AUTH-10", "EA-ACC-02"]);
    expect(out).not.toMatch(/^ +evidence /m);
  });
  it("cuts every line to the width, and --verbose wraps them whole instead", () => {
    for (const width of [60, 100, 140]) {
      const out = renderConsole(report, { color: false, width });
      for (const line of out.split("\n")) expect(Array.from(line).length).toBeLessThanOrEqual(width);
    }
    const verbose = renderConsole(report, { color: false, width: 100, verbose: true });
    expect(verbose).toContain("evidence");
    expect(verbose).toContain("(10000 characters)");
    // Tables (accounts, counts) are the only lines allowed past the width.
    for (const line of verbose.split("\n").filter((l) => !/[│┌└├]/.test(l)))
      expect(Array.from(line).length).toBeLessThanOrEqual(100);
  });
  it("brief: only the verdict, the accounts and the fix-first list", () => {
    const out = renderConsole(report, { color: false, brief: true });
    expect(out).toContain("Fix first");
    expect(out).not.toContain("Findings");
    expect(out).not.toContain("Checks ");
  });
});

describe("console layout helpers", () => {
  it("wrap keeps every word, breaks only overlong words, and indents the following lines", () => {
    const text = "one two three four five six seven eight nine ten";
    const lines = wrap(text, 20, 4, 0);
    expect(lines.join(" ").replace(/\s+/g, " ")).toBe(text);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(20);
    expect(lines.slice(1).every((l) => l.startsWith("    "))).toBe(true);
    expect(wrap("x".repeat(25), 10, 0, 0)).toEqual(["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]);
  });
  it("cutTo ends a cut text with an ellipsis and leaves a short one alone", () => {
    expect(cutTo("abcdef", 4)).toBe("abc…");
    expect(cutTo("abc", 4)).toBe("abc");
    expect(cutTo("😀😀😀", 2)).toBe("😀…");
  });
});

/** Markdown without its fenced code blocks (whose content is literal); fails on an unclosed fence. */
function withoutFences(md: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of md.split("\n")) {
    if (fence === undefined) {
      const open = /^(`{3,})[^`]*$/.exec(line);
      if (open) fence = open[1];
      else out.push(line);
    } else if (line === fence) fence = undefined;
  }
  expect(fence).toBeUndefined();
  return out.join("\n");
}

describe("markdown", () => {
  const md = renderMarkdown(report);
  it("carries no control byte or bidi control from tenant data", () => {
    expect(md).not.toMatch(CONTROL_BYTES);
    expect(md).not.toMatch(BIDI_CONTROLS);
  });
  it("lets no tenant string open a tag, a link, a heading or a list", () => {
    const prose = withoutFences(md);
    // The only tags are ours: a <details> per check with its <summary>.
    for (const tag of prose.match(/<[a-zA-Z!/?][^>]*>/g) ?? [])
      expect(tag).toMatch(/^<\/?(details|summary|b)( open)?>$/);
    // No link: this report was rendered without sources or a docs address.
    expect(prose).not.toMatch(/(?<!\\)\]\(/);
    for (const line of prose.split("\n")) {
      if (/^#/.test(line)) expect(line).toMatch(/^(# Breakglass assessment|## )/);
      expect(line).not.toMatch(/^(- list|> quote|\|---\|---\|)$/);
    }
  });
  it("keeps every table row to its header's cell count", () => {
    const lines = md.split("\n");
    const cells = (l: string) => l.replace(/\\\\/g, "").split(/(?<!\\)\|/).length;
    let header: number | undefined;
    for (const line of lines) {
      if (!line.startsWith("|")) {
        header = undefined;
        continue;
      }
      header ??= cells(line);
      expect(cells(line), line.slice(0, 80)).toBe(header);
    }
  });
  it("cuts 10,000-character names in tables", () => {
    expect(md).toContain("(10000 characters)");
  });
});

describe("html (static)", () => {
  const html = renderHtml(report);
  it("has a strict CSP before any content and no script, no external asset", () => {
    expect(html.indexOf(`http-equiv="Content-Security-Policy"`)).toBeLessThan(html.indexOf("<style>"));
    expect(HTML_CSP).toContain("default-src 'none'");
    expect(HTML_CSP).not.toContain("unsafe");
    expect(html).not.toMatch(/<(script|img|iframe|link|base|object|embed|foreignObject)\b/i);
    // The only SVG is the bar per check group: rectangles of our colours with a count as title.
    for (const svg of html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [])
      expect(svg).toMatch(
        /^<svg width="\d+" height="14" aria-hidden="true">(<rect x="[\d.]+" y="0" width="[\d.]+" height="14" fill="#[0-9a-f]{6}"><title>\d+ [a-z]+<\/title><\/rect>)+<\/svg>$/,
      );
    expect(html.match(/<style>/g)?.length).toBe(1);
    expect(html.match(/<meta /g)?.length).toBe(4);
    expect(html).not.toMatch(BIDI_CONTROLS);
    expect(html).not.toMatch(CONTROL_BYTES);
  });
  it("shows the tenant strings as text", () => {
    expect(html).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(html).toContain("admin\\u{202e}gpj.exe");
  });
});

describe("json", () => {
  const text = renderJson(report);
  // The shipped report schema, compiled once for the tests that validate against it.
  let compiled: ValidateFunction | undefined;
  const reportSchema = () =>
    (compiled ??= addFormats(new Ajv({ allErrors: true, strict: false })).compile(
      readJson(REPORT_SCHEMA_FILE),
    ));
  it("validates against the shipped report schema and round-trips", () => {
    const validate = reportSchema();
    const parsed = JSON.parse(text);
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    expect(parsed).toEqual(report);
  });
  it("writes C1 and bidi controls as \\u escapes", () => {
    expect(text).not.toMatch(CONTROL_BYTES.source ? /[\u007f-\u009f]/ : /x/);
    expect(text).not.toMatch(BIDI_CONTROLS);
    expect(text).toContain("\\u202e");
    expect(text).toContain("\\u009b");
  });
  it("rejects a report that breaks the schema", () => {
    const validate = reportSchema();
    expect(validate({ ...report, checks: [{ ...report.checks[0], status: "maybe" }] })).toBe(false);
  });
});

describe("sarif", () => {
  it("validates against the official SARIF 2.1.0 schema", () => {
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    const validate = ajv.compile(readJson("schemas/vendor/sarif-schema-2.1.0.json"));
    for (const artifactUri of [undefined, "breakglass.yaml", "file:///tmp/snapshot.json"]) {
      const log = JSON.parse(
        renderSarif(report, { artifactUri, help: { "EA-ACC-02": "# Enabled\n\nWhy." } }),
      );
      expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    }
  });
  it("has one rule per check and one located, fingerprinted result per non-passing finding", () => {
    const log = buildSarif(report, { artifactUri: "breakglass.yaml" });
    const run = log.runs[0]!;
    expect(run.tool.driver.rules?.map((r) => r.id)).toEqual(report.checks.map((c) => c.id));
    for (const rule of run.tool.driver.rules ?? []) {
      // No published address given: no link (a link must lead somewhere that exists).
      expect(rule.helpUri).toBeUndefined();
      expect(rule.help?.text).toBeTruthy();
      expect(rule.shortDescription?.text).toBeTruthy();
    }
    const published = buildSarif(report, { docsBaseUri: "https://docs.example/checks/" }).runs[0]!.tool
      .driver;
    expect(published.rules?.[0]?.helpUri).toBe("https://docs.example/checks/EA-ACC-02.md");
    expect(published.informationUri).toBe("https://docs.example/checks/");
    const results = run.results ?? [];
    // EA-ACC-02: one fail per disabled account; EA-AUTH-10: unknown without a finding; EA-ACC-08: two warns.
    const disabled = report.checks[0]!.findings.filter((f) => f.status === "fail").length;
    expect(results.length).toBe(disabled + 1 + 2);
    expect(new Set(results.map((r) => r.level))).toEqual(new Set(["error", "note", "warning"]));
    for (const r of results) {
      expect(r.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe("breakglass.yaml");
      expect(r.partialFingerprints?.[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}(:\d+)?$/);
      expect(r.message.text).not.toMatch(CONTROL_BYTES);
      expect(r.message.text).not.toMatch(/(^|[^\\])\[/);
    }
    const fingerprints = results.map((r) => r.partialFingerprints![FINGERPRINT_KEY]);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    // Stable across runs.
    expect(buildSarif(report).runs[0]!.results!.map((r) => r.partialFingerprints![FINGERPRINT_KEY])).toEqual(
      fingerprints,
    );
    // The crashed check is a tool notification.
    expect(run.invocations?.[0]?.executionSuccessful).toBe(false);
    expect(run.invocations?.[0]?.toolExecutionNotifications?.[0]?.associatedRule?.id).toBe("EA-MON-03");
  });
  it("uses a stable tenant:// URI without a config or snapshot file", () => {
    const results = buildSarif(report).runs[0]!.results!;
    for (const r of results)
      expect(r.locations![0]!.physicalLocation!.artifactLocation!.uri).toMatch(/^tenant:\/\/[^\s]+$/);
  });
});

describe("junit", () => {
  const xml = renderJunit(report);
  it("is well-formed XML with one suite per group and one case per check", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@",
      isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
    }).parse(xml);
    const suites = doc.testsuites.testsuite as Array<Record<string, any>>;
    expect(suites.map((s) => s["@name"])).toEqual([
      "Accounts (EA-ACC)",
      "Authentication (EA-AUTH)",
      "Conditional Access (EA-CA)",
      "Monitoring (EA-MON)",
    ]);
    expect(doc.testsuites["@tests"]).toBe("5");
    const cases = new Map<string, Record<string, any>>(
      suites.flatMap((s) =>
        s.testcase.map((c: Record<string, any>) => [String(c["@name"]).split(" ")[0], c]),
      ),
    );
    expect([...cases.keys()].sort()).toEqual(report.checks.map((c) => c.id).sort());
    expect(cases.get("EA-ACC-02")!.failure).toBeDefined();
    expect(cases.get("EA-AUTH-10")!.error["@type"]).toBe("unknown");
    expect(cases.get("EA-MON-03")!.error["@type"]).toBe("error");
    expect(cases.get("EA-CA-01")!.skipped["@message"]).toContain("no P1");
    expect(cases.get("EA-ACC-08")!.failure).toBeUndefined();
    const acc = suites[0]!;
    expect([acc["@tests"], acc["@failures"], acc["@errors"], acc["@skipped"]]).toEqual(["2", "1", "0", "0"]);
  });
  it("carries no character XML forbids and no tenant markup", () => {
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(xml).not.toMatch(BIDI_CONTROLS);
    expect(xml).not.toContain("<script");
    expect(xml).not.toContain("<![CDATA[");
  });
  it("keeps the tenant's strings, escaped", () => {
    expect(xml).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(HOSTILE.cdata).toContain("]]>");
  });
});

describe("markdown code blocks", () => {
  it("keep their blank lines and their content exactly, while prose has no repeated blank line", () => {
    const withScript = hostileReport();
    const finding = withScript.checks[0]!.findings.find((f) => f.status === "fail")!;
    finding.remediation = { summary: "run it", powershell: "Connect-MgGraph\n\n\n\nUpdate-MgUser -UserId x" };
    const md = renderMarkdown(withScript);
    expect(md).toContain("```\nConnect-MgGraph\n\n\n\nUpdate-MgUser -UserId x\n```");
    let fence: string | undefined;
    let previous: string | undefined;
    for (const line of md.split("\n")) {
      if (fence === undefined && /^`{3,}/.test(line)) fence = /^`+/.exec(line)![0];
      else if (fence !== undefined && line === fence) fence = undefined;
      else if (fence === undefined) expect(line === "" && previous === "").toBe(false);
      previous = line;
    }
  });
});
