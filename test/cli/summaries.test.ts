import { describe, expect, it } from "vitest";
import { demoSummary } from "../../src/cli/commands/demo.js";
import { exportSummary } from "../../src/cli/commands/export.js";
import type { ExportResult } from "../../src/collect/export.js";
import { parseSnapshot } from "../../src/snapshot/load.js";

/** Tenant names and service messages reach the terminal through these summaries. */
describe("export and demo summaries", () => {
  const hostile = "Contoso\u001b]8;;https://evil.example\u0007click\u001b[31m\u202eevil\u009b";
  const result: ExportResult = {
    snapshot: parseSnapshot({
      schema: "breakglass.snapshot/v1",
      tenant: { id: "t", displayName: hostile, capturedAt: "2026-11-01T10:00:00Z" },
      users: [],
      unavailable: { signIns: `403 Forbidden: ${hostile}` },
    }),
    subjects: [],
    requests: {
      requests: 1,
      graphRequests: 1,
      identityRequests: 2,
      armRequests: 0,
      batchedRequests: 0,
      maxDepth: 3,
      depthAfterToken: 1,
      throttled: 0,
      unavailableAnswers: 0,
      retryWaitMs: 0,
      pacingWaitMs: 0,
      networkRetries: 0,
      elapsedMs: 10,
    },
    writePermissions: [],
  };
  it.each([
    ["demo", () => demoSummary(result)],
    ["export", () => exportSummary(result)],
  ])("%s carries no control or bidi byte from tenant data, and shows it escaped", (_, summary) => {
    const text = summary();
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain("\\u{202e}");
    expect(text).toContain("403 Forbidden");
  });
});
