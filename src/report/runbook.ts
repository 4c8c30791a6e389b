/**
 * The emergency runbook as Markdown and as print-ready HTML (A4, each section on its own page; the
 * PDF is this HTML printed by headless Chromium, src/report/pdf.ts). Layout only: the content is
 * src/drills/runbook-model.ts. Every string from the configuration, custody.yaml or the records
 * is escaped, and the HTML carries a Content-Security-Policy that allows only its own style.
 */
import type { Runbook } from "../drills/runbook-model.js";
import { escapeHtml as h, escapeMarkdown as m } from "./escape.js";
import { stylesheetOnlyPolicy } from "./html.js";

export const RUNBOOK_TITLE = "Emergency access runbook";

/** The sections, in order: each starts on its own page in print. */
export const RUNBOOK_SECTIONS = [
  "When to use the emergency accounts",
  "Where the keys and PINs are",
  "Signing in",
  "After use",
  "Contacts",
  "Drill history and review",
] as const;

const cell = (s: string | null | undefined) => (s ? m(s) : "-");
const names = (list: readonly string[]) => (list.length ? list.map(m).join(", ") : "-");

export function renderRunbookMarkdown(rb: Runbook): string {
  const out: string[] = [`# ${RUNBOOK_TITLE}`, ""];
  out.push(`Tenant: ${cell(rb.tenant)}  `, `Generated: ${rb.generatedAt}  `);
  out.push(reviewLine(rb, m), "");
  if (rb.binder.location)
    out.push(`Kept sealed at ${m(rb.binder.location)}; may be read by ${names(rb.binder.readers)}.`, "");
  const [when, where, signIn, after, contacts, history] = RUNBOOK_SECTIONS;
  out.push(`## ${when}`, "", ...rb.whenToUse.map((w) => `- ${m(w)}`), "");
  out.push(`## ${where}`, "");
  out.push("Locations are labels; what each means is written in the sealed binder only.", "");
  for (const a of rb.accounts) {
    out.push(`### ${m(a.name)}`, "");
    if (a.keys.length === 0) out.push("No key of this account is in custody.yaml.", "");
    else {
      out.push(
        "| key | model | location | custodians | PIN location | PIN custodians |",
        "|---|---|---|---|---|---|",
      );
      for (const k of a.keys)
        out.push(
          `| ${m(k.label)} | ${cell(k.model)} | ${m(k.location)} | ${names(k.custodians)} | ${k.pins.map((p) => m(p.location)).join(", ") || "-"} | ${k.pins.map((p) => names(p.custodians)).join("; ") || "-"} |`,
        );
      out.push("");
    }
    for (const half of a.passwordHalves)
      out.push(`- password half ${half.half}: ${m(half.location)}, held by ${m(half.custodian)}`);
    if (a.passwordHalves.length) out.push("");
  }
  out.push(`## ${signIn}`, "", ...rb.signIn.map((s, i) => `${i + 1}. ${m(s)}`), "");
  out.push("### The alert", "", ...rb.alert.map((s) => `- ${m(s)}`), "");
  out.push(`## ${after}`, "", ...rb.afterUse.map((s, i) => `${i + 1}. ${m(s.text)} (\`${s.id}\`)`), "");
  out.push("Record them: `breakglass use close ID --done STEPS`.", "");
  out.push(`## ${contacts}`, "", "### Custodians", "");
  if (rb.custodians.length === 0) out.push("No current custodian is recorded.", "");
  else {
    out.push("| name | contact | since | trained on |", "|---|---|---|---|");
    for (const c of rb.custodians)
      out.push(`| ${m(c.name)} | ${cell(c.contact)} | ${m(c.since)} | ${cell(c.trainedOn)} |`);
    out.push("");
  }
  out.push("### Alert receivers", "");
  if (rb.alertReceivers.length === 0) out.push("No receiver is named in the configuration.", "");
  else out.push(...rb.alertReceivers.map((r) => `- ${m(r.name)}: ${m(r.via)}`), "");
  out.push(`## ${history}`, "", reviewLine(rb, m), "");
  if (rb.history.length === 0) out.push("No drill, use or enrollment is recorded.", "");
  else {
    out.push("| started | kind | account | key | outcome |", "|---|---|---|---|---|");
    for (const r of rb.history)
      out.push(`| ${m(r.startedAt)} | ${m(r.kind)} | ${m(r.account)} | ${cell(r.key)} | ${m(r.outcome)} |`);
    out.push("");
  }
  return `${out.join("\n")}`;
}

function reviewLine(rb: Runbook, e: (s: string) => string): string {
  return rb.review.date
    ? `Last reviewed ${e(rb.review.date)} by ${e(rb.review.by ?? "?")}; next review due ${e(rb.review.due ?? "?")} (every ${rb.review.intervalDays} days).`
    : `No review is recorded; review it and record it with breakglass runbook --reviewed-by NAME (every ${rb.review.intervalDays} days).`;
}

