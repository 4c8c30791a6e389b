import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KqlEntity, LogRow, WatchStatus } from "../../src/monitor/kql.js";
import { analyzeQuery, watchVerdict } from "../../src/monitor/kql.js";

const A: KqlEntity = {
  id: "0a1b2c3d-0000-4000-8000-00000000000a",
  userPrincipalName: "K7q2m@contoso.onmicrosoft.com",
  type: "User",
};
const B: KqlEntity = {
  id: "0a1b2c3d-0000-4000-8000-00000000000b",
  userPrincipalName: "x9w4z@contoso.onmicrosoft.com",
  type: "User",
};
const G: KqlEntity = { id: "6e0c0c1d-6a52-4c8e-8f7b-0f0c2e6c1a44", type: "Group" };

const signIn = (user: KqlEntity, table = "SigninLogs"): LogRow => ({ table, user });
const status = (query: string, row: LogRow = signIn(A), requireIdentity = true): WatchStatus =>
  watchVerdict(analyzeQuery(query), row, requireIdentity).status;

describe("an id counts as watched", () => {
  it.each([
    [`SigninLogs | where UserId == "${A.id}"`],
    [`SigninLogs | where UserId =~ "${A.id.toUpperCase()}"`],
    [`SigninLogs | where UserId in ("x", "${A.id}")`],
    [`SigninLogs | where UserId in~ ("${A.id.toUpperCase()}")`],
    [`SigninLogs | where UserId has "${A.id}"`],
    [`SigninLogs | where UserId has_any ("${A.id}", "${B.id}")`],
    [`SigninLogs | where UserPrincipalName contains "${A.userPrincipalName}"`],
    [`SigninLogs | where UserPrincipalName =~ "${A.userPrincipalName!.toLowerCase()}"`],
    [`SigninLogs | where tolower(UserPrincipalName) == "${A.userPrincipalName!.toLowerCase()}"`],
    [`SigninLogs | where tostring(UserId) == "${A.id}"`],
    [`SigninLogs | project UserId | where UserId == "${A.id}"`],
    [`SigninLogs | where TimeGenerated > ago(1h) | where UserId == @"${A.id}"`],
    [`SigninLogs | where UserId == h"${A.id}"`],
    [`SigninLogs | where TimeGenerated between (ago(1h) .. now()) and UserId == "${A.id}"`],
    [`SigninLogs | extend uid = tolower(UserId) | where uid == "${A.id}"`],
  ])("by a positive comparison: %s", (q) => {
    expect(status(q)).toBe("watched");
  });

  it("through let bindings: scalars, dynamic lists, lists of lets", () => {
    expect(status(`let bg = "${A.id}";\nSigninLogs | where UserId == bg`)).toBe("watched");
    expect(status(`let ids = dynamic(["${B.id}", "${A.id}"]);\nSigninLogs | where UserId in (ids)`)).toBe(
      "watched",
    );
    expect(status(`let a = "${A.id}"; let b = "${B.id}";\nSigninLogs | where UserId in (a, b)`)).toBe(
      "watched",
    );
    expect(status(`let ids = pack_array("${A.id}");\nSigninLogs | where UserId in (ids)`)).toBe("watched");
  });

  it("when accounts are joined with or", () => {
    const q = `SigninLogs | where UserId == "${A.id}" or UserId == "${B.id}"`;
    expect(status(q, signIn(A))).toBe("watched");
    expect(status(q, signIn(B))).toBe("watched");
    expect(status(q, signIn({ id: "ffffffff-0000-4000-8000-000000000000", type: "User" }))).toBe(
      "not-watched",
    );
  });

  it("reading both sign-in tables through union and union isfuzzy=true", () => {
    for (const union of ["union", "union isfuzzy=true"]) {
      const q = `${union} SigninLogs, AADNonInteractiveUserSignInLogs | where UserId == "${A.id}"`;
      expect(analyzeQuery(q).tables).toEqual(["AADNonInteractiveUserSignInLogs", "SigninLogs"]);
      expect(status(q, signIn(A, "AADNonInteractiveUserSignInLogs"))).toBe("watched");
    }
    expect(analyzeQuery(`table("AuditLogs") | take 1`).tables).toEqual(["AuditLogs"]);
  });

  it("through a let-bound tabular source", () => {
    const q = `let logins = SigninLogs | where UserId == "${A.id}";\nlogins | project TimeGenerated`;
    expect(analyzeQuery(q).tables).toEqual(["SigninLogs"]);
    expect(status(q)).toBe("watched");
  });
});

