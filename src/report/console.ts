/**
 * The console renderer: what an admin reads in a terminal, in the order they act on it. The verdict
 * first, then which accounts were graded (users of other tools asked to see which accounts and by
 * which method), then "Fix first" (every failing, erroring and unknown check, most severe first, one
 * line each with the one command or portal path that fixes it), then one line per finding, most
 * severe check first. Lines are cut to the terminal width; `verbose` wraps them whole instead and
 * adds the evidence, every fix, the passing checks and the counts table (today's full detail).
 *
 * Every tenant string goes through `terminalInline` before it is measured or cut, so no control
 * byte from the tenant reaches the terminal and no escape sequence is cut in half.
 */
import Table from "cli-table3";
import { createColors } from "picocolors";
import { STATUS_ORDER, type Status } from "../checks/types.js";
import { clip, terminalInline } from "./escape.js";
import type { Report, ReportCheck, ReportFinding } from "./model.js";
import { bySeverity, fixFirst, openFindings, type FixFirstEntry } from "./order.js";
import {
  configLine,
  evidenceLine,
  MAX_NAME,
  messageWithAcceptance,
  METHOD_LABEL,
  STATUS_LABEL,
  subjectLabel,
  verdictHeadline,
} from "./text.js";

export interface ConsoleOptions {
  /** colour with ANSI escapes; the CLI turns it off for NO_COLOR, --no-color and non-TTY output. */
  color: boolean;
  /** the terminal's width in columns (default 100): lines are cut (or, verbose, wrapped) to it. */
  width?: number;
  /** every line whole (wrapped), with evidence, every fix, the passing checks and the counts table. */
  verbose?: boolean;
  /** only the verdict, the graded accounts and the fix-first list: what `--out` leaves on the terminal. */
  brief?: boolean;
  /**
   * the caller has already said which tenant it read, as of when and from where (the demo's three
   * lines): the Tenant and Read lines are left out, unless verbose.
   */
  tenantShown?: boolean;
}

export const DEFAULT_WIDTH = 100;
/** Below this a terminal is not worth laying out for: lines are cut as if it were this wide. */
const MIN_WIDTH = 60;

/** Tenant text for one terminal line: cut to `max` characters, every control shown escaped. */
const t = (text: string | null | undefined, max = MAX_NAME): string => terminalInline(clip(text ?? "", max));

/** A finding's message or fix is cut here even in verbose output; the json/html formats keep it whole. */
const MAX_MESSAGE = 2000;

const TABLE_STYLE = { head: [] as string[], border: [] as string[] };

type Colors = ReturnType<typeof createColors>;
type Paint = (s: string) => string;

const length = (s: string): number => Array.from(s).length;

/** `s` in at most `max` columns, ending in "…" when cut. */
export function cutTo(s: string, max: number): string {
  const points = Array.from(s);
  if (points.length <= max) return s;
  return max <= 0 ? "" : `${points.slice(0, max - 1).join("")}…`;
}

/**
 * `s` wrapped at spaces into lines of at most `width` columns, the first line starting after
 * `first` columns already used and the following ones indented by `indent` spaces. A word longer
 * than a line (a URL, an id list) is broken where the line ends.
 */
export function wrap(s: string, width: number, indent: number, first = indent): string[] {
  const lines: string[] = [];
  let line = "";
  let room = width - first;
  const flush = () => {
    lines.push(line);
    line = "";
    room = width - indent;
  };
  for (const word of s.split(/ +/)) {
    let w = word;
    const need = (line === "" ? 0 : 1) + length(w);
    if (need <= room) {
      line += line === "" ? w : ` ${w}`;
      room -= need;
      continue;
    }
    if (line !== "") flush();
    while (length(w) > room) {
      const points = Array.from(w);
      line = points.slice(0, room).join("");
      w = points.slice(room).join("");
      flush();
    }
    line = w;
    room -= length(w);
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(indent) + l));
}

