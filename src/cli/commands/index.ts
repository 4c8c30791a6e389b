import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

/**
 * Every command of the CLI, in the order `--help` lists them, one file each. A command's module
 * (with what it imports: Azure SDKs, the Graph client, the emulator, renderers) is loaded only when
 * that command runs or help lists them all, so `breakglass --version` or `ca prove` does not pay
 * for the others' imports.
 */
export const commands: Record<string, () => Promise<RegisterCommand>> = {
  assess: async () => (await import("./assess.js")).register,
  discover: async () => (await import("./discover.js")).registerDiscover,
  ca: async () => (await import("./ca.js")).register,
  export: async () => (await import("./export.js")).register,
  init: async () => (await import("./init.js")).register,
  plan: async () => (await import("./plan.js")).register,
  "export-rules": async () => (await import("./export-rules.js")).register,
  apply: async () => (await import("./apply.js")).register,
  enroll: async () => (await import("./enroll.js")).register,
  drill: async () => (await import("./drill.js")).register,
  due: async () => (await import("./drill.js")).registerDue,
  use: async () => (await import("./use.js")).register,
  runbook: async () => (await import("./runbook.js")).register,
  permissions: async () => (await import("./permissions.js")).register,
  logs: async () => (await import("./logs.js")).register,
  emulator: async () => (await import("./emulator.js")).register,
  demo: async () => (await import("./demo.js")).register,
};
