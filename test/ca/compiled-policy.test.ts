/**
 * What a compiled policy reads once (src/ca/policy.ts, src/ca/capability.ts): its users condition,
 * and the methods of each strength combination. The evaluator asks them about every sign-in it
 * tries; the answers must be the ones the policy as written gives (the explanation of a path reads
 * the raw condition through `usersHit`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { modesOfCombination } from "../../src/ca/capability.js";
import { compilePolicy, usersHit } from "../../src/ca/policy.js";
import { MAYBE, NO, type Identity, YES } from "../../src/ca/types.js";
import { GA, policy } from "./fixtures.js";

const SECREADER = "5d6b6bb7-de71-4623-b4af-96380a352509";
const ids = (xs: string[]) => fc.subarray(xs);

const usersArb = fc.record({
  includeUsers: fc.constantFrom(["All"], ["U0"], ["u1", "u0"], ["GuestsOrExternalUsers"], []),
  excludeUsers: ids(["u0", "U1", "GuestsOrExternalUsers"]),
  includeGroups: ids(["g0", "G1"]),
  excludeGroups: ids(["G0", "g1"]),
  includeRoles: ids([GA, SECREADER.toUpperCase()]),
  excludeRoles: ids([GA.toUpperCase(), SECREADER]),
  includeGuestsOrExternalUsers: fc.option(
    fc.record({
      guestOrExternalUserTypes: fc.constantFrom(
        "internalGuest,b2bCollaborationGuest",
        "b2bCollaborationMember",
      ),
      externalTenants: fc.option(
        fc.record({ membershipKind: fc.constantFrom("all", "enumerated"), members: ids(["t0", "T1"]) }),
        { nil: undefined },
      ),
    }),
    { nil: undefined },
  ),
});

const identityArb: fc.Arbitrary<Identity> = fc.record({
  userId: fc.constantFrom("u0", "u1", "u2"),
  groups: ids(["g0", "g1"]).map((g) => new Set(g)),
  activeRoles: ids([GA, SECREADER]).map((r) => new Set(r)),
  externalKind: fc.option(
    fc.constantFrom("internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember"),
    {
      nil: undefined,
    },
  ),
  externalTenantId: fc.option(fc.constantFrom("t0", "t1"), { nil: undefined }),
});

describe("a compiled users condition", () => {
  it("answers every identity as the condition as written does, asked any number of times", () => {
    fc.assert(
      fc.property(usersArb, fc.array(identityArb, { minLength: 1, maxLength: 4 }), (users, identities) => {
        const raw = policy({ users });
        const compiled = compilePolicy(raw, { locations: new Map() });
        const cond = users as Record<string, unknown>;
        for (const id of [...identities, ...identities]) {
          const inc = usersHit(cond, id, "include");
          const exc = usersHit(cond, id, "exclude");
          const expected = !inc || (exc && !exc.maybe) ? NO : exc?.maybe || inc.maybe ? MAYBE : YES;
          expect(compiled.users(id)).toBe(expected);
        }
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });
});

describe("the methods of a strength combination", () => {
  it("are split at commas and trimmed, the same list for the same text", () => {
    expect(modesOfCombination("password, sms")).toEqual(["password", "sms"]);
    expect(modesOfCombination("password, sms")).toBe(modesOfCombination("password, sms"));
    expect(modesOfCombination("fido2")).toEqual(["fido2"]);
    expect(Object.isFrozen(modesOfCombination("fido2"))).toBe(true);
  });

  it("stay right past the cache's bound", () => {
    const texts = Array.from({ length: 2100 }, (_, i) => `password,mode${i}`);
    for (const t of texts) modesOfCombination(t);
    for (const [i, t] of texts.entries()) expect(modesOfCombination(t)).toEqual(["password", `mode${i}`]);
  });
});
