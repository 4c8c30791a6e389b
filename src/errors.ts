/**
 * Errors that carry the process exit code, and the codes themselves (docs/exit-codes.md). Every
 * layer may throw these; only the CLI turns them into an exit code (`exitCodeOf`). Modules that
 * import nothing of ours (src/graph) give their errors an `exitCode` property of the same meaning.
 */

/** The exit codes of every command: one table, in the README and docs/exit-codes.md. */
export const EXIT = {
  /** the command did what was asked and found nothing at or above the threshold. */
  ok: 0,
  /** findings (assess), a counter-example (ca prove), changes (plan --exit-code, ca check-change). */
  findings: 1,
  /** usage or input/output problem: a flag, the config, a snapshot, a file that cannot be read or written. */
  usage: 2,
  /** the tenant could not be read: no token, or none of the core sections. */
  unreadable: 3,
  /** a safety gate refused the command. */
  refused: 4,
  /** the command ran but could not finish everything it was asked to do. */
  incomplete: 5,
  /** a bug: anything nobody anticipated. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with its own exit code; its name is its class's. */
abstract class ExitCodeError extends Error {
  abstract readonly exitCode: ExitCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An error the user can fix (bad flag, config, snapshot, path): printed without a stack, exit 2. */
export class UsageError extends ExitCodeError {
  readonly exitCode = EXIT.usage;
}

/** The tenant could not be read at all: no token, or none of the core sections (exit 3). */
export class TenantUnreadableError extends ExitCodeError {
  readonly exitCode = EXIT.unreadable;
}

/** A safety gate refused to go on (exit 4). */
export class RefusedError extends ExitCodeError {
  readonly exitCode = EXIT.refused;
}

/** The command ran but did not finish everything it was asked to (exit 5). */
export class IncompleteError extends ExitCodeError {
  readonly exitCode = EXIT.incomplete;
}

/** The codes an error may carry. 0 and 1 are outcomes, never errors; 70 is what nobody anticipated. */
const ERROR_CODES: ReadonlySet<number> = new Set([
  EXIT.usage,
  EXIT.unreadable,
  EXIT.refused,
  EXIT.incomplete,
]);

/**
 * A Node.js file-system error (`EACCES`, `EISDIR`, `ENOENT`...) that names its file: an input or
 * output problem the user can fix, never a bug.
 */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException & { path: string } {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === "string" &&
    typeof (err as NodeJS.ErrnoException).syscall === "string" &&
    typeof (err as NodeJS.ErrnoException).path === "string"
  );
}

/**
 * The exit code of an error: its own when it carries one of 2-5, 2 for a file-system error naming
 * its file, else 70 (internal error). Never 1: exit 1 means findings and nothing else.
 */
export function exitCodeOf(err: unknown): ExitCode {
  const code = (err as { exitCode?: unknown } | null | undefined)?.exitCode;
  if (typeof code === "number" && ERROR_CODES.has(code)) return code as ExitCode;
  if (isFileSystemError(err)) return EXIT.usage;
  return EXIT.internal;
}

/** The one line printed for an error: a file-system error says which file and what went wrong. */
export function errorLine(err: unknown): string {
  if (isFileSystemError(err)) return `${err.path}: ${describeErrno(err)}`;
  if (exitCodeOf(err) === EXIT.internal)
    return `internal error: ${err instanceof Error ? err.message : String(err)} (run again with --debug for the stack, and report it)`;
  return err instanceof Error ? err.message : String(err);
}

/** What an errno means to the person who has to fix it. */
export function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return `permission denied (${err.code})`;
    case "EISDIR":
      return "is a directory, a file is expected here";
    case "ENOTDIR":
      return "a path component is not a directory";
    case "EEXIST":
      return "already exists";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "read-only file system";
    default:
      return err.code ?? err.message;
  }
}
