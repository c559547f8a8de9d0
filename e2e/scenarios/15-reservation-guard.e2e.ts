// The reservation guard: pods created while capacity is launching for others do not take that capacity.
// A first Deployment gets VirtualNodes; a second one is created at once, while those launch. Every pod
// of the first Deployment must end up on the node its VirtualNode planned for it (none displaced by a
// later pod that kube-scheduler could have bound there), and the second Deployment still gets capacity.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import {
  applyNodePools,
  cleanupCapacity,
  deployment,
  podsIn,
  virtualNodes,
} from "../harness/provisioning.js";

scenario(
  "pods created later never take capacity reserved for others",
  { needsRafter: true, timeoutMs: 240_000 },
  async (t) => {
    const { cluster, kubectl, repoRoot, defer, eventually } = t;
    await applyNodePools(cluster, repoRoot, ["nodepool-general.yaml"]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply(deployment("first", 12, { cpu: "700m", memory: "700Mi" }));
    // As soon as the first VirtualNode exists (capacity is launching), the competing pods arrive.
    await eventually(
      "a VirtualNode for the first Deployment",
      async () =>
        (await virtualNodes(cluster)).some((vn) => vn.spec.pods.some((p) => p.namespace === t.namespace)),
      60_000,
    );
    await kubectl.apply(deployment("later", 12, { cpu: "300m", memory: "300Mi" }));

    const pods = await eventually(
      "all 24 pods running",
      async () => {
        const all = await podsIn(kubectl);
        const running = all.filter((p) => p.spec.nodeName !== undefined && p.status.phase === "Running");
        return running.length === 24 ? all : undefined;
      },
      180_000,
    );
    const planned = new Map<string, string>();
    for (const vn of await virtualNodes(cluster))
      for (const ref of vn.spec.pods)
        if (ref.namespace === t.namespace && vn.status?.nodeName) planned.set(ref.name, vn.status.nodeName);
    const first = pods.filter((p) => p.metadata.labels?.app === "first");
    let checked = 0;
    for (const pod of first) {
      const node = planned.get(pod.metadata.name);
      if (node === undefined) continue; // placed on capacity planned earlier (not a VirtualNode of its own)
      checked++;
      assert.equal(pod.spec.nodeName, node, `${pod.metadata.name} runs where it was planned`);
    }
    t.log(
      `${checked} of ${first.length} first-Deployment pods were planned onto VirtualNodes; all landed there`,
    );
    assert.ok(checked >= first.length / 2, "most first-Deployment pods were planned onto new capacity");
  },
);
