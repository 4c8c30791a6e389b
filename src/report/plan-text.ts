/**
 * The human view of a plan (docs/deploy.md "The plan"): one block per step, `+ create`,
 * `~ update` (only the changed properties, old -> new), `- destroy`, the request line, the check
 * ids it satisfies and a risk note; then the steps held by the enrollment gate; then the summary
 * line. Pure, and every tenant string goes through terminalInline: display names are hostile.
 */
import { summarize } from "../deploy/plan.js";
import { isChange, type ManualStep, refToken, type Step } from "../deploy/types.js";
import { terminalInline } from "./escape.js";

export interface PlanTextInput {
  tenant: { id: string; displayName?: string | null };
  readAt: string;
  steps: readonly Step[];
  /** the accounts awaiting enrollment, for the `Waiting for enrollment (breakglass enroll ...)` line. */
  awaitingEnrollment?: readonly string[];
  /** names of the tenant's objects by id (groups, users, policies), shown instead of bare ids. */
  names?: ReadonlyMap<string, string>;
  /** what Graph has no API for: shown with the portal path, never counted as a change. */
  manual?: readonly ManualStep[];
}

const SYMBOL = { create: "+", update: "~", destroy: "-" } as const;

/** Object ids and `{{ref:...}}` placeholders, shown by the names the plan knows them by. */
export function labelsOf(steps: readonly Step[], names?: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>([...(names ?? [])].map(([id, name]) => [id.toLowerCase(), name]));
  for (const s of steps) {
    const name = s.objectRef.name;
    if (!name) continue;
    if (s.objectRef.id) out.set(s.objectRef.id.toLowerCase(), name);
    if (s.action === "create") out.set(refToken(s.id), name);
  }
  return out;
}

function show(value: unknown, labels: Map<string, string>): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value, (_, v: unknown) =>
    typeof v === "string" ? (labels.get(v.toLowerCase()) ?? labels.get(v) ?? v) : v,
  );
  return terminalInline(text.length > 300 ? `${text.slice(0, 297)}...` : text);
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? terminalInline(iso)
    : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A url with each `{{ref:...}}` shown as `<name>`: the id exists only once apply created it. */
const showUrl = (url: string, labels: Map<string, string>): string =>
  terminalInline(url.replace(/\{\{ref:[^}]+\}\}/g, (ref) => `<${labels.get(ref) ?? ref}>`));

function block(s: Step, labels: Map<string, string>, idWidth: number): string[] {
  const checks = s.satisfies.length ? `   ${s.satisfies.join(" ")}` : "";
  const lines = [`  ${SYMBOL[s.action]} ${s.id.padEnd(idWidth)}  ${terminalInline(s.summary)}${checks}`];
  lines.push(`      ${s.request.method} ${showUrl(s.request.url, labels)}`);
  for (const c of s.changes)
    lines.push(
      c.old === undefined
        ? `      ${c.property}: ${show(c.new, labels)}`
        : `      ${c.property}: ${show(c.old, labels)} -> ${show(c.new, labels)}`,
    );
  if (s.risk) lines.push(`      risk: ${terminalInline(s.risk)}`);
  return lines;
}

export function renderPlanText(input: PlanTextInput): string {
  const labels = labelsOf(input.steps, input.names);
  const changes = input.steps.filter(isChange);
  const waiting = input.steps.filter((s) => !isChange(s));
  const idWidth = Math.min(40, Math.max(0, ...input.steps.map((s) => s.id.length)));
  const tenant = input.tenant.displayName
    ? `${terminalInline(input.tenant.displayName)} (${terminalInline(input.tenant.id)})`
    : terminalInline(input.tenant.id);
  const out = [`Breakglass plan for ${tenant}, read ${when(input.readAt)}`, ""];
  for (const s of changes) out.push(...block(s, labels, idWidth));
  if (waiting.length) {
    if (changes.length) out.push("");
    const who = input.awaitingEnrollment?.length
      ? ` (breakglass enroll ${input.awaitingEnrollment.map(terminalInline).join(", ")})`
      : "";
    out.push(`Waiting for enrollment${who}:`);
    for (const s of waiting) out.push(...block(s, labels, idWidth));
  }
  if (input.manual?.length) {
    if (out[out.length - 1] !== "") out.push("");
    out.push("Manual (Graph has no API for these: Breakglass can neither read nor change them):");
    for (const m of input.manual)
      out.push(
        `  ! ${m.id}  ${terminalInline(m.summary)}`,
        `      portal: ${terminalInline(m.portal)}`,
        `      why: ${terminalInline(m.why)}`,
      );
  }
  const n = summarize(input.steps);
  if (!changes.length) {
    if (out[out.length - 1] !== "") out.push("");
    out.push("No changes.");
    if (n.waiting)
      out.push(
        `${n.waiting} step${n.waiting === 1 ? "" : "s"} wait${n.waiting === 1 ? "s" : ""} for enrollment.`,
      );
  } else {
    out.push(
      "",
      `Plan: ${n.create} to create, ${n.update} to update, ${n.destroy} to destroy; ${n.waiting} waiting.`,
    );
  }
  return out.join("\n") + "\n";
}
