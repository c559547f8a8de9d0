// A node that never boots: the instance exists, rafter created its Node and bound the pods, but no
// kubelet ever starts. Reported: what the real kube-controller-manager's node lifecycle does to that
// Node and its pods (default timings: node-monitor-grace-period, then the unreachable NoExecute taint,
// which bound pods tolerate for 300 s by default) and what rafter does at its registration timeout
// (20 s here). Proved: the pods end up running — on a node whose instance does boot — and the dead
// instance is terminated, not left behind.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, motoInstances, virtualNodes } from "../harness/provisioning.js";
import {
  appDeployment,
  podReady,
  realNodeClass,
  realNodePool,
  useRealNodes,
  type PodStatusJson,
} from "../harness/real-nodes.js";

interface NodeJson {
  metadata: { name: string };
  spec: { taints?: { key: string; effect: string }[] };
  status: { conditions?: { type: string; status: string; reason?: string }[] };
}

scenario(
  "pods bound to a node that never boots are recovered and its instance is terminated",
  { needsRafter: true, timeoutMs: 200_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.rafter.restart(["--registration-timeout=20s", "--failed-retention=10s"]);
    defer(() => cluster.rafter.restart());
    await cluster.kubectl.apply([realNodeClass(repoRoot), realNodePool("real")]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    const started = Date.now();
    const at = (): string => `${((Date.now() - started) / 1000).toFixed(0)}s`;
    await kubectl.apply(appDeployment("stranded", 2));

    // no booter yet: the first instance never starts a kubelet
    const [dead] = await eventually("the first VirtualNode to be launched with its Node", async () => {
      const vns = await virtualNodes(cluster);
      return vns[0]?.status?.nodeName && vns[0].status.instanceID ? vns : undefined;
    });
    const deadNode = dead?.status?.nodeName ?? "";
    const deadInstance = dead?.status?.instanceID ?? "";
    t.log(
      `${at()}: ${dead?.metadata.name} launched ${deadInstance}, Node ${deadNode} created; no kubelet will start`,
    );
    await eventually("the pods bound to the dead node", async () => {
      const pods = (await kubectl.getJson<{ items: PodStatusJson[] }>("pods", undefined, ["-l=app=stranded"]))
        .items;
      return pods.length === 2 && pods.every((p) => p.spec.nodeName === deadNode);
    });
    t.log(`${at()}: both pods bound to ${deadNode} (phase Pending: nobody runs them)`);

    // watch what the node lifecycle controller and rafter do, until the dead instance is gone
    const seen = new Set<string>();
    const note = (key: string, text: string): void => {
      if (seen.has(key)) return;
      seen.add(key);
      t.log(`${at()}: ${text}`);
    };
    await eventually(
      "the dead instance terminated and its Node gone",
      async () => {
        const node = await cluster.kubectl.find<NodeJson>("node", deadNode);
        const ready = node?.status.conditions?.find((c) => c.type === "Ready");
        if (ready) note(`ready-${ready.status}`, `Node Ready=${ready.status} (${ready.reason ?? ""})`);
        for (const taint of node?.spec.taints ?? [])
          if (taint.key.startsWith("node.kubernetes.io/"))
            note(`taint-${taint.key}`, `taint ${taint.key}:${taint.effect}`);
        const vn = (await virtualNodes(cluster)).find((v) => v.metadata.name === dead?.metadata.name);
        if (vn?.status?.phase === "Failed")
          note("failed", `VirtualNode Failed: ${vn.status.lastFailure ?? ""}`);
        const instance = (await motoInstances(cluster)).find((i) => i.id === deadInstance);
        if (instance?.state === "terminated") note("terminated", `instance ${deadInstance} terminated`);
        if (node === undefined) note("node-gone", `Node ${deadNode} deleted`);
        return node === undefined && instance?.state === "terminated";
      },
      90_000,
    );

    // from now on instances boot: the replacement node is real
    const booted = useRealNodes(t, { maxNodes: 1 });
    const pods = await eventually(
      "2 pods running on a node that booted",
      async () => {
        const list = (
          await kubectl.getJson<{ items: PodStatusJson[] }>("pods", undefined, ["-l=app=stranded"])
        ).items;
        const real = booted.nodes()[0]?.nodeName;
        return list.length === 2 && list.every((p) => podReady(p) && p.spec.nodeName === real)
          ? list
          : undefined;
      },
      90_000,
    );
    t.log(`${at()}: both pods running on ${pods[0]?.spec.nodeName ?? "?"}`);
    const live = (await motoInstances(cluster)).filter((i) => i.state === "running");
    assert.equal(
      live.length,
      1,
      `only the replacement instance is running: ${live.map((i) => i.id).join(",")}`,
    );
    assert.notEqual(live[0]?.id, deadInstance, "the dead instance is not the one left");
  },
);
