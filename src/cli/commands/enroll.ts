/**
 * `breakglass enroll ACCOUNT [--keys N] [--timeout 30m] [--yes] [--config F] [--auth M]`: one
 * account's security keys registered with a one-time Temporary Access Pass, then cleanup
 * (docs/deploy.md "Enroll"; the run is src/deploy/enroll-run.ts). This file parses, wires the
 * clients, the records store beside the configuration, the terminal and the write-permission gate.
 * Exit codes: 0; 2 usage (an unknown account, no terminal); 3 tenant unreadable; 4 refused (a gate,
 * the lock, the operator); 5 incomplete (timed out: a re-run resumes).
 */
import { userInfo } from "node:os";
import { dirname } from "node:path";
import { createInterface } from "node:readline/promises";
import type { TokenCredential } from "@azure/core-auth";
import { type Command, InvalidArgumentError, Option } from "commander";
import { EXIT_TEXT, helpText } from "../conventions.js";
import { decodeJwt } from "jose";
import { applicationRoles, missingWritePermissions } from "../../collect/permissions.js";
import { loadConfig } from "../../config/load.js";
import { runEnrollment, type EnrollDeps, type EnrollIo, type GateNeeds } from "../../deploy/enroll-run.js";
import { RefusedError } from "../../errors.js";
import {
  AUTH_METHODS,
  GRAPH_SCOPE,
  createClients,
  createGraphWriter,
  grantedDirectoryRoles,
  grantedPermissions,
  systemClock,
  type AuthMethod,
  type Clients,
  type Clock,
} from "../../graph/index.js";
import { FileRecordStore } from "../../records/store.js";
import { sanitizeForTerminal } from "../../report/escape.js";
import { ROLE_TEMPLATES } from "../../snapshot/directory.js";
import { parseAuth } from "./export.js";

export interface EnrollCommandOptions {
  keys?: number;
  timeout: number;
  yes?: boolean;
  config?: string;
  auth?: AuthMethod;
  pollInterval: number;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `30m`, `90s`, `1h`, `500ms`, or a number of minutes. */
export function parseDuration(value: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || n <= 0) throw new InvalidArgumentError("a duration such as 30m, 90s or 1h");
  return n * UNIT_MS[(m[2] ?? "m") as keyof typeof UNIT_MS];
}

function parseKeys(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10)
    throw new InvalidArgumentError("a number of keys from 1 to 10");
  return n;
}

export function register(program: Command): void {
  program
    .command("enroll")
    .description(
      "register an emergency account's security keys with a one-time Temporary Access Pass, then clean up (needs a terminal)",
    )
    .argument("<account>", "a configured emergency account: its userPrincipalName or object id")
    .option("--keys <n>", "keys to register (default: profile.keysPerAccount)", parseKeys)
    .option("--timeout <duration>", "how long to wait for the keys", parseDuration, 30 * 60_000)
    .option("--yes", "confirm the registered keys without asking")
    .option("--config <file>", "configuration file (default: ./breakglass.yaml, then ./breakglass.json)")
    .option(
      "--auth <method>",
      `credential: ${AUTH_METHODS.join(", ")} (an administrator in a browser is best)`,
      parseAuth,
    )
    .addHelpText(
      "after",
      helpText(
        [
          "breakglass enroll cld-k2j9@contoso.onmicrosoft.com",
          "breakglass enroll cld-k2j9@contoso.onmicrosoft.com --keys 2 --timeout 45m --auth device-code",
        ],
        [
          EXIT_TEXT.ok,
          "2 usage (an unknown account, no terminal)",
          EXIT_TEXT.unreadable,
          "4 refused (a gate, the lock, the operator)",
          "5 incomplete (timed out: a re-run resumes)",
          EXIT_TEXT.internal,
        ],
      ),
    )
    // tests run the binary under a pseudo-terminal and cannot wait 10 s a look
    .addOption(new Option("--poll-interval <duration>").argParser(parseDuration).default(10_000).hideHelp())
    .action(async (account: string, options: EnrollCommandOptions) => {
      // Ctrl-C while waiting: the pass is deleted before the process ends; a second one ends it now.
      const interrupt = new AbortController();
      const onSigint = () => {
        if (interrupt.signal.aborted) process.exit(130);
        process.stderr.write("\ninterrupted: deleting the pass (Ctrl-C again to stop at once)\n");
        interrupt.abort();
      };
      process.on("SIGINT", onSigint);
      try {
        process.exitCode = await runEnroll(
          account,
          options,
          terminalIo(options.yes === true, interrupt.signal),
          {
            signal: interrupt.signal,
          },
        );
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
}

/** The process's terminal: the pass goes to stdout only when stdout (and stdin, to confirm) are one. */
function terminalIo(yes: boolean, signal: AbortSignal): EnrollIo {
  return {
    // key labels and models are the tenant's text: no escape sequence of theirs reaches the terminal
    out: (t) => void process.stdout.write(sanitizeForTerminal(t)),
    err: (t) => void process.stderr.write(sanitizeForTerminal(t)),
    interactive: process.stdout.isTTY === true && (yes || process.stdin.isTTY === true),
    confirm: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await rl.question(question, { signal })).trim());
      } catch {
        return false; // Ctrl-C at the question: not confirmed
      } finally {
        rl.close();
      }
    },
    operator: `breakglass enroll, run by ${safeUser()}`,
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "an unknown user";
  }
}