const CSS = [
  "@page{size:A4;margin:18mm 16mm}",
  "body{font:11pt/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#111;margin:0}",
  "h1{font-size:22pt;margin:0 0 8mm}",
  "h2{font-size:16pt;border-bottom:2px solid #111;padding-bottom:2mm;margin:0 0 5mm}",
  "h3{font-size:12.5pt;margin:6mm 0 2mm}",
  "section.page{break-before:page;page-break-before:always}",
  "table{border-collapse:collapse;width:100%;margin:2mm 0 4mm;font-size:10pt}",
  "th,td{border:1px solid #888;padding:1.5mm 2mm;text-align:left;vertical-align:top;overflow-wrap:break-word}",
  // labels, locations and dates are never broken at their hyphens (a reader copies them exactly)
  ".nb{white-space:nowrap}",
  "th{background:#eee}",
  "ol li,ul li{margin-bottom:1.5mm}",
  ".meta{color:#333}",
  "code{font-family:'DejaVu Sans Mono',monospace;font-size:9.5pt}",
  "@media screen{body{max-width:190mm;margin:10mm auto;padding:0 8mm}section.page{border-top:1px dashed #aaa;padding-top:8mm;margin-top:8mm}}",
].join("\n");
export const RUNBOOK_CSP = stylesheetOnlyPolicy(CSS);

/** A label, location or date: one unbreakable run. */
const nb = (s: string) => `<span class="nb">${h(s)}</span>`;
/** A list of labels or names: each unbreakable, the list wrapping between them. */
const nbList = (items: readonly string[]) => items.map(nb).join(", ");

/** Cells are escaped text, or `{ html }` already built from escaped parts. */
type Cell = string | null | { html: string };
const table = (head: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>) =>
  `<table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join("")}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${r
          .map(
            (c) => `<td>${c === null || c === "" ? "-" : typeof c === "string" ? h(c) : c.html || "-"}</td>`,
          )
          .join("")}</tr>`,
    )
    .join("")}</tbody></table>`;
const list = (tag: "ol" | "ul", items: readonly string[]) =>
  `<${tag}>${items.map((i) => `<li>${h(i)}</li>`).join("")}</${tag}>`;

export function renderRunbookHtml(rb: Runbook): string {
  const [when, where, signIn, after, contacts, history] = RUNBOOK_SECTIONS;
  const reviewText = reviewLine(rb, (s) => s);
  const body: string[] = [
    `<header><h1>${h(RUNBOOK_TITLE)}</h1>`,
    `<p class="meta">Tenant: ${h(rb.tenant ?? "-")}<br>Generated: ${h(rb.generatedAt)}<br>${h(reviewText)}</p>`,
    rb.binder.location
      ? `<p>Kept sealed at ${nb(rb.binder.location)}; may be read by ${rb.binder.readers.length ? nbList(rb.binder.readers) : "-"}.</p>`
      : "",
    `</header>`,
    `<section class="page"><h2>${h(when)}</h2>${list("ul", rb.whenToUse)}</section>`,
    `<section class="page"><h2>${h(where)}</h2><p>Locations are labels; what each means is written in the sealed binder only.</p>`,
  ];
  for (const a of rb.accounts) {
    body.push(`<h3>${h(a.name)}</h3>`);
    body.push(
      a.keys.length
        ? table(
            ["key", "model", "location", "custodians", "PIN location", "PIN custodians"],
            a.keys.map((k) => [
              { html: nb(k.label) },
              k.model,
              { html: nb(k.location) },
              { html: nbList(k.custodians) },
              { html: nbList(k.pins.map((p) => p.location)) },
              { html: k.pins.map((p) => nbList(p.custodians)).join("; ") },
            ]),
          )
        : "<p>No key of this account is in custody.yaml.</p>",
    );
    if (a.passwordHalves.length)
      body.push(
        list(
          "ul",
          a.passwordHalves.map((x) => `password half ${x.half}: ${x.location}, held by ${x.custodian}`),
        ),
      );
  }
  body.push(
    `</section>`,
    `<section class="page"><h2>${h(signIn)}</h2>${list("ol", rb.signIn)}<h3>The alert</h3>${list("ul", rb.alert)}</section>`,
    `<section class="page"><h2>${h(after)}</h2><ol>${rb.afterUse
      .map((s) => `<li>${h(s.text)} (<code>${h(s.id)}</code>)</li>`)
      .join("")}</ol><p>Record them: <code>breakglass use close ID --done STEPS</code>.</p></section>`,
    `<section class="page"><h2>${h(contacts)}</h2><h3>Custodians</h3>`,
    rb.custodians.length
      ? table(
          ["name", "contact", "since", "trained on"],
          rb.custodians.map((c) => [
            { html: nb(c.name) },
            c.contact,
            { html: nb(c.since) },
            c.trainedOn ? { html: nb(c.trainedOn) } : null,
          ]),
        )
      : "<p>No current custodian is recorded.</p>",
    `<h3>Alert receivers</h3>`,
    rb.alertReceivers.length
      ? list(
          "ul",
          rb.alertReceivers.map((r) => `${r.name}: ${r.via}`),
        )
      : "<p>No receiver is named in the configuration.</p>",
    `</section>`,
    `<section class="page"><h2>${h(history)}</h2><p>${h(reviewText)}</p>`,
    rb.history.length
      ? table(
          ["started", "kind", "account", "key", "outcome"],
          rb.history.map((r) => [
            { html: nb(r.startedAt) },
            r.kind,
            r.account,
            r.key ? { html: nb(r.key) } : null,
            r.outcome,
          ]),
        )
      : "<p>No drill, use or enrollment is recorded.</p>",
    `</section>`,
  );
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head>`,
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${h(RUNBOOK_CSP)}">`,
    `<meta name="referrer" content="no-referrer">`,
    `<title>${h(RUNBOOK_TITLE)}</title>`,
    `<style>${CSS}</style>`,
    `</head><body>`,
    ...body.filter((b) => b !== ""),
    `</body></html>`,
    "",
  ].join("\n");
}
