// Device pods (extended resources a device plugin registers) wait for the kubelet's word.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { V1Node } from "@kubernetes/client-node";
import { awaitedDevices, deviceAwareBinder, isDeviceResource } from "../../src/controllers/binding-policy.js";
import type { BindResult } from "../../src/kube/binder.js";
import { ok } from "../../src/domain/result.js";

const node = (allocatable: Record<string, string>, kubelet: boolean): V1Node => ({
  metadata: { name: "n1" },
  status: {
    allocatable,
    ...(kubelet
      ? { nodeInfo: { kubeletVersion: "v1.36.3" } as NonNullable<V1Node["status"]>["nodeInfo"] }
      : {}),
  },
});

describe("binding policy for device pods", () => {
  it("tells extended resources from the kubelet's own", () => {
    for (const name of ["nvidia.com/gpu", "aws.amazon.com/neuron", "vpc.amazonaws.com/efa"])
      assert.ok(isDeviceResource(name), name);
    for (const name of [
      "cpu",
      "memory",
      "pods",
      "hugepages-2Mi",
      "kubernetes.io/batch-cpu",
      "node.kubernetes.io/x",
    ])
      assert.ok(!isDeviceResource(name), name);
  });

  it("awaits every device before the kubelet reports, whatever rafter's Node predicted", () => {
    const requests = { cpu: 1000, "nvidia.com/gpu": 1, "aws.amazon.com/neuron": 0 };
    assert.deepEqual(awaitedDevices(requests, node({ "nvidia.com/gpu": "4" }, false)), ["nvidia.com/gpu"]);
    assert.deepEqual(awaitedDevices(requests, undefined), ["nvidia.com/gpu"]);
    assert.deepEqual(awaitedDevices(requests, node({ "nvidia.com/gpu": "0" }, true)), ["nvidia.com/gpu"]);
    assert.deepEqual(awaitedDevices(requests, node({ "nvidia.com/gpu": "1" }, true)), []);
    assert.deepEqual(awaitedDevices({ cpu: 1000 }, undefined), [], "other pods never wait");
  });

  it("refuses the extender's early bind (kube-scheduler retries) and lets it through later", async () => {
    const calls: string[] = [];
    let current = node({ "nvidia.com/gpu": "1" }, false);
    const binder = deviceAwareBinder(
      {
        bind: (_ns, name): Promise<BindResult> => {
          calls.push(name);
          return Promise.resolve(ok({ joined: false }));
        },
      },
      {
        requests: (uid): Record<string, number> =>
          uid === "gpu" ? { cpu: 100, "nvidia.com/gpu": 1 } : { cpu: 100 },
        node: () => current,
      },
    );
    const early = await binder.bind("default", "trainer", "gpu", "n1");
    assert.ok(!early.ok && early.error.kind === "error");
    assert.match(early.error.message, /advertise nvidia\.com\/gpu/);
    assert.ok((await binder.bind("default", "web", "cpu", "n1")).ok);
    current = node({ "nvidia.com/gpu": "1" }, true);
    assert.ok((await binder.bind("default", "trainer", "gpu", "n1")).ok);
    assert.deepEqual(calls, ["web", "trainer"]);
  });
});
