import { mkdtemp, writeFile, readFile, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadSnapshot,
  MAX_SNAPSHOT_BYTES,
  parseSnapshot,
  parseSnapshotText,
  saveSnapshot,
  SnapshotError,
} from "../../src/snapshot/load.js";

const minimal = () => ({
  schema: "breakglass.snapshot/v1",
  tenant: { id: "00000000-0000-0000-0000-0000000000aa", capturedAt: "2026-11-01T10:00:00Z" },
});

describe("snapshot load", () => {
  it("accepts a minimal snapshot and keeps unknown properties", () => {
    const doc = {
      ...minimal(),
      users: [{ id: "u1", accountEnabled: true, futureProperty: { nested: [1, 2] } }],
      somethingNew: 42,
    };
    const snap = parseSnapshot(doc) as any;
    expect(snap.users[0].futureProperty).toEqual({ nested: [1, 2] });
    expect(snap.somethingNew).toBe(42);
  });

  it("rejects malformed JSON with the line and column", () => {
    expect(() => parseSnapshotText('{\n  "schema": "breakglass.snapshot/v1",\n  oops\n}', "t.json")).toThrow(
      /t\.json: malformed JSON at line 3/,
    );
  });

  it("rejects an unknown schema string and says which it expects", () => {
    expect(() => parseSnapshot({ ...minimal(), schema: "breakglass.snapshot/v9" })).toThrow(
      /schema: expected "breakglass.snapshot\/v1", got "breakglass.snapshot\/v9"/,
    );
    expect(() => parseSnapshot([])).toThrow(SnapshotError);
  });

  it("names the JSON path of a wrong type", () => {
    const doc = {
      ...minimal(),
      users: [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d", accountEnabled: "yes" }],
    };
    expect(() => parseSnapshot(doc)).toThrow('users[3].accountEnabled: expected boolean, got "yes"');
  });

  it("names nested paths, azure resources and missing required fields", () => {
    const doc = {
      ...minimal(),
      tenant: { id: "x" },
      azure: { scheduledQueryRules: [{ id: 5 }] },
      unavailable: { signIns: 403 },
    };
    try {
      parseSnapshot(doc);
      expect.unreachable();
    } catch (err) {
      const issues = (err as SnapshotError).issues;
      expect(issues).toContain("tenant.capturedAt: expected string, got nothing");
      expect(issues).toContain("azure.scheduledQueryRules[0].id: expected string, got 5");
      expect(issues).toContain("unavailable.signIns: expected string, got 403");
    }
  });

  it("refuses a file above the size limit with a message naming the limit, without reading it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-snap-"));
    const file = join(dir, "huge.json");
    await writeFile(file, "");
    await truncate(file, MAX_SNAPSHOT_BYTES + 1); // sparse: no disk used
    await expect(loadSnapshot(file)).rejects.toThrow(
      /larger than the \d+ bytes \(512 MiB\) a snapshot may have/,
    );
  });

  it("saves atomically and round-trips", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-snap-"));
    const file = join(dir, "s.json");
    const snap = parseSnapshot({ ...minimal(), users: [{ id: "u", x: 1 }] });
    await saveSnapshot(file, snap);
    expect(await loadSnapshot(file)).toEqual(snap);
    const text = await readFile(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
  });

  it("does not write anything when the snapshot to save is invalid", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bg-snap-"));
    const file = join(dir, "bad.json");
    await expect(saveSnapshot(file, { schema: "nope" } as any)).rejects.toThrow(SnapshotError);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });
});
