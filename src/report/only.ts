/**
 * `--only fail,unknown`: what a report lists, by status. A check stays when its status or one of
 * its findings' is asked for, with only the findings asked for. Presentation only: the summary,
 * the verdict and so the exit code stay those of the whole run, and the report says it is cut.
 */
import { STATUS_ORDER, type Status } from "../checks/types.js";
import type { Report } from "./model.js";

export const isStatus = (name: string): name is Status => (STATUS_ORDER as readonly string[]).includes(name);

export function onlyStatuses(report: Report, statuses: readonly Status[]): Report {
  const wanted = new Set(statuses);
  const checks = report.checks
    .filter((check) => wanted.has(check.status) || check.findings.some((f) => wanted.has(f.status)))
    .map((check) => ({ ...check, findings: check.findings.filter((f) => wanted.has(f.status)) }));
  return { ...report, checks, only: STATUS_ORDER.filter((s) => wanted.has(s)) };
}
