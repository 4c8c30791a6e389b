import { describe, expect, it } from "vitest";
import { FAMILY_LIMITS, Pacer, familyOf, unitsOf } from "../../src/graph/pacing.js";
import { VirtualClock } from "../support/virtual-clock.js";

describe("throttle families", () => {
  it.each([
    ["/auditLogs/signIns?$filter=userId eq 'a'", "reports"],
    ["https://h/graph/v1.0/auditLogs/directoryAudits?$skiptoken=x", "reports"],
    ["/reports/authenticationMethods/userRegistrationDetails", "reports"],
    ["/users/abc/authentication/methods", "reports"],
    ["/users/abc/authentication/fido2Methods", "reports"],
    ["/users/abc/authentication/requirements", "directory"],
    ["/identity/conditionalAccess/policies", "conditionalAccess"],
    ["https://h/graph/v1.0/identity/conditionalAccess/namedLocations", "conditionalAccess"],
    ["/identityProtection/riskyUsers?$top=500", "conditionalAccess"],
    ["/groups/g/members?$select=id", "directory"],
    ["/users?$select=id,signInActivity", "directory"],
  ])("%s is in the %s family", (url, family) => {
    expect(familyOf(url)).toBe(family);
  });

  it("costs directory reads in resource units", () => {
    expect(unitsOf("/users")).toBe(1);
    expect(unitsOf("/policies/x?$expand=policy")).toBe(2);
    expect(unitsOf("/groups/g/transitiveMembers")).toBe(5);
    expect(unitsOf("/auditLogs/signIns?$expand=x")).toBe(1);
  });
});

describe("Pacer", () => {
  it("admits 5 reports reads per 10 s, counting each from its answer", async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer(FAMILY_LIMITS.reports, clock);
    const sentAt: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const release = await pacer.acquire(1);
        sentAt.push(clock.now());
        release();
      }),
    );
    expect(sentAt).toEqual([0, 0, 0, 0, 0, 10_000, 10_000, 10_000, 10_000, 10_000, 20_000, 20_000]);
  });

  it("holds the next read until an in-flight one is answered, then a window from that answer", async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer({ units: 1, windowMs: 1_000 }, clock);
    const first = await pacer.acquire(1);
    let second = -1;
    const next = pacer.acquire(1).then((release) => {
      second = clock.now();
      release();
    });
    clock.advance(5_000); // the first answer takes 5 s
    first();
    await next;
    expect(second).toBe(6_000);
  });

  it("after a 429 blocks its family until Retry-After, retries first, and predicts the time left", async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer(FAMILY_LIMITS.reports, clock);
    pacer.block(7_000);
    expect(pacer.available()).toBe(0);
    const order: string[] = [];
    const take = (name: string, priority: number) =>
      pacer.acquire(1, priority).then((release) => {
        order.push(`${name}@${clock.now()}`);
        release();
      });
    const waiting = [take("first", 0), take("new", 0), take("retry", 1)];
    await Promise.resolve();
    expect(pacer.predictedWaitMs()).toBe(7_000);
    await Promise.all(waiting);
    // among the reads still queued, the retry (priority 1) goes before the one queued earlier
    expect(order).toEqual(["first@7000", "retry@7000", "new@7000"]);
    expect(pacer.predictedWaitMs()).toBe(0);
    // 3 of 5 used at 7 s: 2 go now, 5 after one window, the last after two
    expect(pacer.predictedWaitMs(8)).toBe(20_000);
  });
});