export function renderConsole(report: Report, options: ConsoleOptions): string {
  const c = createColors(options.color);
  const width = Math.max(MIN_WIDTH, options.width ?? DEFAULT_WIDTH);
  const verbose = options.verbose === true;
  const paint: Record<Status, Paint> = {
    error: (s) => c.bold(c.magenta(s)),
    fail: (s) => c.bold(c.red(s)),
    unknown: (s) => c.yellow(s),
    warn: (s) => c.yellow(s),
    accepted: (s) => c.blue(s),
    pass: (s) => c.green(s),
    skip: (s) => c.dim(s),
  };
  /** One labelled header line, wrapped under its label. */
  const labelled = (label: string, text: string, style: Paint = (s) => s): string[] =>
    wrap(text, width, 10).map((l, i) => (i === 0 ? `${c.dim(label.padEnd(10))}${style(l)}` : style(l)));

  const out: string[] = [];
  const headline = wrap(t(verdictHeadline(report), 2000), width, 2, 0);
  out.push(...headline.map((l) => c.bold(report.verdict.failed ? c.red(l) : c.green(l))));
  if (!options.tenantShown || verbose)
    out.push(
      ...labelled(
        "Tenant",
        `${t(report.tenant.displayName ?? "(no name)")} (${t(report.tenant.id)}) as of ${t(report.asOf)}`,
      ),
      ...labelled(
        "Read",
        `${t(report.source, 300)}; config ${t(configLine(report), 300)}`,
        report.configFile === null ? c.yellow : undefined,
      ),
    );
  out.push(...renderAccounts(report, c, labelled, verbose, width));
  if (report.only)
    out.push(
      ...labelled(
        "Listing",
        `only ${report.only.join(", ")} (--only); the verdict is the whole run's`,
        c.yellow,
      ),
    );
  const counts = STATUS_ORDER.filter((st) => report.summary[st] > 0)
    .map((st) => `${report.summary[st]} ${st}`)
    .join(", ");

  const entries = fixFirst(report);
  out.push("");
  if (entries.length === 0)
    out.push(
      c.bold(
        cutTo(`Fix first: nothing fails or is unknown (${counts} of ${report.checks.length} checks)`, width),
      ),
    );
  else {
    out.push(
      c.bold(
        cutTo(
          `Fix first (${entries.length} of ${report.checks.length} checks fail, err or are unknown; ${counts}; most severe first)`,
          width,
        ),
      ),
    );
    out.push(...fixFirstLines(entries, paint, c, width, verbose));
  }
  if (options.brief) return out.join("\n") + "\n";

  const ordered = bySeverity(report.checks);
  const open = ordered.filter((ch) => ch.status !== "pass");
  if (open.length > 0) {
    out.push(
      "",
      c.bold(
        cutTo(
          verbose
            ? "Checks, most severe first"
            : "Findings, most severe first (--verbose: evidence, every fix)",
          width,
        ),
      ),
    );
    for (const check of open)
      out.push(...(verbose ? verboseCheck(check, paint, c, width) : findingLines(check, paint, c, width)));
  }

  const passing = ordered.filter((ch) => ch.status === "pass");
  if (verbose) {
    for (const check of passing) out.push(...verboseCheck(check, paint, c, width));
    out.push("", c.bold("Summary"));
    const summary = new Table({ head: STATUS_ORDER.map((s) => STATUS_LABEL[s]), style: TABLE_STYLE });
    summary.push(STATUS_ORDER.map((s) => String(report.summary[s])));
    out.push(summary.toString());
  } else if (passing.length > 0) {
    out.push(
      "",
      c.dim(
        cutTo(
          `${passing.length} check${passing.length === 1 ? "" : "s"} pass (--verbose lists them): ${passing.map((ch) => ch.id).join(", ")}`,
          width,
        ),
      ),
    );
  }
  return out.join("\n") + "\n";
}

