import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../src/clock.js";
import { Candidates } from "../../src/extender/candidates.js";
import { podFacts } from "../../src/extender/pod-facts.js";
import { decideScores } from "../../src/extender/prioritize.js";
import { SlotIndex } from "../../src/extender/slot-index.js";
import { createSchedulingState } from "../../src/state/scheduling-state.js";
import { node, pod, virtualNode } from "./support.js";

// Names of the same length that differ only where the index's hash does not look: they all collide,
// so probing, not the hash, tells them apart. Plus EC2-style names and a name no slot will have.
const colliding = ["a", "b", "c"].map((c) => `pool-${c}-abcdefghijklmnopqrstu`);
const names = [...colliding, "ip-10-0-1-17.ec2.internal", "ip-10-0-1-18.ec2.internal", "n", "unknown-node"];
const candidates = Candidates.fromNames(names);

const op = fc.oneof(
  fc.record({
    kind: fc.constant("node" as const),
    node: fc.nat(5),
    cpu: fc.constantFrom("2", "4", "16"),
    ready: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("delete-node" as const), node: fc.nat(5) }),
  fc.record({
    kind: fc.constant("pod" as const),
    pod: fc.nat(7),
    node: fc.nat(5),
    cpu: fc.constantFrom("250m", "1", "3"),
  }),
  fc.record({ kind: fc.constant("delete-pod" as const), pod: fc.nat(7) }),
  fc.record({ kind: fc.constant("disrupt" as const), node: fc.nat(5), value: fc.boolean() }),
  fc.record({ kind: fc.constant("candidate" as const), node: fc.nat(5), value: fc.boolean() }),
  fc.record({
    kind: fc.constant("vn" as const),
    vn: fc.nat(2),
    node: fc.nat(5),
    phase: fc.constantFrom("Launching" as const, "Registered" as const, "Draining" as const),
  }),
  fc.record({ kind: fc.constant("reserve" as const), pod: fc.nat(7), node: fc.nat(5) }),
  fc.record({ kind: fc.constant("score" as const), pod: fc.nat(7), cpu: fc.constantFrom("100m", "2") }),
);

describe("SlotIndex", () => {
  it("scores exactly as the cluster state does, whatever changed in between (property)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.nat(3), (ops, capacityLog) => {
        const { state, ledger } = createSchedulingState({ clock: new ManualClock(0) });
        // Tiny capacities make the index fill up, grow and start again during the run.
        const index = new SlotIndex(state, 1 << capacityLog);
        const at = (i: number): string => names[i] ?? "";
        for (const o of ops) {
          switch (o.kind) {
            case "node":
              state.upsertNode(node(at(o.node), { cpu: o.cpu, ready: o.ready }));
              break;
            case "delete-node":
              state.deleteNode(at(o.node));
              break;
            case "pod":
              state.upsertPod(pod(`p${o.pod}`, { cpu: o.cpu, memory: "1Gi", nodeName: at(o.node) }));
              break;
            case "delete-pod":
              state.deletePod(`uid-p${o.pod}`);
              break;
            case "disrupt":
              state.setBeingDisrupted(at(o.node), o.value);
              break;
            case "candidate":
              state.setConsolidationCandidate(at(o.node), o.value);
              break;
            case "vn":
              state.upsertVirtualNode(virtualNode(`vn-${o.vn}`, at(o.node), o.phase, []));
              break;
            case "reserve":
              ledger.reserve({ podUID: `pending-${o.pod}`, nodeName: at(o.node), requests: { cpu: 1000 } });
              break;
            case "score": {
              const facts = podFacts(pod(`pending-${o.pod}`, { uid: `pending-${o.pod}`, cpu: o.cpu }));
              assert.ok(facts.ok);
              const viaState = decideScores({ state, ledger }, facts.value, candidates);
              const viaIndex = decideScores({ state, ledger, slotIndex: index }, facts.value, candidates);
              assert.deepEqual(viaIndex, viaState);
              break;
            }
          }
        }
        const facts = podFacts(pod("last", { cpu: "1" }));
        assert.ok(facts.ok);
        assert.deepEqual(
          decideScores({ state, ledger, slotIndex: index }, facts.value, candidates),
          decideScores({ state, ledger }, facts.value, candidates),
        );
      }),
      { numRuns: 400 },
    );
  });

  it("caches only names the state has a slot for, and empties itself when a slot is dropped", () => {
    const { state } = createSchedulingState({ clock: new ManualClock(0) });
    const index = new SlotIndex(state);
    state.upsertNode(node("a"));
    state.upsertNode(node("b"));
    assert.equal(index.entry("unknown"), -1);
    assert.ok(index.entry("a") >= 0);
    assert.ok(index.entry("b") >= 0);
    assert.equal(index.size, 2);
    state.deleteNode("b");
    assert.equal(index.size, 0);
    assert.equal(index.entry("b"), -1);
  });
});
