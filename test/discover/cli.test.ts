import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { goodTenant } from "../support/tenant.js";

async function snapshotFile(): Promise<{ file: string; ids: string[] }> {
  const { t, bg1, bg2, group } = goodTenant();
  t.doc.conditionalAccessPolicies.push(
    {
      id: t.newId(),
      displayName: "Require MFA",
      state: "enabled",
      conditions: { users: { includeUsers: ["All"], excludeGroups: [group.id] } },
    },
    {
      id: t.newId(),
      displayName: "Block legacy",
      state: "enabled",
      conditions: { users: { includeUsers: ["All"], excludeUsers: [bg1.id, bg2.id] } },
    },
  );
  const dir = await mkdtemp(join(tmpdir(), "bg-discover-"));
  const file = join(dir, "tenant.json");
  await writeFile(file, JSON.stringify(t.build()));
  return { file, ids: [bg1.id, bg2.id] };
}

function captureStdout() {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  });
  return { text: () => chunks.join(""), spy };
}

afterEach(() => vi.restoreAllMocks());

describe("breakglass discover", () => {
  it("prints candidates with scores and selection as JSON", async () => {
    const { file, ids } = await snapshotFile();
    const out = captureStdout();
    const code = await main(["node", "breakglass", "discover", "--snapshot", file, "--format", "json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out.text());
    expect(json.threshold).toBe(50);
    const selected = json.candidates
      .filter((c: { selected: boolean }) => c.selected)
      .map((c: { id: string }) => c.id);
    expect(selected.sort()).toEqual(ids.sort());
    expect(json.candidates[0].signals[0]).toHaveProperty("weight");
  });
  it("prints a ranked text list", async () => {
    const { file } = await snapshotFile();
    const out = captureStdout();
    expect(await main(["node", "breakglass", "discover", "--snapshot", file])).toBe(0);
    expect(out.text()).toContain("k7q2m@contoso.onmicrosoft.com");
    expect(out.text()).toMatch(/\+\d+ excluded from 2 of 2 Conditional Access policies/);
  });
  it("rejects an unknown format with exit code 2", async () => {
    const { file } = await snapshotFile();
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["node", "breakglass", "discover", "--snapshot", file, "--format", "xml"])).toBe(2);
  });
});
