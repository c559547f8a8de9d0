// The instance's Node, whoever made it first: rafter creates it, or adopts the kubelet's (labels it
// lacks, rafter's annotation and finalizer), found by providerID when the kubelet chose another name.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { V1Node } from "@kubernetes/client-node";
import { adoptionPatch, ensureInstanceNode } from "../../src/controllers/node-adoption.js";
import { FakeNodes } from "../support/provisioning-fakes.js";

const providerID = "aws:///us-east-1a/i-0abc";

const desired: V1Node = {
  metadata: {
    name: "ip-10-0-0-1.ec2.internal",
    labels: { "rafter.dev/nodepool": "default", "kubernetes.io/arch": "amd64", team: "infra" },
    annotations: { "rafter.dev/virtualnode": "vn-1" },
    finalizers: ["rafter.dev/termination"],
  },
  spec: { providerID },
};

const kubeletNode = (name: string, id = providerID): V1Node => ({
  metadata: { name, resourceVersion: "42", labels: { "kubernetes.io/arch": "arm64" } },
  spec: { providerID: id },
  status: { nodeInfo: { kubeletVersion: "v1.36.3" } as NonNullable<V1Node["status"]>["nodeInfo"] },
});

describe("Node adoption", () => {
  it("creates the Node when none exists", async () => {
    const writer = new FakeNodes();
    assert.deepEqual(await ensureInstanceNode(writer, [], desired), {
      kind: "created",
      nodeName: "ip-10-0-0-1.ec2.internal",
    });
    assert.equal(writer.nodes.length, 1);
  });

  it("patches rafter's labels, annotation and finalizer into the Node the kubelet registered first", async () => {
    const writer = new FakeNodes();
    writer.nodes.push(kubeletNode("ip-10-0-0-1.ec2.internal"));
    // The informer has not seen it yet: create answers AlreadyExists, the Node is read and adopted.
    const result = await ensureInstanceNode(writer, [], desired);
    assert.deepEqual(result, { kind: "adopted", nodeName: "ip-10-0-0-1.ec2.internal" });
    const metadata = writer.nodes[0]?.metadata ?? {};
    assert.deepEqual(metadata.labels, {
      "kubernetes.io/arch": "arm64", // the kubelet's own value stays
      "rafter.dev/nodepool": "default",
      team: "infra",
    });
    assert.deepEqual(metadata.annotations, { "rafter.dev/virtualnode": "vn-1" });
    assert.deepEqual(metadata.finalizers, ["rafter.dev/termination"]);
    assert.equal(
      await ensureInstanceNode(writer, writer.nodes, desired).then((r) => r.kind),
      "unchanged",
      "a second pass has nothing to do",
    );
  });

  it("finds the kubelet's Node by providerID when it registered under another name", async () => {
    const writer = new FakeNodes();
    const registered = kubeletNode("i-0abc.us-east-1.compute.internal");
    writer.nodes.push(registered);
    const result = await ensureInstanceNode(writer, [registered], desired);
    assert.deepEqual(result, { kind: "adopted", nodeName: "i-0abc.us-east-1.compute.internal" });
    assert.equal(writer.nodes.length, 1, "no second Node under the predicted name");
  });

  it("refuses a same-named Node of another instance", async () => {
    const writer = new FakeNodes();
    writer.nodes.push(kubeletNode("ip-10-0-0-1.ec2.internal", "aws:///us-east-1a/i-0old"));
    const result = await ensureInstanceNode(writer, [], desired);
    assert.equal(result.kind, "failed");
  });

  it("guards the finalizer list with the resourceVersion it was computed from", () => {
    assert.deepEqual(adoptionPatch(kubeletNode("n"), desired), {
      resourceVersion: "42",
      labels: { "rafter.dev/nodepool": "default", team: "infra" },
      annotations: { "rafter.dev/virtualnode": "vn-1" },
      finalizers: ["rafter.dev/termination"],
    });
  });
});
