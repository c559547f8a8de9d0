import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { printableAscii, readExtenderArgs } from "../../src/extender/read-args.js";
import { checkExtenderArgs } from "../../src/extender/validate.js";
import { sieveKey } from "../../src/state/name-sieve.js";

const pod = {
  metadata: {
    name: "p",
    namespace: "default",
    uid: "u",
    annotations: { a: 'with "quotes", \\ and "NodeNames":[' },
  },
  spec: { containers: [] },
};
const compact = (names: string[]): string => JSON.stringify({ Pod: pod, Nodes: null, NodeNames: names });

/** What the general path answers: JSON.parse of the whole body, then the shape checks. */
function reference(
  bytes: Buffer,
): { ok: true; pod: unknown; names: string[] } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return { ok: false, error: `malformed JSON: ${(error as Error).message}` };
  }
  const args = checkExtenderArgs(value);
  if (!args.ok) return args;
  const names = args.value.NodeNames ?? (args.value.Nodes?.items ?? []).map((n) => n.metadata?.name ?? "");
  return { ok: true, pod: args.value.Pod, names };
}

/** readExtenderArgs answers as the general path does; returns whether it read the names in place. */
function assertSameAsReference(text: string | Buffer): boolean {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const read = readExtenderArgs(bytes);
  const expected = reference(bytes);
  if (!expected.ok) {
    assert.deepEqual(read, expected, bytes.toString("latin1"));
    return false;
  }
  assert.ok(read.ok, bytes.toString("latin1"));
  assert.deepEqual(read.value.pod, expected.pod);
  assert.deepEqual(read.value.candidates.names(), expected.names);
  assert.deepEqual(
    [...read.value.candidates.keys],
    expected.names.map((n) => sieveKey(n)),
    "keys read from bytes equal sieveKey of the names",
  );
  return read.value.candidates.source !== undefined;
}

