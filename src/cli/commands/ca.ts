/**
 * `breakglass ca whatif | prove | check-change`: the Conditional Access engine on a snapshot.
 * Parses flags, wires src/ca, prints. Exit codes: 0 proven / unchanged, 1 counter-example or
 * change found (or not provable), 2 usage or input error.
 */
import { countries, countryCode, countrySuggestions } from "../../ca/countries.js";
import type { Command } from "commander";
import { AUTH_METHODS, type AuthMethod } from "../../graph/auth-methods.js";
import { parseAuth } from "./export.js";
import { checkChange } from "../../ca/change.js";
import { PolicyFileError, policiesFromDocument } from "../../ca/policy-file.js";
import { isJsonObject, type JsonObject } from "../../snapshot/json.js";
import { resolveAccounts } from "../../checks/accounts.js";
import { CaEngine } from "../../ca/engine.js";
import { whatIfRequestOf } from "../../ca/format.js";
import { coverageOf, locationFacts } from "../../ca/explain.js";
import {
  type CaTextContext,
  changeLines,
  counterExampleInWords,
  coverageInWords,
  outcomeInWords,
  proofLines,
  signInInWords,
  targetInWords,
} from "../../report/ca-text.js";
import { proveAccount, proveAllAdmins } from "../../ca/prover.js";
import { WhatIfRequestError, whatIfResponse } from "../../ca/whatif.js";
import type { Config } from "../../config/schema.js";
import { Directory } from "../../snapshot/directory.js";
import { loadSnapshot } from "../../snapshot/load.js";
import type { Snapshot } from "../../snapshot/schema.js";
import { terminalInline } from "../../report/escape.js";
import { stringifyJson } from "../../report/json.js";
import { EXIT_TEXT, parseHumanFormat, withHelp } from "../conventions.js";
import { UsageError } from "../../errors.js";
import { readTextFile } from "../../io/read-file.js";
import { loadConfig } from "../../config/load.js";

/**
 * The emergency accounts, resolved exactly as `assess` resolves them (config accounts, group,
 * discovery, the recycle bin), with `--accounts` standing in for the config's accounts.
 */
export function emergencyAccountIds(
  snapshot: Snapshot,
  directory: Directory,
  config: Config,
  flag: string | undefined,
): string[] {
  const refs = flag
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const resolution = resolveAccounts(
    snapshot,
    refs?.length ? { ...config, accounts: refs } : config,
    directory,
  );
  const missing = resolution.unresolved[0];
  if (missing)
    throw new UsageError(
      `account ${missing.ref} is not in the snapshot` +
        (missing.deleted
          ? ` (it is in the recycle bin${missing.restorableUntil ? `, restorable until ${missing.restorableUntil}` : ""}: restore it)`
          : ": fix --accounts or the config's accounts"),
    );
  if (resolution.unresolvedGroup && !resolution.resolved.length)
    throw new UsageError(
      `group ${resolution.unresolvedGroup} is not in the snapshot: fix the config's group`,
    );
  return resolution.resolved.map((a) => a.id);
}

/** A request or policy file: 16 MiB is far beyond any real one. */
const MAX_JSON_INPUT_BYTES = 16 * 1024 * 1024;

