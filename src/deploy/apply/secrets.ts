/**
 * The secrets apply generates: the accounts' passwords (docs/deploy.md "Secrets"). A password lives
 * only in memory, from generation to the request that sets it (and, with `profile.passwords: kept`,
 * to its delivery on the terminal); it never reaches the plan, the journal, a log or an error, and
 * `redact` scrubs it from any message a service might echo it in.
 */
import { randomInt } from "node:crypto";
import { SECRET_TOKEN } from "../types.js";

export const PASSWORD_LENGTH = 64;

/**
 * Entra wants three of four character classes (docs/graph-writes.md 1.2); all four are used, and
 * the symbols are ones every keyboard layout and shell quoting survives when a custodian types them.
 */
const CLASSES = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#$%*+-=?@^_~"];
const ALL = CLASSES.join("");

/** A random integer in [0, n): crypto.randomInt (a CSPRNG); tests pass their own. */
export type RandomInt = (n: number) => number;

/** 64 characters from a CSPRNG, at least one of each class, in random positions. */
export function generatePassword(random: RandomInt = randomInt): string {
  const chars = CLASSES.map((c) => c[random(c.length)]!);
  while (chars.length < PASSWORD_LENGTH) chars.push(ALL[random(ALL.length)]!);
  // Fisher-Yates, so the guaranteed characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}

/** The request with `{{secret}}` replaced by the secret, wherever it stands in the body. */
export function fillSecret<T>(value: T, secret: string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return v.split(SECRET_TOKEN).join(secret);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** A message with every live secret replaced by `(secret)`: what errors and logs carry instead. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("(secret)");
  return out;
}
