/**
 * `split` delivery to two files (src/io/split-secret.ts): the refusals (a git work tree, one file,
 * one file system, an existing file, a missing directory), each a usage error (exit 2) naming the
 * path, and the files themselves (0600, one line per account, complete after each delivery).
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT, UsageError } from "../../src/errors.js";
import { checkHalfPaths, HalfFiles, halves } from "../../src/io/split-secret.js";

let root: string;
/** two directories on what the check takes for two file systems */
let a: string;
let b: string;
const twoDevices = { deviceOf: async (dir: string) => (dir.startsWith(a) ? 1 : 2) };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "bg-split-"));
  a = join(root, "custodian-1");
  b = join(root, "custodian-2");
  await mkdir(a);
  await mkdir(b);
});
afterEach(async () => rm(root, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(EXIT.usage);
  return (err as Error).message;
}

describe("the halves' paths", () => {
  it("two new files on two file systems, outside any git work tree: accepted", async () => {
    await expect(checkHalfPaths([join(a, "half-1.txt"), join(b, "half-2.txt")], twoDevices)).resolves.toBe(
      undefined,
    );
  });

  it("refuses both halves to one file", async () => {
    const f = join(a, "both.txt");
    expect(await refusal(checkHalfPaths([f, join(a, ".", "both.txt")], twoDevices))).toMatch(
      /--first-half and --second-half are both .*both\.txt/,
    );
  });

  it("refuses two files on one file system (the real device ids)", async () => {
    expect(await refusal(checkHalfPaths([join(a, "h1"), join(b, "h2")]))).toMatch(
      /are on one file system, which would hold both halves/,
    );
  });

  it("refuses an existing file, and never touches it", async () => {
    const existing = join(b, "half-2.txt");
    await writeFile(existing, "someone's notes\n");
    expect(await refusal(checkHalfPaths([join(a, "half-1.txt"), existing], twoDevices))).toMatch(
      /half-2\.txt exists: a password half is never written over a file/,
    );
    expect(await readFile(existing, "utf8")).toBe("someone's notes\n");
  });

  it("refuses a path inside a git work tree (a .git directory or a .git file, at any depth above)", async () => {
    await mkdir(join(b, "repo", ".git"), { recursive: true });
    await mkdir(join(b, "repo", "docs"));
    expect(await refusal(checkHalfPaths([join(a, "h1"), join(b, "repo", "docs", "h2")], twoDevices))).toMatch(
      /h2 is inside the git work tree .*repo: a half committed by mistake is published/,
    );
    // a worktree or submodule has a .git file
    await writeFile(join(a, ".git"), "gitdir: /elsewhere\n");
    expect(await refusal(checkHalfPaths([join(a, "h1"), join(root, "h2")], twoDevices))).toMatch(
      /h1 is inside the git work tree/,
    );
  });

  it("refuses a directory that does not exist", async () => {
    expect(await refusal(checkHalfPaths([join(a, "nope", "h1"), join(b, "h2")], twoDevices))).toMatch(
      /cannot write .*nope.*h1/,
    );
  });
});

describe("the halves' files", () => {
  const secrets = ["A".repeat(32) + "b".repeat(32), "C".repeat(32) + "d".repeat(32)];

  it("the first half of each password in one file, the second in the other, 0600, complete after each delivery", async () => {
    const files = new HalfFiles([join(a, "h1"), join(b, "h2")]);
    await files.deliver("kp7wd@example.onmicrosoft.com", secrets[0]!);
    const after1 = await readFile(join(a, "h1"), "utf8");
    expect(after1).toContain(`kp7wd@example.onmicrosoft.com ${"A".repeat(32)}\n`);
    expect(after1).not.toContain("b".repeat(32));
    await files.deliver("tr3zm@example.onmicrosoft.com", secrets[1]!);
    const [one, two] = [await readFile(join(a, "h1"), "utf8"), await readFile(join(b, "h2"), "utf8")];
    expect(one).toMatch(/^# Breakglass: the FIRST half .*custodian 1 of 2/);
    expect(one.split("\n").filter((l) => !l.startsWith("#") && l)).toEqual([
      `kp7wd@example.onmicrosoft.com ${"A".repeat(32)}`,
      `tr3zm@example.onmicrosoft.com ${"C".repeat(32)}`,
    ]);
    expect(two.split("\n").filter((l) => !l.startsWith("#") && l)).toEqual([
      `kp7wd@example.onmicrosoft.com ${"b".repeat(32)}`,
      `tr3zm@example.onmicrosoft.com ${"d".repeat(32)}`,
    ]);
    for (const s of secrets) for (const text of [one, two]) expect(text).not.toContain(s);
    for (const f of [join(a, "h1"), join(b, "h2")]) expect((await stat(f)).mode & 0o777).toBe(0o600);
    expect(files.delivered).toBe(2);
  });

  it("a file that appears after the check is not written over", async () => {
    const files = new HalfFiles([join(a, "h1"), join(b, "h2")]);
    await writeFile(join(a, "h1"), "planted\n");
    expect(await refusal(files.deliver("kp7wd", secrets[0]!))).toMatch(
      /h1 exists; it appeared after apply checked it/,
    );
    expect(await readFile(join(a, "h1"), "utf8")).toBe("planted\n");
  });

  it("halves as the terminal shows them: the first rounded up", () => {
    expect(halves("abcde")).toEqual(["abc", "de"]);
    expect(halves("a".repeat(64)).map((h) => h.length)).toEqual([32, 32]);
  });
});
