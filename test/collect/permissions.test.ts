import { describe, expect, it } from "vitest";
import {
  AZURE_READS,
  GRAPH_READS,
  applicationPermissions,
  forbiddenReason,
  graphPermissionsOf,
} from "../../src/collect/permissions.js";
import {
  TOP_LEVEL_READS,
  USER_RELATIONSHIPS,
  GROUP_RELATIONSHIPS,
  AU_RELATIONSHIPS,
  PIM_GROUP_SECTIONS,
  REGISTRATION_REPORT,
} from "../../src/collect/reads.js";
import { permissionsText } from "../../src/cli/commands/permissions.js";

const EXPORT_SET = [
  "User.Read.All",
  "AuditLog.Read.All",
  "GroupMember.Read.All",
  "AdministrativeUnit.Read.All",
  "RoleManagement.Read.Directory",
  "PrivilegedAccess.Read.AzureADGroup",
  "Policy.Read.All",
  "Policy.Read.AuthenticationMethod",
  "UserAuthenticationMethod.Read.All",
  "IdentityRiskyUser.Read.All",
  "Organization.Read.All",
  "Domain.Read.All",
  "AccessReview.Read.All",
  "LifecycleWorkflows.Read.All",
];

describe("permission table", () => {
  it("the export needs exactly the least-privileged application set", () => {
    expect(applicationPermissions("export")).toEqual([...EXPORT_SET].sort());
    expect(applicationPermissions("export").some((p) => /ReadWrite|Directory\.Read\.All/.test(p))).toBe(
      false,
    );
  });

  it("covers every path export reads, and only those", () => {
    const read = new Set([
      ...TOP_LEVEL_READS.map((r) => r.path),
      ...[...USER_RELATIONSHIPS, ...GROUP_RELATIONSHIPS, ...AU_RELATIONSHIPS].map((r) => r.path),
      ...PIM_GROUP_SECTIONS.map((s) => s.path),
      "signIns",
      "directoryAudits",
      REGISTRATION_REPORT.path,
    ]);
    expect(new Set(GRAPH_READS.map((r) => r.path))).toEqual(read);
  });

  it("lists the aadiam scope for diagnostic settings", () => {
    expect(AZURE_READS.find((r) => r.path === "azure.diagnosticSettings")?.scope).toBe(
      "/providers/Microsoft.aadiam",
    );
  });

  it("maps an object path to its relationship entry", () => {
    expect(graphPermissionsOf("users[3f1c].authenticationMethods")).toEqual([
      "UserAuthenticationMethod.Read.All",
    ]);
  });

  it("names exactly the missing permission of a 403", () => {
    const granted = EXPORT_SET.filter((p) => p !== "AuditLog.Read.All");
    expect(forbiddenReason("users.signInActivity", granted, "Insufficient privileges")).toBe(
      "403 Forbidden: AuditLog.Read.All not granted",
    );
    expect(forbiddenReason("signIns", granted, "x")).toBe("403 Forbidden: AuditLog.Read.All not granted");
  });

  it("keeps the service's reason when every permission is granted (a licence, say)", () => {
    expect(forbiddenReason("signIns", EXPORT_SET, "tenant has no Entra ID P1")).toBe(
      "403 Forbidden: tenant has no Entra ID P1",
    );
  });

  it("counts a ReadWrite permission as covering the read", () => {
    expect(forbiddenReason("domains", ["Domain.ReadWrite.All"], "svc")).toBe("403 Forbidden: svc");
  });

  it("prints the export's permissions", () => {
    const text = permissionsText("export");
    for (const p of EXPORT_SET) expect(text).toContain(p);
    expect(text).toContain("/providers/Microsoft.aadiam");
    expect(() => permissionsText("nope")).toThrow(/unknown command/);
    expect(permissionsText("apply")).toMatch(/roles assigned at the unit's scope/);
    expect(permissionsText("export")).not.toMatch(/unit's scope/);
  });
});

describe("missing permissions", () => {
  it("the methods policy needs Policy.Read.AuthenticationMethod or its ReadWrite counterpart, not Policy.Read.All", async () => {
    const { missingPermissions } = await import("../../src/collect/permissions.js");
    expect(missingPermissions("authenticationMethodsPolicy", ["Policy.Read.All"])).toEqual([
      "Policy.Read.AuthenticationMethod",
    ]);
    expect(
      missingPermissions("authenticationMethodsPolicy", ["Policy.ReadWrite.AuthenticationMethod"]),
    ).toEqual([]);
  });
});