describe("readExtenderArgs", () => {
  it("reads kube-scheduler's compact request in place", () => {
    const names = ["ip-10-0-0-1.ec2.internal", "b", "n-3", "a-name-of-exactly-nineteen", "x y~"];
    assert.equal(assertSameAsReference(compact(names)), true);
    assert.equal(assertSameAsReference(`${compact(names)}\n`), true, "trailing newline");
    assert.equal(assertSameAsReference(compact([])), true, "no candidates");
    // The key also appears, escaped, inside an earlier string: the last one is the member.
    const tricky = `{"Pod":${JSON.stringify(pod)},"Z":"a\\",\\"NodeNames\\":[\\"b","NodeNames":["c"]}`;
    assert.equal(assertSameAsReference(tricky), true, tricky);
    const read = readExtenderArgs(Buffer.from(compact(names)));
    assert.ok(read.ok);
    assert.equal(read.value.candidates.indexOf("n-3"), 2);
    assert.equal(read.value.candidates.indexOf("n-4"), -1);
  });

  it("reads every other layout through JSON.parse, with the same values", () => {
    const general = [
      JSON.stringify({ Pod: pod, NodeNames: ["a", "b"] }, null, 1),
      compact(["a"]).replace('"NodeNames":', '"NodeNames" :'),
      compact(["n-3"]).replace('"n-3"', '"n\\u002d3"'),
      compact(["ünï", "a"]),
      compact(["tab\t"]),
      compact(['we"ird']),
      JSON.stringify({ NodeNames: ["a"], Pod: pod }),
      JSON.stringify({ NodeNames: ["a"] }).replace("{", `{"Pod":${JSON.stringify(pod)},"X":{`) + "}",
      `{"NodeNames":["x"],"Pod":${JSON.stringify(pod)},"Y":{"NodeNames":["a"]}}`,
      JSON.stringify({ Pod: pod, Nodes: { items: [{ metadata: { name: "n1" } }] } }),
    ];
    for (const text of general) assert.equal(assertSameAsReference(text), false, text);
  });

  it("answers invalid JSON that looks compact as JSON.parse does", () => {
    const p = JSON.stringify(pod);
    const invalid = [
      '{,"NodeNames":["a"]}',
      `{"Pod":${p},"NodeNames":["a",]}`,
      `{"Pod":${p},"NodeNames":["a""b"]}`,
      `{"Pod":${p},"NodeNames":["a\u0001"]}`,
      `{"Pod":${p},,"NodeNames":["a"]}`,
      `{"Pod":${p.slice(0, -1)},"NodeNames":["a"]}`,
      `{"Pod":${p},"NodeNames":["a"]}}`,
      `["Pod",${p},"NodeNames":["a"]}`,
      `{"Pod":1,"NodeNames":["a"]}`,
    ];
    for (const text of invalid) {
      assert.equal(readExtenderArgs(Buffer.from(text)).ok, false, text);
      assertSameAsReference(text);
    }
    // Bytes that are not UTF-8 are read as JSON.parse reads their decoding.
    assertSameAsReference(
      Buffer.concat([Buffer.from(compact(["ab"]).slice(0, -4)), Buffer.from([0xff]), Buffer.from('"]}')]),
    );
  });

  it("answers random requests, and random corruptions of compact ones, as JSON.parse does (property)", () => {
    const name = fc.oneof(
      { arbitrary: fc.stringMatching(/^[a-z0-9.-]{1,30}$/), weight: 6 },
      fc.string({ maxLength: 6, unit: "binary" }),
      fc.constantFrom('"', "\\", '","', '"]}', "NodeNames", '"NodeNames":['),
    );
    const member = fc.oneof(
      fc.array(name, { maxLength: 6 }).map((names) => `"NodeNames":${JSON.stringify(names)}`),
      fc.constant(`"Pod":${JSON.stringify(pod)}`),
      fc.array(name, { maxLength: 4 }).map((names) => `"Y":{"NodeNames":${JSON.stringify(names)}}`),
      fc.array(name, { maxLength: 4 }).map((names) => `"Z":${JSON.stringify(names, null, 1)}`),
      fc.constant('"Nodes":null'),
    );
    let inPlace = 0;
    const interesting = fc.constantFrom(
      0x22,
      0x2c,
      0x5b,
      0x5d,
      0x7b,
      0x7d,
      0x5c,
      0x3a,
      0x01,
      0xff,
      0x61,
      0x20,
      0x0a,
    );
    fc.assert(
      fc.property(
        fc.array(member, { maxLength: 4 }),
        fc.array(name, { maxLength: 10 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), interesting), { maxLength: 2 }),
        (others, lastNames, pretty, corruptions) => {
          const members = [`"Pod":${JSON.stringify(pod)}`, ...others];
          const last = pretty
            ? `"NodeNames": ${JSON.stringify(lastNames, null, 1)}`
            : `"NodeNames":${JSON.stringify(lastNames)}`;
          const bytes = Buffer.from(`{${[...members, last].join(",")}}`, "utf8");
          for (const [at, byte] of corruptions) bytes[at % bytes.length] = byte;
          if (assertSameAsReference(bytes)) inPlace++;
        },
      ),
      { numRuns: 3000 },
    );
    // About 10 % are read in place (290-330 seen over runs); far fewer means the fast path went unused.
    assert.ok(inPlace > 150, `only ${inPlace} of 3000 bodies were read in place`);
  });
});

describe("printableAscii", () => {
  it("agrees with a byte-by-byte test at every alignment (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).map((a) => a.map((b) => (b % 3 === 0 ? b : 0x20 + (b % 0x60)))),
        fc.nat(7),
        fc.nat(7),
        fc.nat(7),
        (data, offset, fromShift, toShift) => {
          const backing = new Uint8Array(data.length + 8);
          backing.set(data, offset);
          const bytes = backing.subarray(offset, offset + data.length);
          const from = Math.min(fromShift, bytes.length);
          const to = Math.max(from, bytes.length - toShift);
          const expected = bytes.subarray(from, to).every((b) => b >= 0x20 && b < 0x80);
          assert.equal(printableAscii(bytes, from, to), expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
