import { describe, expect, it } from "vitest";
import { assess } from "../../src/checks/registry.js";
import { Config } from "../../src/config/schema.js";
import { parseSnapshot } from "../../src/snapshot/load.js";
import { GA, goodTenant, KEYS, ROLE_TEMPLATES, type Json } from "../support/tenant.js";

/** Every array in a Graph document, reversed: what a different page order from Graph would give. */
function reverseArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseArrays).reverse();
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reverseArrays(v)]));
  return value;
}

/** A tenant where many checks find several problems at once. */
function messyTenant() {
  const g = goodTenant();
  const { t, bg1, bg2, group, admin } = g;
  t.addGroup("All staff", {}, [bg1.id, bg2.id]);
  t.addGroup("Project X", {}, [bg1.id]);
  t.user(bg1.id).ownedObjects = [
    { "@odata.type": "#microsoft.graph.group", id: "b-group" },
    { "@odata.type": "#microsoft.graph.application", id: "a-app" },
  ];
  t.assignRole(bg1.id, ROLE_TEMPLATES["Exchange Administrator"]);
  t.assignRole(bg1.id, ROLE_TEMPLATES["User Administrator"], { eligible: true });
  t.addMethod(bg1.id, {
    "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
    phoneNumber: "+1 5555550100",
    phoneType: "mobile",
  });
  t.addMethod(bg1.id, {
    "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
    emailAddress: "x@example.com",
  });
  t.addKey(bg2.id, KEYS.authenticatorIos);
  t.addKey(bg2.id, KEYS.iCloudKeychain, "notAttested");
  t.addKey(admin.id, KEYS.yubikey5Nfc);
  t.addMember(group.id, admin.id);
  t.group(group.id).owners = [
    { "@odata.type": "#microsoft.graph.user", id: admin.id },
    { "@odata.type": "#microsoft.graph.user", id: bg1.id },
  ];
  t.doc.authorizationPolicy.allowedToUseSSPR = true;
  t.user(bg2.id).otherMails = ["b@example.com", "a@example.com"];
  for (const id of ["rev-b", "rev-a"])
    t.doc.accessReviewDefinitions.push({
      id,
      displayName: id,
      status: "InProgress",
      scope: {
        query: `/roleManagement/directory/roleAssignmentScheduleInstances?$filter=roleDefinitionId eq '${GA}'`,
      },
      settings: { autoApplyDecisionsEnabled: true, defaultDecisionEnabled: true, defaultDecision: "Deny" },
    });
  return t;
}

describe("findings do not depend on the order Graph returned objects in", () => {
  it("gives identical results when every array of the snapshot is reversed", () => {
    const t = messyTenant();
    const config = Config.parse(t.config);
    const forward = assess(t.build(), config);
    const backward = assess(parseSnapshot(reverseArrays(structuredClone(t.doc)) as Json), config);
    expect(backward).toEqual(forward);
    expect(forward.filter((r) => r.status === "fail").map((r) => r.id)).toEqual(
      expect.arrayContaining([
        "EA-ACC-09",
        "EA-ACC-10",
        "EA-ROLE-03",
        "EA-AUTH-03",
        "EA-AUTH-04",
        "EA-AUTH-07",
      ]),
    );
  });
  it("does so for group-resolved accounts too", () => {
    const t = messyTenant();
    const config = Config.parse({ group: t.doc.groups[0].id });
    expect(assess(parseSnapshot(reverseArrays(structuredClone(t.doc)) as Json), config)).toEqual(
      assess(t.build(), config),
    );
  });
});
