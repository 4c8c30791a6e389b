import { describe, expect, it } from "vitest";
import { CHECKS, buildCheckContext } from "../../src/checks/registry.js";
import { runCheck } from "../../src/checks/runner.js";
import { parseConfigText } from "../../src/config/load.js";
import { linearPattern, PatternError } from "../../src/config/pattern.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { problem } from "./fixtures.js";

const EVIL = "^(a+)+$";
/** Backtracking engines take exponential time on this input for EVIL (about 2^40 steps). */
const HOSTILE_INPUT = `${"a".repeat(40)}!`;

describe("patterns from configuration run on a linear-time engine", () => {
  it(`${EVIL} on a long hostile input answers at once`, () => {
    const pattern = linearPattern(EVIL);
    const started = performance.now();
    expect(pattern.test(HOSTILE_INPUT)).toBe(false);
    expect(pattern.test("a".repeat(100_000) + "!")).toBe(false);
    expect(pattern.test("a".repeat(1000))).toBe(true);
    // A backtracking engine needs minutes on the first input alone; RE2 needs milliseconds.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("matches as RegExp.test does: anywhere, case-sensitively unless asked", () => {
    expect(linearPattern("^bg-adm-\\d+@").test("bg-adm-01@contoso.com")).toBe(true);
    expect(linearPattern("adm").test("bg-adm-01@contoso.com")).toBe(true);
    expect(linearPattern("^BG-").test("bg-adm")).toBe(false);
    expect(linearPattern("(?i)^BG-").test("bg-adm")).toBe(true);
    expect(linearPattern("^BG-", { ignoreCase: true }).test("bg-adm")).toBe(true);
  });

  it("refuses what RE2 cannot run, saying why", () => {
    expect(() => linearPattern("(a)\\1")).toThrow(PatternError);
    expect(() => linearPattern("(?=x)y")).toThrow(/unsupported Perl syntax/);
    expect(() => linearPattern("(")).toThrow(/missing closing \)/);
  });

  it("the configuration refuses an unsupported or invalid namingPattern, naming the key (exit 2)", () => {
    expect(problem("profile:\n  naming: descriptive\n  namingPattern: '^(bg)-\\1'\n")).toMatch(
      /profile\.namingPattern: not a pattern the linear-time engine \(RE2 syntax\) accepts: invalid escape sequence/,
    );
    expect(problem("profile:\n  namingPattern: '(?<=x)y'\n")).toContain("profile.namingPattern:");
    expect(problem("profile:\n  namingPattern: '['\n")).toContain("profile.namingPattern:");
    const ok = parseConfigText(
      `profile:\n  naming: descriptive\n  namingPattern: '${EVIL}'\n`,
      "b.yaml",
      "yaml",
    );
    expect(ok.profile.namingPattern).toBe(EVIL);
  });

  it(`EA-ACC-08 grades an account named like the attack input against ${EVIL} without hanging`, () => {
    const upn = `${"a".repeat(5_000)}!@contoso.onmicrosoft.com`;
    const snapshot: Snapshot = {
      schema: "breakglass.snapshot/v1",
      tenant: { id: "00000000-0000-0000-0000-0000000000aa", capturedAt: "2026-11-01T10:00:00Z" },
      users: [{ id: "u1", userPrincipalName: upn, accountEnabled: true }],
    };
    const config = parseConfigText(
      `accounts: [u1]\nprofile:\n  naming: descriptive\n  namingPattern: '${EVIL}'\n`,
      "b.yaml",
      "yaml",
    );
    const check = CHECKS.find((c) => c.id === "EA-ACC-08")!;
    const started = performance.now();
    const result = runCheck(check, buildCheckContext(snapshot, config));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.status).toBe("fail");
    expect(result.findings[0]?.message).toContain("does not match the naming pattern");
  });
});
