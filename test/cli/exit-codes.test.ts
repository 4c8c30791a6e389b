/**
 * The exit-code table of the README and docs/exit-codes.md, command by command, through `main` as
 * the binary runs it: 0 ok, 1 findings and nothing else, 2 every input or output problem (one line
 * naming the file), 3 the tenant was not read, 70 a bug (the stack only under --debug).
 */
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { errorLine, exitCodeOf } from "../../src/errors.js";
import { MAX_SNAPSHOT_BYTES } from "../../src/snapshot/load.js";
import { Directory } from "../../src/snapshot/directory.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/tenants");
const fixture = (name: string) => join(FIXTURES, name);
let dir: string;
const at = (name: string) => join(dir, name);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function breakglass(args: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const code = await main(["node", "breakglass", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = undefined;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bg-exit-"));
  await mkdir(at("a-directory"));
  await writeFile(at("huge.json"), "");
  await truncate(at("huge.json"), MAX_SNAPSHOT_BYTES + 1); // sparse: no disk used
  // A billion laughs: each level doubles the last; expanded, it is 2^30 copies.
  const levels = ['a0: &a0 ["lol"]'];
  for (let i = 1; i <= 30; i++) levels.push(`a${i}: &a${i} [*a${i - 1}, *a${i - 1}]`);
  await writeFile(at("bomb.yaml"), `${levels.join("\n")}\naccounts: *a30\n`);
  // The good sample as an export that could not read a single core section.
  const good = JSON.parse(await readFile(fixture("good.json"), "utf8"));
  const unread = { ...good, unavailable: { ...good.unavailable } };
  for (const section of ["users", "groups", "roleAssignments", "conditionalAccessPolicies"]) {
    delete unread[section];
    unread.unavailable[section] = "403 Forbidden: the app lacks the permission";
  }
  await writeFile(at("unread.json"), JSON.stringify(unread));
  // A configuration whose custody registry beside it names a key with no location.
  await mkdir(at("bad-custody"));
  await writeFile(at("bad-custody/breakglass.yaml"), await readFile(fixture("good.breakglass.yaml"), "utf8"));
  await writeFile(
    at("bad-custody/custody.yaml"),
    "custodians:\n  - { name: Ana, since: 2026-01-01 }\nkeys:\n  - { label: k1, account: a@b.c, custodians: [Ana] }\n",
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// good/breakglass.yaml: the config with the sample's records beside it, so the records checks pass too
const good = ["--snapshot", fixture("good.json"), "--config", fixture("good/breakglass.yaml")];
const midsize = ["--snapshot", fixture("midsize.json"), "--config", fixture("midsize.breakglass.yaml")];

/** [what, argv, exit code, what stderr says (one line naming the file for exit 2)]. */
const TABLE: Array<[string, () => string[], number, RegExp?]> = [
  ["assess: nothing fails", () => ["assess", ...good], 0],
  ["assess: findings", () => ["assess", ...midsize], 1],
  ["assess: unknown flag", () => ["assess", "--frobnicate"], 2, /unknown option/],
  [
    "assess: missing snapshot",
    () => ["assess", "--snapshot", at("none.json")],
    2,
    /none\.json.*no such file/,
  ],
  [
    "assess: a directory as the snapshot",
    () => ["assess", "--snapshot", at("a-directory")],
    2,
    /a-directory: cannot read the snapshot: it is a directory/,
  ],
  [
    "assess: a snapshot beyond the size limit (and V8's string limit)",
    () => ["assess", "--snapshot", at("huge.json")],
    2,
    /huge\.json: cannot read the snapshot: \d+ bytes is larger/,
  ],
  [
    "assess: a YAML alias bomb as the config",
    () => ["assess", "--snapshot", fixture("good.json"), "--config", at("bomb.yaml")],
    2,
    /bomb\.yaml: malformed YAML: .*alias/i,
  ],
  [
    "assess: a directory as --out",
    () => ["assess", ...good, "--format", "json", "--out", at("a-directory")],
    2,
    /a-directory: it is a directory/,
  ],
  [
    "assess: --out in a missing directory",
    () => ["assess", ...good, "--format", "json", "--out", at("nowhere/r.json")],
    2,
    /nowhere\/r\.json: directory .*nowhere: no such file or directory/,
  ],
  [
    "assess: a malformed custody registry beside the config",
    () => ["assess", "--snapshot", fixture("good.json"), "--config", at("bad-custody/breakglass.yaml")],
    2,
    /bad-custody\/custody\.yaml: invalid custody registry:[\s\S]*keys\[0\]\.location/,
  ],
  [
    "assess: no core section read",
    () => ["assess", "--snapshot", at("unread.json")],
    3,
    /unread\.json: none of the core sections was read \(users: 403/,
  ],
  [
    "assess --allow-unknown: no core section read",
    () => ["assess", "--snapshot", at("unread.json"), "--allow-unknown", "--fail-on", "critical"],
    3,
    /none of the core sections was read/,
  ],
  ["export: no credential", () => ["export", "--out", at("s.json")], 2, /AZURE_/],
  ["export: a directory as --out", () => ["export", "--out", at("a-directory")], 2, /it is a directory/],
  ["ca prove: proven", () => ["ca", "prove", ...good], 0],
  ["ca prove: refuted", () => ["ca", "prove", ...midsize], 1],
  [
    "ca prove: a directory as the snapshot",
    () => ["ca", "prove", "--snapshot", at("a-directory"), "--accounts", "x"],
    2,
    /a-directory: cannot read the snapshot/,
  ],
  [
    "ca whatif: a directory as the request",
    () => ["ca", "whatif", "--snapshot", fixture("good.json"), "--request", at("a-directory")],
    2,
    /a-directory/,
  ],
  ["discover: ok", () => ["discover", "--snapshot", fixture("good.json")], 0],
  [
    "discover: a directory as the snapshot",
    () => ["discover", "--snapshot", at("a-directory")],
    2,
    /a-directory: cannot read the snapshot: it is a directory/,
  ],
  ["permissions: ok", () => ["permissions", "export"], 0],
  ["permissions: unknown command", () => ["permissions", "nothing"], 2, /unknown command/],
  ["an unknown command", () => ["frobnicate"], 2],
];

describe("exit codes, per command", () => {
  it.each(TABLE)("%s", async (_what, argv, code, says) => {
    const r = await breakglass(argv());
    expect(r.code, r.stderr).toBe(code);
    if (says) expect(r.stderr).toMatch(says);
    if (code >= 2) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
  });
});

describe("an internal error", () => {
  const crash = () =>
    vi.spyOn(Directory.prototype, "user").mockImplementation(() => {
      throw new TypeError("cannot read properties of undefined (reading 'id')");
    });

  it("exits 70, says internal error, and shows no stack without --debug", async () => {
    const spy = crash();
    try {
      const r = await breakglass(["ca", "prove", ...good]);
      expect(r.code).toBe(70);
      expect(r.stderr).toMatch(/^breakglass: internal error: cannot read properties/);
      expect(r.stderr).toContain("--debug");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      spy.mockRestore();
    }
  });

  it("shows the stack under --debug", async () => {
    const spy = crash();
    try {
      const r = await breakglass(["ca", "prove", ...good, "--debug"]);
      expect(r.code).toBe(70);
      expect(r.stderr).toMatch(/\n\s+at /);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("exitCodeOf", () => {
  const errno = (code: string, path: string) =>
    Object.assign(new Error(`${code}: open '${path}'`), { code, syscall: "open", path });

  it("is 2 for a file-system error, naming its file (EACCES cannot be staged as root)", () => {
    const err = errno("EACCES", "/srv/report.json");
    expect(exitCodeOf(err)).toBe(2);
    expect(errorLine(err)).toBe("/srv/report.json: permission denied (EACCES)");
  });

  it("is never 1: an unknown error or an error claiming 1 is internal (70)", () => {
    expect(exitCodeOf(new Error("x"))).toBe(70);
    expect(exitCodeOf(Object.assign(new Error("x"), { exitCode: 1 }))).toBe(70);
    expect(exitCodeOf("a string")).toBe(70);
    expect(exitCodeOf(undefined)).toBe(70);
  });
});

describe("one run's exit code", () => {
  it("is not the next run's, and the caller's process.exitCode is back after each", async () => {
    // `ca prove` reports its refutation through process.exitCode; the `permissions` run after it in
    // the same process must still exit 0, as it does alone.
    const before = process.exitCode;
    process.exitCode = 5;
    try {
      expect((await breakglassKeepingExitCode(["ca", "prove", ...midsize])).code).toBe(1);
      expect(process.exitCode).toBe(5);
      expect((await breakglassKeepingExitCode(["permissions", "export"])).code).toBe(0);
      expect(process.exitCode).toBe(5);
    } finally {
      process.exitCode = before;
    }
  });
});

/** `breakglass` without its reset of process.exitCode: what `main` leaves there is asserted. */
async function breakglassKeepingExitCode(args: string[]): Promise<{ code: number }> {
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { code: await main(["node", "breakglass", ...args]) };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
