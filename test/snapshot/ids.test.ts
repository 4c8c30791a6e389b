import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { unavailableReason } from "../../src/snapshot/availability.js";
import { Directory } from "../../src/snapshot/directory.js";
import { duplicateIds, findById, idIndex } from "../../src/snapshot/ids.js";
import { parseSnapshot, SnapshotError } from "../../src/snapshot/load.js";

const fixture = (name: string) => new URL(`../../fixtures/tenants/${name}`, import.meta.url);
let good: any;
beforeAll(async () => {
  good = JSON.parse(await readFile(fixture("good.json"), "utf8"));
});
const copy = () => structuredClone(good);

/** The error parseSnapshot throws, or a failure when it loads. */
function refusal(doc: unknown): SnapshotError {
  try {
    parseSnapshot(doc, "t.json");
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotError);
    return err as SnapshotError;
  }
  return expect.unreachable("the snapshot loaded") as never;
}

/** A copy of the first emergency account: disabled and synced from on-premises. */
function hostileTwin(doc: any, id: string) {
  const original = doc.users.find((u: any) => u.userPrincipalName?.startsWith("zt4p9w"));
  return { ...structuredClone(original), id, accountEnabled: false, onPremisesSyncEnabled: true };
}

describe("duplicate ids are refused at load (exit 2, naming the list and the id)", () => {
  it("the good sample has none", () => {
    expect(duplicateIds(parseSnapshot(copy()))).toEqual([]);
  });

  it("a user twice, the copy disabled and synced", () => {
    const doc = copy();
    const account = doc.users.find((u: any) => u.userPrincipalName?.startsWith("zt4p9w"));
    doc.users.push(hostileTwin(doc, account.id));
    const err = refusal(doc);
    expect(err.exitCode).toBe(2);
    const at = doc.users.indexOf(account);
    expect(err.message).toContain(
      `users: the id "${account.id}" appears twice (users[${at}] and users[${doc.users.length - 1}])`,
    );
  });

  it("ids that differ only in case are the same id", () => {
    const doc = copy();
    const account = doc.users.find((u: any) => u.userPrincipalName?.startsWith("zt4p9w"));
    doc.users.unshift(hostileTwin(doc, account.id.toUpperCase()));
    expect(refusal(doc).issues).toEqual([
      expect.stringMatching(
        new RegExp(`^users: the id "${account.id}" appears twice \\(users\\[0\\] and`, "i"),
      ),
    ]);
  });

  it("a group, a Conditional Access policy, a named location", () => {
    const doc = copy();
    doc.groups.push({ ...doc.groups[0], id: doc.groups[0].id.toUpperCase(), members: [] });
    doc.conditionalAccessPolicies.push({ ...doc.conditionalAccessPolicies[1], state: "disabled" });
    doc.namedLocations.push(doc.namedLocations[0]);
    const issues = refusal(doc).issues;
    expect(issues).toHaveLength(3);
    expect(issues[0]).toMatch(/^groups: the id "[^"]+" appears twice \(groups\[0\] and groups\[\d+\]\)$/);
    expect(issues[1]).toContain(`conditionalAccessPolicies: the id "${doc.conditionalAccessPolicies[1].id}"`);
    expect(issues[2]).toContain(`namedLocations: the id "${doc.namedLocations[0].id}"`);
  });

  it("relationships: a group member, an owner, a user's method, an ARM resource", () => {
    const doc = copy();
    const g = doc.groups.findIndex((x: any) => x.members?.length > 0);
    const member = doc.groups[g].members[0];
    doc.groups[g].members.push({ ...member, id: member.id.toUpperCase() });
    const u = doc.users.findIndex((x: any) => x.authenticationMethods?.length > 0);
    doc.users[u].authenticationMethods.push(doc.users[u].authenticationMethods[0]);
    doc.azure.workspaces.push({ ...doc.azure.workspaces[0], id: doc.azure.workspaces[0].id.toLowerCase() });
    const issues = refusal(doc).issues;
    expect(issues).toContain(
      `groups[${g}].members: the id "${member.id.toUpperCase()}" appears twice ` +
        `(groups[${g}].members[0] and groups[${g}].members[${doc.groups[g].members.length - 1}])`,
    );
    expect(issues.some((i) => i.startsWith(`users[${u}].authenticationMethods: the id`))).toBe(true);
    expect(issues.some((i) => i.startsWith("azure.workspaces: the id"))).toBe(true);
  });

  it("shows at most 20 problems and says how many more", () => {
    const doc = copy();
    doc.signIns = Array.from({ length: 30 }, (_, i) => [{ id: `s${i}` }, { id: `S${i}` }]).flat();
    doc.directoryAudits = Array.from({ length: 30 }, (_, i) => ({ id: `a${i}` }));
    doc.directoryAudits.push({ id: "A0" });
    const err = refusal(doc);
    expect(err.issues).toEqual([
      expect.stringContaining('signIns: the id "S0"'),
      expect.stringContaining("A0"),
    ]);
  });
});

