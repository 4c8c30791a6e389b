/**
 * `split` delivery of a kept password to two files (docs/deploy.md "Secrets"): the first half of
 * each password to one file, the second half to the other, one per custodian, so that no one file,
 * medium or person holds a whole password. Written by the one atomic writer (0600, created with
 * O_EXCL, never over an existing file), and refused before anything is sent when a path:
 * - is inside a git work tree (a half committed by mistake is a half published);
 * - is the other half's file, or on the other half's file system (one disk would hold both);
 * - already exists (a half is never written over anything).
 */
import { lstat, realpath, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { checkWritable, writeFileAtomically, writeNewFileAtomically } from "./atomic-write.js";

export type HalfPaths = readonly [first: string, second: string];

export interface SplitTargetOptions {
  /** the id of the file system holding a directory (test seam; default: `stat().dev`) */
  deviceOf?: (dir: string) => Promise<number>;
}

/** A password's two halves, as the terminal's split shows them. */
export function halves(secret: string): [string, string] {
  const half = Math.ceil(secret.length / 2);
  return [secret.slice(0, half), secret.slice(half)];
}

const deviceOfDirectory = async (dir: string): Promise<number> => (await stat(dir)).dev;

/** The git work tree a directory is in: the nearest ancestor holding `.git` (a directory or a file). */
async function gitWorkTreeOf(dir: string): Promise<string | undefined> {
  let at = await realpath(dir);
  for (;;) {
    if (
      await lstat(join(at, ".git")).then(
        () => true,
        () => false,
      )
    )
      return at;
    const parent = dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}

/**
 * Refuses (exit 2, naming the path and what to do) paths the halves must not go to. Run before
 * anything is sent: a refusal after a password is set would leave it unknown to everyone.
 */
export async function checkHalfPaths(paths: HalfPaths, options: SplitTargetOptions = {}): Promise<void> {
  const [first, second] = paths.map((p) => resolve(p)) as [string, string];
  if (first === second)
    throw new UsageError(
      `--first-half and --second-half are both ${paths[0]}: each custodian's half goes to a file (and a medium) of its own`,
    );
  await checkWritable([first, second]);
  for (const [i, path] of [first, second].entries()) {
    if (
      await lstat(path).then(
        () => true,
        () => false,
      )
    )
      throw new UsageError(
        `${paths[i]} exists: a password half is never written over a file; remove it or name a new file`,
      );
    const tree = await gitWorkTreeOf(dirname(path));
    if (tree)
      throw new UsageError(
        `${paths[i]} is inside the git work tree ${tree}: a half committed by mistake is published; write it outside any repository (a removable drive)`,
      );
  }
  const deviceOf = options.deviceOf ?? deviceOfDirectory;
  if ((await deviceOf(dirname(first))) === (await deviceOf(dirname(second))))
    throw new UsageError(
      `${paths[0]} and ${paths[1]} are on one file system, which would hold both halves: give each custodian's half its own medium`,
    );
}

const HEADER = (n: 1 | 2) =>
  `# Breakglass: the ${n === 1 ? "FIRST" : "SECOND"} half of each emergency account's password (custodian ${n} of 2).\n` +
  `# The ${n === 1 ? "second" : "first"} half is with the other custodian. Never keep both halves together.\n`;

/**
 * The two files of one apply run. Each delivered password adds a line `<account> <half>` to each
 * file; the files are created by the first delivery (never over an existing file) and rewritten
 * whole, atomically, by each later one, so they always hold complete lines of the passwords set.
 */
export class HalfFiles {
  private readonly lines: [string[], string[]] = [[], []];
  constructor(readonly paths: HalfPaths) {}

  get delivered(): number {
    return this.lines[0].length;
  }

  async deliver(account: string, secret: string): Promise<void> {
    const parts = halves(secret);
    const first = this.lines[0].length === 0;
    for (const i of [0, 1] as const) {
      this.lines[i].push(`${account} ${parts[i]}`);
      const content = `${HEADER((i + 1) as 1 | 2)}${this.lines[i].join("\n")}\n`;
      if (first)
        await writeNewFileAtomically(this.paths[i], content, {
          whenExists: `it appeared after apply checked it; a password half is never written over a file, so the password just set on ${account} was not delivered: an administrator resets it`,
        });
      else await writeFileAtomically(this.paths[i], content);
    }
  }
}
