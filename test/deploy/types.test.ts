import { describe, expect, it } from "vitest";
import { referencedSteps, refToken, resolveRefs } from "../../src/deploy/types.js";

describe("step references", () => {
  const body = {
    "members@odata.bind": [`https://graph.microsoft.com/v1.0/directoryObjects/${refToken("accounts.zq4x8")}`],
    url: `/v1.0/groups/${refToken("group.grp")}/members/$ref`,
  };

  it("lists the steps a request references", () => {
    expect(referencedSteps(body).sort()).toEqual(["accounts.zq4x8", "group.grp"]);
    expect(referencedSteps({ a: "plain" })).toEqual([]);
  });

  it("fills every reference with the created ids", () => {
    const ids = new Map([
      ["accounts.zq4x8", "u-1"],
      ["group.grp", "g-1"],
    ]);
    expect(resolveRefs(body, ids)).toEqual({
      "members@odata.bind": ["https://graph.microsoft.com/v1.0/directoryObjects/u-1"],
      url: "/v1.0/groups/g-1/members/$ref",
    });
  });

  it("refuses to leave a placeholder unfilled", () => {
    expect(() => resolveRefs(body, new Map([["group.grp", "g-1"]]))).toThrow(/accounts\.zq4x8/);
  });
});