describe("an id does not count as watched", () => {
  it.each([
    [`SigninLogs | where UserId != "${A.id}"`, "excludes"],
    [`SigninLogs | where UserId !in ("${A.id}")`, "excludes"],
    [`SigninLogs | where UserId !in~ ("${A.id}")`, "excludes"],
    [`SigninLogs | where not(UserId == "${A.id}")`, "negation"],
    [`SigninLogs | where not(UserId in ("${A.id}"))`, "negation"],
    [`SigninLogs | where UserId !has "${A.id}"`, "excludes"],
    [`SigninLogs | where UserPrincipalName !contains "${A.userPrincipalName}"`, "excludes"],
  ])("in a negated comparison: %s", (q, why) => {
    const v = watchVerdict(analyzeQuery(q), signIn(A));
    expect(v.status).toBe("not-watched");
    expect(v.reason).toContain(why);
  });

  it("when a result filter is ANDed to it, in the same where or a later one", () => {
    for (const q of [
      `SigninLogs | where UserId == "${A.id}" and ResultType == "0"`,
      `SigninLogs | where UserId == "${A.id}" | where ResultType == 0`,
      `SigninLogs | where ResultType == "0" | where UserId == "${A.id}"`,
      `SigninLogs | where UserId == "${A.id}" and AppDisplayName == "Azure Portal"`,
      `SigninLogs | where UserId == "${A.id}" and IPAddress !startswith "10."`,
    ]) {
      const v = watchVerdict(analyzeQuery(q), signIn(A));
      expect([q, v.status]).toEqual([q, "not-watched"]);
      expect(v.reason).toContain("narrows");
    }
  });

  it("per branch: a narrowing filter on one account leaves the other watched", () => {
    const q = `SigninLogs | where (UserId == "${A.id}" and ResultType == "0") or UserId == "${B.id}"`;
    expect(status(q, signIn(A))).toBe("not-watched");
    expect(status(q, signIn(B))).toBe("watched");
  });

  it("when a negation of the other account is ANDed (evaluated: the account itself is kept)", () => {
    const q = `SigninLogs | where UserId in ("${A.id}", "${B.id}") and UserId != "${B.id}"`;
    expect(status(q, signIn(A))).toBe("watched");
    expect(status(q, signIn(B))).toBe("not-watched");
  });

  it("when the id only appears in comments or unrelated strings", () => {
    expect(status(`// watches ${A.id}\nSigninLogs | where UserId == "someone-else"`)).toBe("not-watched");
    expect(status(`SigninLogs /* "${A.id}" */ | where UserId == "x"`)).toBe("not-watched");
    expect(status(`SigninLogs | where AppDisplayName == "${A.id}"`)).toBe("not-watched");
    expect(status(`SigninLogs | extend note = "${A.id}" | where UserId != ""`)).toBe("not-watched");
    expect(status(`SigninLogs | where UserId == "${A.id}x"`)).toBe("not-watched");
  });

  it("when the query matches everyone (no comparison names the account)", () => {
    const v = watchVerdict(analyzeQuery(`SigninLogs | where TimeGenerated > ago(5m)`), signIn(A));
    expect(v.status).toBe("not-watched");
    expect(v.reason).toContain("names it");
  });

  it("when the query does not read the table or does not parse", () => {
    expect(
      watchVerdict(
        analyzeQuery(`SigninLogs | where UserId == "${A.id}"`),
        signIn(A, "AADNonInteractiveUserSignInLogs"),
      ).reason,
    ).toContain("does not read AADNonInteractiveUserSignInLogs");
    const broken = analyzeQuery(`SigninLogs | where UserId == `);
    expect(broken.syntaxErrors.length).toBeGreaterThan(0);
    expect(watchVerdict(broken, signIn(A)).status).toBe("not-watched");
  });

  it("when a union branch narrows only its own table", () => {
    const q = `union (SigninLogs | where UserId == "${A.id}"), (AADNonInteractiveUserSignInLogs | where UserId == "${A.id}" and ResultType == "0")`;
    expect(status(q, signIn(A, "SigninLogs"))).toBe("watched");
    expect(status(q, signIn(A, "AADNonInteractiveUserSignInLogs"))).toBe("not-watched");
  });

  it("when an inner join may drop the row, but not a left outer join", () => {
    expect(
      status(`SigninLogs | where UserId == "${A.id}" | join kind=inner (AuditLogs) on CorrelationId`),
    ).toBe("not-watched");
    expect(
      status(`SigninLogs | where UserId == "${A.id}" | join kind=leftouter (AuditLogs) on CorrelationId`),
    ).toBe("watched");
  });

  it("when the comparison is a regex (never run: tenant data is hostile)", () => {
    expect(status(`SigninLogs | where UserId matches regex "(a+)+$"`)).toBe("not-watched");
  });

  it("when a GUID literal differs in case under a case-sensitive operator (logs write lower case)", () => {
    expect(status(`SigninLogs | where UserId == "${A.id.toUpperCase()}"`)).toBe("not-watched");
  });
});

