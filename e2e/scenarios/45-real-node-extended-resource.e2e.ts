// An extended resource on a real node. A kubelet adopting a Node zeroes the extended resources it has
// no device plugin for, and rejects a pod requesting one it cannot allocate (UnexpectedAdmissionError)
// — for good: the pod is Failed, not retried. So a pod requesting nvidia.com/gpu must stay reserved on
// its VirtualNode, not bound, until the node advertises the device; here a test device plugin
// (e2e/k8s/cmd/test-device-plugin, the kubelet's device-plugin gRPC API) does that, after which the pod
// is bound and runs.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, virtualNodes } from "../harness/provisioning.js";
import {
  appDeployment,
  podReady,
  realNodeClass,
  useRealNodes,
  type PodStatusJson,
} from "../harness/real-nodes.js";
import { REAL_NODE_CLASS } from "../harness/real-nodes.js";
import { sleep } from "../cluster/net.js";

const GPU = "nvidia.com/gpu";

scenario(
  "a pod requesting a device waits unbound until the real node's device plugin advertises it",
  { needsRafter: true, timeoutMs: 150_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    const booted = useRealNodes(t, { maxNodes: 1 });
    await cluster.kubectl.apply([
      realNodeClass(repoRoot),
      {
        apiVersion: "rafter.dev/v1",
        kind: "NodePool",
        metadata: { name: "real-gpu" },
        spec: {
          template: {
            spec: {
              nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: REAL_NODE_CLASS },
              requirements: [
                { key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] },
                { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
                { key: "rafter.dev/instance-gpu-manufacturer", operator: "In", values: ["nvidia"] },
              ],
            },
          },
          disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "10m" },
        },
      },
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply(appDeployment("gpu", 1, { extraResources: { [GPU]: "1" } }));
    const node = await booted.first();
    const podNow = async (): Promise<PodStatusJson | undefined> =>
      (await kubectl.getJson<{ items: PodStatusJson[] }>("pods", undefined, ["-l=app=gpu"])).items[0];

    // the kubelet is up and has adopted the Node, but advertises no GPU: the pod must not be bound
    await eventually("the kubelet to adopt the Node", async () => {
      const json = await cluster.kubectl.getJson<{ status: { nodeInfo?: { kubeletVersion?: string } } }>(
        "node",
        node.nodeName,
      );
      return json.status.nodeInfo?.kubeletVersion !== undefined && json.status.nodeInfo.kubeletVersion !== "";
    });
    await sleep(5_000);
    const early = await podNow();
    const allocatable = await cluster.kubectl.getJson<{ status: { allocatable?: Record<string, string> } }>(
      "node",
      node.nodeName,
    );
    t.log(
      `before the device plugin: node ${GPU} allocatable ${allocatable.status.allocatable?.[GPU] ?? "(absent)"}, pod ${early?.status.phase ?? "?"} on ${early?.spec.nodeName ?? "(unbound)"}`,
    );
    if (early?.spec.nodeName !== undefined) {
      // bound too early: the kubelet trusted the Node's allocatable (rafter's catalogue figure) and its
      // device manager skipped a resource no plugin serves — the container runs without a device
      const env = await kubectl.run(["exec", early.metadata.name, "--", "env"], { allowFailure: true });
      const device = env.stdout.includes("RAFTER_TEST_DEVICE=") ? "with" : "without";
      assert.fail(
        `${early.metadata.name} was bound before ${GPU} was advertised (${early.status.phase ?? "?"}, ${device} a device allocated)`,
      );
    }
    const [vn] = await virtualNodes(cluster);
    assert.ok(
      vn?.spec.pods.some((p) => p.name === early?.metadata.name),
      "the pod is reserved on the VirtualNode",
    );

    const pluginStarted = Date.now();
    // two devices, where the instance type has one: the figure shows the plugin's advertisement, not
    // the catalogue's that rafter wrote on the Node
    cluster.realNodes.startDevicePlugin(node.instanceId, GPU, 2);
    await eventually(`the kubelet to advertise 2 ${GPU}`, async () => {
      const json = await cluster.kubectl.getJson<{ status: { allocatable?: Record<string, string> } }>(
        "node",
        node.nodeName,
      );
      return json.status.allocatable?.[GPU] === "2";
    });
    const running = await eventually(
      "the pod bound and running once the device is advertised",
      async () => {
        const pod = await podNow();
        if (pod?.status.phase === "Failed")
          throw new Error(`kubelet rejected it: ${pod.status.reason ?? ""}`);
        return pod?.spec.nodeName === node.nodeName && podReady(pod) ? pod : undefined;
      },
      60_000,
    );
    t.log(
      `device advertised → ${running.metadata.name} running in ${((Date.now() - pluginStarted) / 1000).toFixed(1)}s`,
    );
  },
);
