/**
 * `--format html`: one self-contained file an admin can mail to a colleague or a CISO. The summary
 * comes first (verdict, tiles of counts by status and severity, a bar per check group, the accounts
 * graded), then the fix-first table, then every check most severe first with its sources; evidence
 * and the detailed fixes sit collapsed in `<details>`.
 *
 * No script and no external asset: the status filter is CSS only (radio buttons and sibling
 * selectors), the bars are inline SVG, and the only active content is one stylesheet admitted by
 * its hash in a strict Content-Security-Policy, so even a tenant string that escaped escaping could
 * neither run nor load anything. Renderers never decide a status or the verdict; the order and the
 * counts here are presentation of what the report says.
 */
import { createHash } from "node:crypto";
import { CHECK_SEVERITIES } from "../config/schema.js";
import { STATUS_ORDER, type Status } from "../checks/types.js";
import { clip, escapeHtml as h, sanitizeForTerminal } from "./escape.js";
import { checkDocUri } from "./links.js";
import { groupChecks, type Report, type ReportCheck, type ReportFinding } from "./model.js";
import { bySeverity, fixFirst, openFindings } from "./order.js";
import { SOURCES, sourceRefs } from "./sources.js";
import { acceptanceNote, configLine, METHOD_LABEL, STATUS_LABEL, verdictHeadline } from "./text.js";

/** Tenant names in headings, tables and finding lines are cut here. */
const MAX_NAME = 300;
/**
 * Evidence is shown as one line of JSON, cut here: the report stays small enough to mail (the
 * mid-size sample's lockout proof alone carries 24,000 characters); `--format json` keeps it whole.
 */
export const MAX_EVIDENCE = 70;
/** Each command, portal path, Graph request or PowerShell line of a fix is cut here, for the same reason. */
export const MAX_FIX = 300;
const n = (text: string | null | undefined): string => h(clip(text ?? "", MAX_NAME));
/**
 * Element content (`content`, and a code block, newlines kept) needs only `& < >` escaped: quotes
 * matter only in attributes (which `h` escapes), and messages, JSON and Graph bodies are full of them.
 */