describe("UPNs compared case-sensitively", () => {
  it("only warn", () => {
    const v = watchVerdict(
      analyzeQuery(`SigninLogs | where UserPrincipalName == "${A.userPrincipalName}"`),
      signIn(A),
    );
    expect(v.status).toBe("warn");
    expect(v.reason).toContain("case-sensitive");
    expect(status(`SigninLogs | where UserPrincipalName in ("${A.userPrincipalName!.toLowerCase()}")`)).toBe(
      "warn",
    );
  });
  it("do not warn once the query folds the case", () => {
    expect(
      status(`SigninLogs | where tolower(UserPrincipalName) in ("${A.userPrincipalName!.toLowerCase()}")`),
    ).toBe("watched");
    expect(status(`SigninLogs | where tolower(UserPrincipalName) == "${A.userPrincipalName}"`)).toBe(
      "not-watched",
    );
  });
  it("do not warn when the object id also names the account", () => {
    expect(
      status(`SigninLogs | where UserPrincipalName == "${A.userPrincipalName}" or UserId == "${A.id}"`),
    ).toBe("watched");
  });
});

describe("audit queries", () => {
  const credential = (operation: string, initiator?: KqlEntity): LogRow => ({
    table: "AuditLogs",
    operation,
    category: "UserManagement",
    targets: [A],
    ...(initiator ? { initiator } : {}),
  });
  it("understand mv-apply over TargetResources and derived columns", () => {
    const q = `let ids = dynamic(["${A.id}"]);
AuditLogs
| where OperationName has "security info" or (OperationName has_any ("password") and OperationName has_any ("change", "reset"))
| mv-apply t = TargetResources on (where tostring(t.type) =~ "User" | extend TargetId = tolower(tostring(t.id)))
| where TargetId in (ids)`;
    const a = analyzeQuery(q);
    expect(watchVerdict(a, credential("User registered security info")).status).toBe("watched");
    expect(watchVerdict(a, credential("Reset password (by admin)")).status).toBe("watched");
    expect(watchVerdict(a, credential("Add member to role")).status).toBe("not-watched");
    expect(
      watchVerdict(a, { table: "AuditLogs", operation: "Add member to group", targets: [G] }).status,
    ).toBe("not-watched");
  });
  it("match InitiatedBy paths and TargetResources with has", () => {
    expect(
      status(`AuditLogs | where tostring(InitiatedBy.user.id) == "${A.id}"`, {
        table: "AuditLogs",
        initiator: A,
      }),
    ).toBe("watched");
    expect(status(`AuditLogs | where InitiatedBy has "${A.id}"`, { table: "AuditLogs", initiator: A })).toBe(
      "watched",
    );
    expect(
      status(`AuditLogs | where TargetResources has "${G.id}"`, {
        table: "AuditLogs",
        operation: "Add member to group",
        targets: [G],
      }),
    ).toBe("watched");
    expect(
      status(`AuditLogs | where tostring(InitiatedBy.user.userPrincipalName) =~ "${A.userPrincipalName}"`, {
        table: "AuditLogs",
        initiator: A,
      }),
    ).toBe("watched");
  });
  it("do not trust TargetResources[0] (Entra does not guarantee the order)", () => {
    const v = watchVerdict(
      analyzeQuery(`AuditLogs | where TargetResources[0].id == "${A.id}"`),
      credential("Reset password (by admin)"),
    );
    expect(v.status).toBe("not-watched");
    expect(v.reason).toContain("order");
  });
  it("tell which operations a family filter keeps", () => {
    const narrow = analyzeQuery(`AuditLogs | where OperationName in~ ("Add conditional access policy")`);
    const row = (operation: string): LogRow => ({
      table: "AuditLogs",
      operation,
      category: "Policy",
      targets: [],
    });
    expect(watchVerdict(narrow, row("Add conditional access policy"), false).status).toBe("watched");
    expect(watchVerdict(narrow, row("Delete conditional access policy"), false).status).toBe("not-watched");
    const wide = analyzeQuery(`AuditLogs | where OperationName has "conditional access policy"`);
    expect(watchVerdict(wide, row("Delete conditional access policy"), false).status).toBe("watched");
  });
  it("treat an operation filter as narrowing 'any event initiated by the account'", () => {
    const q = `AuditLogs | where tostring(InitiatedBy.user.id) == "${A.id}" and OperationName has "role"`;
    expect(status(q, { table: "AuditLogs", initiator: A })).toBe("not-watched");
  });
});

