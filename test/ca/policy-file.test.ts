/**
 * Policy files for `ca check-change`: Graph JSON and Graph PowerShell's `ConvertTo-Json` form read
 * to the same policy; a file the engine cannot read is refused naming the field as the file names it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PolicyFileError, policiesFromDocument } from "../../src/ca/policy-file.js";
import { compilePolicy } from "../../src/ca/policy.js";

const EXAMPLES = join(import.meta.dirname, "../../examples/policies");
const example = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(join(EXAMPLES, name), "utf8"));

/** What the engine reads of a policy: its compiled form without the raw JSON it came from. */
const engineView = (p: Record<string, unknown>) => {
  const c = compilePolicy(p, { locations: new Map() });
  return {
    state: c.state,
    name: c.displayName,
    grant: c.grant,
    conditions: c.conditions,
    invalid: c.invalid,
  };
};

describe("policy files", () => {
  it("reads the PowerShell form of the sample as the Graph form reads", async () => {
    const [graph] = policiesFromDocument(await example("block-outside-allowed-countries.json"), "g.json");
    const [ps] = policiesFromDocument(
      await example("block-outside-allowed-countries.powershell.json"),
      "ps.json",
    );
    expect(ps).toMatchObject({
      displayName: "CA010 - All users - Block outside allowed countries (draft)",
      state: "enabled",
      conditions: {
        users: { includeUsers: ["All"] },
        // A one-item list Windows PowerShell wrote as the item itself.
        locations: { includeLocations: ["All"], excludeLocations: ["840ae3d6-7537-425a-8da4-a0e0f82864bf"] },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    });
    // The SDK's null id and its all-null application filter are unset, as in Graph's form.
    expect(ps).not.toHaveProperty("id");
    expect(ps!.conditions).not.toHaveProperty("applications.applicationFilter");
    expect(engineView(ps!)).toEqual(engineView(graph!));
  });

  it("keeps what the SDK puts in AdditionalProperties, at its level", () => {
    const [p] = policiesFromDocument(
      [
        {
          Id: "a1",
          DisplayName: "x",
          State: "enabled",
          Conditions: {
            Users: { IncludeUsers: "All", ExcludeUsers: "" },
            Applications: { IncludeApplications: ["All"] },
            Platforms: { IncludePlatforms: ["all"], AdditionalProperties: { "@odata.type": "#p" } },
          },
          GrantControls: { Operator: "OR", BuiltInControls: ["mfa"] },
          AdditionalProperties: { "@odata.context": "ctx", DisplayName: "not me" },
        },
      ],
      "f.json",
    );
    expect(p).toMatchObject({
      id: "a1",
      displayName: "x",
      "@odata.context": "ctx",
      conditions: { users: { includeUsers: ["All"], excludeUsers: [] }, platforms: { "@odata.type": "#p" } },
    });
    expect(p).not.toHaveProperty("DisplayName");
  });

  it("reads a Graph list response ({ value: [...] })", () => {
    const policy = {
      displayName: "p",
      state: "disabled",
      conditions: { users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
    };
    expect(policiesFromDocument({ value: [policy, policy] }, "f.json")).toHaveLength(2);
  });

  it.each([
    [
      "a PowerShell policy without State",
      {
        DisplayName: "x",
        Conditions: { Users: { IncludeUsers: ["All"] }, Applications: { IncludeApplications: ["All"] } },
      },
      /f\.json: not a valid conditionalAccessPolicy \(Graph PowerShell form\): State: missing/,
    ],
    [
      "a PowerShell control with a typo",
      {
        DisplayName: "x",
        State: "enabled",
        Conditions: { Users: { IncludeUsers: ["All"] }, Applications: { IncludeApplications: ["All"] } },
        GrantControls: { Operator: "OR", BuiltInControls: ["mfaa"] },
      },
      /GrantControls\.BuiltInControls\.0: expected one of block, mfa/,
    ],
    [
      "a Graph policy without users",
      { displayName: "x", state: "enabled", conditions: { applications: { includeApplications: ["All"] } } },
      /f\.json: not a valid conditionalAccessPolicy: conditions\.users: missing/,
    ],
    ["an empty list", [], /f\.json: holds no policy/],
    [
      "a list of strings",
      ["a", "b"],
      /f\.json policy 1: not a conditionalAccessPolicy: expected a JSON object, got string/,
    ],
  ])("refuses %s, naming the field", (_, doc, message) => {
    expect(() => policiesFromDocument(doc, "f.json")).toThrow(PolicyFileError);
    expect(() => policiesFromDocument(doc, "f.json")).toThrow(message);
  });
});
