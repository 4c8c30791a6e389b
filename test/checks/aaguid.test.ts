import { describe, expect, it } from "vitest";
import { AUTHENTICATOR_AAGUIDS, isHardwareKey, lookupAaguid } from "../../src/checks/aaguid.js";
import { KEYS } from "../support/tenant.js";

describe("AAGUID table", () => {
  it("classifies Microsoft Authenticator passkeys as app passkeys, never hardware keys", () => {
    for (const aaguid of ["90a3ccdf-635c-4729-a248-9b709135078f", "de1e552d-db1d-4423-a619-566b625cdc84"]) {
      expect(AUTHENTICATOR_AAGUIDS.has(aaguid)).toBe(true);
      const info = lookupAaguid(aaguid);
      expect(info.class).toBe("authenticatorApp");
      expect(info.vendor).toBe("Microsoft");
      expect(isHardwareKey({ aaGuid: aaguid, attestationLevel: "attested" })).toBe(false);
    }
    // Graph sends GUIDs in any case.
    expect(lookupAaguid("90A3CCDF-635C-4729-A248-9B709135078F").class).toBe("authenticatorApp");
  });
  it("knows roaming security keys and their vendors from the aaguids package", () => {
    expect(lookupAaguid(KEYS.yubikey5Nfc.aaGuid)).toMatchObject({ class: "hardwareKey", vendor: "Yubico" });
    expect(lookupAaguid(KEYS.feitianBioPass.aaGuid)).toMatchObject({
      class: "hardwareKey",
      vendor: "Feitian",
    });
  });
  it("does not take platform or synced passkeys for hardware keys", () => {
    expect(lookupAaguid(KEYS.iCloudKeychain.aaGuid).class).toBe("platformOrSynced");
    expect(lookupAaguid("08987058-cadc-4b81-b6e1-30de50dcbe96").class).toBe("platformOrSynced"); // Windows Hello
    expect(lookupAaguid("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4").class).toBe("platformOrSynced"); // Google Password Manager
  });
  it("needs attestation for a hardware key, and an AAGUID it knows", () => {
    expect(isHardwareKey({ aaGuid: KEYS.yubikey5Nfc.aaGuid, attestationLevel: "attested" })).toBe(true);
    expect(isHardwareKey({ aaGuid: KEYS.yubikey5Nfc.aaGuid, attestationLevel: "notAttested" })).toBe(false);
    expect(lookupAaguid(KEYS.unknownModel.aaGuid)).toMatchObject({ class: "unknown", model: undefined });
    expect(isHardwareKey({ aaGuid: null, attestationLevel: "attested" })).toBe(false);
  });
});
