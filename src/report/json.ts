/**
 * `--format json`: the report object as docs/report.md defines it. JSON.stringify escapes C0 controls
 * but not C1 controls, bidi controls or line separators; those are written as \u escapes too (same
 * JSON value), so `cat report.json` in a terminal is as inert as the console format.
 */
import type { Report } from "./model.js";

const UNSAFE_IN_JSON_TEXT =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

export function renderJson(report: Report): string {
  return (
    JSON.stringify(report, null, 2).replace(
      UNSAFE_IN_JSON_TEXT,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
    ) + "\n"
  );
}
