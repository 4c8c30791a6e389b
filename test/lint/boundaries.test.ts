/**
 * The layer rules of docs/architecture.md are code (.dependency-cruiser.cjs, run by `npm run lint`).
 * This proves they fire: a small tree with deliberately wrong imports, checked with the project's
 * own rules, reports exactly those imports, and nothing for the allowed ones.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const DEPCRUISE = join(ROOT, "node_modules/.bin/depcruise");

/** file -> content: one wrong import per rule kind, and allowed imports beside them. */
const TREE: Record<string, string> = {
  "src/cli/cmd.ts": "export const x = 1;\n",
  // the pure core reaching into the shell
  "src/snapshot/wrong.ts": 'import { x } from "../cli/cmd.js";\nexport const y = x;\n',
  "src/checks/types.ts": 'export const STATUS_ORDER = ["fail", "pass"];\nexport type Status = string;\n',
  "src/checks/runner.ts": "export function runChecks() {\n  return 1;\n}\n",
  // a renderer may use the check vocabulary, never run checks
  "src/report/render.ts":
    'import { runChecks } from "../checks/runner.js";\nimport { STATUS_ORDER } from "../checks/types.js";\nexport const z = [runChecks(), STATUS_ORDER];\n',
  "src/config/schema.ts": "export type Envelope = { a: 1 };\nexport const ENVELOPE = 1;\n",
  // the CA engine may use the config's types, not its values
  "src/ca/typed.ts":
    'import type { Envelope } from "../config/schema.js";\nexport const ok = (e: Envelope) => e;\n',
  "src/ca/valued.ts": 'import { ENVELOPE } from "../config/schema.js";\nexport const bad = ENVELOPE;\n',
  // the shared leaves are for everyone
  "src/errors.ts": "export class UsageError extends Error {}\n",
  "src/graph/client.ts": 'import { UsageError } from "../errors.js";\nexport const e = UsageError;\n',
  "tsconfig.json":
    '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true } }\n',
};

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-boundaries-"));
  for (const [file, content] of Object.entries(TREE)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), content);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the dependency rules", () => {
  it("report exactly the wrong imports", async () => {
    const run = await promisify(execFile)(
      DEPCRUISE,
      ["src", "--config", join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "json"],
      { cwd: dir },
    ).catch((err: { stdout: string }) => err);
    const violations = (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary
      .violations;
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort()).toEqual([
      "ca-imports-types-only: src/ca/valued.ts -> src/config/schema.ts",
      "report-imports: src/report/render.ts -> src/checks/runner.ts",
      "snapshot-imports: src/snapshot/wrong.ts -> src/cli/cmd.ts",
    ]);
  });
});
