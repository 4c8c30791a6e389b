/**
 * `--format html`: one self-contained file an admin can mail or print. No script, no external asset;
 * the only active content is one stylesheet, admitted by its hash in a strict Content-Security-Policy,
 * so even a tenant string that escaped escaping could neither run nor load anything.
 */
import { createHash } from "node:crypto";
import { STATUS_ORDER } from "../checks/types.js";
import { clip, escapeHtml as h } from "./escape.js";
import { checkDocUri } from "./links.js";
import { groupChecks, type Report, type ReportCheck, type ReportFinding } from "./model.js";
import { configLine, METHOD_LABEL, STATUS_LABEL, subjectLabel, verdictLine } from "./text.js";

/** Tenant names in headings, tables and finding lines are cut here (the evidence keeps them whole). */
const MAX_NAME = 300;
const n = (text: string | null | undefined): string => h(clip(text ?? "", MAX_NAME));
/** A code block: newlines kept. */
const pre = (text: string): string => `<pre><code>${h(text, { keepNewlines: true })}</code></pre>`;

export interface HtmlOptions {
  docsBaseUri?: string;
}

const CSS = `
:root { color-scheme: light; --fail:#b00020; --warn:#8a5a00; --pass:#1b6e20; --unknown:#8a5a00; --error:#6a1b9a; --skip:#666; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 68rem; padding: 0 1rem; color: #111; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
.verdict { padding: .7rem 1rem; border-radius: 4px; font-weight: 700; margin: 1rem 0; border: 2px solid; }
.verdict.failed { color: var(--fail); border-color: var(--fail); } .verdict.passed { color: var(--pass); border-color: var(--pass); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; table-layout: auto; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { background: #f3f3f3; white-space: nowrap; }
table.fixed { table-layout: fixed; }
col.w10 { width: 10%; } col.w30 { width: 30%; } col.w35 { width: 35%; } col.w55 { width: 55%; }
h1, h2, h3, p, li { overflow-wrap: anywhere; }
.badge { display: inline-block; min-width: 5.5em; font-weight: 700; font-size: .8rem; }
.s-fail { color: var(--fail); } .s-warn { color: var(--warn); } .s-pass { color: var(--pass); }
.s-unknown { color: var(--unknown); } .s-error { color: var(--error); } .s-skip { color: var(--skip); }
.check { border-left: 4px solid #ccc; padding: .2rem .8rem; margin: .8rem 0; page-break-inside: avoid; }
.check.c-fail { border-color: var(--fail); } .check.c-error { border-color: var(--error); }
.check.c-warn, .check.c-unknown { border-color: var(--warn); } .check.c-pass { border-color: var(--pass); }
.finding { margin: .4rem 0 .4rem 1rem; overflow-wrap: anywhere; }
.muted { color: #555; } .discovered { color: var(--fail); font-weight: 700; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  h2 { page-break-after: avoid; } pre { white-space: pre-wrap; }
}
`.trim();

const CSS_HASH = createHash("sha256").update(CSS, "utf8").digest("base64");

/** No script at all, only this stylesheet; no image, font, frame, form target or base change. */
export const HTML_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${CSS_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const title = `Breakglass assessment: ${clip(report.tenant.displayName ?? report.tenant.id, MAX_NAME)}`;
  const body: string[] = [];
  body.push(`<h1>${h(title)}</h1>`);
  body.push(
    `<p class="verdict ${report.verdict.failed ? "failed" : "passed"}">${h(verdictLine(report))}</p>`,
  );
  body.push(
    `<table><tbody>`,
    `<tr><th>Tenant</th><td>${n(report.tenant.displayName ?? "(no name)")} <span class="muted">(${h(report.tenant.id)})</span></td></tr>`,
    `<tr><th>Config</th><td>${n(configLine(report))}</td></tr>`,
    `<tr><th>As of</th><td>${h(report.asOf)}</td></tr>`,
    `<tr><th>Source</th><td>${h(report.source)}</td></tr>`,
    `<tr><th>Generated</th><td>${h(report.generatedAt)} by breakglass ${h(report.tool.version)}</td></tr>`,
    `</tbody></table>`,
  );
  body.push(...renderAccounts(report));
  body.push(
    `<h2>Summary</h2><table><thead><tr>${STATUS_ORDER.map((s) => `<th>${STATUS_LABEL[s]}</th>`).join("")}</tr></thead>`,
    `<tbody><tr>${STATUS_ORDER.map((s) => `<td class="s-${s}">${report.summary[s]}</td>`).join("")}</tr></tbody></table>`,
  );
  for (const group of groupChecks(report.checks)) {
    body.push(`<section><h2>${h(group.title)} (EA-${h(group.key)})</h2>`);
    for (const check of group.checks) body.push(renderCheck(check, options));
    body.push(`</section>`);
  }
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head>`,
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${h(HTML_CSP)}">`,
    `<meta name="referrer" content="no-referrer">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${h(title)}</title>`,
    `<style>${CSS}</style>`,
    `</head><body>`,
    ...body,
    `</body></html>`,
    "",
  ].join("\n");
}

