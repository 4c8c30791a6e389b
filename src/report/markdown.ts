/**
 * `--format markdown` (the whole report, for a wiki or a ticket) and `--format markdown-summary`
 * (a pull request or issue comment: under GitHub's 65,536-character limit, findings one line each,
 * cut with a count of what was left out). Both in GitHub-flavoured Markdown: the verdict, the
 * fix-first table, then one collapsible `<details>` per check, most severe first.
 *
 * Tenant strings are escaped with `escapeMarkdown` (inline: only what GFM reads as syntax) or
 * `markdownFence` (code), so no link, image, HTML tag, table cell or control byte comes from the
 * tenant. Renderers never decide a status or the verdict: order and counts here are presentation.
 */
import { STATUS_ORDER } from "../checks/types.js";
import { clip, escapeHtml, escapeMarkdown, markdownFence } from "./escape.js";
import { checkDocUri } from "./links.js";
import type { Report, ReportCheck, ReportFinding } from "./model.js";
import { bySeverity, fixFirst, oneFix, openFindings } from "./order.js";
import { sourceRefs } from "./sources.js";
import {
  configLine,
  MAX_NAME,
  messageWithAcceptance,
  METHOD_LABEL,
  STATUS_LABEL,
  subjectLabel,
  verdictHeadline,
} from "./text.js";

export interface MarkdownOptions {
  /** where docs/checks/<id>.md is published; without it no check links there (no dead links). */
  docsBaseUri?: string;
  /** each check's source ids, linked to the guides of docs/sources.md. */
  sources?: Readonly<Record<string, readonly string[]>>;
}

/** GitHub refuses a comment over 65,536 characters; the summary stays under this, with room to spare. */
export const SUMMARY_BUDGET = 60_000;

/** Inline tenant text, cut to `max` characters. */
const md = (text: string | null | undefined, max = MAX_NAME): string => escapeMarkdown(clip(text ?? "", max));

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const out = [...head(report), ...renderAccounts(report), ...fixFirstTable(report, 2000)];
  out.push("## Checks, most severe first", "");
  for (const check of bySeverity(report.checks)) out.push(...fullCheck(check, options));
  out.push(...sourceList(report, options));
  return withoutRepeatedBlankLines(out).join("\n").trimEnd() + "\n";
}

/**
 * The report cut to fit a comment: the verdict, the accounts on one line, the fix-first table, then
 * each check that is not passing with its findings one line each, most severe first, until the
 * budget is spent; what did not fit is counted, never dropped silently.
 */
export function renderMarkdownSummary(
  report: Report,
  options: MarkdownOptions = {},
  budget = SUMMARY_BUDGET,
): string {
  const out = [...head(report), accountsLine(report), "", ...fixFirstTable(report, 200)];
  out.push("## Checks, most severe first", "");
  const ordered = bySeverity(report.checks);
  const footerRoom = 600;
  let used = out.join("\n").length;
  let leftFindings = 0;
  const leftChecks = new Set<string>();
  for (const check of ordered.filter((c) => c.status !== "pass")) {
    const lines = summaryCheck(check, options);
    const size = lines.join("\n").length + 1;
    if (used + size + footerRoom <= budget) {
      out.push(...lines);
      used += size;
      continue;
    }
    // The check as far as it fits: its opening, then findings while they fit.
    const open = openFindings(check);
    const [start, findings, end] = summaryCheckParts(check, options);
    let room = budget - footerRoom - used - (start.join("\n").length + end.join("\n").length + 2);
    const kept: string[] = [];
    for (const line of findings) {
      if (room - line.length - 1 < 0) break;
      kept.push(line);
      room -= line.length + 1;
    }
    const left = open.length - kept.length;
    if (kept.length === 0 && open.length > 0) {
      leftFindings += open.length;
      leftChecks.add(check.id);
      continue;
    }
    const note = left > 0 ? [`- _${left} more finding${left === 1 ? "" : "s"} of this check left out._`] : [];
    out.push(...start, ...kept, ...note, ...end);
    used += [...start, ...kept, ...note, ...end].join("\n").length + 1;
    if (left > 0) {
      leftFindings += left;
      leftChecks.add(check.id);
    }
  }
  const passing = ordered.filter((c) => c.status === "pass").map((c) => c.id);
  if (passing.length > 0) out.push("", `**${passing.length} checks pass:** ${passing.join(", ")}`, "");
  if (leftFindings > 0)
    out.push(
      "",
      `**Left out to fit a comment:** ${leftFindings} finding${leftFindings === 1 ? "" : "s"} of ${leftChecks.size} check${leftChecks.size === 1 ? "" : "s"} (${[...leftChecks].join(", ")}). The full report (\`--format markdown\`, \`html\` or \`json\`) has every one.`,
    );
  return withoutRepeatedBlankLines(out).join("\n").trimEnd() + "\n";
}