function renderAccounts(
  report: Report,
  c: Colors,
  labelled: (label: string, text: string, style?: Paint) => string[],
  verbose: boolean,
  width: number,
): string[] {
  const a = report.accounts;
  const out: string[] = [];
  const group = a.group ? `group ${t(a.group.displayName ?? "(no name)")} (${t(a.group.id)})` : undefined;
  // Discovered accounts are a guess the reader must confirm: the method says so in full, always.
  const method = `identified by ${a.method}: ${METHOD_LABEL[a.method]}`;
  if (verbose) {
    out.push(...labelled("Accounts", method, a.method === "discovered" ? c.yellow : undefined));
    if (group) out.push(...wrap(group, width, 10, 10).map(indent10));
  } else {
    // One line in a terminal: names only (the UPNs and ids are in --verbose and every other format).
    const short = a.resolved.map((acc) => t(acc.displayName ?? acc.userPrincipalName ?? acc.id, 60));
    const groupName = a.group ? `, group ${t(a.group.displayName ?? a.group.id, 60)}` : "";
    const how = a.method === "discovered" ? method : `identified by ${a.method}${groupName}`;
    const who = short.length > 0 ? `${short.join(", ")}; ` : "";
    out.push(...labelled("Accounts", `${who}${how}`, a.method === "discovered" ? c.yellow : undefined));
  }
  /** A red note under the accounts, wrapped to the width. */
  const alarm = (text: string) => out.push(...wrap(text, width, 10, 10).map((l) => c.red(indent10(l))));
  if (a.unresolvedGroup !== undefined) alarm(`group not found: ${t(a.unresolvedGroup)}`);
  if (a.resolved.length === 0) alarm("no emergency account resolved");
  else if (verbose) {
    const table = new Table({
      head: ["Display name", "User principal name", "Object id"],
      style: TABLE_STYLE,
    });
    for (const acc of a.resolved)
      table.push([t(acc.displayName, 60), t(acc.userPrincipalName, 60), t(acc.id, 60)]);
    out.push(table.toString());
  }
  for (const u of a.unresolved) {
    const deleted = u.deleted
      ? `: deleted${u.restorableUntil ? `, restorable until ${t(u.restorableUntil)}` : ""}`
      : ": not found";
    alarm(`configured account does not resolve: ${t(u.ref)}${deleted}`);
  }
  if (a.candidates.length > 0) {
    if (verbose) {
      out.push(c.dim(indent10("discovery candidates (score, reasons):")));
      const table = new Table({ head: ["Candidate", "Score", "Reasons"], style: TABLE_STYLE });
      for (const cand of a.candidates)
        table.push([
          t(cand.userPrincipalName ?? cand.id),
          String(cand.score),
          cand.reasons.map((r) => t(r, 300)).join("; "),
        ]);
      out.push(table.toString());
    } else {
      const list = a.candidates.map(
        (cand) => `${t(cand.userPrincipalName ?? cand.id)} (score ${cand.score})`,
      );
      out.push(
        ...wrap(`discovery candidates: ${list.join(", ")}`, width, 10, 10).map((l) => c.dim(indent10(l))),
      );
    }
  }
  return out;
}

const indent10 = (line: string): string => (line.startsWith("          ") ? line : `          ${line}`);

/** "Microsoft Entra admin center > Protection > ..." reads as "Entra > Protection > ..." in a short line. */
const PORTAL_HOME = /^(?:Microsoft )?(Entra|Azure) (?:admin center|portal)(?= >)/;

/**
 * The fix-first list as a table that lines up at any width:
 *
 *   critical FAIL EA-CA-05  Lockout proof: every emergency acc…  1 user    $ breakglass ca prove …
 *
 * severity, status and id padded to the widest present, then the title, the subject count (never
 * cut) and the fix, each in a column of its own: a command after `$`, a portal path from
 * "Entra >" with its middle elided so that the setting it ends at stays in view. The title gets
 * the room it needs up to half the line when the fixes need more. Verbose wraps every part whole.
 */
