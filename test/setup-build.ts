/**
 * Vitest global setup: the CLI tests spawn the bundled binary (test/support/cli.ts), so `dist/bin/`
 * must match the sources. Runs once per `vitest run`, in the main process, before any worker starts:
 * when a selected test file imports the spawn helper and some source the bundle is made from is
 * newer than it (or it is missing), it runs scripts/bundle-cli.mjs once (a second or two, without
 * type checking: `npm run build` and `npm run typecheck` are where type errors fail). A run that
 * spawns nothing (a single unit test file) never builds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { TestProject } from "vitest/node";

const ROOT = join(import.meta.dirname, "..");
/** the folders the CLI's bundle is made from (the emulator ships inside it: `breakglass emulator`) */
const SOURCE_DIRS = ["src", "emulator"];
const BUNDLE = "dist/bin/breakglass.js";
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

/** the first input newer than the bundle (or the bundle itself when it is missing), or undefined. */
export function staleSource(root = ROOT): string | undefined {
  const bundle = join(root, BUNDLE);
  if (!existsSync(bundle)) return bundle;
  const built = statSync(bundle).mtimeMs;
  // the lockfile too: the bundle holds the packages, so an upgraded one makes it stale
  const inputs = ["package.json", "package-lock.json", "scripts/bundle-cli.mjs"].map((f) => join(root, f));
  for (const dir of SOURCE_DIRS)
    if (existsSync(join(root, dir))) inputs.push(...sourceFiles(join(root, dir)));
  return inputs.find((input) => statSync(input).mtimeMs > built);
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
  process.stderr.write(`${BUNDLE} is older than ${relative(ROOT, stale)}: bundling once\n`);
  execFileSync(process.execPath, [join(ROOT, "scripts/bundle-cli.mjs")], { cwd: ROOT, stdio: "inherit" });
}
