/**
 * The console's fix-first list at 100 columns (the demo's width): one line per check, the title,
 * the subject count and the fix each in a column that lines up on every row, no line past the width.
 */
import { describe, expect, it } from "vitest";
import { fitFix, renderConsole } from "../../src/report/console.js";
import { midsizeReport } from "./samples.js";

describe("fix first at 100 columns", () => {
  it("lines up the subject counts and the fixes, one line per check", async () => {
    const report = await midsizeReport();
    const lines = renderConsole(report, { color: false, width: 100 }).split("\n");
    const start = lines.findIndex((l) => l.startsWith("Fix first"));
    const rows = lines.slice(start + 1, lines.indexOf("", start));
    expect(rows.length).toBe(
      report.checks.filter((c) => ["fail", "error", "unknown"].includes(c.status)).length,
    );
    for (const row of rows) expect(Array.from(row).length).toBeLessThanOrEqual(100);
    // The subject count column starts at one place on every row ("1 user", "2 policies" ...).
    const counts = rows.map((r) =>
      r.search(/ {2}\d+ (users?|polic(y|ies)|groups?|roles?|resources?|subjects?) /),
    );
    expect(new Set(counts).size).toBe(1);
    // So does the fix column, right after the counts: a command after "$", a portal path from
    // "Entra", or, for a check no command or portal fixes (custody.yaml is edited by hand), its summary.
    const fixes = rows.map((r) => {
      const m = / {2}\d+ [a-z]+ +(?=\S)/.exec(r);
      return m ? m.index + m[0].length : -1;
    });
    expect(fixes.every((i) => i > 0)).toBe(true);
    expect(new Set(fixes).size).toBe(1);
    expect(rows.filter((r) => /(\$ |Entra )/.test(r)).length).toBeGreaterThan(rows.length / 2);
    expect(rows.some((r) => r.includes("$ breakglass apply"))).toBe(true);
  });

  it("elides the middle of a portal path, keeping the setting it ends at", () => {
    const path =
      "Entra > Protection > Conditional Access > Policies > CA015 > Users > Exclude > Users and groups";
    expect(fitFix(path, 200)).toBe(path);
    expect(fitFix(path, 41)).toBe("Entra > Protection > … > Users and groups");
    expect(fitFix(path, 40)).toBe("Entra > … > Exclude > Users and groups");
    expect(fitFix(path, 30)).toBe("Entra > … > Users and groups");
    expect(Array.from(fitFix(path, 40)).length).toBeLessThanOrEqual(40);
    expect(fitFix("$ breakglass ca prove --snapshot <file> --format json", 25)).toBe(
      "$ breakglass ca prove --…",
    );
  });
});