describe("watchlists", () => {
  const q = `let bg = _GetWatchlist("BreakGlass") | project SearchKey;
SigninLogs | where UserPrincipalName in~ (bg)`;
  it("are unknown when the snapshot lacks them", () => {
    const a = analyzeQuery(q);
    expect(a.watchlists).toEqual(["BreakGlass"]);
    expect(a.missingWatchlists).toEqual(["BreakGlass"]);
    expect(watchVerdict(a, signIn(A)).status).toBe("unknown");
  });
  it("are read from the snapshot's items when present (inline subquery too)", () => {
    const wl = [
      {
        alias: "breakglass",
        searchKey: "upn",
        items: [{ upn: A.userPrincipalName!.toLowerCase(), other: B.id }],
      },
    ];
    expect(watchVerdict(analyzeQuery(q, wl), signIn(A)).status).toBe("watched");
    expect(watchVerdict(analyzeQuery(q, wl), signIn(B)).status).toBe("not-watched");
    const inline = `SigninLogs | where UserId in (_GetWatchlist("BreakGlass") | project other)`;
    expect(watchVerdict(analyzeQuery(inline, wl), signIn(B)).status).toBe("watched");
  });
});

describe("robustness", () => {
  it("never treats an id in a comment as watched, whatever the id (property)", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (id, other) => {
        fc.pre(id !== other);
        const row = signIn({ id, type: "User" });
        expect(status(`SigninLogs // "${id}"\n| where UserId == "${other}"`, row)).toBe("not-watched");
        expect(status(`SigninLogs | where UserId =~ "${id}"`, row)).toBe("watched");
      }),
      { numRuns: 25 },
    );
  });
  it("survives hostile and odd queries without executing anything", () => {
    for (const q of [
      "",
      "|||",
      `SigninLogs | where UserId == "\\"; drop table"`,
      `SigninLogs | where ${Array.from({ length: 200 }, (_, i) => `UserId == "${i}"`).join(" or ")}`,
      `SigninLogs | evaluate python(typeof(*), "import os")`,
      `SigninLogs | where toscalar(SigninLogs | count) > 0`,
    ]) {
      expect(() => watchVerdict(analyzeQuery(q), signIn(A))).not.toThrow();
      expect(watchVerdict(analyzeQuery(q), signIn(A)).status).not.toBe("watched");
    }
  });
});

describe("assignments and operators that change rows", () => {
  it("let an assignment shadow the column it names", () => {
    expect(status(`SigninLogs | extend UserId = "zzz" | where UserId == "${A.id}"`)).toBe("not-watched");
    expect(status(`SigninLogs | extend UserId = tolower(UserId) | where UserId == "${A.id}"`)).toBe(
      "watched",
    );
  });
  it("treat unmodelled row-dropping operators as narrowing", () => {
    for (const op of [
      `search "x"`,
      "sample 10",
      `parse-where UserAgent with "Mozilla" rest`,
      "lookup kind=inner (T) on x",
    ]) {
      const q = `SigninLogs | where UserId == "${A.id}" | ${op}`;
      expect([q, status(q)]).toEqual([q, "not-watched"]);
    }
    for (const op of [
      "take 10",
      "summarize count() by UserId",
      "project TimeGenerated, UserId",
      "sort by TimeGenerated",
      "lookup (T) on x",
    ]) {
      const q = `SigninLogs | where UserId == "${A.id}" | ${op}`;
      expect([q, status(q)]).toEqual([q, "watched"]);
    }
  });
});

