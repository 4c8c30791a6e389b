import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // This machine has 2 cores; vitest would otherwise leave one idle.
    maxWorkers: 2,
    minWorkers: 1,
    // Builds dist/ once when a selected test spawns the binary and a source is newer.
    globalSetup: ["test/setup-build.ts"],
    // Fails any test that waits out a real timer longer than 1 s.
    setupFiles: ["test/setup-timers.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
