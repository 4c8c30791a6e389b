/**
 * Malformed Conditional Access policies (src/ca/validate.ts). A policy the engine cannot interpret
 * (conditions null, no users, no applications, an unknown grant control, operator or condition
 * value) makes every verdict it could affect `unknown`: never a pass and never silently ignored, in
 * assess (the EA-CA checks), in `ca prove` and in `ca check-change`; check-change refuses such a
 * policy file with exit 2, naming the field. An enabled "block everyone" policy is the sharpest case:
 * ignoring it would certify a tenant that locks every admin out.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkChange } from "../../src/ca/change.js";
import { proveAccount } from "../../src/ca/prover.js";
import { policyProblems } from "../../src/ca/validate.js";
import { check as ca01 } from "../../src/checks/ea-ca-01-no-other-policy.js";
import { check as ca02 } from "../../src/checks/ea-ca-02-dedicated-policy.js";
import { check as ca05 } from "../../src/checks/ea-ca-05-lockout-proof.js";
import { check as ca06 } from "../../src/checks/ea-ca-06-dormant-policies.js";
import { check as ca07 } from "../../src/checks/ea-ca-07-group-exclusions.js";
import { runCheck } from "../../src/checks/runner.js";
import { main } from "../../src/cli/main.js";
import { Envelope } from "../../src/config/schema.js";
import { Directory } from "../../src/snapshot/directory.js";
import type { Snapshot } from "../../src/snapshot/schema.js";
import { block, checkContext, engineOf, policy, strengthGrant, tenant } from "./fixtures.js";

const PR = "00000000-0000-0000-0000-000000000004";
const dedicated = policy({
  id: "dedicated",
  name: "Emergency access",
  users: { includeUsers: [], includeGroups: ["gEmergency"] },
  grant: strengthGrant(PR),
});

type Json = Record<string, any>;
/** An enabled "block everyone" policy, then damaged one way; `field` is what the refusal must name. */
const SHAPES: Array<{ name: string; field: string; damage: (p: Json) => void }> = [
  { name: "conditions null", field: "conditions", damage: (p) => (p.conditions = null) },
  { name: "no users", field: "conditions.users", damage: (p) => delete p.conditions.users },
  {
    name: "no applications",
    field: "conditions.applications",
    damage: (p) => delete p.conditions.applications,
  },
  {
    name: "an unknown built-in grant control",
    field: "grantControls.builtInControls.0",
    damage: (p) => (p.grantControls.builtInControls = ["blockEverything"]),
  },
  {
    name: "a control newer than the engine (unknownFutureValue)",
    field: "grantControls.builtInControls.0",
    damage: (p) => (p.grantControls.builtInControls = ["unknownFutureValue"]),
  },
  {
    name: "an unknown operator",
    field: "grantControls.operator",
    damage: (p) => (p.grantControls.operator = "XOR"),
  },
  {
    name: "an unknown client app type",
    field: "conditions.clientAppTypes.0",
    damage: (p) => (p.conditions.clientAppTypes = ["telnet"]),
  },
  {
    name: "an unknown risk level",
    field: "conditions.signInRiskLevels.0",
    damage: (p) => (p.conditions.signInRiskLevels = ["severe"]),
  },
];

function blockEveryone(damage: (p: Json) => void): Json {
  const p = policy({ id: "bad", name: "Block everyone", grant: block }) as Json;
  damage(p);
  return p;
}

const withBad = (damage: (p: Json) => void): Snapshot =>
  tenant({ conditionalAccessPolicies: [dedicated, blockEveryone(damage)] });

const ctxOf = (snapshot: Snapshot) => checkContext(snapshot);

const envelope = Envelope.parse({});

describe("policy validation", () => {
  it("accepts the policies the engine reads", () => {
    expect(policyProblems(dedicated)).toEqual([]);
    expect(policyProblems(blockEveryone(() => {}))).toEqual([]);
  });
  it.each(SHAPES)("names the field of $name", ({ field, damage }) => {
    const problems = policyProblems(blockEveryone(damage));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("; ")).toContain(`${field}:`);
  });
});

