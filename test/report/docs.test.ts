import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../src/checks/registry.js";
import {
  DOCS_DIR,
  diffDocs,
  GENERATED_MARKER,
  readDocsDir,
  renderCheckDocs,
  writeDocs,
} from "../../src/report/docs.js";
import { demoChecks } from "./fixtures.js";

const registry = { checks: CHECKS };

describe("generated check docs", () => {
  it("renders a page per check from its metadata and docs, and an index", () => {
    const files = renderCheckDocs(demoChecks);
    expect([...files.keys()]).toEqual(["EA-ACC-02.md", "EA-AUTH-10.md", "README.md"]);
    const page = files.get("EA-ACC-02.md")!;
    expect(page.startsWith(GENERATED_MARKER)).toBe(true);
    expect(page).toContain("# EA-ACC-02: Every account is enabled");
    expect(page).toContain("| Severity | high |");
    // Sources are links to the guides (docs/sources.md), not bare ids.
    expect(page).toContain(
      "| Sources | [Microsoft Learn: Manage emergency access admin accounts](https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/security-emergency-access) |",
    );
    expect(page).toContain("A disabled emergency account cannot be used in an emergency.");
    // The check's own H1 is replaced by the page's.
    expect(page.match(/^# /gm)).toHaveLength(1);
    expect(files.get("EA-AUTH-10.md")).toContain("_This check has no documentation beside it yet._");
    const index = files.get("README.md")!;
    expect(index.indexOf("## Accounts (EA-ACC)")).toBeLessThan(index.indexOf("## Authentication (EA-AUTH)"));
    expect(index).toContain("| [EA-ACC-02](EA-ACC-02.md) | high | Every account is enabled |");
  });

  it("finds missing, outdated and stale pages, and writeDocs fixes them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-docs-"));
    try {
      const expected = renderCheckDocs(demoChecks);
      expect(diffDocs(await readDocsDir(dir), expected)).toEqual([
        "EA-ACC-02.md: missing",
        "EA-AUTH-10.md: missing",
        "README.md: missing",
      ]);
      await writeDocs(dir, expected);
      expect(diffDocs(await readDocsDir(dir), expected)).toEqual([]);
      await writeFile(join(dir, "EA-ACC-02.md"), "edited by hand\n");
      await writeFile(join(dir, "EA-OLD-01.md"), `${GENERATED_MARKER}\n# gone\n`);
      await writeFile(join(dir, "NOTES.md"), "not generated\n");
      expect(diffDocs(await readDocsDir(dir), expected)).toEqual([
        "EA-ACC-02.md: out of date",
        "EA-OLD-01.md: no check has this id any more (stale)",
        "NOTES.md: no check has this id any more (stale)",
      ]);
      await writeDocs(dir, expected);
      expect(await readFile(join(dir, "EA-ACC-02.md"), "utf8")).toBe(expected.get("EA-ACC-02.md"));
      // Only generated pages are removed; a hand-written file is reported, never deleted.
      expect(diffDocs(await readDocsDir(dir), expected)).toEqual([
        "NOTES.md: no check has this id any more (stale)",
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(`${DOCS_DIR} matches the check registry (else run: npx tsx scripts/gen-docs.ts)`, async () => {
    const committed = await readDocsDir(new URL(`../../${DOCS_DIR}/`, import.meta.url).pathname);
    expect(diffDocs(committed, renderCheckDocs(registry.checks))).toEqual([]);
  });
});
