/**
 * Errors of the client stack. src/graph imports nothing of ours (a layering rule), so these carry
 * their own `exitCode` the CLI reads (`exitCodeOf`): a bad auth setting is the user's to fix (2).
 */
export class AuthConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "AuthConfigError";
  }
}

/** A Graph or ARM read that failed after the retry budget ran out. */
export class ReadError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "ReadError";
  }
}
