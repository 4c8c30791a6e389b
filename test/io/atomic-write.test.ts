/**
 * The one atomic writer: a hostile local user who can write into a shared sticky directory (/tmp)
 * cannot redirect or read what Breakglass writes there, and a set of files is all or nothing.
 */
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exitCodeOf } from "../../src/errors.js";
import {
  checkOutputDirectory,
  checkWritable,
  temporaryNameFor,
  writeFileAtomically,
  writeFilesAtomically,
} from "../../src/io/atomic-write.js";

let root: string;
/** A shared directory like /tmp: everyone may create files, only owners may remove theirs. */
let shared: string;
/** A file outside the shared directory that an attacker wants overwritten (/etc/shadow). */
let victim: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "bg-atomic-"));
  shared = join(root, "shared");
  await mkdir(shared);
  await chmod(shared, 0o1777);
  victim = join(root, "victim");
  await writeFile(victim, "precious\n", { mode: 0o644 });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o7777;
const leftovers = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith(".tmp"));

describe("writeFileAtomically", () => {
  it("writes the content owner-only (0600), with no temporary file left", async () => {
    const target = join(shared, "report.json");
    await writeFileAtomically(target, "{}\n");
    expect(await readFile(target, "utf8")).toBe("{}\n");
    expect(await mode(target)).toBe(0o600);
    expect(await leftovers(shared)).toEqual([]);
  });

  it("replaces a planted symlink at the target instead of writing through it", async () => {
    const target = join(shared, "report.json");
    await symlink(victim, target);
    await writeFileAtomically(target, "report\n");
    expect(await readFile(victim, "utf8")).toBe("precious\n");
    expect((await lstat(target)).isSymbolicLink()).toBe(false);
    expect(await readFile(target, "utf8")).toBe("report\n");
    expect(await mode(target)).toBe(0o600);
  });

  it("does not write into a planted world-writable file, so its planter reads nothing", async () => {
    const target = join(shared, "snapshot.json");
    await writeFile(target, "", { mode: 0o666 });
    await chmod(target, 0o666);
    // The attacker keeps the planted file open, waiting for the content.
    const spy = await open(target, "r");
    try {
      await writeFileAtomically(target, "the emergency accounts\n");
      expect((await spy.readFile("utf8")).length).toBe(0);
    } finally {
      await spy.close();
    }
    expect(await mode(target)).toBe(0o600);
    expect(await readFile(target, "utf8")).toBe("the emergency accounts\n");
  });

  it("refuses a symlink planted at the temporary name (O_EXCL) and leaves the victim alone", async () => {
    const target = join(shared, "report.json");
    // An attacker who could guess the temporary name plants a symlink there.
    await symlink(victim, temporaryNameFor(target, "guessed"));
    const err = await writeFileAtomically(target, "report\n", { random: () => "guessed" }).catch((e) => e);
    expect(exitCodeOf(err)).toBe(2);
    expect(err.message).toContain(target);
    expect(await readFile(victim, "utf8")).toBe("precious\n");
    expect((await lstat(temporaryNameFor(target, "guessed"))).isSymbolicLink()).toBe(true);
    await expect(stat(target)).rejects.toThrow();
  });
});

describe("writeFilesAtomically: a set is all or nothing", () => {
  it("puts back every file already replaced when a later one cannot be written", async () => {
    const first = join(shared, "a.json");
    const second = join(shared, "b.json");
    const fresh = join(shared, "c.json");
    await writeFile(first, "old a\n");
    let calls = 0;
    // After the checks and before the renames, the second target becomes a directory.
    const random = () => {
      calls++;
      if (calls === 2) void mkdir(second).catch(() => undefined);
      return `r${calls}`;
    };
    const err = await writeFilesAtomically(
      [
        { path: first, content: "new a\n" },
        { path: fresh, content: "new c\n" },
        { path: second, content: "new b\n" },
      ],
      { random },
    ).catch((e) => e);
    expect(exitCodeOf(err)).toBe(2);
    expect(err.message).toContain(second);
    expect(await readFile(first, "utf8")).toBe("old a\n");
    await expect(stat(fresh)).rejects.toThrow();
    expect((await readdir(shared)).sort()).toEqual(["a.json", "b.json"]);
  });

  it("writes nothing when one path of the set is a directory", async () => {
    await mkdir(join(shared, "b.json"));
    const err = await writeFilesAtomically([
      { path: join(shared, "a.json"), content: "a" },
      { path: join(shared, "b.json"), content: "b" },
    ]).catch((e) => e);
    expect(exitCodeOf(err)).toBe(2);
    expect(err.message).toMatch(/b\.json: it is a directory/);
    expect(await readdir(shared)).toEqual(["b.json"]);
  });
});

describe("checking output paths before a long read", () => {
  it("names a missing directory, a file used as a directory, and a directory used as a file", async () => {
    await writeFile(join(root, "file"), "");
    await mkdir(join(root, "dir"));
    const message = async (p: Promise<void>) => {
      const err = await p.catch((e) => e);
      expect(exitCodeOf(err)).toBe(2);
      return (err as Error).message;
    };
    expect(await message(checkWritable([join(root, "missing", "s.json")]))).toMatch(
      /cannot write .*missing\/s\.json: directory .*missing: no such file or directory/,
    );
    expect(await message(checkWritable([join(root, "file", "s.json")]))).toMatch(/file is not a directory/);
    expect(await message(checkWritable([join(root, "dir")]))).toMatch(/it is a directory/);
    expect(await message(checkOutputDirectory(join(root, "file", "out")))).toMatch(/file is not a directory/);
    await expect(checkOutputDirectory(join(root, "new", "deeper"))).resolves.toBeUndefined();
  });
});
