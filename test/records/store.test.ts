import { mkdir, mkdtemp, readFile, stat, symlink, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileRecordStore } from "../../src/records/store.js";
import { RefusedError, UsageError } from "../../src/errors.js";

const tempRoot = () => mkdtemp(join(tmpdir(), "bg-store-"));

describe("FileRecordStore streams", () => {
  it("appends records that read back in order, in a 0600 file under .breakglass/", async () => {
    const store = new FileRecordStore(await tempRoot());
    await store.append("journal/p1", { n: 1 });
    await store.append("journal/p1", { n: 2, text: "line\nbreak" });
    expect(await store.read("journal/p1")).toEqual([{ n: 1 }, { n: 2, text: "line\nbreak" }]);
    expect(await store.streams("journal")).toEqual(["journal/p1"]);
    const mode = (await stat(join(store.root, ".breakglass/journal/p1.jsonl"))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it("ignores a torn last line (a killed writer) and cuts it before the next append", async () => {
    const store = new FileRecordStore(await tempRoot());
    await store.append("journal/p", { n: 1 });
    const path = join(store.root, ".breakglass/journal/p.jsonl");
    await appendFile(path, '{"n": 2, "tru');
    expect(await store.read("journal/p")).toEqual([{ n: 1 }]);
    await store.append("journal/p", { n: 3 });
    expect(await store.read("journal/p")).toEqual([{ n: 1 }, { n: 3 }]);
    expect(await readFile(path, "utf8")).toBe('{"n":1}\n{"n":3}\n');
  });

  it("empties a stream whose only line is torn before the next append", async () => {
    const store = new FileRecordStore(await tempRoot());
    const path = join(store.root, ".breakglass/journal/p.jsonl");
    await mkdir(join(store.root, ".breakglass/journal"), { recursive: true });
    await writeFile(path, '{"n": 1, "tru');
    expect(await store.read("journal/p")).toEqual([]);
    await store.append("journal/p", { n: 2 });
    expect(await readFile(path, "utf8")).toBe('{"n":2}\n');
  });

  it("refuses a symlink planted at a stream's name and leaves its target alone", async () => {
    const store = new FileRecordStore(await tempRoot());
    const victim = join(store.root, "victim.txt");
    await writeFile(victim, "precious\n");
    await mkdir(join(store.root, ".breakglass/journal"), { recursive: true });
    await symlink(victim, join(store.root, ".breakglass/journal/p.jsonl"));
    await expect(store.append("journal/p", { n: 1 })).rejects.toThrow(/ELOOP/);
    expect(await readFile(victim, "utf8")).toBe("precious\n");
  });

  it("refuses a complete line that is not JSON, naming the file and line", async () => {
    const store = new FileRecordStore(await tempRoot());
    await store.append("journal/p", { n: 1 });
    await appendFile(join(store.root, ".breakglass/journal/p.jsonl"), "not json\n");
    await expect(store.read("journal/p")).rejects.toThrow(/journal\/p\.jsonl line 2 is not JSON/);
  });

  it("refuses names that leave the store", async () => {
    const store = new FileRecordStore(await tempRoot());
    for (const bad of ["../x", "journal/../../x", "/etc/passwd", "", "a//b"])
      await expect(store.append(bad, {})).rejects.toThrow(UsageError);
  });

  it("returns nothing for streams and documents that do not exist", async () => {
    const store = new FileRecordStore(await tempRoot());
    expect(await store.read("journal/none")).toEqual([]);
    expect(await store.streams("journal")).toEqual([]);
    expect(await store.readDocument("custody.yaml")).toBeUndefined();
    await store.writeDocument("custody.yaml", "a: 1\n");
    expect(await store.readDocument("custody.yaml")).toBe("a: 1\n");
  });
});

describe("FileRecordStore locks", () => {
  it("refuses a second holder while the first lives, naming it, and frees on release", async () => {
    const root = await tempRoot();
    const first = new FileRecordStore(root, { pid: 101, host: "h", isAlive: () => true });
    const second = new FileRecordStore(root, { pid: 202, host: "h", isAlive: () => true });
    const lock = await first.lock("apply", "breakglass apply");
    await expect(second.lock("apply", "breakglass apply")).rejects.toThrow(RefusedError);
    await expect(second.lock("apply", "breakglass apply")).rejects.toThrow(/pid 101 on h/);
    await lock.release();
    const again = await second.lock("apply", "breakglass apply");
    expect(again.holder.pid).toBe(202);
  });

  it("takes over a lock whose holder is gone (SIGKILL) on this host, not one of another host", async () => {
    const root = await tempRoot();
    await new FileRecordStore(root, { pid: 101, host: "h", isAlive: () => true }).lock("apply", "x");
    const dead = new FileRecordStore(root, { pid: 202, host: "h", isAlive: (pid) => pid !== 101 });
    expect((await dead.lock("apply", "y")).holder.pid).toBe(202);
    const root2 = await tempRoot();
    await new FileRecordStore(root2, { pid: 101, host: "other" }).lock("apply", "x");
    await expect(
      new FileRecordStore(root2, { pid: 202, host: "h", isAlive: () => false }).lock("apply", "y"),
    ).rejects.toThrow(/on other/);
  });

  it("takes over an unreadable lock file", async () => {
    const root = await tempRoot();
    const store = new FileRecordStore(root);
    await store.append("x", {});
    await writeFile(join(root, ".breakglass/apply.lock"), "");
    expect((await store.lock("apply", "y")).holder.pid).toBe(process.pid);
  });
});