function renderAccounts(report: Report): string[] {
  const a = report.accounts;
  const out = [
    `<h2>Emergency accounts</h2>`,
    `<p${a.method === "discovered" ? ` class="discovered"` : ""}>Identified by <strong>${h(a.method)}</strong>: ${h(METHOD_LABEL[a.method])}.</p>`,
  ];
  if (a.group)
    out.push(
      `<p>Emergency group: ${n(a.group.displayName ?? "(no name)")} <span class="muted">(${h(a.group.id)})</span></p>`,
    );
  if (a.unresolvedGroup !== undefined)
    out.push(`<p class="s-fail">Group not found: ${h(a.unresolvedGroup)}</p>`);
  if (a.resolved.length === 0) out.push(`<p class="s-fail">No emergency account resolved.</p>`);
  else {
    out.push(
      `<table class="fixed"><colgroup><col class="w35"><col class="w35"><col class="w30"></colgroup>`,
      `<thead><tr><th>Display name</th><th>User principal name</th><th>Object id</th></tr></thead><tbody>`,
    );
    for (const acc of a.resolved)
      out.push(
        `<tr><td>${n(acc.displayName)}</td><td>${n(acc.userPrincipalName)}</td><td><code>${n(acc.id)}</code></td></tr>`,
      );
    out.push(`</tbody></table>`);
  }
  if (a.unresolved.length > 0) {
    out.push(`<p>Configured accounts that do not resolve:</p><ul>`);
    for (const u of a.unresolved) {
      const state = u.deleted
        ? `deleted${u.restorableUntil ? `, restorable until ${h(u.restorableUntil)}` : ""}`
        : "not found";
      out.push(`<li class="s-fail">${n(u.ref)}: ${state}</li>`);
    }
    out.push(`</ul>`);
  }
  if (a.candidates.length > 0) {
    out.push(
      `<p>Discovery candidates:</p><table class="fixed"><colgroup><col class="w35"><col class="w10"><col class="w55"></colgroup>`,
      `<thead><tr><th>Candidate</th><th>Score</th><th>Reasons</th></tr></thead><tbody>`,
    );
    for (const c of a.candidates)
      out.push(
        `<tr><td>${n(c.userPrincipalName ?? c.id)}</td><td>${h(String(c.score))}</td><td>${c.reasons.map((r) => h(r)).join("<br>")}</td></tr>`,
      );
    out.push(`</tbody></table>`);
  }
  return out;
}

function renderCheck(check: ReportCheck, options: HtmlOptions): string {
  const out = [
    `<div class="check c-${check.status}" id="${h(check.id)}">`,
    `<h3><span class="badge s-${check.status}">${STATUS_LABEL[check.status]}</span> ${h(check.id)}: ${h(check.title)}</h3>`,
    `<p class="muted">Severity ${h(check.severity)}. <a href="${h(checkDocUri(check.id, options.docsBaseUri))}" rel="noopener noreferrer">About this check</a></p>`,
  ];
  if (check.reason) out.push(`<p>${h(check.reason)}</p>`);
  for (const f of check.findings) if (f.status !== "pass") out.push(renderFinding(f));
  const passing = check.findings.filter((f) => f.status === "pass").length;
  if (passing > 0) out.push(`<p class="muted">${passing} passing finding${passing === 1 ? "" : "s"}.</p>`);
  out.push(`</div>`);
  return out.join("\n");
}

function renderFinding(f: ReportFinding): string {
  const subject = subjectLabel(f.subject, MAX_NAME);
  const out = [
    `<div class="finding"><p><span class="badge s-${f.status}">${STATUS_LABEL[f.status]}</span>${f.severity ? ` <span class="muted">(${h(f.severity)})</span>` : ""}${subject ? ` <strong>${h(subject)}</strong>:` : ""} ${h(f.message)}</p>`,
  ];
  if (f.evidence && Object.keys(f.evidence).length > 0)
    out.push(`<p class="muted">Evidence:</p>${pre(JSON.stringify(f.evidence, null, 2))}`);
  if (f.remediation) {
    const r = f.remediation;
    out.push(`<p><strong>Fix:</strong> ${h(r.summary)}</p>`);
    for (const [label, value] of [
      ["Portal", r.portal],
      ["Graph", r.graph],
      ["PowerShell", r.powershell],
      ["Command", r.command],
    ] as const)
      if (value) out.push(`<p class="muted">${label}:</p>${pre(value)}`);
  }
  out.push(`</div>`);
  return out.join("\n");
}