function fixFirstLines(
  entries: readonly FixFirstEntry[],
  paint: Record<Status, Paint>,
  c: Colors,
  width: number,
  verbose: boolean,
): string[] {
  const widest = (values: string[]) => Math.max(0, ...values.map(length));
  const sevWidth = widest(entries.map((e) => e.check.severity));
  const statusWidth = widest(entries.map((e) => STATUS_LABEL[e.check.status]));
  const idWidth = widest(entries.map((e) => t(e.check.id)));
  const at = 2 + sevWidth + 1 + statusWidth + 1 + idWidth + 2;
  const rows = entries.map((e) => {
    const check = e.check;
    const prefix = `  ${c.dim(check.severity.padEnd(sevWidth))} ${paint[check.status](STATUS_LABEL[check.status].padEnd(statusWidth))} ${c.bold(t(check.id).padEnd(idWidth))}  `;
    const subjects = e.subjects ?? "";
    const fix = e.fix ? shortFix(e.fix) + (e.moreFixes ? " (and others below)" : "") : "";
    return { prefix, title: t(check.title, 300), subjects, fix };
  });
  if (verbose)
    return rows.flatMap((r) => {
      const head = wrap(`${r.title}${r.subjects ? ` (${r.subjects})` : ""}`, width, at, at);
      const fix = r.fix
        ? wrap(r.fix, width, at + 2, at).map((l, i) => (i === 0 ? " ".repeat(at) + l : l))
        : [];
      return [r.prefix + head[0], ...head.slice(1), ...fix.map((l) => c.cyan(l))];
    });
  const GAP = 2;
  // The subject counts are a column of their own, so that titles and fixes both line up.
  const subjectsWidth = widest(rows.map((r) => r.subjects));
  const room = width - at - (subjectsWidth > 0 ? subjectsWidth + GAP : 0);
  const titleNeed = widest(rows.map((r) => r.title));
  const fixNeed = widest(rows.map((r) => r.fix));
  const titleWidth = Math.min(titleNeed, Math.max(Math.floor(room / 2), room - GAP - fixNeed));
  const fixWidth = room - titleWidth - GAP;
  return rows.map((r) => {
    const title = cutTo(r.title, titleWidth).padEnd(titleWidth);
    const subjects = subjectsWidth > 0 ? `${" ".repeat(GAP)}${c.dim(r.subjects.padEnd(subjectsWidth))}` : "";
    const line =
      fixWidth > 0 && r.fix
        ? `${r.prefix}${title}${subjects}${" ".repeat(GAP)}${c.cyan(fitFix(r.fix, fixWidth))}`
        : `${r.prefix}${title}${subjects}`;
    return line.trimEnd();
  });
}

/** A fix as the fix-first list shows it: `$ command`, a portal path from "Entra >", else the text. */
function shortFix(fix: NonNullable<FixFirstEntry["fix"]>): string {
  const text = t(fix.text, MAX_MESSAGE);
  if (fix.kind === "command") return `$ ${text}`;
  if (fix.kind === "portal") return text.replace(PORTAL_HOME, "$1");
  return text;
}

/**
 * A fix in `max` columns. A portal path keeps its first steps and as many of its last steps as fit
 * ("Entra > Protection > … > Exclude"), since the last step is the setting to change; anything else
 * is cut at its end.
 */
export function fitFix(fix: string, max: number): string {
  if (length(fix) <= max) return fix;
  const steps = fix.split(" > ");
  // The first two steps ("Entra > Protection") when they leave room for the last, else the first.
  for (const keep of [2, 1]) {
    if (steps.length <= keep + 1) continue;
    const head = steps.slice(0, keep);
    let tail: string[] = [];
    for (let i = steps.length - 1; i >= keep; i--) {
      if (length([...head, "…", steps[i]!, ...tail].join(" > ")) > max) break;
      tail = [steps[i]!, ...tail];
    }
    if (tail.length > 0) return [...head, "…", ...tail].join(" > ");
  }
  return cutTo(fix, max);
}