function head(report: Report): string[] {
  const counts = STATUS_ORDER.filter((s) => report.summary[s] > 0)
    .map((s) => `${report.summary[s]} ${s}`)
    .join(", ");
  return [
    `# Breakglass assessment: ${md(report.tenant.displayName ?? report.tenant.id)}`,
    "",
    `**${md(verdictHeadline(report), 2000)}**`,
    "",
    `${counts} of ${report.checks.length} checks. Tenant ${md(report.tenant.displayName ?? "(no name)")} (${md(report.tenant.id)}) as of ${md(report.asOf)}, read from ${md(report.source, 300)}; config ${md(configLine(report), 300)}; generated ${md(report.generatedAt)} by breakglass ${md(report.tool.version)}.`,
    "",
  ];
}

function accountsLine(report: Report): string {
  const a = report.accounts;
  const names = a.resolved.map((acc) => md(acc.userPrincipalName ?? acc.displayName ?? acc.id));
  const unresolved =
    a.unresolved.length > 0 ? ` **Not resolved:** ${a.unresolved.map((u) => md(u.ref)).join(", ")}.` : "";
  return `**Accounts graded** (${a.method}: ${md(METHOD_LABEL[a.method], 300)}): ${names.length > 0 ? names.join(", ") : "**none resolved**"}.${unresolved}`;
}

/** Fix first: one row per failing, erroring or unknown check, the fix cut to `maxFix` characters. */
function fixFirstTable(report: Report, maxFix: number): string[] {
  const entries = fixFirst(report);
  if (entries.length === 0) return ["## Fix first", "", "Nothing fails, errs or is unknown.", ""];
  const out = [
    "## Fix first",
    "",
    row(["Severity", "Status", "Check", "Subjects", "Fix"]),
    row(["---", "---", "---", "---", "---"]),
  ];
  for (const e of entries)
    out.push(
      row([
        e.check.severity,
        `**${STATUS_LABEL[e.check.status]}**`,
        `${e.check.id}: ${md(e.check.title, 300)}`,
        e.subjects ?? "",
        e.fix ? `${e.fix.kind === "command" ? "run " : ""}${md(e.fix.text, maxFix)}` : "",
      ]),
    );
  out.push("");
  return out;
}

/** The opening of a check's `<details>`: HTML, so every text in it is HTML-escaped. */
function summaryLine(check: ReportCheck, open: boolean): string {
  return `<details${open ? " open" : ""}><summary><b>${STATUS_LABEL[check.status]}</b> ${escapeHtml(check.id)} (${escapeHtml(check.severity)}): ${escapeHtml(check.title)}</summary>`;
}

function sourcesLine(check: ReportCheck, options: MarkdownOptions): string | undefined {
  const parts = sourceRefs(options.sources?.[check.id] ?? []).map((r) =>
    r.kind === "guide" ? `[${escapeMarkdown(r.source.short)}](${r.source.url})` : md(r.text),
  );
  if (options.docsBaseUri !== undefined)
    parts.push(`[the check's page](${checkDocUri(check.id, options.docsBaseUri)})`);
  return parts.length > 0 ? `Sources: ${parts.join(", ")}.` : undefined;
}

function fullCheck(check: ReportCheck, options: MarkdownOptions): string[] {
  const out = [summaryLine(check, check.status !== "pass"), ""];
  const sources = sourcesLine(check, options);
  if (sources) out.push(sources, "");
  if (check.reason) out.push(`Reason: ${md(check.reason, 2000)}`, "");
  for (const f of openFindings(check)) out.push(...fullFinding(f));
  const passing = check.findings.filter((f) => f.status === "pass").length;
  if (passing > 0) out.push(`${passing} passing finding${passing === 1 ? "" : "s"}.`, "");
  out.push("</details>", "");
  return out;
}

function fullFinding(f: ReportFinding): string[] {
  const subject = subjectLabel(f.subject, MAX_NAME);
  const out = [
    `- **${STATUS_LABEL[f.status]}**${f.severity ? ` (${f.severity})` : ""}${subject ? ` ${md(subject, 3 * MAX_NAME)}:` : ""} ${md(messageWithAcceptance(f), 2000)}`,
    "",
  ];
  if (f.evidence && Object.keys(f.evidence).length > 0)
    out.push("Evidence:", "", markdownFence(JSON.stringify(f.evidence, null, 2), "json"), "");
  if (f.remediation) {
    out.push(`Fix: ${md(f.remediation.summary, 2000)}`, "");
    const r = f.remediation;
    for (const [label, value] of [
      ["Command", r.command],
      ["Portal", r.portal],
      ["Graph", r.graph],
      ["PowerShell", r.powershell],
    ] as const)
      if (value) out.push(`${label}:`, "", markdownFence(value), "");
  }
  return out;
}

