import { describe, expect, it } from "vitest";
import { runCheck } from "../../src/checks/runner.js";
import type { Check, CheckContext, Finding } from "../../src/checks/types.js";
import { defaultConfig } from "../../src/config/schema.js";
import { Directory } from "../../src/snapshot/directory.js";
import { parseSnapshot } from "../../src/snapshot/load.js";

const ctxOf = (extra: object = {}, config = defaultConfig()): CheckContext => {
  const snapshot = parseSnapshot({
    schema: "breakglass.snapshot/v1",
    tenant: { id: "t", capturedAt: "2026-11-01T10:00:00Z" },
    users: [],
    ...extra,
  });
  return {
    snapshot,
    directory: new Directory(snapshot),
    config,
    accounts: { method: "config", resolved: [], unresolved: [] },
    now: new Date(snapshot.tenant.capturedAt),
  };
};
const check = (findings: Finding[] | (() => Finding[]), needs: Check["needs"] = ["users"]): Check => ({
  id: "EA-TST-01",
  title: "t",
  severity: "high",
  sources: ["000"],
  needs,
  evaluate: typeof findings === "function" ? findings : () => findings,
});

describe("check runner", () => {
  it("passes with no finding only when every need was read", () => {
    expect(runCheck(check([]), ctxOf()).status).toBe("pass");
    expect(runCheck(check([], ["signIns"]), ctxOf()).status).toBe("unknown");
    const r = runCheck(check([], ["users"]), ctxOf({ unavailable: { users: "403 Forbidden" } }));
    expect(r.status).toBe("unknown");
    expect(r.reason).toContain("403 Forbidden");
  });
  it("lets a proven fail stand beside unreadable data, but not a warn", () => {
    const unreadable = ctxOf({ unavailable: { "users[b].authenticationMethods": "429 after 6 retries" } });
    const needs = ["users[b].authenticationMethods"];
    expect(runCheck(check([{ status: "fail", message: "x" }], needs), unreadable).status).toBe("fail");
    expect(runCheck(check([{ status: "warn", message: "x" }], needs), unreadable).status).toBe("unknown");
  });
  it("treats anyOf needs as alternatives", () => {
    const needs = [{ anyOf: ["azure.scheduledQueryRules", "azure.sentinelAlertRules"] }];
    expect(runCheck(check([], needs), ctxOf({ azure: { sentinelAlertRules: [] } })).status).toBe("pass");
    expect(runCheck(check([], needs), ctxOf({ azure: {} })).status).toBe("unknown");
  });
  it("turns a throwing check into error, never pass", () => {
    const r = runCheck(
      check(() => {
        throw new Error("boom");
      }),
      ctxOf(),
    );
    expect(r.status).toBe("error");
    expect(r.reason).toContain("boom");
  });
  it("skips disabled checks with their reason and applies severity overrides", () => {
    const config = defaultConfig();
    config.checks["EA-TST-01"] = { enabled: false, reason: "reviewed" };
    const r = runCheck(check([{ status: "fail", message: "x" }]), ctxOf({}, config));
    expect(r).toMatchObject({ status: "skip", reason: "disabled in config: reviewed" });
    config.checks["EA-TST-01"] = { severity: "low" };
    expect(runCheck(check([]), ctxOf({}, config)).severity).toBe("low");
  });
});