/** The short subject of a one-line finding: its type and name, or its id when it has no name. */
const shortSubject = (f: ReportFinding): string | undefined =>
  f.subject ? `${f.subject.type} ${t(f.subject.displayName ?? f.subject.id, 60)}` : undefined;

/** One line per open finding (or the check's reason when it has none), cut to the width. */
function findingLines(check: ReportCheck, paint: Record<Status, Paint>, c: Colors, width: number): string[] {
  // ACCEPTED is one column wider than the other labels: the line is measured with the label it has.
  const label = (status: Status) => STATUS_LABEL[status].padEnd(7);
  const head = (status: Status) => `  ${c.bold(t(check.id).padEnd(10))} ${paint[status](label(status))} `;
  const headLength = (status: Status) => 2 + Math.max(10, length(t(check.id))) + 1 + label(status).length + 1;
  const findings = openFindings(check);
  if (findings.length === 0)
    return [
      `${head(check.status)}${cutTo(t(check.reason ?? check.title, MAX_MESSAGE), width - headLength(check.status))}`,
    ];
  return findings.map((f) => {
    const subject = shortSubject(f);
    const sev = f.severity && f.severity !== check.severity ? `[${f.severity}] ` : "";
    const text = `${sev}${subject ? `${subject}: ` : ""}${t(messageWithAcceptance(f), MAX_MESSAGE)}`;
    return `${head(f.status)}${cutTo(text, width - headLength(f.status))}`;
  });
}

/** Today's full detail of a check: every open finding whole, its evidence and every fix, wrapped. */
function verboseCheck(check: ReportCheck, paint: Record<Status, Paint>, c: Colors, width: number): string[] {
  const out: string[] = [];
  const badge = paint[check.status](STATUS_LABEL[check.status].padEnd(7));
  const title = wrap(`${check.severity.padEnd(8)} ${t(check.title, 300)}`, width, 21, 21);
  out.push(`  ${badge} ${c.bold(t(check.id).padEnd(11))}${title[0]}`, ...title.slice(1));
  const block = (label: string, text: string, style: Paint, indent = 12) =>
    wrap(`${label} ${text}`, width, indent + 2, indent).map((l, i) =>
      i === 0 ? `${" ".repeat(indent)}${style(label)}${l.slice(label.length)}` : l,
    );
  if (check.reason)
    out.push(
      ...wrap(t(check.reason, MAX_MESSAGE), width, 10, 10).map((l, i) =>
        c.dim(i === 0 ? `          ${l}` : l),
      ),
    );
  for (const f of openFindings(check)) {
    const subject = subjectLabel(f.subject, MAX_NAME);
    const sev = f.severity && f.severity !== check.severity ? ` [${f.severity}]` : "";
    const text = `${STATUS_LABEL[f.status]}${sev} ${subject ? `${t(subject, 3 * MAX_NAME)}: ` : ""}${t(messageWithAcceptance(f), MAX_MESSAGE)}`;
    const lines = wrap(text, width, 12, 10);
    out.push(
      `          ${paint[f.status](STATUS_LABEL[f.status])}${lines[0]!.slice(STATUS_LABEL[f.status].length)}`,
      ...lines.slice(1),
    );
    if (f.evidence && Object.keys(f.evidence).length > 0)
      out.push(...block("evidence", t(evidenceLine(f.evidence), MAX_MESSAGE), c.dim));
    const r = f.remediation;
    if (r) {
      out.push(...block("fix", t(r.summary, MAX_MESSAGE), c.cyan));
      for (const [label, value] of [
        ["run", r.command],
        ["portal", r.portal],
        ["graph", r.graph],
        ["powershell", r.powershell],
      ] as const)
        if (value) out.push(...block(label, t(value, MAX_MESSAGE), c.dim));
    }
  }
  const passing = check.findings.filter((f) => f.status === "pass").length;
  if (passing > 0 && check.status !== "pass") out.push(`          ${c.dim(`${passing} passing`)}`);
  return out;
}