/** A summary check in three parts, so a check that does not fit whole can keep some findings. */
function summaryCheckParts(check: ReportCheck, options: MarkdownOptions): [string[], string[], string[]] {
  const start = [summaryLine(check, false), ""];
  const sources = sourcesLine(check, options);
  if (sources) start.push(sources, "");
  if (check.reason) start.push(`Reason: ${md(check.reason, 500)}`, "");
  const findings = openFindings(check).map((f) => {
    const subject = f.subject ? `${md(f.subject.displayName ?? f.subject.id, 80)}: ` : "";
    return `- **${STATUS_LABEL[f.status]}** ${subject}${md(messageWithAcceptance(f), 600)}`;
  });
  // One fix per distinct fix of the check: a portal path or command, not the Graph body.
  const fixes = [
    ...new Set(
      openFindings(check)
        .map((f) => oneFix(f))
        .filter((x) => x !== undefined)
        .map(
          (x) => `${x.kind === "command" ? "run " : x.kind === "portal" ? "portal: " : ""}${md(x.text, 400)}`,
        ),
    ),
  ];
  const more = fixes.length > 3 ? [`_${fixes.length - 3} more fixes in the full report._`] : [];
  const end = ["", ...fixes.slice(0, 3).map((x) => `Fix: ${x}`), ...more, "", "</details>", ""];
  return [start, findings, end];
}

function summaryCheck(check: ReportCheck, options: MarkdownOptions): string[] {
  const [start, findings, end] = summaryCheckParts(check, options);
  return [...start, ...findings, ...end];
}

function renderAccounts(report: Report): string[] {
  const a = report.accounts;
  const out = [
    "## Accounts graded",
    "",
    `Identified by **${a.method}**: ${md(METHOD_LABEL[a.method], 300)}.`,
    "",
  ];
  if (a.group) out.push(`Emergency group: ${md(a.group.displayName ?? "(no name)")} (${md(a.group.id)})`, "");
  if (a.unresolvedGroup !== undefined) out.push(`**Group not found:** ${md(a.unresolvedGroup)}`, "");
  if (a.resolved.length === 0) out.push("**No emergency account resolved.**", "");
  else {
    out.push(row(["Display name", "User principal name", "Object id"]), row(["---", "---", "---"]));
    for (const acc of a.resolved) out.push(row([md(acc.displayName), md(acc.userPrincipalName), md(acc.id)]));
    out.push("");
  }
  if (a.unresolved.length > 0) {
    out.push("Configured accounts that do not resolve:", "");
    for (const u of a.unresolved) {
      const state = u.deleted
        ? `deleted${u.restorableUntil ? `, restorable until ${md(u.restorableUntil)}` : ""}`
        : "not found";
      out.push(`- ${md(u.ref)}: ${state}`);
    }
    out.push("");
  }
  if (a.candidates.length > 0) {
    out.push(
      "Discovery candidates:",
      "",
      row(["Candidate", "Score", "Reasons"]),
      row(["---", "---:", "---"]),
    );
    for (const c of a.candidates)
      out.push(
        row([md(c.userPrincipalName ?? c.id), String(c.score), c.reasons.map((r) => md(r, 300)).join("; ")]),
      );
    out.push("");
  }
  return out;
}

/** The guides the report's checks cite, each once with its address (docs/sources.md). */
function sourceList(report: Report, options: MarkdownOptions): string[] {
  const ids = new Set(report.checks.flatMap((c) => options.sources?.[c.id] ?? []));
  const guides = sourceRefs([...ids].sort()).filter((r) => r.kind === "guide");
  if (guides.length === 0) return [];
  return [
    "## Sources",
    "",
    ...guides.map(
      (r) => `- ${escapeMarkdown(r.source.publisher)}: [${escapeMarkdown(r.source.title)}](${r.source.url})`,
    ),
    "",
  ];
}

/** Sections end and begin with a blank line; keep one, except inside fenced code, which stays as it is. */
function withoutRepeatedBlankLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const chunk of lines)
    for (const line of chunk.split("\n")) {
      if (fence === undefined) {
        const open = /^(`{3,})/.exec(line);
        if (open) fence = open[1];
        else if (line === "" && out.at(-1) === "") continue;
      } else if (line === fence) fence = undefined;
      out.push(line);
    }
  return out;
}
