/**
 * Vitest global setup: the CLI tests spawn the built binary (test/support/cli.ts), so `dist/` must
 * match the sources. Runs once per `vitest run`, in the main process, before any worker starts:
 * when a selected test file imports the spawn helper and some source compiles to a missing or older
 * output, it runs `tsc` once. A run that spawns nothing (a single unit test file) never builds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import type { TestProject } from "vitest/node";

const ROOT = join(import.meta.dirname, "..");
/** the folders tsconfig.json compiles into dist/ (its `include`). */
const SOURCE_DIRS = ["src", "emulator", "bench"];
const SPAWN_HELPER = "support/cli.js";

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** the first source whose compiled output is missing or older than it, or undefined. */
export function staleSource(root = ROOT): string | undefined {
  const config = statSync(join(root, "tsconfig.json")).mtimeMs;
  for (const dir of SOURCE_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const source of sourceFiles(join(root, dir))) {
      const output = join(root, "dist", relative(root, source)).replace(/\.ts$/, ".js");
      if (!existsSync(output)) return source;
      const built = statSync(output).mtimeMs;
      if (built < statSync(source).mtimeMs || built < config) return source;
    }
  }
  return undefined;
}

async function selectedFilesSpawnTheBinary(project: TestProject): Promise<boolean> {
  // Internal to vitest (the CLI's file filters); when absent, every test file is selected.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const specs = await project.vitest.globTestSpecifications(filters);
  return specs.some((spec) => readFileSync(spec.moduleId, "utf8").includes(SPAWN_HELPER));
}

export default async function setup(project: TestProject): Promise<void> {
  const stale = staleSource();
  if (!stale || !(await selectedFilesSpawnTheBinary(project))) return;
  process.stderr.write(`dist/ is older than ${relative(ROOT, stale)}: building once (tsc)\n`);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
  } catch {
    // tsc still emits on type errors: the tests then run what the sources say, and
    // `npm run typecheck` is where type errors fail.
    process.stderr.write("tsc reported errors (see above); the tests use what it emitted\n");
  }
}
