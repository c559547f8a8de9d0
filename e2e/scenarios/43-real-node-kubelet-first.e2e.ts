// The kubelet wins the race: rafter is killed (RAFTER_FAILPOINT=instance-launched) after CreateFleet
// returned and before it recorded the instance or created the Node. The instance boots anyway, and its
// kubelet registers the Node itself, from rafter's user data (--node-labels, registerWithTaints). When
// rafter comes back it must adopt that Node — its VirtualNode annotation, termination finalizer and
// labels — and bind the reserved pods to it, without launching a second instance.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { assertOneInstancePerVirtualNode } from "../harness/provisioning.js";
import { appDeployment, podReady, startRealNodes, type PodStatusJson } from "../harness/real-nodes.js";

interface NodeJson {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  status: { nodeInfo?: { kubeletVersion?: string } };
}

scenario(
  "a kubelet that registers its Node before rafter does is adopted, and the pods are bound to it",
  { needsRafter: true, timeoutMs: 180_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer } = t;
    const booted = await startRealNodes(t);
    defer(async () => {
      if (!cluster.rafter.running) await cluster.rafter.start();
    });
    await cluster.rafter.restart([], { RAFTER_FAILPOINT: "instance-launched" });
    await kubectl.apply(appDeployment("race", 2));
    await eventually(
      "rafter to crash after CreateFleet",
      () => Promise.resolve(!cluster.rafter.running),
      60_000,
    );

    const node = await booted.first();
    const registered = await eventually(
      "the kubelet to register its own Node",
      async () => {
        const found = await cluster.kubectl.find<NodeJson>("node", node.nodeName);
        return found?.status.nodeInfo?.kubeletVersion ? found : undefined;
      },
      60_000,
    );
    t.log(
      `kubelet registered ${node.nodeName}: annotations ${JSON.stringify(registered.metadata.annotations ?? {})}, finalizers ${JSON.stringify(registered.metadata.finalizers ?? [])}`,
    );
    assert.equal(
      registered.metadata.annotations?.["rafter.dev/virtualnode"],
      undefined,
      "rafter had not created it",
    );

    const restarted = Date.now();
    await cluster.rafter.start();
    await eventually(
      "both pods bound to the kubelet's Node and running",
      async () => {
        const pods = (await kubectl.getJson<{ items: PodStatusJson[] }>("pods", undefined, ["-l=app=race"]))
          .items;
        return pods.length === 2 && pods.every((p) => p.spec.nodeName === node.nodeName && podReady(p));
      },
      90_000,
    );
    t.log(
      `rafter restarted → pods running on the adopted Node in ${((Date.now() - restarted) / 1000).toFixed(1)}s`,
    );

    const { vns } = await assertOneInstancePerVirtualNode(cluster);
    assert.equal(vns.length, 1, "one VirtualNode");
    // kube-scheduler may bind the pods to the kubelet's Ready Node before rafter's adoption patch lands
    // (a patch that meets the kubelet's own update conflicts and is retried): wait for the adoption
    const adopted = await eventually(
      "rafter to adopt the kubelet's Node",
      async () => {
        const found = await cluster.kubectl.getJson<NodeJson>("node", node.nodeName);
        return found.metadata.annotations?.["rafter.dev/virtualnode"] !== undefined ? found : undefined;
      },
      30_000,
    );
    assert.equal(
      adopted.metadata.annotations?.["rafter.dev/virtualnode"],
      vns[0]?.metadata.name,
      "annotation",
    );
    assert.ok(
      (adopted.metadata.finalizers ?? []).some((f) => f.startsWith("rafter.dev/")),
      `rafter's termination finalizer: ${JSON.stringify(adopted.metadata.finalizers ?? [])}`,
    );
    for (const key of ["rafter.dev/nodepool", "node.kubernetes.io/instance-type", "rafter.dev/capacity-type"])
      assert.ok(adopted.metadata.labels?.[key], `label ${key} reconciled`);
  },
);