describe("the CLI refuses a snapshot with a duplicate user (assess and ca prove)", () => {
  let dir: string;
  let stderr: string;
  afterEach(() => vi.restoreAllMocks());

  async function run(args: string[]): Promise<number> {
    stderr = "";
    vi.spyOn(process.stderr, "write").mockImplementation((s) => {
      stderr += String(s);
      return true;
    });
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    return main(["node", "breakglass", ...args]);
  }

  it("exit 2 naming the section and the id, whatever the order of the copies", async () => {
    dir = await mkdtemp(join(tmpdir(), "bg-dup-"));
    const config = fixture("good.breakglass.yaml").pathname;
    for (const first of [true, false]) {
      const doc = copy();
      const account = doc.users.find((u: any) => u.userPrincipalName?.startsWith("zt4p9w"));
      const twin = hostileTwin(doc, account.id.toUpperCase());
      if (first) doc.users.unshift(twin);
      else doc.users.push(twin);
      const file = join(dir, `dup-${first}.json`);
      await writeFile(file, JSON.stringify(doc));
      for (const command of [
        ["assess", "--snapshot", file, "--config", config, "--format", "json", "--out", join(dir, "r.json")],
        ["ca", "prove", "--snapshot", file, "--config", config],
      ]) {
        expect(await run(command), command.join(" ")).toBe(2);
        expect(stderr).toMatch(new RegExp(`users: the id "${account.id}" appears twice`, "i"));
      }
    }
  });
});

describe("the shared id index", () => {
  it("finds objects case-insensitively, first copy first, and follows the list as it changes", () => {
    const users: Array<{ id: string; n?: number }> = [{ id: "AbC", n: 1 }, { id: "abc", n: 2 }, { id: "d" }];
    expect(findById(users, "ABC")?.n).toBe(1);
    expect(idIndex(users)).toBe(idIndex(users)); // built once
    users.push({ id: "e" });
    expect(findById(users, "E")).toBe(users[3]);
    users[0] = { id: "abc", n: 3 }; // replaced in place
    expect(findById(users, "abc")?.n).toBe(3);
    users[2] = { id: "f" }; // replaced in place by another id: the next full index sees it
    expect(idIndex(users).get("f")).toBe(users[2]);
    expect(idIndex(users).has("d")).toBe(false);
    expect(findById(users, "F")).toBe(users[2]);
    users[1]!.id = "g"; // an id changed in place
    expect(idIndex(users).get("g")).toBe(users[1]);
  });

  it("finds an object whose id changed in place or that replaced another, as a first lookup would", () => {
    const users: Array<{ id: string }> = [{ id: "a" }, { id: "b" }];
    expect(findById(users, "c")).toBeUndefined(); // indexes the list
    users[0] = { id: "c" }; // replaced in place by another id: same length, same index
    expect(findById(users, "C")).toBe(users[0]);
    expect(findById(users, "a")).toBeUndefined();
    users[1]!.id = "d"; // an id changed in place
    expect(findById(users, "d")).toBe(users[1]);
    expect(findById(users, "b")).toBeUndefined();
  });

  it("availability follows `unavailable` changed in place, as a first question would", () => {
    const doc = parseSnapshot(copy());
    const unavailable: Record<string, string> = (doc.unavailable = { "users[A].ownedObjects": "403" });
    expect(unavailableReason(doc, "users[a].ownedObjects")).toBe("403"); // lowered once
    unavailable["users[A].ownedObjects"] = "429"; // another reason, same entries
    expect(unavailableReason(doc, "users[a].ownedObjects")).toBe("429");
    delete unavailable["users[A].ownedObjects"];
    unavailable["users[B].ownedObjects"] = "404"; // another entry, same count
    expect(unavailableReason(doc, "users[a].ownedObjects")).toBeUndefined();
    expect(unavailableReason(doc, "users[b].ownedObjects")).toBe("404");
  });

  it("availability and the directory read the same copy of an object", () => {
    const doc = parseSnapshot(copy());
    const account = doc.users!.find((u) => u.userPrincipalName?.startsWith("zt4p9w"))!;
    const path = `users[${account.id.toUpperCase()}].authenticationMethods`;
    expect(unavailableReason(doc, path)).toBeUndefined();
    delete account.authenticationMethods;
    expect(unavailableReason(doc, path)).toBe(`${path} was not collected`);
    expect(new Directory(doc).user(account.id.toUpperCase())).toBe(account);
  });
});
