import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeFilterResult, encodeHostPriorityList } from "../../src/extender/encode.js";
import { NodeFailures, type FilterDecision } from "../../src/extender/filter.js";
import { readExtenderArgs } from "../../src/extender/read-args.js";
import { filterReplyBytes, priorityListBytes } from "../../src/extender/reply-bytes.js";

const pod = { metadata: { name: "p", uid: "u" }, spec: { containers: [] } };

/** Candidates read in place from kube-scheduler's compact encoding of these names. */
function readInPlace(names: string[]) {
  const read = readExtenderArgs(Buffer.from(JSON.stringify({ Pod: pod, Nodes: null, NodeNames: names })));
  assert.ok(read.ok && read.value.candidates.source, "read in place");
  return { candidates: read.value.candidates, source: read.value.candidates.source };
}

describe("replies written from the request bytes", () => {
  it("are byte for byte what the general encoders give (property)", () => {
    const name = fc.stringMatching(/^[ !#-[\]-~]{0,30}$/); // printable ASCII but " and \
    const fate = fc.constantFrom("pass", "failed", "unresolvable");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, fate, fc.integer({ min: 0, max: 12 })), { maxLength: 40 }),
        fc.constantFrom("cpu is reserved", 'launching for "vn-1"', "ünï reason"),
        (rows, reason) => {
          const { candidates, source } = readInPlace(rows.map(([n]) => n));
          const passed: number[] = [];
          const failed = new NodeFailures();
          const unresolvable = new NodeFailures();
          rows.forEach(([, f, score], i) => {
            if (f === "pass") passed.push(i);
            else (f === "failed" ? failed : unresolvable).add(i, score % 2 === 0 ? reason : `${reason} ${i}`);
          });
          const decision: FilterDecision = {
            passed,
            failed,
            unresolvable,
            removedBy: { disrupted: 0, launching: 0, "capacity-reserved": 0, "reserved-elsewhere": 0 },
            steeredTo: undefined,
          };
          const general = encodeFilterResult({
            nodeNames: passed.map((i) => candidates.name(i)),
            nodes: null,
            failed,
            unresolvable,
            candidates,
          });
          assert.equal(filterReplyBytes(source, decision).toString("utf8"), general);
          const scores = rows.map(([, , score]) => score);
          assert.equal(
            priorityListBytes(source, scores).toString("utf8"),
            encodeHostPriorityList(candidates.names(), scores),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("encode an empty candidate list", () => {
    const { source } = readInPlace([]);
    const none: FilterDecision = {
      passed: [],
      failed: new NodeFailures(),
      unresolvable: new NodeFailures(),
      removedBy: { disrupted: 0, launching: 0, "capacity-reserved": 0, "reserved-elsewhere": 0 },
      steeredTo: undefined,
    };
    assert.deepEqual(JSON.parse(filterReplyBytes(source, none).toString()), {
      Nodes: null,
      NodeNames: [],
      FailedNodes: {},
      FailedAndUnresolvableNodes: {},
      Error: "",
    });
    assert.equal(priorityListBytes(source, []).toString(), "[]");
  });
});
