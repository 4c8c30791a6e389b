/** The parse cache of src/monitor/kusto.ts: one parse per query text, bounded, most recent kept. */
import { describe, expect, it } from "vitest";
import { parseKql } from "../../src/monitor/kusto.js";

const query = (i: number) => `SigninLogs | where UserPrincipalName == "user${i}@contoso.com"`;

describe("parseKql cache", () => {
  it("parses a query text once and returns the same tree for it", () => {
    const first = parseKql(query(0));
    expect(parseKql(query(0))).toBe(first);
    expect(parseKql(query(1))).not.toBe(first);
    expect(parseKql("SigninLogs | where (").errors.length).toBeGreaterThan(0);
  });

  it("keeps the 256 most recently used texts", () => {
    const text = (i: number) => `AuditLogs | where OperationName == "op${i}"`;
    // fills the cache with these texts only, text 0 the least recently used
    const trees = Array.from({ length: 256 }, (_, i) => parseKql(text(i)));
    parseKql(text(0)); // used again: text 1 is now the least recently used
    parseKql(text(256)); // one more than the bound
    expect(parseKql(text(0))).toBe(trees[0]);
    expect(parseKql(text(1))).not.toBe(trees[1]);
  });
});
