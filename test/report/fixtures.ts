/**
 * Test fixtures for the report layer: hostile tenant strings, a snapshot carrying them, and a tiny
 * stand-in for the check registry (two demo checks) until src/checks/registry.ts lands from the
 * `checks` branch. The stand-in lives in tests only.
 */
import type { AssessEngine } from "../../src/cli/commands/assess.js";
import { runChecks } from "../../src/checks/runner.js";
import type { AccountResolution, Check, CheckContext, CheckResult } from "../../src/checks/types.js";
import type { Config } from "../../src/config/schema.js";
import { defaultConfig } from "../../src/config/schema.js";
import { buildReport } from "../../src/report/build.js";
import type { Report } from "../../src/report/model.js";
import { Directory, sameId } from "../../src/snapshot/directory.js";
import { parseSnapshot } from "../../src/snapshot/load.js";
import type { Snapshot } from "../../src/snapshot/schema.js";

/** Sets `window.__pwned` if any of it ever runs; requests attacker.test if anything loads. */
export const HOSTILE = {
  script: `<script>window.__pwned=1</script>`,
  img: `<img src="http://attacker.test/img.png" onerror="window.__pwned=2">`,
  svg: `"><svg onload=window.__pwned=3>`,
  attr: `' autofocus onfocus='window.__pwned=4`,
  iframe: `<iframe src="http://attacker.test/frame"></iframe>`,
  style: `<style>@import url(http://attacker.test/css);</style><link rel=stylesheet href=http://attacker.test/l.css>`,
  meta: `<meta http-equiv="refresh" content="0;url=http://attacker.test/refresh">`,
  base: `<base href="http://attacker.test/">`,
  markdownLink: `[click me](javascript:window.__pwned=5) ![x](http://attacker.test/md.png) <http://attacker.test/auto>`,
  markdownTable: `| injected | cell |\n|---|---|\n| more | rows |`,
  markdownHeading: `# heading\n- list\n> quote\n\`\`\`\ncode fence`,
  ansi: `\u001b[31mRED\u001b[0m \u001b]8;;http://attacker.test\u0007link\u001b]8;;\u0007 \u001b[2J\u001b[H`,
  c1: `C1 CSI \u009b31m and OSC \u009d0;title\u009c and NEL\u0085`,
  bidi: `admin\u202egpj.exe \u2066isolated\u2069 \u200f`,
  controls: `nul\u0000 bell\u0007 backspace\u0008 cr\r del\u007f`,
  long: `L${"x".repeat(9_998)}Z`,
  entity: `&lt;script&gt;window.__pwned=6&lt;/script&gt;`,
  cdata: `]]><x>&amp;</x><![CDATA[`,
  sarifLink: `see [here](0) and {0}`,
} as const;

export const HOSTILE_NAMES: string[] = Object.values(HOSTILE);

/** Bytes that must never come from tenant data into a terminal or Markdown: C0 (but \n), DEL, C1. */
// eslint-disable-next-line no-control-regex
export const CONTROL_BYTES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const T = "00000000-0000-4000-8000-000000000001";

/** A snapshot whose tenant, users, group and evidence all carry hostile strings. */
export function hostileSnapshot(): Snapshot {
  const users = HOSTILE_NAMES.map((name, i) => ({
    id: `00000000-0000-4000-8000-${String(100 + i).padStart(12, "0")}`,
    userPrincipalName: `bg${i}@contoso.onmicrosoft.com`,
    displayName: name,
    accountEnabled: i % 2 === 0,
  }));
  return parseSnapshot({
    schema: "breakglass.snapshot/v1",
    tenant: {
      id: T,
      displayName: `Contoso ${HOSTILE.script}${HOSTILE.ansi}${HOSTILE.bidi}`,
      capturedAt: "2026-11-01T10:00:00Z",
    },
    users,
    deletedUsers: [
      {
        id: "del-1",
        userPrincipalName: `ghost${HOSTILE.c1}@contoso.onmicrosoft.com`,
        deletedDateTime: "2026-10-20T00:00:00Z",
      },
    ],
  });
}

/** Stand-in for the registry's buildCheckContext: accounts from config (ids or UPNs), else every user. */
export function demoBuildCheckContext(snapshot: Snapshot, config: Config): CheckContext {
  const users = snapshot.users ?? [];
  const refs = config.accounts ?? users.map((u) => u.id);
  const accounts: AccountResolution = {
    method: config.accounts ? "config" : "discovered",
    resolved: [],
    unresolved: [],
  };
  for (const ref of refs) {
    const user = users.find((u) => sameId(u.id, ref) || sameId(u.userPrincipalName, ref));
    if (user)
      accounts.resolved.push({
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        displayName: user.displayName,
      });
    else {
      const deleted = snapshot.deletedUsers?.find(
        (d) => sameId(d.id, ref) || sameId(d.userPrincipalName, ref),
      );
      accounts.unresolved.push(
        deleted ? { ref, deleted: true, restorableUntil: "2026-11-19T00:00:00Z" } : { ref },
      );
    }
  }
  if (!config.accounts)
    accounts.candidates = users.slice(0, 3).map((u) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      score: 7,
      reasons: [`named ${u.displayName}`],
    }));
  return {
    snapshot,
    directory: new Directory(snapshot),
    config,
    accounts,
    now: new Date(snapshot.tenant.capturedAt),
  };
}