describe("assess: a malformed policy makes the verdicts it could affect unknown", () => {
  it("passes the same tenant without the damage (the control)", () => {
    const ok = ctxOf(tenant({ conditionalAccessPolicies: [dedicated] }));
    expect(runCheck(ca01, ok).status).toBe("pass");
    expect(runCheck(ca05, ok).status).toBe("pass");
  });
  it.each(SHAPES)("EA-CA-01 and EA-CA-05 are unknown with $name", ({ damage }) => {
    const ctx = ctxOf(withBad(damage));
    for (const c of [ca01, ca05]) {
      const r = runCheck(c, ctx);
      expect([c.id, r.status]).toEqual([c.id, "unknown"]);
      expect(r.findings.some((f) => f.subject?.id === "bad" && f.status === "unknown")).toBe(true);
    }
  });
  it("EA-CA-06 and EA-CA-07 do not pass over a malformed policy of theirs", () => {
    const dormant = withBad((p) => {
      p.state = "disabled";
      p.conditions = null;
    });
    expect(runCheck(ca06, ctxOf(dormant)).status).toBe("unknown");
    expect(runCheck(ca07, ctxOf(withBad((p) => (p.conditions = null)))).status).toBe("unknown");
  });
  it("EA-CA-02 cannot tell whether a policy whose users are unreadable is a dedicated one", () => {
    expect(runCheck(ca02, ctxOf(withBad((p) => (p.conditions = null)))).status).toBe("unknown");
    // users readable (All): certainly not dedicated, so the dedicated policy still grades
    expect(runCheck(ca02, ctxOf(withBad((p) => (p.grantControls.operator = "XOR")))).status).toBe("pass");
  });
  it("a disabled malformed policy does not touch what is enforced", () => {
    const ctx = ctxOf(
      withBad((p) => {
        p.state = "disabled";
        p.conditions = null;
      }),
    );
    expect(runCheck(ca01, ctx).status).toBe("pass");
    expect(runCheck(ca05, ctx).status).toBe("pass");
  });
});

describe("ca prove and ca check-change", () => {
  const dir = mkdtempSync(join(tmpdir(), "bg-malformed-"));
  const capture = async (argv: string[]) => {
    let out = "";
    let err = "";
    const o = process.stdout.write.bind(process.stdout);
    const e = process.stderr.write.bind(process.stderr);
    (process.stdout as any).write = (c: string) => ((out += c), true);
    (process.stderr as any).write = (c: string) => ((err += c), true);
    process.exitCode = undefined;
    try {
      const code = await main(["node", "breakglass", ...argv]);
      return { code, out, err };
    } finally {
      (process.stdout as any).write = o;
      (process.stderr as any).write = e;
      process.exitCode = undefined;
    }
  };
  const file = (name: string, value: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(value));
    return f;
  };

  it.each(SHAPES)("prove is undecided, not proven, with $name", async ({ name, damage }) => {
    const s = withBad(damage);
    expect(proveAccount(engineOf(s), "bg1", { envelope }).status).toBe("undecided");
    const snap = file(`prove-${name.replace(/\W+/g, "-")}.json`, s);
    const r = await capture(["ca", "prove", "--snapshot", snap, "--accounts", "bg1,bg2"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("UNDECIDED");
    expect(r.out).not.toMatch(/^PROVEN/m);
  });

  it.each(SHAPES)(
    "check-change says unknown, not unchanged, with $name in the tenant",
    async ({ name, damage }) => {
      const s = withBad(damage);
      const benign = policy({
        id: "new",
        name: "Report-only test",
        state: "enabledForReportingButNotEnforced",
      });
      const report = checkChange(s, new Directory(s), ["bg1"], [benign], { envelope, allAdmins: false });
      expect(report.malformed.map((m) => m.policyId)).toEqual(["bad"]);
      const snap = file(`change-${name.replace(/\W+/g, "-")}.json`, s);
      const r = await capture([
        "ca",
        "check-change",
        "--snapshot",
        snap,
        "--policy",
        file("benign.json", benign),
        "--accounts",
        "bg1",
      ]);
      expect(r.code).toBe(1);
      expect(r.out).toContain("UNKNOWN");
      expect(r.out).not.toContain("UNCHANGED");
    },
  );

  it.each(SHAPES)(
    "check-change refuses a policy file with $name, exit 2 naming the field",
    async ({ name, field, damage }) => {
      const snap = file("tenant.json", tenant({ conditionalAccessPolicies: [dedicated] }));
      const bad = file(`edit-${name.replace(/\W+/g, "-")}.json`, blockEveryone(damage));
      const r = await capture([
        "ca",
        "check-change",
        "--snapshot",
        snap,
        "--policy",
        bad,
        "--accounts",
        "bg1",
      ]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${field}:`);
      expect(r.out).toBe("");
    },
  );
});
