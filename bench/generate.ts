/**
 * A generated tenant for the pacing bench: the mid-size sample with `count` more privileged users
 * (Privileged Authentication Administrator, permanently assigned), each with a password, a phone
 * and Microsoft Authenticator, and one in ten with a FIDO2 security key too. Deterministic.
 */
import { createHash } from "node:crypto";
import type { Snapshot } from "../src/snapshot/schema.js";

const PRIVILEGED_AUTH_ADMIN = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
const YUBIKEY_5_NFC = "fa2b99dc-9e39-4257-8f92-4a30d23c4118";

/** A GUID from a label, so the same tenant comes out every time. */
function guid(label: string): string {
  const h = createHash("sha256").update(label).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function withPrivilegedUsers(base: Snapshot, count: number): Snapshot {
  const snapshot = structuredClone(base) as Snapshot & Record<string, unknown>;
  const domain = (base.domains ?? []).find((d) => d.isInitial)?.id ?? "example.onmicrosoft.com";
  const users = [...(snapshot.users ?? [])];
  const assignments = [...(snapshot.roleAssignments ?? [])];
  for (let i = 0; i < count; i++) {
    const id = guid(`bench-admin-${i}`);
    const upn = `bench.admin${i}@${domain}`;
    const methods: Array<Record<string, unknown>> = [
      {
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        id: "28c10230-6103-485e-b985-444c60001490",
        createdDateTime: "2025-01-01T00:00:00Z",
        password: null,
      },
      {
        "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
        id: "3179e48a-750b-4051-897c-87b9720928f7",
        phoneNumber: `+1 555${String(1_000_000 + i).slice(1)}`,
        phoneType: "mobile",
        smsSignInState: "notEnabled",
      },
      {
        "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
        id: guid(`bench-authenticator-${i}`),
        displayName: `Phone of admin ${i}`,
        deviceTag: "SoftwareTokenActivated",
        phoneAppVersion: "6.2401.0119",
        createdDateTime: null,
      },
    ];
    if (i % 10 === 0)
      methods.push({
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        id: guid(`bench-fido2-${i}`),
        displayName: "YubiKey 5 NFC",
        createdDateTime: "2025-01-01T00:00:00Z",
        aaGuid: YUBIKEY_5_NFC,
        model: "YubiKey 5 NFC",
        attestationCertificates: [],
        attestationLevel: "attested",
      });
    users.push({
      id,
      userPrincipalName: upn,
      displayName: `Bench Admin ${i}`,
      mailNickname: `bench.admin${i}`,
      accountEnabled: true,
      userType: "Member",
      onPremisesSyncEnabled: null,
      passwordPolicies: null,
      assignedLicenses: [],
      authenticationMethods: methods,
      perUserMfaState: "disabled",
      ownedObjects: [],
    } as unknown as NonNullable<Snapshot["users"]>[number]);
    assignments.push({
      id: guid(`bench-assignment-${i}`),
      principalId: id,
      directoryScopeId: "/",
      roleDefinitionId: PRIVILEGED_AUTH_ADMIN,
    } as unknown as NonNullable<Snapshot["roleAssignments"]>[number]);
  }
  snapshot.users = users;
  snapshot.roleAssignments = assignments;
  return snapshot;
}
