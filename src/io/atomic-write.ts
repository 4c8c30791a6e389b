/**
 * THE file writer of Breakglass: every file the tool writes (snapshots, reports, plans, journals,
 * drill records) goes through `writeFilesAtomically` or `writeFileAtomically`. Do not write files
 * any other way.
 *
 * Why one writer, and why this way: the outputs name the emergency accounts, and the tool runs as
 * root in CI and on admin workstations, often into shared directories (/tmp). So:
 * - each temporary file has a random name and is created with O_EXCL (`wx`) and mode 0600 in the
 *   target's own directory: a symlink or file planted at the temporary name makes the write fail
 *   instead of following it, and no one else can open what is being written;
 * - the content is fsync'ed, then renamed over the target: rename replaces a planted symlink or a
 *   world-writable file at the target name instead of writing through it, and a reader sees the old
 *   file or the new one, never half of one;
 * - a set of files (`--out-dir`) is all or nothing: every temporary file is written first, then all
 *   are renamed; if one rename fails, the targets already replaced get their previous content back
 *   (kept as hard links until the set is complete);
 * - every failure removes the temporary files and is a one-line error naming the file (exit 2).
 */
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, link, lstat, mkdir, open, readlink, rename, stat, symlink, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { describeErrno, UsageError } from "../errors.js";

export interface FileToWrite {
  /** the target path (absolute, or relative to the working directory). */
  path: string;
  content: string | Uint8Array;
}

export interface AtomicWriteOptions {
  /** test seam: the random part of temporary names. */
  random?: () => string;
}

/** Every file a tool writes is readable by its owner only: the outputs name the emergency accounts. */
export const OUTPUT_FILE_MODE = 0o600;

const defaultRandom = () => randomBytes(12).toString("hex");

/** `.<name>.<random>.tmp` beside the target. */
export const temporaryNameFor = (path: string, random: string): string =>
  join(dirname(path), `.${basename(path)}.${random}.tmp`);

function cannotWrite(path: string, reason: string): UsageError {
  return new UsageError(`cannot write ${path}: ${reason}`);
}

const reasonOf = (err: unknown): string =>
  err instanceof UsageError
    ? err.message
    : typeof (err as NodeJS.ErrnoException)?.code === "string"
      ? describeErrno(err as NodeJS.ErrnoException)
      : String(err);

/**
 * Checks, before any long read, that each path can be written: its directory exists, is a
 * directory and is writable, and the path itself is not a directory. Throws a UsageError naming the
 * first path that cannot (exit 2). Writing can still fail later (a full disk); this catches the
 * mistakes a person makes on the command line before an export of many minutes.
 */
export async function checkWritable(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const dir = dirname(path);
    const dirInfo = await stat(dir).catch((err: NodeJS.ErrnoException) => err);
    if (dirInfo instanceof Error) throw cannotWrite(path, `directory ${dir}: ${reasonOf(dirInfo)}`);
    if (!dirInfo.isDirectory()) throw cannotWrite(path, `${dir} is not a directory`);
    try {
      await access(dir, fsConstants.W_OK | fsConstants.X_OK);
    } catch (err) {
      throw cannotWrite(path, `directory ${dir}: ${reasonOf(err)}`);
    }
    const target = await lstat(path).catch(() => undefined);
    if (target?.isDirectory()) throw cannotWrite(path, "it is a directory, a file is expected here");
  }
}

/**
 * Checks, before any long read, that `dir` can hold output files: it is a writable directory, or
 * it does not exist yet and its nearest existing ancestor is one (`ensureDirectory` creates it).
 */
export async function checkOutputDirectory(dir: string): Promise<void> {
  const fail = (reason: string) => new UsageError(`cannot write into ${dir}: ${reason}`);
  let probe = dir;
  for (;;) {
    const info = await stat(probe).catch((err: NodeJS.ErrnoException) => err);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw fail(`${probe} is not a directory`);
      try {
        await access(probe, fsConstants.W_OK | fsConstants.X_OK);
      } catch (err) {
        throw fail(`${probe}: ${reasonOf(err)}`);
      }
      return;
    }
    if (info.code !== "ENOENT" && info.code !== "ENOTDIR") throw fail(`${probe}: ${reasonOf(info)}`);
    const parent = dirname(probe);
    if (parent === probe) throw fail("no part of the path exists");
    probe = parent;
  }
}

/** Creates an output directory (and its parents) readable by its owner only, if missing. */
export async function ensureDirectory(dir: string): Promise<void> {
  await checkOutputDirectory(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err) => {
    throw new UsageError(`cannot create ${dir}: ${reasonOf(err)}`);
  });
}

/** One file, atomically (see the module comment). */
export async function writeFileAtomically(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFilesAtomically([{ path, content }], options);
}

