import {
  accountIdOf,
  accountLabel,
  custodyOf,
  defineCheck,
  isCurrent,
  isFinding,
  methodKind,
  methodsOf,
  methodsPath,
  needsAccounts,
  perAccountNeeds,
  sortedAccounts,
  tenantSubject,
  unreadableFinding,
  userSubject,
} from "./lib/index.js";
import type { CustodyKey } from "../records/custody.js";
import { norm } from "../snapshot/directory.js";
import type { AuthenticationMethod } from "../snapshot/schema.js";
import type { Finding } from "./types.js";

const MIN_CUSTODIANS = 2;

/** A registry key is an enrolled method by its method id; by its AAGUID only when no id was recorded. */
const isEnrolledAs = (k: CustodyKey, m: AuthenticationMethod): boolean =>
  k.methodId ? norm(k.methodId) === norm(m.id) : k.aaGuid !== undefined && norm(k.aaGuid) === norm(m.aaGuid);

export const check = defineCheck(import.meta.url, {
  id: "EA-OPS-03",
  title:
    "Keys and PINs are in the custody of two people each, apart, and the registry matches the enrolled keys",
  severity: "high",
  sources: ["000", "004"],
  needs: ["users"],
  needsFor: (ctx) => perAccountNeeds(ctx, "authenticationMethods"),
  appliesTo: needsAccounts,
  evaluate(ctx) {
    const custody = custodyOf(ctx);
    if (isFinding(custody)) return [custody];
    const now = ctx.now;
    const current = new Set(custody.custodians.filter((c) => isCurrent(c, now)).map((c) => c.name));
    const findings: Finding[] = [];
    const tenant = tenantSubject(ctx.snapshot);
    const problem = (message: string, evidence: Record<string, unknown>, subject = tenant) =>
      findings.push({
        status: "fail",
        subject,
        message,
        evidence,
        remediation: {
          summary: "Correct custody.yaml and the physical custody it records, then have it reviewed",
        },
      });

    for (const key of custody.keys) {
      const holders = key.custodians.filter((n) => current.has(n));
      if (holders.length < MIN_CUSTODIANS)
        problem(
          `key ${key.label} has ${holders.length} current custodian(s); at least ${MIN_CUSTODIANS} at all times`,
          {
            key: key.label,
            currentCustodians: holders,
          },
        );
      const pins = custody.pins.filter((p) => p.key === key.label);
      if (pins.length === 0)
        problem(`key ${key.label} has no PIN envelope in the registry`, { key: key.label });
      for (const pin of pins) {
        const pinHolders = pin.custodians.filter((n) => current.has(n));
        if (pinHolders.length < MIN_CUSTODIANS)
          problem(
            `the PIN of key ${key.label} has ${pinHolders.length} current custodian(s); at least ${MIN_CUSTODIANS}`,
            {
              key: key.label,
              currentCustodians: pinHolders,
            },
          );
        const both = ctx.config.profile.twoPersonRule ? pinHolders.filter((n) => holders.includes(n)) : [];
        if (both.length)
          problem(
            `${both.join(", ")} hold(s) both key ${key.label} and its PIN: the two-person rule is broken`,
            {
              key: key.label,
              custodians: both,
            },
          );
        if (pin.location === key.location)
          problem(`key ${key.label} and its PIN are kept in the same location`, {
            key: key.label,
            location: key.location,
          });
      }
      if (!accountIdOf(ctx, key.account))
        problem(`key ${key.label} is registered on ${key.account}, which is not an emergency account`, {
          key: key.label,
          account: key.account,
        });
    }

    for (const account of sortedAccounts(ctx)) {
      const subject = userSubject(account);
      const label = accountLabel(account);
      const keys = custody.keys.filter((k) => accountIdOf(ctx, k.account) === account.id);
      const models = keys.map((k) => norm(k.aaGuid ?? k.model ?? ""));
      if (keys.length > 1 && new Set(models).size < keys.length)
        problem(
          `${label}: two keys are of one model; keys of different models survive one model's recall or flaw`,
          { keys: keys.map((k) => k.label), models },
          subject,
        );
      const places = keys.map((k) => k.location);
      if (new Set(places).size < places.length)
        problem(
          `${label}: two keys are kept in one location; one fire or theft takes both`,
          { keys: keys.map((k) => k.label), locations: places },
          subject,
        );
      const methods = methodsOf(ctx, account.id);
      if (!methods) {
        // Unread methods are not "no key": no lost or unknown key can be claimed.
        findings.push(unreadableFinding(ctx, account, methodsPath(account.id)));
        continue;
      }
      const enrolled = methods.filter((m) => methodKind(m) === "fido2");
      const unknownKeys = enrolled.filter((m) => !keys.some((k) => isEnrolledAs(k, m)));
      for (const m of unknownKeys)
        problem(
          `${label}: FIDO2 key "${m.displayName ?? m.id}" is enrolled but not in the custody registry: whose is it?`,
          { methodId: m.id, aaGuid: m.aaGuid ?? null },
          subject,
        );
      const lostKeys = keys.filter((k) => !enrolled.some((m) => isEnrolledAs(k, m)));
      for (const k of lostKeys)
        problem(
          `${label}: key ${k.label} is in the registry but no longer enrolled on the account`,
          { key: k.label, methodId: k.methodId ?? null },
          subject,
        );
      if (!unknownKeys.length && !lostKeys.length && keys.length)
        findings.push({
          status: "pass",
          subject,
          message: `${label}: the ${keys.length} registered key(s) are the enrolled ones`,
          evidence: { keys: keys.map((k) => k.label) },
        });
    }
    if (!findings.some((f) => f.status === "fail") && custody.keys.length === 0)
      problem("the custody registry holds no key", { keys: 0 });
    if (!findings.some((f) => f.status === "fail"))
      findings.push({
        status: "pass",
        subject: tenant,
        message: `every key and PIN has ${MIN_CUSTODIANS} or more current custodians, apart`,
        evidence: { keys: custody.keys.length, pins: custody.pins.length },
      });
    return findings;
  },
});
