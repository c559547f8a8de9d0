import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.js";
import { NameSieve, sieveKey } from "../../src/state/name-sieve.js";
import { ReservationLedger } from "../../src/state/reservation-ledger.js";
import { createSchedulingState } from "../../src/state/scheduling-state.js";

const nodeName = (i: number): string => `ip-10-${(i >> 16) & 255}-${(i >> 8) & 255}-${i & 255}.ec2.internal`;

describe("NameSieve", () => {
  it("never says no for a name that is in the set, whatever was added and removed around it", () => {
    const sieve = new NameSieve();
    const names = [...Array.from({ length: 3000 }, (_, i) => nodeName(i)), "", "a", "node-1", "ünïcödé-node"];
    for (const name of names) sieve.add(name);
    for (let i = 0; i < names.length; i += 2) sieve.remove(names[i] ?? "");
    for (let i = 1; i < names.length; i += 2) assert.equal(sieve.mayHave(sieveKey(names[i] ?? "")), true);
    for (let i = 1; i < names.length; i += 2) sieve.remove(names[i] ?? "");
    for (const name of names) assert.equal(sieve.mayHave(sieveKey(name)), false);
  });

  it("tells most names of a big cluster apart from a tenth of them", () => {
    const sieve = new NameSieve();
    for (let i = 0; i < 5000; i += 10) sieve.add(nodeName(i));
    let maybe = 0;
    for (let i = 0; i < 5000; i++) if (i % 10 !== 0 && sieve.mayHave(sieveKey(nodeName(i)))) maybe++;
    assert.ok(maybe < 300, `${maybe} false positives out of 4500`);
  });

  it("follows the ledger's nodes and the cluster state's flagged nodes", () => {
    const ledger = new ReservationLedger({ clock: new ManualClock() });
    const key = sieveKey("a");
    assert.equal(ledger.mayHaveOnNode(key), false);
    ledger.reserve({ podUID: "u1", nodeName: "a", requests: { cpu: 1, pods: 1 } });
    ledger.reserve({ podUID: "u2", nodeName: "a", requests: { cpu: 1, pods: 1 } });
    assert.equal(ledger.mayHaveOnNode(key), true);
    ledger.release("u1");
    assert.equal(ledger.mayHaveOnNode(key), true);
    ledger.release("u2");
    assert.equal(ledger.mayHaveOnNode(key), false);

    const { state } = createSchedulingState({ clock: new ManualClock() });
    state.setBeingDisrupted("n", true);
    state.setBeingDisrupted("n", true);
    assert.equal(state.mayBeFlagged(sieveKey("n")), true);
    state.setBeingDisrupted("n", false);
    assert.equal(state.mayBeFlagged(sieveKey("n")), false);
    state.setBeingDisrupted("n", true);
    assert.equal(state.mayBeFlagged(sieveKey("n")), true);
  });
});
