/**
 * Hostile `$filter`s: deep nesting, long chains and property names that are also names on
 * Object.prototype. Each is Graph's 400 error body, never a 500 (a stack overflow or a TypeError
 * from a prototype lookup) and never a match found through the prototype.
 */
import { describe, expect, it } from "vitest";
import { evaluateFilter } from "../../../emulator/graph/odata/filter-eval.js";
import {
  FilterSyntaxError,
  MAX_FILTER_DEPTH,
  MAX_FILTER_JOINS,
  parseFilter,
} from "../../../emulator/graph/odata/filter.js";
import { BG1, EVENTUAL, get, makeLayer } from "./fixture.js";

const layer = makeLayer();

const DEEP = 20_000;
const deepFilters: Record<string, string> = {
  parentheses: `${"(".repeat(DEEP)}displayName eq 'x'${")".repeat(DEEP)}`,
  "not chains": `${"not ".repeat(DEEP)}displayName eq 'x'`,
  lambdas: `${Array.from({ length: 200 }, (_, i) => `p${i}/any(v${i}:v${i}/`).join("")}x eq 1${")".repeat(200)}`,
  "or chains": Array.from({ length: DEEP }, () => "displayName eq 'x'").join(" or "),
};

/** a Graph error body: { error: { code, message, innerError } } */
function expectGraph400(res: { status: number; json: { error?: { code?: unknown; message?: unknown } } }) {
  expect(res.status).toBe(400);
  expect(typeof res.json.error?.code).toBe("string");
  expect(typeof res.json.error?.message).toBe("string");
}

describe("$filter nesting and length", () => {
  it.each(Object.entries(deepFilters))("refuses %s beyond the limit with a syntax error", (_, filter) => {
    expect(() => parseFilter(filter)).toThrow(FilterSyntaxError);
  });

  it("still parses what a client sends: nesting and chains within the limits", () => {
    const nested = `${"(".repeat(MAX_FILTER_DEPTH)}displayName eq 'x'${")".repeat(MAX_FILTER_DEPTH)}`;
    expect(evaluateFilter(parseFilter(nested), { displayName: "X" })).toBe(true);
    const chain = Array.from({ length: MAX_FILTER_JOINS + 1 }, (_, i) => `id eq '${i}'`).join(" or ");
    expect(evaluateFilter(parseFilter(chain), { id: String(MAX_FILTER_JOINS) })).toBe(true);
    expect(() => parseFilter(`${chain} or id eq 'one more'`)).toThrow(FilterSyntaxError);
  });

  it.each(Object.entries(deepFilters))(
    "answers %s with Graph's 400 BadRequest body on every kind of route",
    (_, filter) => {
      for (const [path, headers] of [
        ["/users", {}],
        ["/identity/conditionalAccess/policies", {}],
        ["/auditLogs/signIns", {}],
        ["/policies/roleManagementPolicyAssignments", {}],
        ["/identityGovernance/privilegedAccess/group/assignmentSchedules", {}],
      ] as const) {
        const res = get(layer, path, { query: new URLSearchParams({ $filter: filter }).toString(), headers });
        expectGraph400(res);
        expect(res.json.error.code, path).toMatch(/^(BadRequest|InvalidFilter)$/);
      }
      const transitive = get(layer, "/roleManagement/directory/transitiveRoleAssignments", {
        version: "beta",
        headers: EVENTUAL,
        query: new URLSearchParams({ $filter: filter, $count: "true" }).toString(),
      });
      expectGraph400(transitive);
    },
  );
});

describe("$filter on property names of Object.prototype", () => {
  const names = ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty"];

  it.each(names)("'%s' is an unsupported property on users (Request_UnsupportedQuery)", (name) => {
    const res = get(layer, "/users", { query: `$filter=${name} eq 'x'` });
    expectGraph400(res);
    expect(res.json.error.code).toBe("Request_UnsupportedQuery");
    expect(res.json.error.message).toContain(`'${name}'`);
  });

  it.each(names)("'%s' is an unsupported property on Conditional Access policies (BadRequest)", (name) => {
    const res = get(layer, "/identity/conditionalAccess/policies", { query: `$filter=${name}/x eq 'x'` });
    expectGraph400(res);
    expect(res.json.error.code).toBe("BadRequest");
  });

  it.each(names)("'%s' inside a lambda is refused too", (name) => {
    const res = get(layer, "/users", { query: `$filter=assignedLicenses/any(x:x/${name} eq 'x')` });
    expectGraph400(res);
  });

  it.each(names)("the evaluator reads only own properties: '%s' is absent from an item", (name) => {
    expect(evaluateFilter(parseFilter(`${name} eq null`), { id: BG1 })).toBe(true);
    expect(evaluateFilter(parseFilter(`${name}/name eq 'Object'`), { id: BG1 })).toBe(false);
    expect(evaluateFilter(parseFilter(`${name} ne null`), { id: BG1 })).toBe(false);
    // tenant data may really hold such a key (JSON.parse makes "__proto__" an own property)
    const item = JSON.parse(`{"${name}": "tenant"}`) as unknown;
    expect(evaluateFilter(parseFilter(`${name} eq 'tenant'`), item)).toBe(true);
  });
});
