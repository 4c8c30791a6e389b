/**
 * Every fix that names a `breakglass ...` command names one that exists today: each suggested line
 * of every sample tenant's assessment (and of the good sample with each fault deploy governs), and
 * each command line the checks' sources can suggest, is parsed by the CLI's own parser (commands
 * and options as `breakglass` defines them, actions replaced so that nothing runs). A fix that
 * `breakglass apply` makes names the `--target` kinds that make it (issue 13, item 8).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCheckContext, CHECKS } from "../../src/checks/registry.js";
import { runChecks } from "../../src/checks/runner.js";
import { buildProgram } from "../../src/cli/main.js";
import { FAULTS } from "../deploy/repair-faults.js";
import { clone, sample } from "../deploy/support.js";
import { fixtureConfig, fixtureNames, loadFixture } from "../e2e/helpers.js";

/** Every command of the tree, its action replaced by nothing. */
function silence(command: Command): void {
  for (const sub of command.commands) {
    sub.exitOverride();
    sub.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    if (sub.commands.length === 0) sub.action(() => undefined);
    silence(sub);
  }
}

async function parser(): Promise<Command> {
  const program = await buildProgram();
  program.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  silence(program);
  return program;
}

/** The words of a suggested line, its placeholders (`<file>`) filled with a plausible value. */
const words = (line: string) =>
  line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((w) => (/^<.*>$/.test(w) ? "placeholder.json" : w));

/** The parser's complaint about a line, or undefined when it parses. */
async function complaint(line: string): Promise<string | undefined> {
  try {
    await (await parser()).parseAsync(["node", "breakglass", ...words(line)]);
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError) return `${line}: ${e.message}`;
    throw e;
  }
}

const suggestedBy = (results: ReturnType<typeof runChecks>): string[] =>
  results
    .flatMap((c) => c.findings)
    .map((f) => f.remediation?.command)
    .filter((c): c is string => c !== undefined && c.startsWith("breakglass "));

/** The command lines written in the checks' sources, each `${...}` filled with a plausible word. */
function writtenInChecks(): string[] {
  const dir = join(import.meta.dirname, "../../src/checks");
  const out: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const m of text.matchAll(/command:\s*(["'`])(breakglass [^"'`]*)\1/g))
      out.push(m[2]!.replace(/\$\{[^}]*\}/g, "x"));
  }
  return out;
}

describe("suggested breakglass commands", () => {
  const assessed = new Set<string>();
  beforeAll(async () => {
    for (const name of fixtureNames()) {
      const context = buildCheckContext(await loadFixture(name), await fixtureConfig(name));
      for (const line of suggestedBy(runChecks(CHECKS, context))) assessed.add(line);
    }
    const good = sample("good");
    for (const fault of FAULTS) {
      const s = clone(good.snapshot);
      fault.plant(s);
      for (const line of suggestedBy(runChecks(CHECKS, buildCheckContext(s, good.config))))
        assessed.add(line);
    }
  });

  it("each line the sample tenants' assessments suggest parses with the CLI's own parser", async () => {
    expect(assessed.size).toBeGreaterThan(5);
    const problems = (await Promise.all([...assessed].map(complaint))).filter(Boolean);
    expect(problems).toEqual([]);
  });

  it("each command line the checks can suggest parses, and `breakglass apply` names its --target", async () => {
    const written = writtenInChecks();
    expect(written.length).toBeGreaterThan(20);
    const problems = (await Promise.all([...new Set(written)].map(complaint))).filter(Boolean);
    // the drill, use and runbook lines are among them
    for (const command of ["drill", "use", "runbook"])
      expect(written.some((l) => words(l)[0] === command)).toBe(true);
    expect(problems).toEqual([]);
    const untargeted = written.filter((l) => /^breakglass apply\b/.test(l) && !/ --target \w/.test(l));
    expect(untargeted).toEqual([]);
    expect([...assessed].filter((l) => /^breakglass apply\b/.test(l) && !/ --target \w/.test(l))).toEqual([]);
  });

  it("would catch a command, an option or a --target kind that does not exist", async () => {
    expect(await complaint("breakglass repair-everything")).toMatch(/unknown command/);
    expect(await complaint("breakglass ca prove --snapshot x --bogus")).toMatch(/unknown option/);
    expect(await complaint("breakglass apply --target everything")).toMatch(/everything/);
    expect(await complaint("breakglass apply --target methods")).toBeUndefined();
  });
});
