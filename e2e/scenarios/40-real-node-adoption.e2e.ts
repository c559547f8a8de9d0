// Admission-time binding, for real: a Deployment that fits one new node → VirtualNode → Node created
// by rafter before any kubelet exists → pods bound to it → the "instance" boots (a real containerd and
// kubelet started from the user data rafter rendered) → the kubelet adopts the Node and runs the
// containers: Running, ready, and their logs readable through kube-apiserver → kubelet.
// Then the node goes away and leaves nothing on the machine (processes, mounts, bridge, address).
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { virtualNodes } from "../harness/provisioning.js";
import { appDeployment, podReady, startRealNodes, type PodStatusJson } from "../harness/real-nodes.js";
import { leftovers, isClean, describeLeftovers } from "../node/host-cleanup.js";

scenario(
  "a real kubelet adopts the Node rafter created and runs the pods bound at admission",
  { needsRafter: true, timeoutMs: 150_000 },
  async (t) => {
    const { cluster, kubectl, eventually } = t;
    const booted = await startRealNodes(t);
    await kubectl.apply(appDeployment("hello", 3));

    const node = await booted.first();
    const [vn] = await virtualNodes(cluster);
    assert.equal(vn?.status?.nodeName, node.nodeName, "the kubelet runs under the name rafter predicted");

    const pods = await eventually(
      "3 pods Running and ready on the real node",
      async () => {
        const list = (await kubectl.getJson<{ items: PodStatusJson[] }>("pods", undefined, ["-l=app=hello"]))
          .items;
        return list.length === 3 && list.every(podReady) ? list : undefined;
      },
      60_000,
    );
    const seconds = (Date.now() - node.kubeletStartedAt) / 1000;
    t.log(`kubelet start → all 3 containers running and ready: ${seconds.toFixed(1)}s (polled every 0.25s)`);
    for (const pod of pods)
      assert.equal(pod.spec.nodeName, node.nodeName, `${pod.metadata.name} on the real node`);

    const nodeJson = await kubectl.getJson<{
      spec: { providerID?: string };
      status: { nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } };
      metadata: { annotations?: Record<string, string> };
    }>("node", node.nodeName);
    assert.equal(
      nodeJson.spec.providerID,
      node.launch.providerId,
      "provider ID as rafter set it and the kubelet has it",
    );
    assert.match(nodeJson.status.nodeInfo.containerRuntimeVersion, /^containerd:/, "a real runtime");
    t.log(
      `node ${node.nodeName}: kubelet ${nodeJson.status.nodeInfo.kubeletVersion}, ${nodeJson.status.nodeInfo.containerRuntimeVersion}`,
    );

    const first = pods[0]?.metadata.name ?? "";
    const logs = await kubectl.run(["logs", first]);
    assert.match(logs.stdout, /hello from /, "kubectl logs reads the container's output through the kubelet");

    // the machine goes away: kubelet, every sandbox through the CRI, containerd — nothing left behind
    await cluster.realNodes.stopNode(node.instanceId);
    const left = await leftovers(node.footprint);
    assert.ok(isClean(left), `no orphans: ${describeLeftovers(left)}`);
  },
);
