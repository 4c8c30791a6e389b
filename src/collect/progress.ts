/**
 * The export's progress line for a person on a terminal: one line on stderr, rewritten in place.
 * Nothing at all when stderr is not a TTY (CI logs, redirects), so logs stay clean.
 */
import type { ProgressEvent } from "./export.js";

export interface Progress {
  update(event: ProgressEvent): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(event) {
      const now = Date.now();
      if (now - last < 100) return; // a redraw per read would flicker
      last = now;
      shown = true;
      const left = Math.ceil(event.remainingMs / 1000);
      const pace = left > 0 ? `, about ${left} s left at Graph's pace` : "";
      const line = `export: ${event.reads.done}/${event.reads.total} reads${pace}, ${event.requests} requests, depth ${event.depth} (${event.done})`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    finish() {
      if (shown) stream.write("\r\x1b[2K");
    },
  };
}
