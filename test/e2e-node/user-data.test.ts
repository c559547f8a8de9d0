import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeDeep, mimeParts, parseUserData } from "../../e2e/node/user-data.js";

const mime = [
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="//b"',
  "",
  "--//b",
  "Content-Type: application/node.eks.aws",
  "",
  "apiVersion: node.eks.aws/v1alpha1",
  "kind: NodeConfig",
  "spec:",
  "  cluster:",
  "    name: c",
  "    cidr: 10.100.0.0/16",
  "  kubelet:",
  "    config:",
  "      maxPods: 20",
  "    flags:",
  '      - "--node-labels=a=b"',
  "",
  "--//b",
  'Content-Type: text/x-shellscript; charset="us-ascii"',
  "",
  "echo hi",
  "",
  "--//b",
  "Content-Type: application/node.eks.aws",
  "",
  "apiVersion: node.eks.aws/v1alpha1",
  "kind: NodeConfig",
  "spec:",
  "  kubelet:",
  "    config:",
  "      registerWithTaints: []",
  "",
  "--//b--",
  "",
].join("\r\n");

describe("user data (nodeadm's reading)", () => {
  it("splits a MIME multipart document into typed parts", () => {
    const parts = mimeParts(mime) ?? [];
    assert.deepEqual(
      parts.map((p) => p.contentType),
      ["application/node.eks.aws", 'text/x-shellscript; charset="us-ascii"', "application/node.eks.aws"],
    );
    assert.equal(parts[1]?.body.trim(), "echo hi");
  });

  it("merges NodeConfig parts in order and keeps the other parts", () => {
    const parsed = parseUserData(mime);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.nodeConfig.spec.kubelet, {
      config: { maxPods: 20, registerWithTaints: [] },
      flags: ["--node-labels=a=b"],
    });
    assert.equal(parsed.nodeConfig.spec.cluster?.cidr, "10.100.0.0/16");
    assert.equal(parsed.otherParts.length, 1);
  });

  it("reads a bare NodeConfig document", () => {
    const parsed = parseUserData(
      "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: x\n",
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.nodeConfig.spec.cluster?.name, "x");
  });

  it("says why when there is no NodeConfig or the YAML is broken", () => {
    assert.deepEqual(parseUserData("#!/bin/sh\necho\n"), {
      ok: false,
      reason: "no NodeConfig in the user data",
    });
    const broken = parseUserData("kind: NodeConfig\nspec: [\n");
    assert.equal(broken.ok, false);
  });

  it("merges objects key by key and replaces lists", () => {
    assert.deepEqual(mergeDeep({ a: { b: 1, c: [1] } }, { a: { c: [2], d: 3 } }), {
      a: { b: 1, c: [2], d: 3 },
    });
    assert.deepEqual(mergeDeep(undefined, { a: 1 }), { a: 1 });
    assert.deepEqual(mergeDeep({ a: 1 }, undefined), { a: 1 });
  });
});
