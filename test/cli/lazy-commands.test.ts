/**
 * Start-up: `breakglass` loads only the module of the command it runs (src/cli/main.ts), so the
 * table of lazily loaded commands must name exactly the commands their modules register.
 */
import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { buildProgram, commandsFor } from "../../src/cli/main.js";

const argv = (...args: string[]) => ["node", "breakglass", ...args];

describe("lazily loaded commands", () => {
  it("each table entry registers the command it is named after, in help order", async () => {
    for (const name of Object.keys(commands)) {
      const program = await buildProgram([name]);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
    const all = await buildProgram();
    expect(all.commands.map((c) => c.name())).toEqual(Object.keys(commands));
  });

  it("loads the command argv runs, none for --version, all for help or an unknown word", () => {
    expect(commandsFor(argv("ca", "prove", "--snapshot", "s.json"))).toEqual(["ca"]);
    expect(commandsFor(argv("assess", "--help"))).toEqual(["assess"]);
    expect(commandsFor(argv("--version"))).toEqual([]);
    expect(commandsFor(argv("-V"))).toEqual([]);
    const all = Object.keys(commands);
    expect(commandsFor(argv())).toEqual(all);
    expect(commandsFor(argv("--help"))).toEqual(all);
    expect(commandsFor(argv("--version", "--help"))).toEqual(all);
    expect(commandsFor(argv("help", "ca"))).toEqual(all);
    expect(commandsFor(argv("asess"))).toEqual(all); // commander suggests `assess`
    expect(commandsFor(argv("constructor"))).toEqual(all); // not an inherited property
  });
});
