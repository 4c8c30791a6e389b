import { afterEach, describe, expect, it } from "vitest";
import { tokenFor } from "../support.js";
import { EA_GROUP, GA, startWriteHarness, type WriteHarness } from "./support.js";

const PASSWORD = "Aa1!" + "y".repeat(60);
const userBody = (name: string) => ({
  accountEnabled: true,
  displayName: name,
  mailNickname: name,
  userPrincipalName: `${name}@contosomedical.onmicrosoft.com`,
  passwordProfile: { password: PASSWORD },
});
const groupBody = (name: string, extra: object = {}) => ({
  displayName: name,
  mailEnabled: false,
  mailNickname: name,
  securityEnabled: true,
  isAssignableToRole: true,
  ...extra,
});
const ref = (id: string) => ({ "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

describe("group, unit and role writes", () => {
  let h: WriteHarness;
  afterEach(async () => h?.close());

  it("groups: no duplicate detection, members and owners by $ref, existing link 400, unknown object 404, no nesting in a role-assignable group, isAssignableToRole immutable", async () => {
    h = await startWriteHarness();
    const a = await h.graph("POST", "/v1.0/groups", groupBody("grp-a"));
    const b = await h.graph("POST", "/v1.0/groups", groupBody("grp-a"));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    const u = (await h.graph("POST", "/v1.0/users", userBody("gm1"))).body;
    expect((await h.graph("POST", `/v1.0/groups/${a.body.id}/members/$ref`, ref(u.id))).status).toBe(204);
    const again = await h.graph("POST", `/v1.0/groups/${a.body.id}/members/$ref`, ref(u.id));
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    expect(
      (
        await h.graph(
          "POST",
          `/v1.0/groups/${a.body.id}/members/$ref`,
          ref("00000000-0000-0000-0000-00000000beef"),
        )
      ).status,
    ).toBe(404);
    expect((await h.graph("POST", `/v1.0/groups/${a.body.id}/members/$ref`, ref(b.body.id))).status).toBe(
      400,
    );
    expect((await h.graph("PATCH", `/v1.0/groups/${a.body.id}`, { isAssignableToRole: false })).status).toBe(
      400,
    );
    const members = await h.graph("GET", `/v1.0/groups/${a.body.id}/members`, undefined, h.reader);
    expect(members.body.value.map((m: any) => m.id)).toEqual([u.id]);
    expect((await h.graph("POST", `/v1.0/groups/${a.body.id}/owners/$ref`, ref(u.id))).status).toBe(204);
    expect((await h.graph("DELETE", `/v1.0/groups/${a.body.id}/owners/${u.id}/$ref`)).status).toBe(204);
    expect((await h.graph("DELETE", `/v1.0/groups/${a.body.id}/members/${u.id}/$ref`)).status).toBe(204);
    const after = await h.graph("GET", `/v1.0/groups/${a.body.id}/members`, undefined, h.reader);
    expect(after.body.value).toEqual([]);
  });

  it("membership of a role-assignable group needs RoleManagement.ReadWrite.Directory", async () => {
    h = await startWriteHarness();
    const g = (await h.graph("POST", "/v1.0/groups", groupBody("grp-r"))).body;
    const u = (await h.graph("POST", "/v1.0/users", userBody("gm2"))).body;
    const app = h.emu.registerApp({
      secret: "s3cret-member-app-00000000000000000",
      graphPermissions: ["GroupMember.ReadWrite.All", "User.ReadWrite.All"],
    });
    const token = await tokenFor(h.emu, h.agent, app.clientId, app.secrets[0]!);
    expect((await h.graph("POST", `/v1.0/groups/${g.id}/members/$ref`, ref(u.id), token)).status).toBe(403);
  });

  it("a role-assignable group in a restricted unit: membership only by a tenant-wide Global or Privileged Role Administrator", async () => {
    h = await startWriteHarness();
    const u = (await h.graph("POST", "/v1.0/users", userBody("gm3"))).body;
    // the deployer is Privileged Authentication Administrator: not enough
    expect((await h.graph("POST", `/v1.0/groups/${EA_GROUP}/members/$ref`, ref(u.id))).status).toBe(403);
    const pra = h.emu.registerApp({
      secret: "s3cret-pra-app-00000000000000000000",
      graphPermissions: [
        "GroupMember.ReadWrite.All",
        "User.ReadWrite.All",
        "RoleManagement.ReadWrite.Directory",
      ],
      directoryRoles: ["e8611ab8-c189-46e8-94e1-60213ab1f814"],
    });
    const token = await tokenFor(h.emu, h.agent, pra.clientId, pra.secrets[0]!);
    expect((await h.graph("POST", `/v1.0/groups/${EA_GROUP}/members/$ref`, ref(u.id), token)).status).toBe(
      204,
    );
  });

  it("administrative units: restricted management on create only; an RMAU takes only plain security groups; its members refuse tenant-wide writes", async () => {
    h = await startWriteHarness();
    const au = await h.graph("POST", "/v1.0/directory/administrativeUnits", {
      displayName: "au-x",
      isMemberManagementRestricted: true,
    });
    expect(au.status).toBe(201);
    expect(au.body.isMemberManagementRestricted).toBe(true);
    expect(
      (
        await h.graph("PATCH", `/v1.0/directory/administrativeUnits/${au.body.id}`, {
          isMemberManagementRestricted: false,
        })
      ).status,
    ).toBe(400);
    const beta = await h.graph("GET", `/beta/administrativeUnits/${au.body.id}`, undefined, h.reader);
    expect(beta.status).toBe(200);
    const u = (await h.graph("POST", "/v1.0/users", userBody("au1"))).body;
    expect((await h.graph("PATCH", `/v1.0/users/${u.id}`, { jobTitle: "before" })).status).toBe(204);
    expect(
      (await h.graph("POST", `/v1.0/directory/administrativeUnits/${au.body.id}/members/$ref`, ref(u.id)))
        .status,
    ).toBe(204);
    expect((await h.graph("PATCH", `/v1.0/users/${u.id}`, { jobTitle: "after" })).status).toBe(403);
    const m365 = await h.graph("POST", "/v1.0/groups", {
      displayName: "team",
      mailEnabled: true,
      mailNickname: "team",
      securityEnabled: false,
      groupTypes: ["Unified"],
    });
    expect(m365.status).toBe(201);
    expect(
      (
        await h.graph(
          "POST",
          `/v1.0/directory/administrativeUnits/${au.body.id}/members/$ref`,
          ref(m365.body.id),
        )
      ).status,
    ).toBe(400);
    // a role can be assigned at the unit's scope (the way back in for its members)
    const assign = await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignments", {
      principalId: u.id,
      roleDefinitionId: "fe930be7-5e62-47db-91af-98c3a49a38b1",
      directoryScopeId: `/administrativeUnits/${au.body.id}`,
    });
    expect(assign.status).toBe(201);
  });

  it("role assignments: GA to a role-assignable group (opaque id, visible as a permanent schedule), duplicate refused; a plain group cannot hold a role", async () => {
    h = await startWriteHarness();
    const g = (await h.graph("POST", "/v1.0/groups", groupBody("grp-ga"))).body;
    const body = {
      "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
      principalId: g.id,
      roleDefinitionId: GA,
      directoryScopeId: "/",
    };
    const res = await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignments", body);
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/-1$/);
    const dup = await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignments", body);
    expect(dup.status).toBe(400);
    const sched = await h.graph(
      "GET",
      `/v1.0/roleManagement/directory/roleAssignmentSchedules?$filter=principalId eq '${g.id}'`,
      undefined,
      h.reader,
    );
    expect(sched.status).toBe(200);
    expect(sched.body.value).toHaveLength(1);
    expect(sched.body.value[0].scheduleInfo.expiration.type).toBe("noExpiration");
    const plain = (
      await h.graph("POST", "/v1.0/groups", groupBody("grp-plain", { isAssignableToRole: undefined }))
    ).body;
    expect(
      (
        await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignments", {
          ...body,
          principalId: plain.id,
        })
      ).status,
    ).toBe(400);
    expect(
      (await h.graph("DELETE", `/v1.0/roleManagement/directory/roleAssignments/${res.body.id}`)).status,
    ).toBe(204);
  });

  it("PIM requests: NoExpiration in any casing, answered in camelCase; duplicate RoleAssignmentExists; read-only app 403", async () => {
    h = await startWriteHarness();
    const u = (await h.graph("POST", "/v1.0/users", userBody("pim1"))).body;
    const body = {
      action: "adminAssign",
      principalId: u.id,
      roleDefinitionId: GA,
      directoryScopeId: "/",
      justification: "Emergency access",
      scheduleInfo: { startDateTime: "2026-12-02T09:00:00Z", expiration: { type: "NoExpiration" } },
    };
    expect(
      (await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", body, h.reader))
        .status,
    ).toBe(403);
    const res = await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", body);
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("Provisioned");
    expect(res.body.scheduleInfo.expiration).toEqual({
      type: "noExpiration",
      endDateTime: null,
      duration: null,
    });
    const dup = await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", body);
    expect(dup.status).toBe(400);
    expect(dup.body.error.code).toBe("RoleAssignmentExists");
  });

  it("PIM: an eligible assignment removed by adminRemove; an assignment made permanent by adminUpdate; the deploy lookup by principal and role finds a direct assignment", async () => {
    h = await startWriteHarness();
    const eligible = "5d885a1a-2249-4022-9e1c-47e2e6665c3b";
    const remove = {
      action: "adminRemove",
      principalId: eligible,
      roleDefinitionId: GA,
      directoryScopeId: "/",
      justification: "Emergency access",
    };
    const res = await h.graph(
      "POST",
      "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests",
      remove,
    );
    expect(res.status).toBe(201);
    expect(res.body.status).toBe("Revoked");
    const left = await h.graph(
      "GET",
      "/v1.0/roleManagement/directory/roleEligibilitySchedules",
      undefined,
      h.reader,
    );
    expect(
      left.body.value.filter((e: any) => e.principalId === eligible && e.roleDefinitionId === GA),
    ).toEqual([]);
    expect(
      (await h.graph("POST", "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests", remove))
        .status,
    ).toBe(400);

    const u = (await h.graph("POST", "/v1.0/users", userBody("pim2"))).body;
    const assign = await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignments", {
      principalId: u.id,
      roleDefinitionId: GA,
      directoryScopeId: "/",
    });
    const lookup = await h.graph(
      "GET",
      `/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '${u.id}' and roleDefinitionId eq '${GA}'`,
      undefined,
      h.reader,
    );
    expect(lookup.status).toBe(200);
    expect(lookup.body.value.map((a: any) => a.id)).toEqual([assign.body.id]);
    const update = await h.graph("POST", "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", {
      action: "adminUpdate",
      principalId: u.id,
      roleDefinitionId: GA,
      directoryScopeId: "/",
      scheduleInfo: { expiration: { type: "noExpiration" } },
    });
    expect(update.status).toBe(201);
    expect(update.body.targetScheduleId).toBe(assign.body.id);
  });
});
