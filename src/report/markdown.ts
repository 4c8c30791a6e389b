/**
 * `--format markdown`: a report for a wiki, a pull request or a ticket (GitHub-flavoured Markdown).
 * Tenant strings are escaped with `escapeMarkdown` (inline) or `markdownFence` (code), so no link,
 * image, HTML tag, table cell or control byte comes from the tenant.
 */
import { STATUS_ORDER } from "../checks/types.js";
import { clip, escapeMarkdown, markdownFence } from "./escape.js";
import { checkDocUri } from "./links.js";
import { groupChecks, type Report, type ReportCheck, type ReportFinding } from "./model.js";
import { configLine, MAX_NAME, METHOD_LABEL, STATUS_LABEL, subjectLabel, verdictLine } from "./text.js";

export interface MarkdownOptions {
  docsBaseUri?: string;
}

/** Inline tenant text, cut to `max` characters. */
const md = (text: string | null | undefined, max = MAX_NAME): string => escapeMarkdown(clip(text ?? "", max));

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`# Breakglass assessment: ${md(report.tenant.displayName ?? report.tenant.id)}`, "");
  out.push(`**${md(verdictLine(report), 2000)}**`, "");
  out.push(
    row(["", ""]),
    row(["---", "---"]),
    row(["Tenant", `${md(report.tenant.displayName ?? "(no name)")} (${md(report.tenant.id)})`]),
    row(["Config", md(configLine(report), 300)]),
    row(["As of", md(report.asOf)]),
    row(["Source", md(report.source, 300)]),
    row(["Generated", `${md(report.generatedAt)} by breakglass ${md(report.tool.version)}`]),
    "",
  );

  out.push(...renderAccounts(report), "");

  out.push(
    "## Summary",
    "",
    row(STATUS_ORDER.map((s) => STATUS_LABEL[s])),
    row(STATUS_ORDER.map(() => "---:")),
  );
  out.push(row(STATUS_ORDER.map((s) => String(report.summary[s]))), "");

  for (const group of groupChecks(report.checks)) {
    out.push(`## ${md(group.title)} (EA-${group.key})`, "");
    out.push(row(["Check", "Severity", "Status", "Title"]), row(["---", "---", "---", "---"]));
    for (const check of group.checks)
      out.push(row([check.id, check.severity, `**${STATUS_LABEL[check.status]}**`, md(check.title, 300)]));
    out.push("");
    for (const check of group.checks) out.push(...renderCheck(check, options));
  }
  return withoutRepeatedBlankLines(out).join("\n").trimEnd() + "\n";
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

function renderAccounts(report: Report): string[] {
  const a = report.accounts;
  const out = [
    "## Emergency accounts",
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

function renderCheck(check: ReportCheck, options: MarkdownOptions): string[] {
  const out = [
    `### ${check.id}: ${md(check.title, 300)}`,
    "",
    `**${STATUS_LABEL[check.status]}**, severity ${check.severity}. [About this check](${checkDocUri(check.id, options.docsBaseUri)})`,
    "",
  ];
  if (check.reason) out.push(`Reason: ${md(check.reason, 2000)}`, "");
  for (const f of check.findings) if (f.status !== "pass") out.push(...renderFinding(f));
  const passing = check.findings.filter((f) => f.status === "pass").length;
  if (passing > 0) out.push(`${passing} passing finding${passing === 1 ? "" : "s"}.`, "");
  return out;
}

function renderFinding(f: ReportFinding): string[] {
  const subject = subjectLabel(f.subject, MAX_NAME);
  const out = [
    `- **${STATUS_LABEL[f.status]}**${f.severity ? ` (${f.severity})` : ""}${subject ? ` ${md(subject, 3 * MAX_NAME)}:` : ""} ${md(f.message, 2000)}`,
    "",
  ];
  if (f.evidence && Object.keys(f.evidence).length > 0)
    out.push("Evidence:", "", markdownFence(JSON.stringify(f.evidence, null, 2), "json"), "");
  if (f.remediation) {
    out.push(`Fix: ${md(f.remediation.summary, 2000)}`, "");
    const r = f.remediation;
    for (const [label, value] of [
      ["Portal", r.portal],
      ["Graph", r.graph],
      ["PowerShell", r.powershell],
      ["Command", r.command],
    ] as const)
      if (value) out.push(`${label}:`, "", markdownFence(value), "");
  }
  return out;
}
