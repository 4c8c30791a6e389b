/**
 * The alerts export reads for EA-MON-05: those of each log search rule over the sign-in tables,
 * last 30 days, one request per rule; a read that fails leaves `azure.alerts` unavailable with the
 * reason, never an empty list that would read as "no alert fired".
 */
import { describe, expect, it } from "vitest";
import { collectAzure, watchesSignIns } from "../../src/collect/azure.js";
import type { ArmApi, ArmObject } from "../../src/graph/index.js";
import { ReadError } from "../../src/graph/errors.js";

const SUB = "/subscriptions/0000aaaa-0000-4000-8000-000000000001/providers";
const rule = (name: string, query: string): ArmObject => ({
  id: `${SUB}/Microsoft.Insights/scheduledQueryRules/${name}`.replace(
    "/providers",
    "/resourceGroups/rg/providers",
  ),
  name,
  properties: { criteria: { allOf: [{ query }] } },
});
const SIGN_IN_RULE = rule("sqr-signin", "SigninLogs | where UserId in ('a')");
const AUDIT_RULE = rule("sqr-audit", "AuditLogs | where TargetResources has 'a'");
const ALERT = { id: "/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/1", name: "sqr-signin" };

/** An ARM that answers the listing paths it is given, records what it was asked, 404s the rest. */
function fakeArm(answers: Record<string, ArmObject[] | ReadError>): { arm: ArmApi; asked: string[] } {
  const asked: string[] = [];
  const arm = {
    async list(path: string) {
      asked.push(path);
      const hit = Object.entries(answers).find(([prefix]) => path.startsWith(prefix))?.[1];
      if (hit instanceof ReadError) return { ok: false as const, error: hit };
      if (hit) return { ok: true as const, items: hit };
      return { ok: true as const, items: [] };
    },
  } as unknown as ArmApi;
  return { arm, asked };
}

const BASE = {
  "/subscriptions?": [
    {
      id: "/subscriptions/0000aaaa-0000-4000-8000-000000000001",
      subscriptionId: "0000aaaa-0000-4000-8000-000000000001",
    },
  ],
  [`${SUB}/Microsoft.Insights/scheduledQueryRules`]: [SIGN_IN_RULE, AUDIT_RULE],
};

describe("the alerts of the sign-in rules", () => {
  it("tells a sign-in rule by its query's table", () => {
    expect(watchesSignIns(SIGN_IN_RULE)).toBe(true);
    expect(watchesSignIns(rule("n", "AADNonInteractiveUserSignInLogs | take 1"))).toBe(true);
    expect(watchesSignIns(AUDIT_RULE)).toBe(false);
  });

  it("reads each sign-in rule's alerts of the last 30 days, and only those", async () => {
    const { arm, asked } = fakeArm({ ...BASE, [`${SUB}/Microsoft.AlertsManagement/alerts`]: [ALERT] });
    const c = collectAzure(arm);
    await c.done;
    const alertReads = asked.filter((p) => p.includes("Microsoft.AlertsManagement"));
    expect(alertReads).toEqual([
      `${SUB}/Microsoft.AlertsManagement/alerts?api-version=2019-05-05-preview&alertRule=${encodeURIComponent(String(SIGN_IN_RULE.id))}&timeRange=30d`,
    ]);
    expect(c.azure.alerts).toEqual([ALERT]);
    expect(c.unavailable["azure.alerts"]).toBeUndefined();
  });

  it("leaves the alerts unavailable, with the reason, when their read fails", async () => {
    const denied = new ReadError(403, "AuthorizationFailed", "403 Forbidden: no alerts read");
    const { arm } = fakeArm({ ...BASE, [`${SUB}/Microsoft.AlertsManagement/alerts`]: denied });
    const c = collectAzure(arm);
    await c.done;
    expect(c.azure.alerts).toBeUndefined();
    expect(c.unavailable["azure.alerts"]).toMatch(/403 Forbidden: Reader at each subscription not granted/);
  });

  it("leaves the alerts unavailable when the rules could not be listed", async () => {
    const { arm } = fakeArm({
      ...BASE,
      [`${SUB}/Microsoft.Insights/scheduledQueryRules`]: new ReadError(
        500,
        "InternalError",
        "500 after 6 retries",
      ),
    });
    const c = collectAzure(arm);
    await c.done;
    expect(c.azure.alerts).toBeUndefined();
    expect(c.unavailable["azure.alerts"]).toMatch(/^not read: azure\.scheduledQueryRules unavailable/);
  });
});
