/**
 * Runs `breakglass` as a person does: the binary package.json's `bin` names (`dist/bin/breakglass.js`,
 * bundled by scripts/bundle-cli.mjs) in its own Node process. `test/setup-build.ts` bundles it once
 * per run when a test file importing this module is selected and a source file is newer than the
 * bundle, so a spawn costs Node's start-up and the command's own chunks, not a TypeScript loader.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, "../..");
export const BIN = join(ROOT, "dist/bin/breakglass.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `nodeArgs`: options of the Node process itself, before the binary (V8 flags, `--import`). */
export async function breakglass(
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...nodeArgs, BIN, ...args], {
      cwd: ROOT,
      // Only what the command needs: nothing from the developer's AZURE_* may leak in.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
