/** An error the user can fix (bad flag, config, snapshot): printed without a stack, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The tenant could not be read at all (docs/report.md exit code 3). */
export class TenantUnreadableError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = "TenantUnreadableError";
  }
}

export function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown })?.exitCode;
  return typeof code === "number" ? code : 1;
}