/** Demo check 1: every account is enabled (fail per disabled account, with the name in the message). */
export const demoEnabledCheck: Check = {
  id: "EA-ACC-02",
  title: "Every account is enabled",
  severity: "high",
  sources: ["001"],
  needs: ["users"],
  docs: "# Every account is enabled\n\nA disabled emergency account cannot be used in an emergency.\n",
  evaluate(ctx) {
    return ctx.accounts.resolved.map((acc) => {
      const user = ctx.directory.user(acc.id);
      const enabled = user?.accountEnabled === true;
      return {
        status: enabled ? "pass" : "fail",
        subject: { type: "user", id: acc.id, displayName: acc.displayName },
        message: enabled
          ? `${acc.displayName} is enabled`
          : `${acc.displayName} is disabled (accountEnabled = false)`,
        evidence: { accountEnabled: user?.accountEnabled ?? null, displayName: acc.displayName },
        remediation: {
          summary: `Enable ${acc.displayName}`,
          graph: `PATCH /users/${acc.id} {"accountEnabled": true} # ${acc.displayName}`,
          command: "breakglass apply",
        },
      };
    });
  },
};

/** Demo check 2: needs riskyUsers, which the hostile snapshot does not carry: unknown. */
export const demoRiskCheck: Check = {
  id: "EA-AUTH-10",
  title: "No account is currently at risk",
  severity: "critical",
  sources: ["beyond seeds"],
  needs: ["riskyUsers"],
  evaluate: () => [],
};

export const demoChecks: readonly Check[] = [demoEnabledCheck, demoRiskCheck];

export const demoEngine = (checks: readonly Check[] = demoChecks): AssessEngine => ({
  checks,
  buildCheckContext: demoBuildCheckContext,
});

export function demoResults(
  snapshot = hostileSnapshot(),
  config: Config = defaultConfig(),
): { results: CheckResult[]; context: CheckContext } {
  const context = demoBuildCheckContext(snapshot, config);
  return { results: runChecks(demoChecks, context), context };
}

/** The report of the demo checks over the hostile snapshot, plus one skipped check and hostile reasons. */
export function hostileReport(): Report {
  const snapshot = hostileSnapshot();
  const { results, context } = demoResults(snapshot, {
    ...defaultConfig(),
    accounts: [
      ...(snapshot.users ?? []).map((u) => u.id),
      `ghost${HOSTILE.c1}@contoso.onmicrosoft.com`,
      HOSTILE.script,
    ],
  });
  const extra: CheckResult[] = [
    {
      id: "EA-CA-01",
      title: "No other Conditional Access policy applies",
      severity: "critical",
      status: "skip",
      reason: `no P1 ${HOSTILE.markdownLink}`,
      findings: [],
    },
    {
      id: "EA-MON-03",
      title: "Sign-in alert",
      severity: "critical",
      status: "error",
      reason: `the check failed: ${HOSTILE.ansi}${HOSTILE.script}`,
      findings: [],
    },
    {
      id: "EA-ACC-08",
      title: "Naming policy",
      severity: "low",
      status: "warn",
      reason: null,
      findings: [
        {
          status: "warn",
          subject: { type: "group", id: HOSTILE.svg, displayName: HOSTILE.markdownTable },
          message: `group name ${HOSTILE.markdownHeading} says emergency`,
          evidence: { name: HOSTILE.cdata },
        },
        {
          status: "warn",
          subject: { type: "group", id: HOSTILE.svg, displayName: HOSTILE.bidi },
          message: `${HOSTILE.sarifLink}`,
          severity: "medium",
        },
      ],
    },
  ];
  return buildReport({
    results: [...results, ...extra],
    accounts: context.accounts,
    tenant: { id: snapshot.tenant.id, displayName: snapshot.tenant.displayName },
    asOf: snapshot.tenant.capturedAt,
    generatedAt: new Date("2026-11-01T10:00:05Z"),
    source: `snapshot:${HOSTILE.bidi}.json`,
    configFile: `breakglass${HOSTILE.ansi}.yaml`,
    toolVersion: "0.1.0",
    failOn: "high",
    allowUnknown: false,
  });
}