async function readJson(file: string): Promise<unknown> {
  const text =
    file === "-"
      ? await readStdin()
      : await readTextFile(file, { what: "JSON", maxBytes: MAX_JSON_INPUT_BYTES });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: malformed JSON: ${(e as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The live tenant, read as `assess` reads it (the export's collector, read permissions only; a
 * token that also grants writes is warned about; exit 3 when nothing can be read).
 */
async function readLive(config: Config, auth: AuthMethod | undefined): Promise<Snapshot> {
  // Loaded here, not at the top: the Azure SDKs it pulls in cost `ca prove --snapshot` nothing.
  const { readLiveTenant } = await import("../../collect/live.js");
  return (await readLiveTenant({ config, auth, command: "ca prove" })).snapshot;
}

/** What the counter-example sentences need from the tenant: named locations, role names. */
function caTextContext(engine: CaEngine): CaTextContext {
  const roles = new Map(
    (engine.snapshot.roleDefinitions ?? []).map((r) => [
      String(r.templateId ?? r.id).toLowerCase(),
      String(r.displayName ?? r.id),
    ]),
  );
  return {
    locationOf: (signIn) => locationFacts(engine, signIn.location),
    roleName: (templateId) => roles.get(templateId.toLowerCase()),
  };
}

/** One line of text: tenant names (policies, users) cannot start a line of their own. */
const out = (s: string) => process.stdout.write(`${terminalInline(s)}\n`);
const json = (v: unknown) => process.stdout.write(stringifyJson(v));

interface WhatIfFlags {
  snapshot: string;
  request?: string;
  user?: string;
  app?: string;
  userAction?: string;
  authContext?: string;
  platform?: string;
  clientApp?: string;
  ip?: string;
  country?: string;
  signInRisk?: string;
  userRisk?: string;
  insiderRisk?: string;
  device?: string;
  flow?: string;
  appliedOnly?: boolean;
}

function requestFromFlags(f: WhatIfFlags, directory: Directory): Record<string, unknown> {
  if (!f.user)
    throw new UsageError("give --request FILE, or --user with --app, --user-action or --auth-context");
  // A user or a country the snapshot cannot match would evaluate a sign-in nobody makes, and
  // answer as if nothing applied: refuse it instead (exit 2).
  const user = directory.user(f.user);
  if (!user)
    throw new UsageError(
      `--user: no user ${JSON.stringify(f.user)} in the snapshot; give an object id or a userPrincipalName it holds`,
    );
  const country = f.country === undefined ? undefined : countryCode(f.country);
  if (f.country !== undefined && country === undefined) {
    const near = countrySuggestions(f.country);
    throw new UsageError(
      `--country: unknown country ${JSON.stringify(f.country)}; give an ISO 3166-1 alpha-2 code or an English country name` +
        (near.length > 0 ? ` (did you mean ${near.join(", ")}?)` : "") +
        `; codes: ${[...countries().keys()].join(" ")}`,
    );
  }
  const signInContext = f.userAction
    ? { "@odata.type": "#microsoft.graph.userActionContext", userAction: f.userAction }
    : f.authContext
      ? { "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: f.authContext }
      : f.app
        ? { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: f.app.split(",") }
        : undefined;
  if (!signInContext) throw new UsageError("give --app, --user-action or --auth-context");
  let deviceInfo: unknown;
  if (f.device) {
    try {
      deviceInfo = JSON.parse(f.device);
    } catch {
      throw new UsageError("--device takes JSON device properties, e.g. '{\"isCompliant\":true}'");
    }
  }
  const conditions: Record<string, unknown> = {
    devicePlatform: f.platform,
    clientAppType: f.clientApp ?? "browser",
    ipAddress: f.ip,
    country,
    signInRiskLevel: f.signInRisk,
    userRiskLevel: f.userRisk,
    insiderRiskLevel: f.insiderRisk,
    deviceInfo,
    authenticationFlow: f.flow ? { transferMethod: f.flow } : undefined,
  };
  for (const k of Object.keys(conditions)) if (conditions[k] === undefined) delete conditions[k];
  return {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: user.id },
    signInContext,
    signInConditions: conditions,
    appliedPoliciesOnly: !!f.appliedOnly,
  };
}

async function readPolicies(files: string[]): Promise<JsonObject[]> {
  const policies: JsonObject[] = [];
  for (const f of files) {
    // A policy the engine cannot interpret cannot be pre-flighted: refuse it, naming the field.
    try {
      policies.push(...policiesFromDocument(await readJson(f), f));
    } catch (e) {
      if (e instanceof PolicyFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  return policies;
}

export function register(program: Command): void {
  const ca = program
    .command("ca")
    .description("Conditional Access: What If, lockout proof, change pre-flight");

  const whatif = ca
    .command("whatif")
    .description("evaluate one sign-in like Graph's POST identity/conditionalAccess/evaluate")
    .requiredOption("--snapshot <file>", "tenant snapshot")
    .option("--request <file>", "an evaluate request body (JSON; - for stdin), v1.0 or beta shape")
    .option("--user <id|upn>", "the user signing in")
    .option("--app <appId,...>", "resource app ids")
    .option("--user-action <action>", "registerSecurityInformation | registerOrJoinDevices")
    .option("--auth-context <c1..c99>", "authentication context value")
    .option("--platform <platform>", "android | iOS | windows | windowsPhone | macOS | linux")
    .option(
      "--client-app <type>",
      "browser | mobileAppsAndDesktopClients | exchangeActiveSync | easSupported | other",
    )
    .option("--ip <address>", "IP address")
    .option("--country <code|name>", "country: ISO 3166-1 alpha-2 code (AT) or English name (Austria)")
    .option("--sign-in-risk <level>", "none | low | medium | high | hidden")
    .option("--user-risk <level>", "none | low | medium | high | hidden")
    .option("--insider-risk <level>", "minor | moderate | elevated")
    .option("--device <json>", "device properties, e.g. '{\"isCompliant\":true}'")
    .option("--flow <method>", "deviceCodeFlow | authenticationTransfer")
    .option("--applied-only", "appliedPoliciesOnly: only the policies that apply")
    .action(async (f: WhatIfFlags) => {
      const snapshot = await loadSnapshot(f.snapshot);
      const directory = new Directory(snapshot);
      let body: JsonObject;
      if (f.request) {
        const doc = await readJson(f.request);
        if (!isJsonObject(doc))
          throw new UsageError(
            `${f.request}: an evaluate request body is a JSON object, not ${Array.isArray(doc) ? "a list" : typeof doc}`,
          );
        body = doc;
      } else body = requestFromFlags(f, directory);
      try {
        json(whatIfResponse(body, snapshot));
      } catch (e) {
        if (e instanceof WhatIfRequestError) throw new UsageError(e.message);
        throw e;
      }
    });

  const prove = ca
    .command("prove")
    .description(
      "prove that no sign-in of the emergency envelope locks an emergency account (or every admin) out",
    )
    .option(
      "--snapshot <file>",
      "prove on a snapshot file (from `breakglass export`) instead of the live tenant",
    )
    .option("--config <file>", "config file (JSON or YAML): accounts, group, profile.envelope")
    .option(
      "--auth <method>",
      `live tenant credential: ${AUTH_METHODS.join(", ")} (default: from AZURE_* variables)`,
      parseAuth,
    )
    .option("--accounts <ids>", "emergency accounts, comma-separated ids or UPNs (overrides the config)")
    .option("--all-admins", "also prove that some privileged user always has a path (tenant-wide lockout)")
    .option("--report-only", "also switch on report-only policies")
    .option("--format <format>", "console (or text) | json", "console")
    .action(
      async (f: {
        snapshot?: string;
        config?: string;
        auth?: AuthMethod;
        accounts?: string;
        allAdmins?: boolean;
        reportOnly?: boolean;
        format: string;
      }) => {
        const format = parseHumanFormat(f.format);
        const config = (await loadConfig(f.config)).config;
        const snapshot = f.snapshot ? await loadSnapshot(f.snapshot) : await readLive(config, f.auth);
        const directory = new Directory(snapshot);
        const accounts = emergencyAccountIds(snapshot, directory, config, f.accounts);
        if (!accounts.length && !f.allAdmins)
          throw new UsageError("no emergency account: give --accounts or a config with accounts or group");
        const engine = new CaEngine(snapshot, directory);
        const envelope = config.profile.envelope;
        const mode = f.reportOnly ? "withReportOnly" : "enforced";
        const t0 = performance.now();
        const proofs = accounts.map((id) => proveAccount(engine, id, { envelope, mode }));
        const admins = f.allAdmins ? proveAllAdmins(engine, { envelope, mode }) : undefined;
        const ms = performance.now() - t0;
        const bad = proofs.some((p) => p.status !== "proven") || (admins?.lockoutClasses ?? 0) > 0;
        const text = caTextContext(engine);
        const coverage = coverageOf(engine, envelope);
        if (format === "json") {
          json({
            envelope,
            mode,
            milliseconds: Math.round(ms),
            coverage,
            accounts: proofs.map((p) => ({
              ...p,
              counterExamples: p.counterExamples.map((c) => ({
                ...c,
                text: counterExampleInWords(c, text),
                location: text.locationOf(c.signIn),
                whatIfRequest: whatIfRequestOf(c.userId, c.signIn),
              })),
            })),
            allAdmins: admins,
          });
        } else {
          for (const p of proofs) for (const line of proofLines(p, text)) out(line);
          if (admins) {
            out(
              `${admins.lockoutClasses ? "LOCKOUT" : "PROVEN"}  all admins (${admins.admins} privileged users, ${admins.adminClasses} distinct): ` +
                `${admins.lockoutClasses} of ${admins.classes} sign-in classes lock every admin out`,
            );
            for (const l of admins.lockouts)
              out(
                `  - ${targetInWords(l.signIn.target)} ${signInInWords(l.signIn, text)}: ${l.admins
                  .map((a) => `${a.userPrincipalName ?? a.userId} ${outcomeInWords(a.outcome)}`)
                  .join("; ")}`,
              );
          }
          out(coverageInWords(coverage));
          const calls = proofs.reduce((n, p) => n + p.whatIfCalls, 0) + (admins?.whatIfCalls ?? 0);
          out(`What If would need ${calls} calls for the same coverage (${Math.round(ms)} ms)`);
        }
        if (bad) process.exitCode = 1;
      },
    );

  const checkChangeCommand = ca
    .command("check-change")
    .description(
      "pre-flight a new or edited policy: does it change an emergency account's outcome or lock every admin out?",
    )
    .requiredOption("--snapshot <file>", "tenant snapshot")
    .requiredOption(
      "--policy <files...>",
      "policy JSON files: Graph JSON (one policy, a list or {value:[...]}) or Graph PowerShell's ConvertTo-Json output",
    )
    .option("--config <file>", "config file (JSON or YAML)")
    .option("--accounts <ids>", "emergency accounts, comma-separated ids or UPNs")
    .option("--no-all-admins", "skip the tenant-wide lockout proof")
    .option(
      "--all",
      "list every changed sign-in class (default: one example per policy and account, with counts)",
    )
    .option("--format <format>", "console (or text) | json", "console")
    .action(
      async (f: {
        snapshot: string;
        policy: string[];
        config?: string;
        accounts?: string;
        allAdmins: boolean;
        all?: boolean;
        format: string;
      }) => {
        const format = parseHumanFormat(f.format);
        const config = (await loadConfig(f.config)).config;
        const snapshot = await loadSnapshot(f.snapshot);
        const directory = new Directory(snapshot);
        const edits = await readPolicies(f.policy);
        const accounts = emergencyAccountIds(snapshot, directory, config, f.accounts);
        const report = checkChange(snapshot, directory, accounts, edits, {
          envelope: config.profile.envelope,
          allAdmins: f.allAdmins,
          allClasses: f.all,
        });
        const bad = report.changedClasses > 0 || report.createsTenantLockout || report.malformed.length > 0;
        if (format === "json") json(report);
        else {
          const text = caTextContext(new CaEngine(snapshot, directory));
          for (const m of report.malformed)
            out(
              `UNKNOWN  policy '${m.displayName}' is malformed (${m.problems.join("; ")}): the outcomes it could affect cannot be told`,
            );
          if (!report.changedClasses && !report.malformed.length)
            out(`UNCHANGED  no emergency account's outcome changes in any sign-in class of the envelope`);
          for (const line of changeLines(report, text, { all: !!f.all })) out(line);
          const after = report.lockoutsAfter;
          if (after) {
            const first = after.lockouts[0];
            if (report.createsTenantLockout && first)
              out(
                `LOCKOUT  the change locks every admin out in ${after.lockoutClasses} sign-in ${after.lockoutClasses === 1 ? "class" : "classes"}, e.g. ${targetInWords(first.signIn.target)} ${signInInWords(first.signIn, text)}`,
              );
            else
              out(
                `${after.lockoutClasses ? "LOCKOUT (already before the change)" : report.malformed.length ? "UNKNOWN" : "OK"}  sign-in classes that lock every admin out after the change: ${after.lockoutClasses}`,
              );
          }
        }
        if (bad) process.exitCode = 1;
      },
    );

  withHelp(
    ca,
    [
      "breakglass ca prove --snapshot tenant.json --config breakglass.yaml",
      "breakglass ca check-change --snapshot tenant.json --policy new-policy.json",
    ],
    [EXIT_TEXT.ok, "1 a counter-example or a changed outcome", EXIT_TEXT.usage, EXIT_TEXT.internal],
  );
  withHelp(
    whatif,
    [
      "breakglass ca whatif --snapshot tenant.json --user admin@contoso.onmicrosoft.com --app 797f4846-ba00-4fd7-ba43-dac1f8f63013",
      "breakglass ca whatif --snapshot tenant.json --request evaluate-body.json",
    ],
    [`${EXIT_TEXT.ok} (the answer is printed as JSON)`, EXIT_TEXT.usage, EXIT_TEXT.internal],
  );
  withHelp(
    prove,
    [
      "breakglass ca prove --config breakglass.yaml",
      "breakglass ca prove --snapshot tenant.json --config breakglass.yaml",
      "breakglass ca prove --snapshot tenant.json --accounts bg1@contoso.onmicrosoft.com --all-admins --format json",
    ],
    ["0 proven", "1 a counter-example (printed)", EXIT_TEXT.usage, EXIT_TEXT.unreadable, EXIT_TEXT.internal],
  );
  withHelp(
    checkChangeCommand,
    [
      "breakglass ca check-change --snapshot tenant.json --policy new-policy.json",
      "breakglass ca check-change --snapshot tenant.json --policy a.json b.json --format json",
      "breakglass ca check-change --snapshot tenant.json --policy exported-with-convertto-json.json --all",
    ],
    [
      "0 no emergency outcome changes",
      "1 an outcome changes or a tenant-wide lockout appears",
      EXIT_TEXT.usage,
      EXIT_TEXT.internal,
    ],
  );
}
