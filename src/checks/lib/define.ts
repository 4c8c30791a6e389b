/**
 * The one way to define a check: its metadata, its needs and its rule, with its documentation kept
 * beside it (`src/checks/ea-acc-01-two-accounts.ts` and its `.md`). The build (tsc) compiles
 * only `.ts`, so the compiled module in `dist/src/checks/` has no `.md` beside it; the Markdown is then
 * read from the source tree (`../../../src/checks/` relative to the compiled module). The file is read
 * lazily, on first use of `check.docs`, so a missing file never stops `assess`: the check still runs.
 */
import { readFileSync } from "node:fs";
import type { Check } from "../types.js";

const cache = new Map<string, string | undefined>();

/** The Markdown beside a check module (`file:///…/x.ts` or `…/x.js` -> `…/x.md`), or undefined. */
export function readCheckDocs(moduleUrl: string): string | undefined {
  if (cache.has(moduleUrl)) return cache.get(moduleUrl);
  const name = moduleUrl.replace(/^.*\//, "").replace(/\.[cm]?[jt]s$/, ".md");
  let text: string | undefined;
  for (const candidate of [`./${name}`, `../../../src/checks/${name}`]) {
    try {
      text = readFileSync(new URL(candidate, moduleUrl), "utf8");
      break;
    } catch {
      // not there: try the next place
    }
  }
  cache.set(moduleUrl, text);
  return text;
}

/** A check whose `docs` is the Markdown file beside `moduleUrl` (pass `import.meta.url`). */
export function defineCheck(moduleUrl: string, check: Omit<Check, "docs">): Check {
  return Object.defineProperty({ ...check } as Check, "docs", {
    get: () => readCheckDocs(moduleUrl),
    enumerable: true,
  });
}
