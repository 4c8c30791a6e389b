import { describe, expect, it } from "vitest";
import { follow, get, makeLayer, tenant } from "./fixture.js";

describe("scale", () => {
  it("pages a 50,000-user tenant at $top=999 quickly", () => {
    const snap = tenant();
    snap.users = Array.from({ length: 50_000 }, (_, i) => ({
      id: `00000000-0000-0000-0001-${String(i).padStart(12, "0")}`,
      userPrincipalName: `u${i}@contoso.com`,
      displayName: `U${i}`,
      accountEnabled: true,
    }));
    const layer = makeLayer(snap);
    const t0 = performance.now();
    let r = get(layer, "/users", { query: "$select=id,accountEnabled&$top=999" });
    let n = 0;
    let pages = 0;
    for (;;) {
      n += r.json.value.length;
      pages++;
      if (!r.json["@odata.nextLink"]) break;
      r = follow(layer, r.json["@odata.nextLink"]);
    }
    expect(n).toBe(50_000);
    expect(pages).toBe(51);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
