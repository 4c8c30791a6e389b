import { configDefaults, defineConfig } from "vitest/config";

/**
 * Test files that need a module graph of their own: `vi.mock` of a src module only takes effect in
 * a graph where that module has not been loaded yet. Every other file shares its worker's graph
 * with the files before it (no isolation: a process and a TypeScript transform per file would cost
 * more than a minute of the suite), so tests must leave no state behind (docs/architecture.md,
 * "Tests").
 */
const ISOLATED = ["test/checks/needs.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    // This machine has 2 cores; vitest would otherwise leave one idle.
    maxWorkers: 2,
    minWorkers: 1,
    // The pool reads isolation from here: off, so a worker runs many files. The isolated project
    // turns it back on for its files, which then start from a fresh module graph each.
    isolate: false,
    // Starts the long files first when vitest has no durations of an earlier run (a clean clone).
    sequence: { sequencer: (await import("./test/sequencer.js")).LongFilesFirst },
    // Bundles dist/bin/ once when a selected test spawns the binary and a source is newer.
    globalSetup: ["test/setup-build.ts"],
    // Fails any test that waits out a real timer longer than 1 s.
    setupFiles: ["test/setup-timers.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...ISOLATED],
        },
      },
      { extends: true, test: { name: "isolated", include: ISOLATED, isolate: true } },
    ],
  },
});