/**
 * A new file, never replacing anything: the temporary file is hard-linked to the target, which
 * fails if anything (a file, a symlink) is already there. For files a person owns and edits, such
 * as the configuration `init` writes. `whenExists` says what to do when the target exists.
 */
export async function writeNewFileAtomically(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions & { whenExists?: string } = {},
): Promise<void> {
  await checkWritable([path]);
  const tmp = temporaryNameFor(path, (options.random ?? defaultRandom)());
  await writeTemporary(tmp, content).catch((err) => {
    throw cannotWrite(path, reasonOf(err));
  });
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      throw new UsageError(`${path} exists; ${options.whenExists ?? "it is never replaced"}`);
    throw cannotWrite(path, reasonOf(err));
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDirectories([dirname(path)]);
}

/** What was at a target before the set replaced it, to put back if the set fails. */
type Previous = { kind: "none" } | { kind: "file"; keptAs: string } | { kind: "symlink"; linkTo: string };

interface Pending {
  path: string;
  tmp: string;
  previous?: Previous;
  renamed: boolean;
}

/**
 * A set of files, all or nothing (see the module comment). Paths must be distinct. On failure
 * every target is as it was and a UsageError names the file that could not be written.
 */
export async function writeFilesAtomically(
  files: readonly FileToWrite[],
  options: AtomicWriteOptions = {},
): Promise<void> {
  const random = options.random ?? defaultRandom;
  if (new Set(files.map((f) => resolve(f.path))).size !== files.length)
    throw new Error("writeFilesAtomically: the same path twice in one set");
  await checkWritable(files.map((f) => f.path));
  const pending: Pending[] = [];
  try {
    for (const file of files) {
      const tmp = temporaryNameFor(file.path, random());
      await writeTemporary(tmp, file.content).catch((err) => {
        throw cannotWrite(file.path, reasonOf(err));
      });
      // Only once created: a failed open (EEXIST) must not remove a file someone else planted.
      pending.push({ path: file.path, tmp, renamed: false });
    }
    for (const entry of pending) {
      entry.previous = await keepPrevious(entry.path, random).catch((err) => {
        throw cannotWrite(entry.path, `cannot keep the previous file for rollback: ${reasonOf(err)}`);
      });
    }
    for (const entry of pending) {
      await rename(entry.tmp, entry.path).catch((err) => {
        throw cannotWrite(entry.path, reasonOf(err));
      });
      entry.renamed = true;
    }
  } catch (err) {
    await rollBack(pending);
    throw err instanceof UsageError ? err : cannotWrite(files[0]?.path ?? "(nothing)", reasonOf(err));
  }
  await Promise.all(pending.map((p) => forgetPrevious(p.previous)));
  await syncDirectories(new Set(pending.map((p) => dirname(p.path))));
}

/** Creates `tmp` exclusively (O_CREAT|O_EXCL: never through a planted symlink), writes, fsyncs. */
async function writeTemporary(tmp: string, content: string | Uint8Array): Promise<void> {
  const handle = await open(tmp, "wx", OUTPUT_FILE_MODE);
  let ok = false;
  try {
    await handle.writeFile(content);
    await handle.sync();
    ok = true;
  } finally {
    await handle.close();
    // Only a file this call created is removed.
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
}

async function keepPrevious(path: string, random: () => string): Promise<Previous> {
  const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (!info) return { kind: "none" };
  if (info.isSymbolicLink()) return { kind: "symlink", linkTo: await readlink(path) };
  // A hard link keeps the old content without copying it, and without opening it.
  const keptAs = temporaryNameFor(path, `${random()}.previous`);
  await link(path, keptAs);
  return { kind: "file", keptAs };
}

async function forgetPrevious(previous: Previous | undefined): Promise<void> {
  if (previous?.kind === "file") await unlink(previous.keptAs).catch(() => undefined);
}

/** Puts every replaced target back as it was and removes every temporary file. Best effort. */
async function rollBack(pending: readonly Pending[]): Promise<void> {
  for (const entry of pending) {
    if (!entry.renamed) {
      await unlink(entry.tmp).catch(() => undefined);
      await forgetPrevious(entry.previous);
      continue;
    }
    const previous = entry.previous;
    if (previous?.kind === "file") await rename(previous.keptAs, entry.path).catch(() => undefined);
    else {
      await unlink(entry.path).catch(() => undefined);
      if (previous?.kind === "symlink") await symlink(previous.linkTo, entry.path).catch(() => undefined);
    }
  }
}

/** fsync each directory so the renames survive a crash (best effort: not every platform can). */
async function syncDirectories(dirs: Iterable<string>): Promise<void> {
  for (const dir of dirs) {
    const handle = await open(dir, "r").catch(() => undefined);
    if (!handle) continue;
    await handle.sync().catch(() => undefined);
    await handle.close();
  }
}
