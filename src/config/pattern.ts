/**
 * Regular expressions that come from outside the code (the configuration's `namingPattern`, a
 * device filter's `-match` in a tenant's Conditional Access policy) run on RE2's linear-time engine
 * (re2js, a pure-JavaScript port): matching time grows with the input, never exponentially, so a
 * pattern such as `^(a+)+$` cannot hang an assessment. RE2 has no backreferences and no lookaround;
 * such a pattern is refused when the configuration loads, with RE2's reason.
 */
import { createRequire } from "node:module";
import type { RE2JS as RE2JSClass } from "re2js";

/** re2js, loaded on the first pattern compiled: most runs compile none, and it costs ~0.1 s to load. */
let engine: typeof RE2JSClass | undefined;
const re2 = (): typeof RE2JSClass =>
  (engine ??= (createRequire(import.meta.url)("re2js") as { RE2JS: typeof RE2JSClass }).RE2JS);

export interface LinearPattern {
  /** the pattern as written. */
  readonly source: string;
  /** whether the pattern matches anywhere in the text (as `RegExp.prototype.test`). */
  test(text: string): boolean;
}

/** A pattern RE2 cannot compile: `message` says why (an unsupported construct, a syntax error). */
export class PatternError extends Error {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(reason);
    this.name = "PatternError";
  }
}

const compiled = new Map<string, LinearPattern>();

/**
 * Compiles a pattern for the linear-time engine, once per pattern and flag set. Throws PatternError
 * when RE2 cannot compile it. `ignoreCase` is for rule syntaxes that compare case-insensitively.
 */
export function linearPattern(source: string, { ignoreCase = false } = {}): LinearPattern {
  const key = `${ignoreCase ? "i" : "-"}${source}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  let re: RE2JSClass;
  try {
    const RE2 = re2();
    re = RE2.compile(source, ignoreCase ? RE2.CASE_INSENSITIVE : 0);
  } catch (err) {
    throw new PatternError(source, (err as Error).message.replace(/^error parsing regexp: /, ""));
  }
  const pattern: LinearPattern = { source, test: (text) => re.matcher(text).find() };
  compiled.set(key, pattern);
  return pattern;
}

/** Why RE2 cannot compile a pattern, or undefined when it can (for configuration validation). */
export function patternProblem(source: string): string | undefined {
  try {
    linearPattern(source);
    return undefined;
  } catch (err) {
    if (err instanceof PatternError) return err.message;
    throw err;
  }
}
