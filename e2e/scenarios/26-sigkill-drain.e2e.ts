// rafter is killed with SIGKILL in the middle of a drain (a PDB of maxUnavailable 1 makes the drain
// wait for each evicted pod to run elsewhere) and started again: the drain resumes and completes, every
// pod runs again, the instance is terminated in moto and the Node and VirtualNode are gone.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, motoInstances, podsIn, virtualNodes } from "../harness/provisioning.js";
import {
  generalNodePool,
  maxUnavailablePdb,
  nodeAndVirtualNodeGone,
  nodeClass,
  podsRunning,
  quietDisruption,
  sleep,
  watchPdb,
} from "../harness/lifecycle.js";

interface NodeJson {
  spec?: { taints?: { key: string }[] };
}

scenario(
  "a drain interrupted by SIGKILL resumes after restart and completes",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, {
        disruption: quietDisruption,
      }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([deployment("web", 6, { cpu: "1", memory: "1Gi" }), maxUnavailablePdb("web")]);
    const running = await eventually(
      "6 web pods Running",
      async () => {
        const pods = await podsIn(kubectl, "app=web");
        return pods.filter((p) => p.status.phase === "Running").length === 6 ? pods : undefined;
      },
      180_000,
    );
    // The node with the most pods: the longest drain.
    const counts = new Map<string, number>();
    for (const p of running) counts.set(p.spec.nodeName ?? "", (counts.get(p.spec.nodeName ?? "") ?? 0) + 1);
    const [nodeName, podCount] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    const vn = (await virtualNodes(cluster)).find((v) => v.status?.nodeName === nodeName);
    assert.ok(vn, `a VirtualNode owns ${nodeName}`);
    const instanceId = vn.status?.instanceID ?? "";
    t.log(`draining ${nodeName} (${podCount} pods, instance ${instanceId})`);

    const pdb = watchPdb(kubectl, "web");
    await cluster.kubectl.run(["delete", "virtualnode", vn.metadata.name, "--wait=false"]);
    await eventually("the node tainted rafter.dev/disrupted", async () => {
      const node = await cluster.kubectl.getJson<NodeJson>("node", nodeName);
      return (node.spec?.taints ?? []).some((x) => x.key === "rafter.dev/disrupted");
    });
    await sleep(1_500);
    const left = (await podsIn(kubectl, "app=web")).filter((p) => p.spec.nodeName === nodeName).length;
    assert.ok(
      (await cluster.kubectl.find("node", nodeName)) !== undefined,
      "the node still exists when rafter is killed",
    );
    await cluster.rafter.kill("SIGKILL");
    t.log(`rafter killed with SIGKILL mid-drain (${left} web pod(s) still on ${nodeName})`);
    await sleep(3_000);
    await cluster.rafter.start();
    const restarted = Date.now();

    await nodeAndVirtualNodeGone(t, nodeName, vn.metadata.name, 240_000);
    await podsRunning(t, "web", 6, { notOn: nodeName });
    const seen = await pdb.stop();
    const instance = (await motoInstances(cluster)).find((i) => i.id === instanceId);
    assert.ok(instance, `moto still lists ${instanceId}`);
    assert.equal(instance.state, "terminated", `instance ${instanceId} terminated`);
    t.log(
      `drain completed ${Math.round((Date.now() - restarted) / 1000)}s after restart; instance ${instanceId} ` +
        `${instance.state}; PDB samples ${seen.samples}, violations ${seen.violations}, lowest healthy ${seen.lowestHealthy}`,
    );
    assert.equal(seen.violations, 0, "no PDB violation observed");
  },
);