describe("audit operation families a query matches", () => {
  it("names the families one query covers on its own", async () => {
    const { auditFamilies, familiesCovered } = await import("../../src/monitor/families.js");
    const families = auditFamilies([A, B], G);
    const cover = (q: string) => familiesCovered(analyzeQuery(q), families);
    expect(cover(`AuditLogs | where OperationName has "conditional access policy"`)).toEqual([3]);
    expect(
      cover(
        `AuditLogs | where OperationName in~ ("Add conditional access policy", "Update conditional access policy")`,
      ),
    ).toEqual([]);
    expect(cover(`AuditLogs | where tostring(InitiatedBy.user.id) in~ ("${A.id}", "${B.id}")`)).toEqual([5]);
    expect(cover(`AuditLogs | where TargetResources has "${G.id}"`)).toEqual([1]);
    expect(
      cover(
        `AuditLogs | where Category =~ "RoleManagement" | where TargetResources has_any ("${A.id}", "${B.id}", "${G.id}")`,
      ),
    ).toEqual([2]);
    expect(
      cover(
        `AuditLogs | where TargetResources has_any ("${A.id}", "${B.id}", "${G.id}") or tostring(InitiatedBy.user.id) in~ ("${A.id}", "${B.id}")`,
      ),
    ).toEqual([1, 2, 4, 5]);
    expect(cover(`SigninLogs | where UserId in ("${A.id}", "${B.id}")`)).toEqual([]);
    const withoutGroup = auditFamilies([A, B]);
    expect(withoutGroup[0]!.notApplicable).toContain("no emergency group");
  });
});

it("turns a query the analysis cannot handle into 'not watched', never a throw", () => {
  const deep = `SigninLogs | where ${"(".repeat(5000)}UserId == "${A.id}"${")".repeat(5000)}`;
  const v = watchVerdict(analyzeQuery(deep), signIn(A));
  expect(v.status).toBe("not-watched");
  expect(v.reason).toContain("nested deeper");
  const nested = `SigninLogs | where ${"(".repeat(100)}UserId == "${A.id}"${")".repeat(100)}`;
  expect(watchVerdict(analyzeQuery(nested), signIn(A)).status).not.toBe("error");
});

it("does not count a query reading another workspace's tables", () => {
  const q = `union workspace("other-ws").SigninLogs, SigninLogs | where UserId == "${A.id}"`;
  const v = watchVerdict(analyzeQuery(q), signIn(A));
  expect(v.status).toBe("not-watched");
  expect(v.reason).toContain("outside the rule's workspace");
});

describe("time filters", () => {
  it("bound the window without narrowing when they keep recent events", () => {
    for (const t of [
      "TimeGenerated > ago(1h)",
      "TimeGenerated >= ago(5m)",
      "ago(1h) < TimeGenerated",
      "TimeGenerated > now() - 1h",
      "TimeGenerated between (ago(1h) .. now())",
    ])
      expect([t, status(`SigninLogs | where ${t} | where UserId == "${A.id}"`)]).toEqual([t, "watched"]);
  });
  it("narrow when they may exclude recent events (a hostile way to silence an alert)", () => {
    for (const t of [
      "TimeGenerated < ago(30d)",
      "TimeGenerated > now()",
      "TimeGenerated > datetime(2099-01-01)",
      "TimeGenerated between (datetime(2020-01-01) .. datetime(2020-02-01))",
      "TimeGenerated between (ago(2d) .. ago(1d))",
    ])
      expect([t, status(`SigninLogs | where ${t} | where UserId == "${A.id}"`)]).toEqual([t, "not-watched"]);
  });
});

it("treats take 0 / top 0 as dropping every row, take 10 as keeping them", () => {
  expect(status(`SigninLogs | where UserId == "${A.id}" | take 0`)).toBe("not-watched");
  expect(status(`SigninLogs | where UserId == "${A.id}" | top 0 by TimeGenerated`)).toBe("not-watched");
  expect(status(`SigninLogs | where UserId == "${A.id}" | limit 10`)).toBe("watched");
  expect(status(`SigninLogs | where UserId == "${A.id}" | top 5 by TimeGenerated desc`)).toBe("watched");
});

it("explains a narrowed comparison: which comparison names the account and what narrows it", () => {
  const v = watchVerdict(
    analyzeQuery(`SigninLogs | where UserId == "${A.id}" | where ResultType == "0"`),
    signIn(A),
  );
  expect(v.reason).toContain(`named by UserId == "${A.id}", but a filter may drop it`);
  expect(v.excerpts).toEqual([`UserId == "${A.id}"`, expect.stringContaining('ResultType == "0"')]);
});
