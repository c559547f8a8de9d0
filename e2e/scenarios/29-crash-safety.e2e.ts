// Crash safety of the provisioning path: rafter is made to SIGKILL itself (RAFTER_FAILPOINT) at each
// step — after the VirtualNode is recorded but before the cloud is called, right after CreateFleet
// returns, after the Node object is created, and with one pod of several bound — then started again.
// Each time: every pod ends up Running, each VirtualNode has exactly one instance in moto, no live
// instance lacks a VirtualNode, and every pod's node is backed by a live instance.
import assert from "node:assert/strict";
import { launchSteps } from "../../src/failpoint.js";
import { generalNodePool, nodeClass, podsRunning } from "../harness/lifecycle.js";
import {
  cleanupCapacity,
  deployment,
  motoInstances,
  virtualNodes,
  type MotoInstance,
} from "../harness/provisioning.js";
import { scenario } from "../harness/scenario.js";

const liveStates = new Set(["pending", "running"]);
const virtualNodeTag = "rafter.dev/virtualnode";

for (const step of launchSteps) {
  scenario(
    `a crash at "${step}" leaves one instance per VirtualNode and every pod bound`,
    { needsRafter: true, timeoutMs: 300_000 },
    async (t) => {
      const { cluster, kubectl, eventually, defer, repoRoot } = t;
      await cluster.kubectl.apply([
        ...nodeClass(repoRoot),
        generalNodePool(repoRoot, {
          disruption: {
            consolidationPolicy: "WhenEmpty",
            consolidateAfter: "1h",
            budgets: [{ nodes: "100%" }],
          },
        }),
      ]);
      defer(() => cleanupCapacity(cluster, t.namespace));
      defer(async () => {
        if (!cluster.rafter.running) await cluster.rafter.start();
      });
      await cluster.rafter.restart([], { RAFTER_FAILPOINT: step });

      // Six pods of 1.5 cpu: more than one per node, so "pod-bound" crashes with pods left to bind.
      await kubectl.apply(deployment("crash", 6, { cpu: "1500m", memory: "1Gi" }));
      await eventually(`rafter to crash at ${step}`, () => Promise.resolve(!cluster.rafter.running), 120_000);
      const exit = cluster.rafter.describe();
      assert.match(exit, /SIGKILL/, `rafter died by its failpoint: ${exit}`);
      const before = await virtualNodes(cluster);
      const liveBefore = (await motoInstances(cluster)).filter((i) => liveStates.has(i.state));
      t.log(
        `crashed at ${step}: ${before.length} VirtualNode(s), ${liveBefore.length} live instance(s), ` +
          `${before.filter((v) => v.status?.instanceID).length} recorded`,
      );

      const restarted = Date.now();
      await cluster.rafter.start();
      const pods = await podsRunning(t, "crash", 6, { timeoutMs: 180_000 });
      const seconds = Math.round((Date.now() - restarted) / 1000);

      const vns = await virtualNodes(cluster);
      const live = (await motoInstances(cluster)).filter((i) => liveStates.has(i.state));
      const byVirtualNode = new Map<string, MotoInstance[]>();
      for (const instance of live) {
        const owner = instance.tags[virtualNodeTag] ?? "";
        byVirtualNode.set(owner, [...(byVirtualNode.get(owner) ?? []), instance]);
      }
      for (const [owner, instances] of byVirtualNode)
        assert.equal(
          instances.length,
          1,
          `VirtualNode ${owner} has one live instance: ${instances.map((i) => i.id).join(",")}`,
        );
      const names = new Set(vns.map((v) => v.metadata.name));
      for (const owner of byVirtualNode.keys())
        assert.ok(names.has(owner), `live instance of ${owner} has its VirtualNode (no orphan)`);
      for (const vn of vns) {
        const id = vn.status?.instanceID;
        assert.ok(id, `VirtualNode ${vn.metadata.name} records its instance`);
        assert.equal(
          byVirtualNode.get(vn.metadata.name)?.[0]?.id,
          id,
          `${vn.metadata.name}: recorded = live instance`,
        );
      }
      const backed = new Set(vns.map((v) => v.status?.nodeName));
      for (const pod of pods)
        assert.ok(
          backed.has(pod.spec.nodeName),
          `pod on ${pod.spec.nodeName ?? "?"} is backed by a live instance`,
        );
      t.log(
        `recovered in ${seconds}s: 6 pods Running on ${backed.size} node(s); ${vns.length} VirtualNode(s), ` +
          `${live.length} live instance(s), none duplicated or orphaned`,
      );
    },
  );
}
