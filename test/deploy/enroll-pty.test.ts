/**
 * The pass is a secret shown once: `breakglass enroll` run as a person runs it, the built binary
 * under a pseudo-terminal (util-linux `script`), against the HTTPS emulator. The test plays the
 * person: it reads the pass off the terminal, signs in and registers two keys through the control
 * endpoints. The pass must then appear on the one line that shows it and nowhere else: not in
 * another line of the terminal, not on stderr (redirected to a file), not in any file written beside
 * the configuration, not in a record.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, breakglass } from "../support/cli.js";
import {
  FEITIAN,
  KP7WD,
  YUBIKEY,
  filesUnder,
  passIn,
  startTenant,
  type EnrollHarness,
} from "./enroll-support.js";

let h: EnrollHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** POSIX shell quoting for the command line `script` runs. */
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe("breakglass enroll under a pseudo-terminal", () => {
  it("shows the pass on one terminal line and writes it nowhere", async () => {
    h = await startTenant(undefined, {}, Date.now);
    const harness = h;
    const errDir = mkdtempSync(join(tmpdir(), "bg-enroll-stderr-"));
    const stderrFile = join(errDir, "stderr.txt");
    const command = [
      sh(process.execPath),
      sh(BIN),
      "enroll",
      sh(KP7WD),
      "--config",
      sh(join(harness.dir, "breakglass.yaml")),
      "--yes",
      "--timeout",
      "2m",
      "--poll-interval",
      "100ms",
      `2>${sh(stderrFile)}`,
    ].join(" ");
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: harness.dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TERM: "dumb", ...harness.emu.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let transcript = "";
    let acted: Promise<void> | undefined;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      transcript += chunk;
      const pass = passIn(transcript);
      if (pass && !acted)
        acted = (async () => {
          const id = /* the person knows the account */ (
            await harness.control(`/users/${KP7WD}/signIn`, { temporaryAccessPass: pass })
          ).body.userId as string;
          for (const key of [YUBIKEY, FEITIAN])
            expect((await harness.control(`/users/${id}/fido2Methods`, key)).status).toBe(201);
        })();
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    await acted;
    const stderr = readFileSync(stderrFile, "utf8");
    expect(code, `${transcript}\n${stderr}`).toBe(0);

    const pass = passIn(transcript)!;
    expect(pass).toMatch(/^\S{8,}$/);
    const lines = transcript.split(/\r?\n/);
    expect(lines.filter((l) => l.includes(pass))).toEqual([`Temporary Access Pass for ${KP7WD}: ${pass}`]);
    expect(transcript).toContain("is enrolled");
    expect(stderr).not.toContain(pass);
    const files = filesUnder(harness.dir);
    // the enrollment record is there (it explains the sign-in), and holds no pass
    expect(files.some((f) => f.path.startsWith(join(harness.dir, "enrollments/")))).toBe(true);
    for (const f of files) expect(f.text, f.path).not.toContain(pass);
  });

  it("the same command with its output in a pipe: exit 2 and the fix, no pass created", async () => {
    h = await startTenant(undefined, {}, Date.now);
    const r = await breakglass(
      ["enroll", KP7WD, "--config", join(h.dir, "breakglass.yaml"), "--yes"],
      h.emu.env as unknown as Record<string, string>,
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/interactive terminal/);
    expect(
      Object.keys(h.emu.counters().requests.byEndpoint).filter((e) =>
        /^(PATCH|DELETE) |^POST \/users\//.test(e),
      ),
    ).toEqual([]);
  });
});
