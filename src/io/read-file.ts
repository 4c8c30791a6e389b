/**
 * Reading an input file (snapshot, configuration, policy, request) with the checks every input
 * gets: a regular file, no larger than its kind may be and than V8 can hold as one string, read as
 * UTF-8. Every problem is a one-line UsageError naming the file (exit 2), never a crash.
 */
import { constants as bufferConstants } from "node:buffer";
import { constants as fsConstants } from "node:fs";
import { open } from "node:fs/promises";
import { describeErrno, UsageError } from "../errors.js";

/**
 * The longest file readable as one string. A UTF-8 file never has more characters than bytes, so
 * a byte count within V8's string limit is always safe to decode.
 */
export const MAX_TEXT_FILE_BYTES = bufferConstants.MAX_STRING_LENGTH;

export interface ReadTextOptions {
  /** the largest file of this kind (bytes); capped at what V8 can hold as a string. */
  maxBytes?: number;
  /** what the file is, in messages ("snapshot", "configuration"). */
  what: string;
  /** the fix to suggest when the file is too large. */
  tooLargeHint?: string;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MiB`;

export async function readTextFile(path: string, options: ReadTextOptions): Promise<string> {
  const limit = Math.min(options.maxBytes ?? MAX_TEXT_FILE_BYTES, MAX_TEXT_FILE_BYTES);
  const fail = (reason: string) => new UsageError(`${path}: cannot read the ${options.what}: ${reason}`);
  // O_NONBLOCK: a FIFO given as the file must not hang the command (regular files ignore it).
  const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK).catch(
    (err: NodeJS.ErrnoException) => {
      throw fail(describeErrno(err));
    },
  );
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw fail("it is a directory, a file is expected here");
    if (!info.isFile()) throw fail("not a regular file");
    if (info.size > limit)
      throw fail(
        `${info.size} bytes is larger than the ${limit} bytes (${mib(limit)}) a ${options.what} may have` +
          (options.tooLargeHint ? `; ${options.tooLargeHint}` : ""),
      );
    // A file that grew after the size check can still exceed the string limit: same message.
    return await handle.readFile("utf8").catch((err: NodeJS.ErrnoException) => {
      throw fail(err.code === "ERR_STRING_TOO_LONG" ? "too large to read" : describeErrno(err));
    });
  } finally {
    await handle.close();
  }
}
