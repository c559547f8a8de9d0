import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.js";
import { ReservationLedger } from "../../src/state/reservation-ledger.js";
import { createSchedulingState } from "../../src/state/scheduling-state.js";
import { pod } from "../extender/support.js";

describe("ReservationLedger", () => {
  it("keeps per-node sums as reservations come, move and go", () => {
    const ledger = new ReservationLedger({ clock: new ManualClock() });
    ledger.reserve({ podUID: "u1", nodeName: "a", requests: { cpu: 1000, pods: 1 } });
    ledger.reserve({ podUID: "u2", nodeName: "a", requests: { cpu: 500, memory: 10, pods: 1 } });
    assert.deepEqual(
      { ...ledger.onNode("a") },
      { requests: { cpu: 1500, memory: 10, pods: 2 }, cpu: 1500, memory: 10, pods: 2 },
    );
    ledger.reserve({ podUID: "u1", nodeName: "b", requests: { cpu: 1000, pods: 1 } }); // moves
    assert.equal(ledger.onNode("a")?.requests.cpu, 500);
    assert.equal(ledger.onNode("b")?.pods, 1);
    assert.equal(ledger.release("u2"), true);
    assert.equal(ledger.release("u2"), false);
    assert.equal(ledger.onNode("a"), undefined);
    assert.equal(ledger.size, 1);
  });

  it("releases everything on a node", () => {
    const ledger = new ReservationLedger({ clock: new ManualClock() });
    ledger.reserve({ podUID: "u1", nodeName: "a", requests: { cpu: 1 } });
    ledger.reserve({ podUID: "u2", nodeName: "a", requests: { cpu: 1 } });
    ledger.reserve({ podUID: "u3", nodeName: "b", requests: { cpu: 1 } });
    assert.deepEqual(ledger.releaseNode("a").sort(), ["u1", "u2"]);
    assert.equal(ledger.size, 1);
  });

  it("expires assumed entries after the TTL, oldest first, and never plain reservations", () => {
    const clock = new ManualClock(0);
    const ledger = new ReservationLedger({ clock, assumedTtlMs: 1000 });
    ledger.reserve({ podUID: "planned", nodeName: "a", requests: { cpu: 1 } });
    ledger.assume({ podUID: "old", nodeName: "a", requests: { cpu: 1 } });
    clock.advance(600);
    ledger.assume({ podUID: "young", nodeName: "a", requests: { cpu: 1 } });
    clock.advance(500);
    assert.equal(ledger.expireAssumed(), 1);
    assert.equal(ledger.get("old"), undefined);
    assert.equal(ledger.get("young")?.state, "assumed");
    assert.equal(ledger.get("planned")?.state, "reserved");
    clock.advance(10_000);
    ledger.expireAssumed();
    assert.equal(ledger.get("planned")?.state, "reserved");
  });

  it("lets go of a pod once the cluster state counts it, or once it is gone", () => {
    const { state, ledger } = createSchedulingState({ clock: new ManualClock() });
    ledger.reserve({ podUID: "uid-p1", nodeName: "a", requests: { cpu: 1000 } });
    ledger.reserve({ podUID: "uid-p2", nodeName: "a", requests: { cpu: 1000 } });
    state.upsertPod(pod("p1", { nodeName: "a" }));
    assert.equal(ledger.get("uid-p1"), undefined);
    state.upsertPod(pod("p2"));
    state.deletePod("uid-p2");
    assert.equal(ledger.get("uid-p2"), undefined);
    assert.equal(ledger.size, 0);
  });
});
