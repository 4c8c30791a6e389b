/**
 * Access windows: a closed window explains its span; a window never closed (a drill never finished,
 * a killed enrollment) explains the 24 hours after its start and nothing later.
 */
import { describe, expect, it } from "vitest";
import {
  OPEN_WINDOW_MAX_MS,
  windowEnd,
  windowExplaining,
  type AccessWindow,
} from "../../src/records/windows.js";

const account = {
  id: "0b1c2d3e-0000-4000-8000-000000000001",
  userPrincipalName: "bg1@contoso.onmicrosoft.com",
};
const at = (iso: string) => Date.parse(iso);

describe("windowExplaining", () => {
  const closed: AccessWindow = {
    kind: "drill",
    id: "drill-20261102t1000-aaaaaa",
    account: account.id,
    start: "2026-11-02T10:00:00Z",
    end: "2026-11-02T10:20:00Z",
  };
  const open: AccessWindow = {
    kind: "enrollment",
    id: "enr-20261103t0900-bbbbbb",
    account: account.userPrincipalName.toUpperCase(),
    start: "2026-11-03T09:00:00Z",
  };

  it("explains a sign-in inside a closed window, by object id, and none outside it", () => {
    expect(windowExplaining([closed], account, at("2026-11-02T10:05:00Z"))?.id).toBe(closed.id);
    expect(windowExplaining([closed], account, at("2026-11-02T10:21:00Z"))).toBeUndefined();
    expect(windowExplaining([closed], account, at("2026-11-02T09:59:00Z"))).toBeUndefined();
    expect(windowExplaining([closed], { id: "someone-else" }, at("2026-11-02T10:05:00Z"))).toBeUndefined();
  });

  it("caps a window never closed at 24 hours after its start (matched by UPN, any case)", () => {
    expect(OPEN_WINDOW_MAX_MS).toBe(24 * 3_600_000);
    expect(windowEnd(open)).toBe(at("2026-11-04T09:00:00Z"));
    expect(windowExplaining([open], account, at("2026-11-03T09:30:00Z"))?.id).toBe(open.id);
    expect(windowExplaining([open], account, at("2026-11-04T08:59:59Z"))?.id).toBe(open.id);
    expect(windowExplaining([open], account, at("2026-11-04T09:00:01Z"))).toBeUndefined();
    expect(windowExplaining([open], account, at("2026-12-01T00:00:00Z"))).toBeUndefined();
  });

  it("keeps a closed window's own end, even past 24 hours", () => {
    const long = { ...closed, end: "2026-11-04T12:00:00Z" };
    expect(windowExplaining([long], account, at("2026-11-04T11:00:00Z"))?.id).toBe(closed.id);
  });
});
