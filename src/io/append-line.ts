/**
 * Durable appends to a record stream (a JSON Lines file): the journal of `apply` and the other
 * records of src/records. The atomic writer (atomic-write.ts) replaces whole files; a journal
 * instead grows one line at a time and must survive SIGKILL between any two of its writes, so:
 *
 * - the file is opened with O_APPEND|O_CREAT|O_NOFOLLOW and mode 0600 (a planted symlink fails the
 *   open instead of being written through), the line is written in one write() and fsynced before
 *   the call returns: a record the caller saw written is on disk;
 * - a process killed mid-write can leave a last line without its newline. The reader ignores such
 *   a torn tail, and the next append cuts it off first, so every complete line stays valid JSON.
 */
import { constants as fs } from "node:fs";
import { open } from "node:fs/promises";

/** Cuts a torn last line (no trailing newline) left by a killed writer. */
async function dropTornTail(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, fs.O_RDWR | fs.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    // Walk back to the previous newline; journals are small, one chunk at a time is plenty.
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at >= 0) {
        await handle.truncate(start + at + 1);
        await handle.sync();
        return;
      }
      end = start;
    }
    await handle.truncate(0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Appends one line (a newline is added) and fsyncs it. */
export async function appendLineDurably(path: string, line: string): Promise<void> {
  if (line.includes("\n")) throw new Error("appendLineDurably: a record is one line");
  await dropTornTail(path);
  const handle = await open(path, fs.O_WRONLY | fs.O_APPEND | fs.O_CREAT | fs.O_NOFOLLOW, 0o600);
  try {
    await handle.write(`${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The complete lines of a stream; a torn last line (a killed writer) is left out. */
export function completeLines(text: string): string[] {
  const lines = text.split("\n");
  // after the last "\n" comes either "" (complete) or a torn line
  lines.pop();
  return lines.filter((l) => l.length > 0);
}
