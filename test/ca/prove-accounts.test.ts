/**
 * `ca prove` and `ca check-change` resolve the emergency accounts exactly as `assess` does (one
 * function, src/checks/accounts.ts): config accounts, the group's members, discovery, and the
 * recycle bin's answer for an account that was deleted.
 */
import { describe, expect, it } from "vitest";
import { resolveAccounts } from "../../src/checks/accounts.js";
import { UsageError } from "../../src/cli/errors.js";
import { emergencyAccountIds } from "../../src/cli/commands/ca.js";
import { Config } from "../../src/config/schema.js";
import { Directory } from "../../src/snapshot/directory.js";
import { tenant } from "./fixtures.js";

const snapshot = tenant({
  deletedUsers: [
    { id: "d3", userPrincipalName: "d3bg3@contoso.onmicrosoft.com", deletedDateTime: "2026-10-30T00:00:00Z" },
  ],
});
const directory = new Directory(snapshot);
const idsOf = (config: Record<string, unknown>) =>
  resolveAccounts(snapshot, Config.parse(config), directory).resolved.map((a) => a.id);

describe("ca's emergency accounts", () => {
  it.each([
    ["config accounts", { accounts: ["bg2@contoso.onmicrosoft.com", "bg1"] }],
    ["the group's members", { group: "gEmergency" }],
    ["discovery", {}],
  ])("are the checks' accounts with %s", (_, config) => {
    expect(emergencyAccountIds(snapshot, directory, Config.parse(config), undefined)).toEqual(idsOf(config));
  });
  it("takes --accounts in place of the config's accounts", () => {
    const config = Config.parse({ group: "gEmergency" });
    expect(emergencyAccountIds(snapshot, directory, config, "bg2")).toEqual(["bg2"]);
  });
  it("says an account is in the recycle bin, and until when it can be restored", () => {
    const run = () =>
      emergencyAccountIds(snapshot, directory, Config.parse({}), "bg3@contoso.onmicrosoft.com");
    expect(run).toThrow(UsageError);
    expect(run).toThrow(/recycle bin, restorable until 2026-11-29/);
  });
  it("refuses an account that is nowhere", () => {
    expect(() => emergencyAccountIds(snapshot, directory, Config.parse({}), "nobody")).toThrow(
      /account nobody is not in the snapshot/,
    );
  });
});
