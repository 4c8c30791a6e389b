import { describe, expect, it } from "vitest";
import { runKql, type LogRow } from "../../../emulator/kql/index.js";

const NOW = Date.parse("2026-11-02T10:00:00Z");
const EA = "83aa1184-132f-401e-91ba-ace0a55b661a";

function row(cols: Record<string, unknown>, minutesAgo = 1): LogRow {
  return {
    columns: {
      TimeGenerated: new Date(NOW - minutesAgo * 60_000),
      UserId: EA,
      UserPrincipalName: "zt4p9w@contosomedical.onmicrosoft.com",
      ResultType: "0",
      IPAddress: "198.51.100.7",
      AppDisplayName: "Azure Portal",
      Status: { errorCode: 0 },
      AuthenticationDetails: '[{"authenticationMethod":"FIDO2 security key"}]',
      ...cols,
    } as LogRow["columns"],
    ingestedAt: NOW - minutesAgo * 60_000 + 30_000,
  };
}

const tables = (signIns: LogRow[], nonInteractive: LogRow[] = []) => ({
  SigninLogs: signIns.map((r) => ({ ...r, columns: { ...r.columns, Type: "SigninLogs" } })),
  AADNonInteractiveUserSignInLogs: nonInteractive.map((r) => ({
    ...r,
    columns: { ...r.columns, Type: "AADNonInteractiveUserSignInLogs" },
  })),
});

const count = (q: string, t = tables([row({})])) => {
  const r = runKql(q, t, NOW);
  if (!r.ok) throw new Error(r.reason);
  return r.rows.length;
};

describe("the emulator's KQL", () => {
  it("runs the fixtures' sign-in rule: let dynamic arrays, union isfuzzy, in~, or, project", () => {
    const q = `let ids = dynamic(["${EA.toUpperCase()}", "71b91a45-f4df-49fc-85a0-d42f9db61b6e"]);
let upns = dynamic(["nobody@x"]);
union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs
| where UserId in~ (ids) or UserPrincipalName in~ (upns)
| project TimeGenerated, Type, UserPrincipalName, UserId, ResultType`;
    const r = runKql(q, tables([row({})], [row({ UserId: "someone-else" })]), NOW);
    expect(r).toMatchObject({ ok: true, rows: [{ Type: "SigninLogs", UserId: EA }] });
    // `in` is case-sensitive, `in~` is not
    expect(count(q.replace("in~ (ids)", "in (ids)"))).toBe(0);
  });

  it.each([
    [`SigninLogs | where UserId == "${EA}"`, 1],
    [`SigninLogs | where UserId == "${EA.toUpperCase()}"`, 0],
    [`SigninLogs | where UserId =~ "${EA.toUpperCase()}"`, 1],
    [`SigninLogs | where UserId != "${EA}"`, 0],
    [`SigninLogs | where UserPrincipalName has "contosomedical"`, 1],
    [`SigninLogs | where UserPrincipalName has "contoso"`, 0], // not a whole term
    [`SigninLogs | where UserPrincipalName contains "contoso"`, 1],
    [`SigninLogs | where UserPrincipalName !contains "contoso"`, 0],
    [`SigninLogs | where UserPrincipalName startswith "ZT4P9W@"`, 1],
    [`SigninLogs | where AppDisplayName has_any ("portal", "x")`, 1],
    [`SigninLogs | where ResultType in ("0", "50126")`, 1],
    [`SigninLogs | where ResultType !in ("0")`, 0],
    [`SigninLogs | where not(ResultType == "0")`, 0],
    [`SigninLogs | where ResultType == "0" and IPAddress == "198.51.100.7"`, 1],
    [`SigninLogs | where ResultType == "1" or (IPAddress =~ "198.51.100.7")`, 1],
    [`SigninLogs | where TimeGenerated > ago(5m)`, 1],
    [`SigninLogs | where TimeGenerated > ago(30s)`, 0],
    [`SigninLogs | where ingestion_time() > ago(1m)`, 1],
    [`SigninLogs | where ingestion_time() > now() - 10s`, 0],
    [`SigninLogs | where toint_missing == 1 or true`, -1],
    [`SigninLogs | where tostring(Status.errorCode) == "0"`, 1],
    [
      `SigninLogs | where parse_json(AuthenticationDetails)[0].authenticationMethod == "FIDO2 security key"`,
      1,
    ],
    [`SigninLogs | extend Upn = tolower(UserPrincipalName) | where Upn endswith "onmicrosoft.com"`, 1],
    [`SigninLogs | where UserId == "${EA}" | summarize count()`, 1],
    [`SigninLogs | where UserId == "nobody" | summarize count() by IPAddress`, 0],
    [`SigninLogs | where UserId == "nobody" | count`, 1],
  ])("%s -> %i rows", (q, n) => {
    if (n < 0) expect(() => count(q)).toThrow(/unknown column/);
    else expect(count(q)).toBe(n);
  });

  it("summarize count() yields the count; dcount by bin; a where on the aggregate", () => {
    const t = tables([row({}), row({ UserPrincipalName: "b@x" }), row({ IPAddress: "203.0.113.9" }, 30)]);
    const r = runKql(`SigninLogs | summarize n = count(), Users = dcount(UserPrincipalName)`, t, NOW);
    expect(r).toEqual({ ok: true, rows: [{ n: 3, Users: 2 }] });
    const byIp = runKql(
      `SigninLogs | summarize Users = dcount(UserPrincipalName) by IPAddress, bin(TimeGenerated, 10m) | where Users > 1`,
      t,
      NOW,
    );
    expect(byIp.ok && byIp.rows.map((x) => x.IPAddress)).toEqual(["198.51.100.7"]);
  });

  it.each([
    [
      "a watchlist",
      `let core = _GetWatchlist('CloudCoreAccounts') | project ObjectId; SigninLogs | where UserId in (core)`,
      /tabular expression over _getwatchlist/,
    ],
    ["mv-apply", `AuditLogs | mv-apply t = TargetResources on (where t.type == "User")`, /table 'AuditLogs'/],
    [
      "mv-apply on a known table",
      `SigninLogs | mv-apply t = ConditionalAccessPolicies on (where t.result == "success")`,
      /operator 'mv-apply'/,
    ],
    ["join", `SigninLogs | join kind=inner (SigninLogs) on UserId`, /operator 'join'/],
    ["matches regex", `SigninLogs | where UserId matches regex "^8"`, /operator 'matches'/],
    [
      "an unknown function",
      `SigninLogs | where ipv4_is_private(IPAddress)`,
      /ipv4_is_private\(\) is not supported/,
    ],
    [
      "a string compared with a number",
      `SigninLogs | where ResultType == 0`,
      /cannot compare string with number/,
    ],
    ["an unknown table", `SignInLogs | take 1`, /table 'SignInLogs'/],
    [
      "a sub-query in in()",
      `let x = SigninLogs | project UserId; SigninLogs | where UserId in (x)`,
      /sub-queries/,
    ],
    ["a torn string", `SigninLogs | where UserId == "abc`, /unterminated string/],
  ])("refuses %s with the reason", (_name, q, why) => {
    const r = runKql(q, tables([row({})]), NOW);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.reason.toLowerCase()).toMatch(new RegExp(why.source.toLowerCase()));
  });
});
