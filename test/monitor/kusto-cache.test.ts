/**
 * The caches of the query analysis: the parse cache of src/monitor/kusto.ts (one parse per query
 * text, bounded, most recent kept), the syntax tree's nodes read once, and the structure of a query
 * (src/monitor/kql.ts) shared by every analysis of its text, whatever watchlists each is given.
 */
import { describe, expect, it } from "vitest";
import { analyzeQuery, type LogRow, watchVerdict } from "../../src/monitor/kql.js";
import { children, descendants, elements, nameOf, nodeClass, parseKql } from "../../src/monitor/kusto.js";

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

describe("syntax tree nodes", () => {
  it("are read once: the same children, elements and names, which no caller can change", () => {
    const { root } = parseKql(`SigninLogs | where UserId in ("a", "b") and UserPrincipalName == "c"`);
    for (const n of descendants(root)) {
      expect(children(n)).toBe(children(n));
      expect(elements(n)).toBe(elements(n));
      expect(Object.isFrozen(children(n))).toBe(true);
      expect(Object.isFrozen(elements(n))).toBe(true);
    }
    const classes = descendants(root).map(nodeClass);
    expect(classes).toContain("FilterOperator");
    expect(classes).toContain("InExpression");
    expect(descendants(root).map(nodeClass)).toEqual(classes);
    const names = descendants(root).map(nameOf);
    expect(names).toContain("UserId");
    expect(names).toContain("SigninLogs");
    expect(descendants(root).map(nameOf)).toEqual(names);
  });
});

describe("analyses of the same query text", () => {
  const q = `let bg = _GetWatchlist("BreakGlass") | project SearchKey;
SigninLogs | where UserPrincipalName in~ (bg)`;
  const a: LogRow = {
    table: "SigninLogs",
    user: { id: "a", userPrincipalName: "a@contoso.com", type: "User" },
  };
  const b: LogRow = {
    table: "SigninLogs",
    user: { id: "b", userPrincipalName: "b@contoso.com", type: "User" },
  };
  const watchlist = [{ alias: "BreakGlass", searchKey: "upn", items: [{ upn: "a@contoso.com" }] }];

  it("each read the watchlists they are given, in either order", () => {
    const without = analyzeQuery(q);
    const withList = analyzeQuery(q, watchlist);
    const withoutAgain = analyzeQuery(q);
    expect(without.missingWatchlists).toEqual(["BreakGlass"]);
    expect(withList.missingWatchlists).toEqual([]);
    expect(watchVerdict(without, a).status).toBe("unknown");
    expect(watchVerdict(withList, a).status).toBe("watched");
    expect(watchVerdict(withList, b).status).toBe("not-watched");
    expect(watchVerdict(withoutAgain, a).status).toBe("unknown");
  });

  it("evaluate rows independently, interleaved", () => {
    const first = analyzeQuery(q, watchlist);
    const second = analyzeQuery(q, watchlist);
    const alone = watchVerdict(analyzeQuery(q, watchlist), a);
    expect(watchVerdict(second, b).status).toBe("not-watched");
    expect(watchVerdict(first, a)).toEqual(alone);
    expect(watchVerdict(second, a)).toEqual(alone);
  });

  it("return lists their callers may change without changing the next analysis", () => {
    const first = analyzeQuery(q);
    first.tables.push("AuditLogs");
    first.watchlists.length = 0;
    const second = analyzeQuery(q);
    expect(second.tables).toEqual(["SigninLogs"]);
    expect(second.watchlists).toEqual(["BreakGlass"]);
  });
});
