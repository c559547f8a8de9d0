import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  encodeFilterResult,
  encodeHostPriorityList,
  encodeLocatedFilterResult,
  encodePlainHostPriorityList,
  locateNames,
} from "../../src/extender/encode.js";
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
    const failed = new NodeFailures();
    failed.add("a", "cpu on this node is reserved for 2 other pod(s)");
    const unresolvable = new NodeFailures();
    unresolvable.add("b", "node is being disrupted");
    unresolvable.add('c"', "node is being disrupted");
    unresolvable.add("d", 'launching for "vn-1"');
    const text = encodeFilterResult({ nodeNames: ["x", "y"], nodes: null, failed, unresolvable });
    assert.deepEqual(JSON.parse(text), {
      Nodes: null,
      NodeNames: ["x", "y"],
      FailedNodes: failed.toRecord(),
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

describe("locateNames and the replies that copy names from the request", () => {
  const pod = { metadata: { name: "p", uid: "u", annotations: { a: 'with "quotes" and \\ back' } } };
  const compact = (names: string[]): string => JSON.stringify({ Pod: pod, Nodes: null, NodeNames: names });

  it("finds every name of kube-scheduler's compact encoding", () => {
    const names = ["ip-10-0-0-1.ec2.internal", "b", "ünï", "c"];
    const text = compact(names);
    const located = locateNames(text, names);
    assert.ok(located);
    assert.deepEqual(
      located.starts.map((start, k) => text.slice(start, start + (names[k] ?? "").length)),
      names,
    );
    assert.ok(locateNames(compact([]), []));
    assert.ok(locateNames(`${compact(names)}\n`, names), "trailing newline");
    assert.ok(locateNames(JSON.stringify({ NodeNames: names }), names), "first member");
  });

  it("declines whatever it cannot prove is that member, unescaped and without whitespace", () => {
    const declined: [string, string[]][] = [
      [JSON.stringify({ Pod: pod, NodeNames: ["a", "b"] }, null, 1), ["a", "b"]],
      [compact(['we"ird']), ['we"ird']],
      [compact(["back\\slash"]), ["back\\slash"]],
      [compact(["tab\t"]), ["tab\t"]],
      [JSON.stringify({ NodeNames: ["a"], Pod: pod }), ["a"]],
      // Same lengths as the real member, in a nested object or after it under another key.
      ['{"NodeNames":["abcdef"],"Y":{"NodeNames":[]},"Z":[]}', ["abcdef"]],
      ['{"NodeNames":["xxxxxxxxxxxx"],"Y":{"NodeNames":["a"]},"Z":["b"]}', ["xxxxxxxxxxxx"]],
      ['{"NodeNames":["a\\"]},\\"Z\\":[\\"b"],"Y":{"NodeNames":["a"]},"Z":["b"]}', ['a"]},"Z":["b']],
      ['{"NodeNames":["q"],"Other":["y"]}', ["q"]],
    ];
    for (const [text, names] of declined) {
      assert.deepEqual((JSON.parse(text) as { NodeNames: unknown }).NodeNames, names, text);
      assert.equal(locateNames(text, names), undefined, text);
    }
  });

  it("gives replies equal to the general encoders' for random requests (property)", () => {
    const name = fc.oneof(
      fc.stringMatching(/^[a-z0-9.-]{1,30}$/),
      fc.string({ maxLength: 6, unit: "binary" }),
      fc.constantFrom('"', "\\", '","', '"]}', "NodeNames"),
    );
    const member = fc.oneof(
      fc.array(name, { maxLength: 8 }).map((names) => `"NodeNames":${JSON.stringify(names)}`),
      fc.constant(`"Pod":${JSON.stringify(pod)}`),
      fc.array(name, { maxLength: 4 }).map((names) => `"Y":{"NodeNames":${JSON.stringify(names)}}`),
      fc.array(name, { maxLength: 4 }).map((names) => `"Z":${JSON.stringify(names, null, 1)}`),
      fc.constant('"Nodes":null'),
    );
    fc.assert(
      fc.property(
        fc.array(member, { minLength: 1, maxLength: 4 }),
        fc.array(name, { maxLength: 12 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.boolean(),
        (members, lastNames, keep, pretty) => {
          const last = pretty
            ? `"NodeNames": ${JSON.stringify(lastNames, null, 1)}`
            : `"NodeNames":${JSON.stringify(lastNames)}`;
          const text = `{${[...members, last].join(",")}}`;
          const names = (JSON.parse(text) as { NodeNames: string[] }).NodeNames;
          const located = locateNames(text, names);
          if (!located) return;
          const passed: number[] = [];
          const failed = new NodeFailures();
          const unresolvable = new NodeFailures();
          names.forEach((n, i) => {
            if (keep[i] ?? true) passed.push(i);
            else if (i % 2 === 0) failed.add(n, "cpu is reserved", i);
            else unresolvable.add(n, `launching for "vn-${i}"`, i);
          });
          const general = encodeFilterResult({
            nodeNames: passed.map((i) => names[i] ?? ""),
            nodes: null,
            failed,
            unresolvable,
          });
          assert.deepEqual(
            JSON.parse(encodeLocatedFilterResult(names, located, passed, failed, unresolvable)),
            JSON.parse(general),
          );
          const scores = names.map((_, i) => i % 11);
          assert.equal(encodePlainHostPriorityList(names, scores), encodeHostPriorityList(names, scores));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
