/**
 * The one way to define a check: its metadata, its needs and its rule, with its documentation kept
 * beside it (`ea-acc-01-two-accounts.ts` and `ea-acc-01-two-accounts.md`). The build (tsc) compiles
 * only `.ts`, so the compiled module in `dist/src/checks/` has no `.md` beside it; the Markdown is then
 * read from the source tree (`../../../src/checks/` relative to the compiled module). The file is read
 * lazily, on first use of `check.docs`, so a missing file never stops `assess`: the check still runs.
 */
import { readFileSync } from "node:fs";
import type { AuthenticationMethod, User } from "../../snapshot/schema.js";
import type { Subject } from "../../snapshot/subjects.js";
import type { Check, CheckContext, EmergencyAccount, Finding, Need } from "../types.js";
import { type AccountRelationship, forEachAccount, needsAccounts, perAccountNeeds } from "./accounts.js";

const cache = new Map<string, string | undefined>();

/** The Markdown beside a check module (`file:///…/x.ts` or `…/x.js` -> `x.md`), or undefined. */
export function readCheckDocs(moduleUrl: string): string | undefined {
  if (cache.has(moduleUrl)) return cache.get(moduleUrl);
  const name = moduleUrl.replace(/^.*\//, "").replace(/\.[cm]?[jt]s$/, ".md");
  let text: string | undefined;
  for (const candidate of [`./${name}`, `../../../src/checks/${name}`]) {
    try {
      text = readFileSync(new URL(candidate, moduleUrl), "utf8");
      break;
    } catch {
      // not there: try the next place
    }
  }
  cache.set(moduleUrl, text);
  return text;
}

/** A check whose `docs` is the Markdown file beside `moduleUrl` (pass `import.meta.url`). */
export function defineCheck(moduleUrl: string, check: Omit<Check, "docs">): Check {
  return Object.defineProperty({ ...check } as Check, "docs", {
    get: () => readCheckDocs(moduleUrl),
    enumerable: true,
  });
}

/** One emergency account as a per-account rule sees it. */
export interface AccountView {
  account: EmergencyAccount;
  user: User;
  subject: Subject;
  /** how messages name the account: its UPN, else its id. */
  label: string;
  /**
   * The account's authentication methods, for a check that `reads: "authenticationMethods"` (the
   * account is `unknown` when they could not be read). Reading them without declaring it throws, so
   * a check cannot depend on data its needs do not name.
   */
  methods: AuthenticationMethod[];
}

export interface AccountCheckSpec extends Omit<Check, "docs" | "evaluate"> {
  /**
   * The relationship of each account the rule reads (`users[<id>].<reads>`): a need per account, and
   * an `unknown` finding instead of the rule for an account whose relationship could not be read.
   */
  reads?: AccountRelationship;
  /** Findings about the tenant as a whole, listed before the accounts'. */
  evaluateTenant?(ctx: CheckContext): Finding[];
  /** The rule for one account (users section read, its `reads` relationship read). */
  evaluateAccount(view: AccountView, ctx: CheckContext): Finding | Finding[] | undefined;
}

/**
 * A check graded one emergency account at a time: it applies when an account resolved
 * (`needsAccounts`, unless `appliesTo` says otherwise) and needs `reads` for every account.
 */
export function defineAccountCheck(moduleUrl: string, spec: AccountCheckSpec): Check {
  const { reads, evaluateTenant, evaluateAccount, needsFor, ...meta } = spec;
  return defineCheck(moduleUrl, {
    appliesTo: needsAccounts,
    ...meta,
    needsFor: (ctx): Need[] => [...(reads ? perAccountNeeds(ctx, reads) : []), ...(needsFor?.(ctx) ?? [])],
    evaluate: (ctx) => [
      ...(evaluateTenant?.(ctx) ?? []),
      ...forEachAccount(ctx, (view) => evaluateAccount(view, ctx), reads),
    ],
  });
}
