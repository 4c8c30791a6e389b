/**
 * The order vitest starts test files in (vitest.config.ts `sequence.sequencer`). Two workers share
 * the files; a long file started last leaves one core idle until it ends. Vitest's BaseSequencer
 * orders files by their durations in its results cache (node_modules/.vite/vitest/), but a clean
 * clone (CI) or `--no-cache` has none, and it then falls back to file size: the kill walks
 * (test/deploy/apply-sigkill-every.test.ts, a short file that runs the CLI once per journal step)
 * would start near the end. So, when any file has no recorded duration, the files that start
 * processes go first, the ones walking every kill point first of all; each group keeps vitest's
 * order. Known from the files themselves, so a new file is placed by what it does:
 *  - it walks every kill point: it imports `killPoints` (test/deploy/apply-support.ts), one apply
 *    run per point;
 *  - it starts processes: it imports the CLI spawn helper (test/support/cli.ts) or node:child_process.
 * Files of a project with isolation on (vitest.config.ts ISOLATED) go before all others, with or
 * without recorded durations: they cannot share the workers the other files reuse, so started last
 * they ran alone in a process of their own, loading the module graph again while the other core
 * idled (about 3 s at the end of a run).
 * With `--sequence.shuffle` the files are shuffled as vitest's own random sequencer does, with the
 * same `--sequence.seed`.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { shuffle } from "@vitest/utils";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const WALKS_EVERY_KILL_POINT = /\bkillPoints\b/;
const STARTS_PROCESSES = /from "(?:\.\.?\/)+support\/cli\.js"|from "node:child_process"/;

/** 0: walks every kill point, 1: starts processes, 2: the rest. */
export function startRank(source: string): number {
  if (WALKS_EVERY_KILL_POINT.test(source)) return 0;
  return STARTS_PROCESSES.test(source) ? 1 : 2;
}

export class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { config, cache } = this.ctx;
    if (config.sequence.shuffle) return shuffle([...files], config.sequence.seed);
    const sorted = await super.sort(files);
    // The same key BaseSequencer reads durations under.
    const key = (spec: TestSpecification) => `${spec.project.name}:${relative(config.root, spec.moduleId)}`;
    const isolatedFirst = (a: TestSpecification, b: TestSpecification) =>
      Number(!a.project.config.isolate) - Number(!b.project.config.isolate);
    // Array.prototype.sort is stable: within a rank, vitest's order stays.
    if (sorted.every((spec) => cache.getFileTestResults(key(spec)))) return sorted.sort(isolatedFirst);
    const rank = new Map(sorted.map((spec) => [spec, startRank(readFileSync(spec.moduleId, "utf8"))]));
    return sorted.sort((a, b) => isolatedFirst(a, b) || rank.get(a)! - rank.get(b)!);
  }
}
