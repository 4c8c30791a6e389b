/**
 * The console renderer: what an admin reads in a terminal. Verdict first, then how the emergency
 * accounts were identified (users of other tools asked to see which accounts and by which method), then
 * the checks grouped by check group, then the counts. Every tenant string goes through
 * `terminalInline`, so no control byte from the tenant reaches the terminal.
 */
import Table from "cli-table3";
import { createColors } from "picocolors";
import type { Status } from "../checks/types.js";
import { clip, terminalInline } from "./escape.js";
import { groupChecks, type Report, type ReportCheck } from "./model.js";
import {
  configLine,
  evidenceLine,
  MAX_NAME,
  METHOD_LABEL,
  STATUS_LABEL,
  subjectLabel,
  verdictLine,
} from "./text.js";
import { STATUS_ORDER } from "../checks/types.js";

export interface ConsoleOptions {
  /** colour with ANSI escapes; the CLI turns it off for NO_COLOR and non-TTY output. */
  color: boolean;
}

/** Tenant text for one terminal line: cut to `max` characters, every control shown escaped. */
const t = (text: string | null | undefined, max = MAX_NAME): string => terminalInline(clip(text ?? "", max));

/** A finding's message or fix is cut here in a terminal; the full text is in the json/html formats. */
const MAX_MESSAGE = 500;

/** A table cell shows at most this much of a tenant string, so a table fits a wide terminal. */
const MAX_CELL = 60;

const TABLE_STYLE = { head: [] as string[], border: [] as string[] };

export function renderConsole(report: Report, options: ConsoleOptions): string {
  const c = createColors(options.color);
  const paint: Record<Status, (s: string) => string> = {
    error: (s) => c.bold(c.magenta(s)),
    fail: (s) => c.bold(c.red(s)),
    unknown: (s) => c.yellow(s),
    warn: (s) => c.yellow(s),
    pass: (s) => c.green(s),
    skip: (s) => c.dim(s),
  };
  const out: string[] = [];

  out.push(
    report.verdict.failed
      ? c.bold(c.red(t(verdictLine(report), 2000)))
      : c.bold(c.green(t(verdictLine(report), 2000))),
  );
  out.push(
    `${c.dim("Tenant")}    ${t(report.tenant.displayName ?? "(no name)")} ${c.dim(`(${t(report.tenant.id)})`)}`,
    `${c.dim("Config")}    ${report.configFile === null ? c.yellow(t(configLine(report), 300)) : t(configLine(report), 300)}`,
    `${c.dim("As of")}     ${t(report.asOf)} ${c.dim(`from ${t(report.source, 300)}; generated ${t(report.generatedAt)} by breakglass ${t(report.tool.version)}`)}`,
    "",
  );

  out.push(...renderAccounts(report, c));

  for (const group of groupChecks(report.checks)) {
    out.push("", c.bold(`${group.title} (EA-${group.key})`));
    for (const check of group.checks) out.push(...renderCheck(check, paint, c));
  }

  out.push("", c.bold("Summary"));
  const summary = new Table({ head: STATUS_ORDER.map((s) => STATUS_LABEL[s]), style: TABLE_STYLE });
  summary.push(STATUS_ORDER.map((s) => String(report.summary[s])));
  out.push(summary.toString());
  return out.join("\n") + "\n";
}

type Colors = ReturnType<typeof createColors>;

function renderAccounts(report: Report, c: Colors): string[] {
  const a = report.accounts;
  const out: string[] = [];
  const method = `${c.bold("Emergency accounts")} ${c.dim("identified by")} ${c.bold(a.method)}: ${METHOD_LABEL[a.method]}`;
  out.push(a.method === "discovered" ? c.yellow(method) : method);
  if (a.group) out.push(`  group: ${t(a.group.displayName ?? "(no name)")} ${c.dim(`(${t(a.group.id)})`)}`);
  if (a.unresolvedGroup !== undefined) out.push(c.red(`  group not found: ${t(a.unresolvedGroup)}`));
  if (a.resolved.length === 0) {
    out.push(c.red("  no emergency account resolved"));
  } else {
    const table = new Table({
      head: ["Display name", "User principal name", "Object id"],
      style: TABLE_STYLE,
    });
    for (const acc of a.resolved)
      table.push([t(acc.displayName, MAX_CELL), t(acc.userPrincipalName, MAX_CELL), t(acc.id, MAX_CELL)]);
    out.push(table.toString());
  }
  for (const u of a.unresolved) {
    const deleted = u.deleted
      ? `: deleted${u.restorableUntil ? `, restorable until ${t(u.restorableUntil)}` : ""}`
      : ": not found";
    out.push(c.red(`  configured account does not resolve: ${t(u.ref)}${deleted}`));
  }
  if (a.candidates.length > 0) {
    out.push(c.dim("  discovery candidates (score, reasons):"));
    const table = new Table({ head: ["Candidate", "Score", "Reasons"], style: TABLE_STYLE });
    for (const cand of a.candidates)
      table.push([
        t(cand.userPrincipalName ?? cand.id),
        String(cand.score),
        cand.reasons.map((r) => t(r, 300)).join("; "),
      ]);
    out.push(table.toString());
  }
  return out;
}

function renderCheck(check: ReportCheck, paint: Record<Status, (s: string) => string>, c: Colors): string[] {
  const out: string[] = [];
  const badge = paint[check.status](STATUS_LABEL[check.status].padEnd(7));
  out.push(`  ${badge} ${c.bold(t(check.id))}  ${c.dim(check.severity.padEnd(8))} ${t(check.title, 300)}`);
  if (check.reason) out.push(`          ${c.dim(t(check.reason, MAX_MESSAGE))}`);
  for (const f of check.findings) {
    if (f.status === "pass") continue;
    const subject = subjectLabel(f.subject, MAX_NAME);
    const sev = f.severity && f.severity !== check.severity ? ` [${f.severity}]` : "";
    out.push(
      `          ${paint[f.status](STATUS_LABEL[f.status])}${sev} ${subject ? `${t(subject, 3 * MAX_NAME)}: ` : ""}${t(f.message, MAX_MESSAGE)}`,
    );
    if (f.evidence && Object.keys(f.evidence).length > 0)
      out.push(`            ${c.dim("evidence")} ${t(evidenceLine(f.evidence), 400)}`);
    if (f.remediation) {
      out.push(`            ${c.cyan("fix")} ${t(f.remediation.summary, MAX_MESSAGE)}`);
      if (f.remediation.command)
        out.push(`            ${c.dim("run")} ${t(f.remediation.command, MAX_MESSAGE)}`);
      if (f.remediation.graph)
        out.push(`            ${c.dim("graph")} ${t(f.remediation.graph, MAX_MESSAGE)}`);
    }
  }
  const passing = check.findings.filter((f) => f.status === "pass").length;
  if (passing > 0 && check.status !== "pass") out.push(`          ${c.dim(`${passing} passing`)}`);
  return out;
}
