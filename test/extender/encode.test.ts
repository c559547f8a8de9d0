import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Candidates } from "../../src/extender/candidates.js";
import { encodeFilterResult, encodeHostPriorityList } from "../../src/extender/encode.js";
import { NodeFailures } from "../../src/extender/filter.js";

describe("encodeHostPriorityList", () => {
  it("produces what JSON.stringify would, escaping unusual names", () => {
    const list = [
      { Host: "ip-10-0-0-1.ec2.internal", Score: 10 },
      { Host: 'we"ird\\name\n', Score: 0 },
      { Host: "ünï", Score: 3 },
    ];
    const encoded = encodeHostPriorityList(
      list.map((p) => p.Host),
      list.map((p) => p.Score),
    );
    assert.equal(encoded, JSON.stringify(list));
    assert.deepEqual(JSON.parse(encoded), list);
    assert.equal(encodeHostPriorityList([], []), "[]");
  });
});

describe("encodeFilterResult", () => {
  it("produces an ExtenderFilterResult equal to the JSON.stringify of the same object", () => {
    const candidates = Candidates.fromNames(["x", "a", "b", 'c"', "y", "d"]);
    const failed = new NodeFailures();
    failed.add(1, "cpu on this node is reserved for 2 other pod(s)");
    const unresolvable = new NodeFailures();
    unresolvable.add(2, "node is being disrupted");
    unresolvable.add(3, "node is being disrupted");
    unresolvable.add(5, 'launching for "vn-1"');
    const text = encodeFilterResult({ nodeNames: ["x", "y"], nodes: null, failed, unresolvable, candidates });
    assert.deepEqual(JSON.parse(text), {
      Nodes: null,
      NodeNames: ["x", "y"],
      FailedNodes: failed.toRecord(candidates),
      FailedAndUnresolvableNodes: {
        b: "node is being disrupted",
        'c"': "node is being disrupted",
        d: 'launching for "vn-1"',
      },
      Error: "",
    });
    const empty = encodeFilterResult({
      nodeNames: null,
      nodes: { metadata: {}, items: [] },
      failed: new NodeFailures(),
      unresolvable: new NodeFailures(),
      candidates: Candidates.fromNames([]),
    });
    assert.deepEqual(JSON.parse(empty), {
      Nodes: { metadata: {}, items: [] },
      NodeNames: null,
      FailedNodes: {},
      FailedAndUnresolvableNodes: {},
      Error: "",
    });
  });
});
