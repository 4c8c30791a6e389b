/**
 * A relationship export stores on every object (group members and owners, AU members, a subject's
 * methods) that is absent was never read: checks built on it must not pass (found by deleting each
 * section of the good sample in turn and watching for checks that still passed on less data).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assess } from "../../src/checks/registry.js";
import { loadConfig } from "../../src/config/load.js";
import { unavailableReason } from "../../src/snapshot/availability.js";
import { parseSnapshot } from "../../src/snapshot/load.js";

const good = () => JSON.parse(readFileSync("fixtures/tenants/good.json", "utf8"));
const config = async () => (await loadConfig("fixtures/tenants/good.breakglass.yaml")).config;
const statusOf = async (doc: unknown, id: string) =>
  assess(parseSnapshot(doc), await config()).find((r) => r.id === id)!;

describe("relationships that were not collected", () => {
  it("are unavailable per section and per object, with a reason", () => {
    const doc = good();
    const group = doc.groups[0];
    expect(unavailableReason(parseSnapshot(doc), "groups.members")).toBeUndefined();
    delete group.members;
    const snap = parseSnapshot(doc);
    expect(unavailableReason(snap, "groups.members")).toMatch(/not collected for 1 of \d+ groups/);
    expect(unavailableReason(snap, `groups[${group.id}].members`)).toMatch(/not collected/);
    expect(unavailableReason(snap, `groups[${doc.groups[1].id}].members`)).toBeUndefined();
    // users are not all subjects: only a named user's missing relationship counts
    expect(unavailableReason(snap, "users.authenticationMethods")).toBeUndefined();
    const user = doc.users.find((u: any) => u.authenticationMethods);
    delete user.authenticationMethods;
    expect(unavailableReason(parseSnapshot(doc), `users[${user.id}].authenticationMethods`)).toMatch(
      /not collected/,
    );
  });

  it("EA-ROLE-05 does not count Global Administrators on partial group membership", async () => {
    expect((await statusOf(good(), "EA-ROLE-05")).status).toBe("pass");
    const doc = good();
    for (const g of doc.groups) delete g.members;
    const r = await statusOf(doc, "EA-ROLE-05");
    expect(r.status).toBe("unknown");
    expect(r.reason).toContain("groups.members");
  });

  it("EA-ROLE-04 does not pass without the groups when a group is configured", async () => {
    expect((await statusOf(good(), "EA-ROLE-04")).status).toBe("pass");
    const doc = good();
    delete doc.groups;
    expect((await statusOf(doc, "EA-ROLE-04")).status).toBe("unknown");
  });
});
