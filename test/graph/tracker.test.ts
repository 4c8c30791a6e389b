import { describe, expect, it } from "vitest";
import { RequestTracker } from "../../src/graph/tracker.js";
import { VirtualClock } from "../support/virtual-clock.js";

describe("RequestTracker counters", () => {
  it("counts retry and pacing waits as wall time: overlapping waits once, never beyond the elapsed time", () => {
    const clock = new VirtualClock(0, { manual: true });
    const tracker = new RequestTracker(clock);
    // five reads throttled together, each told to come back in 10 s, and one more later
    for (let i = 0; i < 5; i++) tracker.addRetryWait(1_000, 11_000);
    tracker.addRetryWait(20_000, 25_000);
    tracker.addPacingWait(0, 4_000);
    tracker.addPacingWait(2_000, 6_000);
    clock.advance(30_000);
    const s = tracker.summary();
    expect(s.retryWaitMs).toBe(15_000);
    expect(s.pacingWaitMs).toBe(6_000);
    expect(s.elapsedMs).toBe(30_000);
    // a wait still running counts up to now only
    tracker.addRetryWait(29_000, 60_000);
    expect(tracker.summary().retryWaitMs).toBe(16_000);
  });

  it("counts 429 apart from 503/504, plain and inside a $batch", () => {
    const tracker = new RequestTracker(new VirtualClock(0));
    tracker.start("graph", "GET", "https://g/v1.0/users")(429);
    tracker.start("graph", "POST", "https://g/v1.0/$batch")(200);
    tracker.innerAnswer(429);
    tracker.innerAnswer(503);
    tracker.innerAnswer(200);
    tracker.start("arm", "GET", "https://a/subscriptions")(504);
    const s = tracker.summary();
    expect(s.throttled).toBe(2);
    expect(s.unavailableAnswers).toBe(2);
  });
});
