import { describe, expect, it } from "vitest";
import { snapshotDifferences } from "../support/equality.js";

const base = {
  schema: "breakglass.snapshot/v1",
  tenant: { id: "t", capturedAt: "2026-01-01T00:00:00Z" },
  users: [
    { id: "A", displayName: "a", otherMails: ["x", "y"] },
    { id: "b", displayName: "b" },
  ],
  namedLocations: [
    { "@odata.type": "#microsoft.graph.ipNamedLocation", id: "n", ipRanges: [{ cidrAddress: "1.2.3.4/32" }] },
  ],
};

describe("snapshot equality helper", () => {
  it("ignores order, @odata annotations, capturedAt and id case", () => {
    const actual = {
      ...base,
      tenant: { id: "t", capturedAt: "2027-01-01T00:00:00Z" },
      users: [
        { "@odata.type": "#microsoft.graph.user", id: "b", displayName: "b", mail: null },
        { id: "a", displayName: "a", otherMails: ["y", "x"] },
      ],
      namedLocations: [
        {
          id: "n",
          ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "1.2.3.4/32" }],
        },
      ],
    };
    expect(snapshotDifferences(base, actual)).toEqual([]);
  });

  it("reports a changed, a missing and an extra object by path", () => {
    const actual = {
      ...base,
      users: [{ id: "a", displayName: "changed", otherMails: ["x", "y"] }, { id: "c" }],
    };
    const diffs = snapshotDifferences(base, actual);
    expect(diffs.map((d) => d.path)).toEqual(["$.users[a].displayName", "$.users[b]", "$.users[c]"]);
  });

  it("reports a missing section and an extra one", () => {
    const { namedLocations: _n, ...rest } = base;
    expect(snapshotDifferences(base, rest)[0]?.path).toBe("$.namedLocations");
    expect(snapshotDifferences(rest, base)[0]?.path).toBe("$.namedLocations");
  });
});
