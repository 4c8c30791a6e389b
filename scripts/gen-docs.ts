/**
 * Writes docs/checks/<id>.md and docs/checks/README.md from the check registry's metadata and docs.
 *   npx tsx scripts/gen-docs.ts          write them (and remove pages of checks that are gone)
 *   npx tsx scripts/gen-docs.ts --check  exit 1 when the committed docs differ
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CHECKS as checks } from "../src/checks/registry.js";
import { DOCS_DIR, diffDocs, readDocsDir, renderCheckDocs, writeDocs } from "../src/report/docs.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = resolve(root, DOCS_DIR);
const expected = renderCheckDocs(checks);
if (process.argv.includes("--check")) {
  const problems = diffDocs(await readDocsDir(dir), expected);
  for (const p of problems) process.stderr.write(`${DOCS_DIR}/${p}\n`);
  if (problems.length > 0) process.stderr.write("run npx tsx scripts/gen-docs.ts\n");
  process.exitCode = problems.length > 0 ? 1 : 0;
} else {
  const changed = await writeDocs(dir, expected);
  process.stdout.write(
    changed.length ? `updated ${changed.map((c) => `${DOCS_DIR}/${c}`).join(", ")}\n` : "docs up to date\n",
  );
}
