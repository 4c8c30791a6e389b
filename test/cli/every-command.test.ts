/**
 * The CLI's conventions, on every command of the program (walked, not listed, so a new command is
 * held to them too): two or three examples that parse with the CLI's own parser, the exit codes,
 * `--quiet`, `--verbose` and `--no-color`, required options marked, one description style; and
 * what the common options do on a command that gives them no meaning of its own.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, CommanderError, type Option } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { allCommands, leafCommands } from "../../src/cli/conventions.js";
import { buildProgram, main } from "../../src/cli/main.js";

const pathOf = (command: Command): string[] => {
  const path: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) path.unshift(c.name());
  return path;
};

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
  command.outputHelp();
  return text;
}

/** A shell line's words: quotes group, a pipe or a redirection ends the command. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = m[1] ?? m[2] ?? m[3]!;
    if (m[3] !== undefined && /^[|>]/.test(word)) break;
    words.push(/^<.*>$/.test(word) ? "placeholder" : word);
  }
  return words;
}

/** The program with every action replaced by nothing, for parsing examples. */
async function silentProgram(): Promise<Command> {
  const program = await buildProgram();
  program.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  for (const c of allCommands(program)) {
    c.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    if (c.commands.length === 0) c.action(() => undefined);
  }
  return program;
}

const program = await buildProgram();
const every = allCommands(program).map((c) => [pathOf(c).join(" "), c] as const);

describe("every command", () => {
  it("is walked: the program has its commands and subcommands", () => {
    const names = every.map(([name]) => name);
    for (const name of ["assess", "ca prove", "drill finish", "logs scan", "permissions", "demo"])
      expect(names).toContain(name);
  });

  it.each(every)("%s: two or three examples that parse, then the exit codes", async (name, command) => {
    const help = helpOf(command);
    expect(help).toContain("\nExamples:\n");
    const examples = help
      .slice(help.indexOf("Examples:"))
      .split("\n")
      .filter((l) => /^ {2}breakglass /.test(l));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    for (const example of examples) {
      expect(example.trim().startsWith(`breakglass ${name}`)).toBe(true);
      let error: unknown;
      try {
        await (await silentProgram()).parseAsync(["node", ...shellWords(example.trim())]);
      } catch (e) {
        error = e;
      }
      expect(error instanceof CommanderError ? `${example}: ${error.message}` : error).toBeUndefined();
    }
    expect(help).toMatch(/Exit codes: 0 [^\n]*; 2 [^\n]*70 internal error\./);
  });

  it.each(every)("%s: one description style (lower case, no full stop)", (_, command) => {
    const description = command.description();
    expect(description.length).toBeGreaterThan(10);
    expect(description).not.toMatch(/\.$/);
    // A proper noun may open it (Conditional Access); a verb or a noun phrase starts lower case.
    expect(description).toMatch(/^([a-z]|Conditional Access|Graph|Entra|Azure)/);
  });

  it.each(every)("%s: required options are marked in the help", (_, command) => {
    const help = helpOf(command);
    for (const option of command.options as readonly Option[])
      if (option.mandatory) {
        const line = help.split("\n").find((l) => l.trim().startsWith(option.flags));
        expect(line, option.flags).toBeDefined();
        expect(help.slice(help.indexOf(option.flags)).split(/\n {2}-/)[0]).toContain("(required)");
      }
  });

  it.each(leafCommands(program).map((c) => [pathOf(c).join(" "), c] as const))(
    "%s: takes --quiet, --verbose and --no-color",
    (_, command) => {
      const flags = (command.options as readonly Option[]).map((o) => o.long);
      expect(flags).toEqual(expect.arrayContaining(["--quiet", "--verbose", "--no-color"]));
    },
  );
});

describe("the common options where a command has no meaning of its own for them", () => {
  let dir: string;
  afterEach(async () => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    let noColor: string | undefined;
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout.push(String(chunk));
      noColor ??= process.env.NO_COLOR;
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    const code = await main(["node", "breakglass", ...argv]);
    vi.restoreAllMocks();
    return { code, stdout: stdout.join(""), stderr: stderr.join(""), noColor };
  }

  const plan = async (...extra: string[]) => {
    dir = await mkdtemp(join(tmpdir(), "bg-conventions-"));
    return run([
      "plan",
      "--snapshot",
      resolve("fixtures/tenants/before.json"),
      "--config",
      resolve("fixtures/tenants/before.breakglass.yaml"),
      "--out",
      join(dir, "plan.json"),
      ...extra,
    ]);
  };

  it("--quiet keeps the result and errors, not the notes on stderr", async () => {
    const loud = await plan();
    expect(loud.stderr).toContain("plan written to");
    const quiet = await plan("--quiet");
    expect(quiet.code).toBe(loud.code);
    expect(quiet.stdout).toBe(loud.stdout);
    expect(quiet.stderr).toBe("");
    // stderr is whole again after the run.
    const after = await plan();
    expect(after.stderr).toContain("plan written to");
  });

  it("--verbose ends with the exit code on stderr", async () => {
    const r = await plan("--verbose");
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe(`breakglass: plan exited ${r.code}`);
  });

  it("--no-color sets NO_COLOR for the run, and only for it", async () => {
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      expect((await plan("--no-color")).noColor).toBe("1");
      expect(process.env.NO_COLOR).toBeUndefined();
      expect((await plan()).noColor).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
  });
});