export interface EnrollWiring {
  clients?: Clients;
  /** the CA the writer trusts besides the system's (tests: the emulator's) */
  caPem?: string;
  clock?: Clock;
  cwd?: string;
  signal?: AbortSignal;
}

export async function runEnroll(
  account: string,
  options: EnrollCommandOptions,
  io: EnrollIo,
  wiring: EnrollWiring = {},
): Promise<number> {
  const { config, file } = await loadConfig(options.config, wiring.cwd ?? process.cwd());
  const clock = wiring.clock ?? systemClock;
  const clients =
    wiring.clients ??
    createClients({
      auth: { method: options.auth, tenantId: config.tenant ?? process.env.AZURE_TENANT_ID },
      clock,
    });
  const deps: EnrollDeps = {
    graph: clients.graph,
    writer: createGraphWriter(clients, {
      sleep: (ms) => clock.sleep(ms),
      now: () => clock.now(),
      ...(wiring.caPem ? { caPem: wiring.caPem } : {}),
    }),
    // records live beside the configuration (without a file: the working directory)
    store: new FileRecordStore(file ? dirname(file) : (wiring.cwd ?? process.cwd())),
    clock,
    gate: async (needs) => enrollGate(await credentialGrants(clients.credential, GRAPH_SCOPE), needs, io),
    ...(wiring.signal ? { signal: wiring.signal } : {}),
  };
  return runEnrollment(
    config,
    {
      account,
      ...(options.keys !== undefined ? { keys: options.keys } : {}),
      timeoutMs: options.timeout,
      pollMs: options.pollInterval,
      yes: options.yes === true,
    },
    io,
    deps,
  );
}

/** What a token grants, for the gate: its kind, permissions or scopes, and directory roles. */
export interface TokenGrants {
  /** application (`roles`), delegated (`scp`), or unknown (an opaque token: nothing can be checked) */
  kind: "application" | "delegated" | "unknown";
  permissions: string[];
  /** directory role template ids held tenant-wide (`wids`) */
  roleTemplateIds: string[];
}

/** Decoded, not verified (Breakglass is not the token's audience); never printed or kept. */
export function tokenGrants(accessToken: string): TokenGrants {
  const permissions = grantedPermissions(accessToken);
  if (!permissions.length) return { kind: "unknown", permissions: [], roleTemplateIds: [] };
  let delegated = false;
  try {
    delegated = typeof decodeJwt(accessToken).scp === "string";
  } catch {
    /* grantedPermissions read it, so it decodes */
  }
  return {
    kind: delegated ? "delegated" : "application",
    permissions,
    roleTemplateIds: grantedDirectoryRoles(accessToken),
  };
}

/** The grants of the credential's token for Graph (the same cached token the clients use). */
async function credentialGrants(credential: TokenCredential, scope: string): Promise<TokenGrants> {
  const token = await credential.getToken(scope);
  return token ? tokenGrants(token.token) : { kind: "unknown", permissions: [], roleTemplateIds: [] };
}

const roleName = (templateId: string) =>
  Object.entries(ROLE_TEMPLATES).find(([, id]) => id === templateId.toLowerCase())?.[0] ?? templateId;

/**
 * The write-permission gate (docs/deploy.md "Gates"): an application needs enroll's permissions,
 * and Privileged Authentication Administrator once the account sits in a role-assignable group
 * (docs/graph-writes.md 0.6); an administrator signed in needs the scopes and that role (or
 * Authentication Administrator for an account not protected yet), and Authentication Policy
 * Administrator when the pass method's targets change. Global Administrator covers every role.
 */
export function enrollGate(grants: TokenGrants, needs: GateNeeds, io: Pick<EnrollIo, "err">): void {
  if (grants.kind === "unknown") {
    io.err(
      "warning: the token's permissions cannot be read (an opaque token); Graph refuses what it lacks\n",
    );
    return;
  }
  const held = grants.roleTemplateIds.map(roleName);
  const missing = missingWritePermissions("enroll", grants.permissions, held);
  const roles: string[] = [];
  const hasRole = (...names: string[]) => held.some((h) => h === "Global Administrator" || names.includes(h));
  if (grants.kind === "application") {
    if (needs.protectedAccount) roles.push(...missing.roles);
  } else {
    const pla = applicationRoles("enroll")[0] ?? "Privileged Authentication Administrator";
    if (needs.protectedAccount ? !hasRole(pla) : !hasRole(pla, "Authentication Administrator"))
      roles.push(needs.protectedAccount ? pla : "Authentication Administrator");
    if (needs.policyChange && !hasRole("Authentication Policy Administrator"))
      roles.push("Authentication Policy Administrator");
  }
  if (!missing.permissions.length && !roles.length) return;
  const lines = [
    ...(missing.permissions.length ? [`permissions: ${missing.permissions.join(", ")}`] : []),
    ...(roles.length
      ? [
          `directory roles: ${roles.join(", ")}${needs.protectedAccount ? " (the account is in a role-assignable group: changing its methods needs it)" : ""}`,
        ]
      : []),
  ];
  throw new RefusedError(
    `the ${grants.kind === "application" ? "application's" : "signed-in administrator's"} token lacks what enroll writes need, nothing was sent: ${lines.join("; ")} (breakglass permissions enroll)`,
  );
}
