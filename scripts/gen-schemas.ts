/**
 * Writes the shipped JSON Schemas (schemas/breakglass.config.schema.json,
 * schemas/breakglass.report.schema.json) from their zod definitions.
 *   npx tsx scripts/gen-schemas.ts          write them
 *   npx tsx scripts/gen-schemas.ts --check  exit 1 when a committed file is out of date
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedSchemaFiles } from "../src/report/schema-files.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
let stale = 0;
for (const [path, content] of generatedSchemaFiles()) {
  const file = resolve(root, path);
  const current = await readFile(file, "utf8").catch(() => undefined);
  if (current === content) continue;
  if (check) {
    stale++;
    process.stderr.write(`${path}: out of date; run npx tsx scripts/gen-schemas.ts\n`);
  } else {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content, "utf8");
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
