import { custodyOf, daysBetween, defineCheck, isCurrent, isFinding, tenantSubject } from "./lib/index.js";
import type { Finding } from "./types.js";

export const check = defineCheck(import.meta.url, {
  id: "EA-OPS-04",
  title:
    "The runbook was reviewed recently and after the last custodian change, and custodians are trained on it",
  severity: "medium",
  sources: ["000", "001", "004"],
  needs: [],
  evaluate(ctx) {
    const custody = custodyOf(ctx);
    if (isFinding(custody)) return [custody];
    const subject = tenantSubject(ctx.snapshot);
    const interval = ctx.config.profile.reviewIntervalDays;
    const findings: Finding[] = [];
    const fail = (message: string, evidence: Record<string, unknown>, summary: string) =>
      findings.push({
        status: "fail",
        subject,
        message,
        evidence,
        remediation: { summary, command: "breakglass runbook" },
      });

    const review = custody.review;
    // The last change of custodians: someone joined or left on or before today.
    const changes = custody.custodians
      .flatMap((c) => [c.since, c.until])
      .filter((d): d is string => typeof d === "string" && new Date(d) <= ctx.now)
      .sort();
    const lastChange = changes.at(-1);
    if (!review) {
      fail(
        "the runbook has no recorded review (review: in custody.yaml)",
        {},
        "Review the runbook with the custodians and record the date and reviewer",
      );
    } else {
      const age = daysBetween(new Date(review.date), ctx.now);
      const evidence = {
        reviewedOn: review.date,
        by: review.by,
        ageDays: age,
        intervalDays: interval,
        lastCustodianChange: lastChange ?? null,
      };
      if (age > interval)
        fail(
          `the runbook was last reviewed ${age} days ago; reviews are due every ${interval} days`,
          evidence,
          "Review the runbook and record it",
        );
      else if (lastChange && new Date(review.date) < new Date(lastChange))
        fail(
          `the custodians changed on ${lastChange}, after the last review (${review.date})`,
          evidence,
          "Review the runbook with the new custodians and record it",
        );
      else
        findings.push({
          status: "pass",
          subject,
          message: `the runbook was reviewed ${age} days ago by ${review.by}`,
          evidence,
        });
    }

    const changedOn = custody.runbook?.changedOn;
    const current = custody.custodians.filter((c) => isCurrent(c, ctx.now));
    if (current.length === 0) {
      fail(
        "custody.yaml lists no current custodian: nobody is trained to run the procedure",
        {},
        "Name the custodians, train them and record it",
      );
    } else if (!changedOn) {
      findings.push({
        status: "unknown",
        subject,
        message:
          "runbook.changedOn is not recorded in custody.yaml: whether the custodians were trained on the current procedure cannot be told",
        evidence: { runbook: custody.runbook ?? null },
      });
    } else {
      const untrained = current.filter((c) => !c.trainedOn || new Date(c.trainedOn) < new Date(changedOn));
      if (untrained.length)
        fail(
          `${untrained.map((c) => c.name).join(", ")} not trained since the runbook changed on ${changedOn}`,
          { changedOn, untrained: untrained.map((c) => ({ name: c.name, trainedOn: c.trainedOn ?? null })) },
          "Train these custodians on the current procedure and record trainedOn",
        );
      else
        findings.push({
          status: "pass",
          subject,
          message: `all ${current.length} current custodians were trained after ${changedOn}`,
          evidence: { changedOn },
        });
    }
    return findings;
  },
});
