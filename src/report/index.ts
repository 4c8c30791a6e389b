/**
 * The report layer as a library: build the report object of docs/report.md from check results, and
 * render it in any output format. Everything here is pure (no I/O) except the docs file helpers.
 */
export { buildReport, type ReportInput } from "./build.js";
export {
  REPORT_SCHEMA,
  Report,
  reportJsonSchema,
  groupOf,
  groupChecks,
  CHECK_GROUPS,
  type ReportCheck,
  type ReportFinding,
  type ReportAccounts,
  type ReportVerdict,
} from "./model.js";
export { decideVerdict, type VerdictOptions } from "./verdict.js";
export { FORMATS, OUT_DIR_FILE, isFormat, render, type Format, type RenderOptions } from "./render.js";
export { renderConsole } from "./console.js";
export { renderJson } from "./json.js";
export { renderMarkdown, renderMarkdownSummary } from "./markdown.js";
export { renderHtml, HTML_CSP } from "./html.js";
export { renderSarif, buildSarif } from "./sarif.js";
export { renderJunit } from "./junit.js";
export {
  sanitizeForTerminal,
  terminalInline,
  escapeHtml,
  escapeMarkdown,
  escapeXml,
  clip,
} from "./escape.js";
