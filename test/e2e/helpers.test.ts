import { describe, expect, it } from "vitest";
import { snapshotPathOf } from "./helpers.js";

describe("diff path to snapshot path", () => {
  it("maps relationships, sections and azure sections", () => {
    expect(snapshotPathOf("$.users[ab].authenticationMethods[x].id")).toBe("users[ab].authenticationMethods");
    expect(snapshotPathOf("$.users[ab].displayName")).toBe("users[ab].displayName");
    expect(snapshotPathOf("$.groups")).toBe("groups");
    expect(snapshotPathOf("$.signIns[x]")).toBe("signIns[x]");
    expect(snapshotPathOf("$.azure.workspaces[/subscriptions/x]")).toBe("azure.workspaces");
    expect(snapshotPathOf("$.authorizationPolicy.allowedToUseSSPR")).toBe(
      "authorizationPolicy.allowedToUseSSPR",
    );
  });
});