const content = (text: string): string =>
  sanitizeForTerminal(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const pre = (text: string): string => `<pre><code>${content(text)}</code></pre>`;

export interface HtmlOptions {
  /**
   * Where the check pages (docs/checks/<id>.md) are published; without it no check links there,
   * since a link must lead somewhere that exists.
   */
  docsBaseUri?: string;
  /** each check's source ids (the check's `sources`), linked to the guides of docs/sources.md. */
  sources?: Readonly<Record<string, readonly string[]>>;
}

/** The filter's choices: each shows the checks of these statuses. */
const FILTERS: ReadonlyArray<{ id: string; label: string; statuses: readonly Status[] | "all" }> = [
  { id: "all", label: "All", statuses: "all" },
  { id: "open", label: "Fail, error, unknown", statuses: ["fail", "error", "unknown"] },
  { id: "fail", label: "Fail", statuses: ["fail", "error"] },
  { id: "unknown", label: "Unknown", statuses: ["unknown"] },
  { id: "warn", label: "Warn", statuses: ["warn"] },
  { id: "pass", label: "Pass", statuses: ["pass"] },
  { id: "skip", label: "Skip", statuses: ["skip"] },
];

const COLORS: Record<Status, string> = {
  error: "#6a1b9a",
  fail: "#b00020",
  unknown: "#b07800",
  warn: "#d4a017",
  accepted: "#3f51b5",
  pass: "#1b6e20",
  skip: "#9e9e9e",
};

const filterCss = FILTERS.filter((f) => f.statuses !== "all")
  .map((f) => {
    const keep = (f.statuses as readonly Status[]).map((s) => `:not(.c-${s})`).join("");
    return `#f-${f.id}:checked ~ main .check${keep} { display: none; }\n#f-${f.id}:checked ~ main label[for="f-${f.id}"] { background: #222; color: #fff; }`;
  })
  .join("\n");

const CSS = `
:root { color-scheme: light; --fail:${COLORS.fail}; --warn:#8a5a00; --pass:${COLORS.pass}; --unknown:#8a5a00; --error:${COLORS.error}; --skip:#666; --accepted:${COLORS.accepted}; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #111; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .4rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1rem; margin: 0 0 .2rem; }
.verdict { padding: .6rem 1rem; border-radius: 4px; font-weight: 700; font-size: 1.1rem; margin: .6rem 0; border: 2px solid; }
.verdict.failed { color: var(--fail); border-color: var(--fail); background: #fff5f6; } .verdict.passed { color: var(--pass); border-color: var(--pass); background: #f3fbf3; }
.tiles { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
.tile { border: 1px solid #ccc; border-top: 4px solid #ccc; border-radius: 4px; padding: .3rem .7rem; min-width: 6.5rem; }
.tile b { display: block; font-size: 1.5rem; line-height: 1.2; } .tile span { font-size: .8rem; color: #444; }
.t-fail { border-top-color: var(--fail); } .t-error { border-top-color: var(--error); } .t-unknown, .t-warn { border-top-color: #d4a017; }
.t-pass { border-top-color: var(--pass); } .t-skip { border-top-color: #9e9e9e; } .t-sev { border-top-color: #333; }
.columns { display: flex; flex-wrap: wrap; gap: 1.5rem; } .columns > div { flex: 1 1 22rem; min-width: 0; }
.bars td { border: 0; padding: .1rem .4rem .1rem 0; } .bars svg { display: block; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td, h1, h2, h3, p, li { overflow-wrap: anywhere; }
th { background: #f3f3f3; white-space: nowrap; }
.badge { display: inline-block; min-width: 5.2em; font-weight: 700; font-size: .8rem; }
.s-fail { color: var(--fail); } .s-warn { color: var(--warn); } .s-pass { color: var(--pass); }
.s-unknown { color: var(--unknown); } .s-error { color: var(--error); } .s-skip { color: var(--skip); }
.s-accepted { color: var(--accepted); } .check.c-accepted { border-color: var(--accepted); }
nav.toc { font-size: .9rem; }
.filter { margin: .5rem 0 1rem; display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; }
.filter label { border: 1px solid #888; border-radius: 3px; padding: .1rem .6rem; cursor: pointer; user-select: none; }
input.f { position: absolute; opacity: 0; width: 1px; height: 1px; }
input.f:focus-visible ~ main .filter { outline: 2px solid #1565c0; }
.check { border-left: 4px solid #ccc; padding: .3rem .8rem; margin: .8rem 0; break-inside: avoid; }
.check.c-fail { border-color: var(--fail); } .check.c-error { border-color: var(--error); }
.check.c-warn, .check.c-unknown { border-color: #d4a017; } .check.c-pass { border-color: var(--pass); }
.finding { margin: .4rem 0 .4rem .5rem; overflow-wrap: anywhere; }
.finding p, .fix p { margin: .2rem 0; } .fix { margin: .4rem 0 .4rem .5rem; }
details { margin: .2rem 0 .2rem .5rem; } summary { cursor: pointer; color: #333; }
.muted { color: #555; } .discovered { color: var(--fail); font-weight: 700; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .82rem; margin: .2rem 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
${filterCss}
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  .filter, nav.toc { display: none; }
  h2 { break-after: avoid; } pre { white-space: pre-wrap; }
}
`
  // one line: the rules stay readable above, the file stays small
  .replace(/\s*\n\s*/g, " ")
  .trim();

/** No script at all, only the page's own stylesheet; no image, font, frame, form target or base change. */
export function stylesheetOnlyPolicy(css: string): string {
  const hash = createHash("sha256").update(css, "utf8").digest("base64");
  return [
    "default-src 'none'",
    `style-src 'sha256-${hash}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

export const HTML_CSP = stylesheetOnlyPolicy(CSS);

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const title = `Breakglass assessment: ${clip(report.tenant.displayName ?? report.tenant.id, MAX_NAME)}`;
  const ordered = bySeverity(report.checks);
  const body: string[] = [];
  // The filter's radio buttons come first: the CSS hides checks through `:checked ~ main`.
  for (const f of FILTERS)
    body.push(
      `<input class="f" type="radio" name="filter" id="f-${f.id}"${f.id === "all" ? " checked" : ""} aria-label="${h(f.label)}">`,
    );
  body.push(`<main>`, `<header id="summary">`, `<h1>${h(title)}</h1>`);
  body.push(
    `<p class="verdict ${report.verdict.failed ? "failed" : "passed"}">${h(verdictHeadline(report))}</p>`,
  );
  body.push(...renderTiles(report));
  body.push(`<div class="columns"><div>`, ...renderBars(report), `</div><div>`);
  body.push(...renderAccounts(report), `</div></div>`);
  body.push(
    `<p class="muted">Tenant ${n(report.tenant.displayName ?? "(no name)")} (${h(report.tenant.id)}), as of ${h(report.asOf)}, read from ${h(report.source)}; config ${n(configLine(report))}; generated ${h(report.generatedAt)} by breakglass ${h(report.tool.version)}.</p>`,
    `</header>`,
  );
  body.push(...renderToc(ordered));
  body.push(...renderFixFirst(report));
  body.push(
    `<section id="checks"><h2>Checks, most severe first</h2>`,
    `<p class="muted">Each fix's Graph request and PowerShell line, and evidence or fixes cut short here ("... (N characters)"), are whole in <code>--format json</code> and <code>markdown</code>.</p>`,
  );
  body.push(
    `<div class="filter" role="group" aria-label="Filter checks by status">Show: ${FILTERS.map((f) => `<label for="f-${f.id}">${h(f.label)}</label>`).join(" ")}</div>`,
  );
  for (const check of ordered) body.push(renderCheck(check, options));
  body.push(`</section>`, ...renderSourceList(report, options), `</main>`);
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

/** Checks counted by status, then the checks not passing counted by severity. */
function renderTiles(report: Report): string[] {
  const tile = (cls: string, count: number, label: string) =>
    `<div class="tile ${cls}"><b>${count}</b><span>${h(label)}</span></div>`;
  const out = [`<div class="tiles" aria-label="Checks by status">`];
  // Accepted findings are opt-in (docs/config.md "accept"): their tile only when there are some.
  for (const s of STATUS_ORDER)
    if (s !== "accepted" || report.summary[s] > 0)
      out.push(tile(`t-${s}`, report.summary[s], `${STATUS_LABEL[s]} checks`));
  out.push(`</div><div class="tiles" aria-label="Checks to fix by severity">`);
  const open = report.checks.filter((c) => ["fail", "error", "unknown"].includes(c.status));
  for (const sev of CHECK_SEVERITIES) {
    const count = open.filter((c) => c.severity === sev).length;
    if (count > 0 || sev === "critical" || sev === "high") out.push(tile("t-sev", count, `${sev} to fix`));
  }
  out.push(`</div>`);
  return out;
}

/** One stacked bar per check group: how many of its checks are in each status. */
function renderBars(report: Report): string[] {
  const width = 240;
  const out = [`<h2>By area</h2>`, `<table class="bars"><tbody>`];
  for (const group of groupChecks(report.checks)) {
    const total = group.checks.length;
    let x = 0;
    const rects: string[] = [];
    for (const s of STATUS_ORDER) {
      const count = group.checks.filter((c) => c.status === s).length;
      if (count === 0) continue;
      const w = (count / total) * width;
      rects.push(
        `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="14" fill="${COLORS[s]}"><title>${count} ${s}</title></rect>`,
      );
      x += w;
    }
    const words = STATUS_ORDER.map((s) => [s, group.checks.filter((c) => c.status === s).length] as const)
      .filter(([, c]) => c > 0)
      .map(([s, c]) => `${c} ${s}`)
      .join(", ");
    out.push(
      `<tr><td>${h(group.title)}</td><td><svg width="${width}" height="14" aria-hidden="true">${rects.join("")}</svg></td><td class="muted">${words}</td></tr>`,
    );
  }
  out.push(`</tbody></table>`);
  return out;
}

function renderAccounts(report: Report): string[] {
  const a = report.accounts;
  const out = [
    `<h2 id="accounts">Accounts graded</h2>`,
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
    out.push(`<table><thead><tr><th>Display name</th><th>User principal name</th></tr></thead><tbody>`);
    for (const acc of a.resolved)
      out.push(
        `<tr><td>${n(acc.displayName)}<br><code class="muted">${n(acc.id)}</code></td><td>${n(acc.userPrincipalName)}</td></tr>`,
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
      `<details><summary>Discovery candidates (${a.candidates.length})</summary>`,
      `<table><thead><tr><th>Candidate</th><th>Score</th><th>Reasons</th></tr></thead><tbody>`,
    );
    for (const c of a.candidates)
      out.push(
        `<tr><td>${n(c.userPrincipalName ?? c.id)}</td><td>${h(String(c.score))}</td><td>${c.reasons.map((r) => h(r)).join("<br>")}</td></tr>`,
      );
    out.push(`</tbody></table></details>`);
  }
  return out;
}

function renderToc(ordered: readonly ReportCheck[]): string[] {
  return [
    `<nav class="toc" aria-label="Contents"><h2>Contents</h2>`,
    `<p><a href="#summary">Summary</a> · <a href="#accounts">Accounts graded</a> · <a href="#fix-first">Fix first</a> · <a href="#checks">Checks</a> · <a href="#sources">Sources</a></p>`,
    `<p>${ordered.map((c) => `<a href="#${h(c.id)}">${h(c.id)}</a>`).join(" ")}</p>`,
    `</nav>`,
  ];
}

/** A fix in the fix-first table: its start; the check below has it whole. */
const cutShort = (text: string): string => {
  const points = Array.from(text);
  return points.length <= 160 ? text : `${points.slice(0, 159).join("")}…`;
};

const FIX_KIND: Record<string, string> = { command: "Run", portal: "Portal", graph: "Graph", summary: "" };

function renderFixFirst(report: Report): string[] {
  const entries = fixFirst(report);
  const out = [`<section id="fix-first"><h2>Fix first</h2>`];
  if (entries.length === 0) {
    out.push(`<p>Nothing fails, errs or is unknown.</p></section>`);
    return out;
  }
  out.push(
    `<p class="muted">Every check that fails, errs or is unknown, most severe first, with the one command or portal path that fixes it.</p>`,
    `<table><thead><tr><th>Severity</th><th>Status</th><th>Check</th><th>Subjects</th><th>Fix</th></tr></thead><tbody>`,
  );
  for (const e of entries) {
    const fix = e.fix
      ? `${FIX_KIND[e.fix.kind] ? `${FIX_KIND[e.fix.kind]}: ` : ""}<code>${content(cutShort(e.fix.text))}</code>${e.moreFixes ? ` <span class="muted">(and others, in the check)</span>` : ""}`
      : `<span class="muted">see the check</span>`;
    out.push(
      `<tr><td>${h(e.check.severity)}</td><td class="s-${e.check.status}">${STATUS_LABEL[e.check.status]}</td><td><a href="#${h(e.check.id)}">${h(e.check.id)}</a> ${h(e.check.title)}</td><td>${h(e.subjects ?? "")}</td><td>${fix}</td></tr>`,
    );
  }
  out.push(`</tbody></table></section>`);
  return out;
}

/** The guides the checks cite, each once with its address (docs/sources.md); checks link here. */
function renderSourceList(report: Report, options: HtmlOptions): string[] {
  const cited = new Set(report.checks.flatMap((c) => options.sources?.[c.id] ?? []));
  const guides = SOURCES.filter((s) => cited.has(s.id));
  if (guides.length === 0) return [];
  return [
    `<section id="sources"><h2>Sources</h2><p class="muted">The Microsoft Learn page and the practitioners' guides the checks rest on.</p><ul>`,
    ...guides.map(
      (s) =>
        `<li id="src-${h(s.id)}">${h(s.publisher)}: <a href="${h(s.url)}">${h(s.title)}</a> <span class="muted">${h(s.url)}</span></li>`,
    ),
    `</ul></section>`,
  ];
}

function renderSources(check: ReportCheck, options: HtmlOptions): string {
  const ids = options.sources?.[check.id] ?? [];
  const parts = sourceRefs(ids).map((r) =>
    r.kind === "guide" ? `<a href="#src-${h(r.source.id)}">${h(r.source.short)}</a>` : h(r.text),
  );
  if (options.docsBaseUri !== undefined)
    parts.push(`<a href="${h(checkDocUri(check.id, options.docsBaseUri))}">the check's page</a>`);
  return parts.length > 0 ? ` Sources: ${parts.join("; ")}.` : "";
}

function renderCheck(check: ReportCheck, options: HtmlOptions): string {
  const out = [
    `<article class="check c-${check.status}" id="${h(check.id)}">`,
    `<h3><span class="badge s-${check.status}">${STATUS_LABEL[check.status]}</span> ${h(check.id)}: ${h(check.title)}</h3>`,
    `<p class="muted">Severity ${h(check.severity)}.${renderSources(check, options)}</p>`,
  ];
  if (check.reason) out.push(`<p>${h(check.reason)}</p>`);
  const open = openFindings(check);
  for (const f of open) out.push(renderFinding(f, check.status));
  // Findings of one check often share their fix (one alert rule covers both accounts): each
  // distinct fix is shown once, after the findings; fixes that say the same thing for different
  // subjects (a command per account) share one summary.
  const bySummary = new Map<string, Map<string, Remediation>>();
  for (const f of open) {
    if (!f.remediation) continue;
    const group = bySummary.get(f.remediation.summary) ?? new Map<string, Remediation>();
    group.set(JSON.stringify(f.remediation), f.remediation);
    bySummary.set(f.remediation.summary, group);
  }
  // Several fixes each answer some of the findings: numbered, since they add up rather than compete.
  // A command or portal path already shown for an earlier fix of the check is named, not repeated.
  const shown = new Map<string, number>();
  [...bySummary.values()].forEach((group, i) =>
    out.push(
      renderFix(
        [...group.values()],
        bySummary.size > 1 ? ` ${i + 1} of ${bySummary.size}` : "",
        shown,
        i + 1,
      ),
    ),
  );
  const passing = check.findings.filter((f) => f.status === "pass").length;
  // A passing check's findings all pass: its badge says so.
  if (passing > 0 && check.status !== "pass")
    out.push(`<p class="muted">${passing} passing finding${passing === 1 ? "" : "s"}.</p>`);
  out.push(`</article>`);
  return out.join("\n");
}

/** `text` cut at `max` characters (clip says how many there were; the report's head says where they are whole). */
const cut = (text: string, max: number): string => clip(text, max);

/** Evidence as one line of JSON, cut at MAX_EVIDENCE. */
const evidenceText = (evidence: Record<string, unknown>): string =>
  cut(JSON.stringify(evidence), MAX_EVIDENCE);

type Remediation = NonNullable<ReportFinding["remediation"]>;

/** One fix: its summary, then how (the commands and portal paths of every subject it answers). */
function renderFix(group: Remediation[], number: string, shown: Map<string, number>, index: number): string {
  // The command and the portal path: what a reader of this report does. The Graph request and the
  // PowerShell line are in --format json and markdown, which keeps this file small enough to mail.
  const how = group.flatMap((r) =>
    (
      [
        ["Command", r.command],
        ["Portal", r.portal],
      ] as const
    ).filter((entry): entry is readonly ["Command" | "Portal", string] => !!entry[1]),
  );
  const out = [`<div class="fix"><p><strong>Fix${number}:</strong> ${content(group[0]!.summary)}</p>`];
  if (how.length > 0)
    out.push(
      `<details><summary>How: ${[...new Set(how.map(([label]) => label))].join(", ")}</summary>${how
        .map(([label, value]) => {
          const earlier = shown.get(`${label}\n${value}`);
          if (earlier === index) return "";
          if (earlier !== undefined) return `<p class="muted">${label}: as in fix ${earlier}.</p>`;
          shown.set(`${label}\n${value}`, index);
          return `<p class="muted">${label}:</p>${pre(cut(value, MAX_FIX))}`;
        })
        .join("")}</details>`,
    );
  out.push(`</div>`);
  return out.join("\n");
}

/** A finding; its status badge only where it differs from its check's (the heading shows that one). */
function renderFinding(f: ReportFinding, checkStatus: Status): string {
  // The subject's name; its id only when it has none (the ids are in --format json).
  const subject = f.subject
    ? `${f.subject.type} ${clip(f.subject.displayName ?? f.subject.id, MAX_NAME)}`
    : undefined;
  const acceptance = acceptanceNote(f);
  const out = [
    `<div class="finding"><p>${[
      f.status === checkStatus ? "" : `<span class="badge s-${f.status}">${STATUS_LABEL[f.status]}</span>`,
      f.severity ? `<span class="muted">(${h(f.severity)})</span>` : "",
      subject ? `<strong>${content(subject)}</strong>:` : "",
      content(f.message),
      acceptance ? `<em class="s-accepted">${h(acceptance)}</em>` : "",
    ]
      .filter(Boolean)
      .join(" ")}</p>`,
  ];
  if (f.evidence && Object.keys(f.evidence).length > 0)
    out.push(`<details><summary>Evidence</summary>${pre(evidenceText(f.evidence))}</details>`);
  out.push(`</div>`);
  return out.join("\n");
}
