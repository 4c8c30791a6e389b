import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { renderRoutesMarkdown } from "../../../emulator/graph/routes-doc.js";
import { buildRoutes } from "../../../emulator/graph/routes/index.js";

describe("ROUTES.md", () => {
  it("is the committed rendering of the route table (regenerate: npx tsx emulator/graph/routes-doc.ts > emulator/graph/ROUTES.md)", async () => {
    const committed = await readFile(new URL("../../../emulator/graph/ROUTES.md", import.meta.url), "utf8");
    expect(committed).toBe(await renderRoutesMarkdown());
  });

  it("lists every route exactly once per method and pattern", () => {
    const keys = buildRoutes().map((r) => `${r.method} ${r.pattern}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
