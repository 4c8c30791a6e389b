/**
 * The output formats of `assess`, their file names under --out-dir (docs/report.md), and one entry
 * point that renders a report in any of them.
 */
import { renderConsole } from "./console.js";
import { renderHtml } from "./html.js";
import { renderJson } from "./json.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown, renderMarkdownSummary } from "./markdown.js";
import type { Report } from "./model.js";
import { renderSarif, type SarifOptions } from "./sarif.js";

export const FORMATS = ["console", "json", "markdown", "markdown-summary", "html", "sarif", "junit"] as const;
export type Format = (typeof FORMATS)[number];

/** File names under --out-dir (docs/report.md "Several formats from one read"). */
export const OUT_DIR_FILE: Record<Format, string> = {
  console: "breakglass-report.txt",
  json: "breakglass-report.json",
  markdown: "breakglass-report.md",
  "markdown-summary": "breakglass-report.summary.md",
  html: "breakglass-report.html",
  sarif: "breakglass-report.sarif",
  junit: "breakglass-report.junit.xml",
};

export const isFormat = (name: string): name is Format => (FORMATS as readonly string[]).includes(name);

/**
 * Other names a format answers to on the command line: `text` is what `ca prove`, `discover` and
 * `plan` call their human output, so every command accepts both words for it.
 */
export const FORMAT_ALIASES: Readonly<Record<string, Format>> = { text: "console" };

export interface RenderOptions {
  /** console: colour with ANSI escapes. */
  color?: boolean;
  /** console: the terminal width; every line whole with evidence (verbose); only verdict and fix first (brief). */
  width?: number;
  verbose?: boolean;
  brief?: boolean;
  /** console: the caller already named the tenant, its time and source (ConsoleOptions.tenantShown). */
  tenantShown?: boolean;
  docsBaseUri?: string;
  /** sarif: the physical location of results (config file, else snapshot file). */
  artifactUri?: string;
  /** html, markdown: each check's source ids, linked to the guides of docs/sources.md. */
  sources?: Readonly<Record<string, readonly string[]>>;
  /** sarif: Markdown help per check id (the checks' docs). */
  help?: SarifOptions["help"];
}

export function render(format: Format, report: Report, options: RenderOptions = {}): string {
  switch (format) {
    case "console":
      return renderConsole(report, {
        color: options.color ?? false,
        width: options.width,
        verbose: options.verbose,
        brief: options.brief,
        tenantShown: options.tenantShown,
      });
    case "json":
      return renderJson(report);
    case "markdown":
      return renderMarkdown(report, { docsBaseUri: options.docsBaseUri, sources: options.sources });
    case "markdown-summary":
      return renderMarkdownSummary(report, { docsBaseUri: options.docsBaseUri, sources: options.sources });
    case "html":
      return renderHtml(report, { docsBaseUri: options.docsBaseUri, sources: options.sources });
    case "sarif":
      return renderSarif(report, {
        artifactUri: options.artifactUri,
        help: options.help,
        docsBaseUri: options.docsBaseUri,
      });
    case "junit":
      return renderJunit(report);
  }
}
