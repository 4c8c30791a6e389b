/**
 * The write permission table `breakglass permissions apply|enroll` prints and the write-permission
 * gate uses (src/collect/permissions.ts) against the emulator's own per-route enforcement: every
 * listed permission suffices and is needed.
 */
import { describe, expect, it } from "vitest";
import { createGraphResourceLayer } from "../../../emulator/graph/index.js";
import { DEPLOYER_APP_PERMISSIONS } from "../../../emulator/graph/permissions.js";
import { hasPermissions } from "../../../emulator/graph-pipeline.js";
import {
  APPLY_WRITES,
  ENROLL_WRITES,
  applicationPermissions,
  missingWritePermissions,
} from "../../../src/collect/permissions.js";
import { permissionsText } from "../../../src/cli/commands/permissions.js";
import { EA_GROUP, EA_USER, goodSnapshot } from "./support.js";

/** request bodies that make the permission rules of a route apply in full */
const BODIES: Record<string, unknown> = {
  "PATCH /v1.0/users/{id}": { passwordPolicies: "DisablePasswordExpiration", accountEnabled: true },
  "POST /v1.0/groups": { isAssignableToRole: true },
};

function required(request: string): string[][] {
  const [method, url] = request.split(" ") as [string, string];
  const [, version, ...rest] = url.split("/");
  const path =
    "/" +
    rest
      .join("/")
      .replace("{id}", url.includes("/groups/") ? EA_GROUP : url.includes("/users/") ? EA_USER : "x")
      .replace("{memberId}", EA_USER)
      .replace("{methodId}", "m");
  const layer = createGraphResourceLayer(goodSnapshot());
  const r = layer.resolve({
    method,
    version: version as "v1.0" | "beta",
    path,
    query: new URLSearchParams(),
    headers: {},
    body: BODIES[request],
    baseUrl: "https://x/graph",
  });
  if ("error" in r) throw new Error(`${request}: the emulator has no such route`);
  return r.permissions;
}

describe("write permissions", () => {
  for (const write of [...APPLY_WRITES, ...ENROLL_WRITES]) {
    it(`${write.request} (${write.write}): the listed permissions suffice, and each is needed`, () => {
      const needs = required(write.request);
      expect(hasPermissions(write.application, needs)).toBe(true);
      for (const p of write.application) {
        expect(
          hasPermissions(
            write.application.filter((x) => x !== p),
            needs,
          ),
          `${p} is not needed`,
        ).toBe(false);
      }
    });
  }

  it("the emulator's --deployer app holds what apply and enroll need; the default app lacks every write", () => {
    expect(
      missingWritePermissions(
        "apply",
        [...DEPLOYER_APP_PERMISSIONS],
        ["Privileged Authentication Administrator"],
      ),
    ).toEqual({ permissions: [], roles: [] });
    expect(
      missingWritePermissions(
        "enroll",
        [...DEPLOYER_APP_PERMISSIONS],
        ["Privileged Authentication Administrator"],
      ),
    ).toEqual({ permissions: [], roles: [] });
    const readOnly = missingWritePermissions("apply", applicationPermissions("export"));
    expect(readOnly.permissions).toContain("RoleManagement.ReadWrite.Directory");
    expect(readOnly.roles).toEqual(["Privileged Authentication Administrator"]);
    expect(
      missingWritePermissions("apply", ["Directory.ReadWrite.All"], ["Global Administrator"]).roles,
    ).toEqual([]);
  });

  it("plan needs reads only; apply lists no permission twice (a broader one covers the narrower)", () => {
    expect(applicationPermissions("plan")).toEqual(applicationPermissions("export"));
    const apply = applicationPermissions("apply");
    expect(apply).toContain("User.ReadWrite.All");
    expect(apply).not.toContain("User.Read.All");
    expect(apply).not.toContain("User.Create");
    expect(apply).not.toContain("RoleManagement.Read.Directory");
  });

  it("`permissions apply` names Privileged Authentication Administrator and recommends the interactive browser sign-in", () => {
    const text = permissionsText("apply");
    expect(text).toContain("Privileged Authentication Administrator");
    expect(text).toContain("interactive browser");
    expect(text).toContain("POST /v1.0/roleManagement/directory/roleAssignments");
    expect(permissionsText("enroll")).toContain("UserAuthMethod-TAP.ReadWrite.All");
  });
});
