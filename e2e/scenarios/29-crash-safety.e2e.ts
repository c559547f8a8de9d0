// Crash safety of the provisioning path: rafter is made to SIGKILL itself (RAFTER_FAILPOINT) at each
// step — after the VirtualNode is recorded but before the cloud is called, right after CreateFleet
// returns, after the Node object is created, and with one pod of several bound — then started again.
// Each time: every pod ends up Running, each VirtualNode has exactly one instance in moto, no live
// instance lacks a VirtualNode, and every pod's node is backed by a live instance.
import assert from "node:assert/strict";
import { launchSteps } from "../../src/failpoint.js";
import { generalNodePool, nodeClass, podsRunning, quietDisruption } from "../harness/lifecycle.js";
import {
  assertOneInstancePerVirtualNode,
  cleanupCapacity,
  deployment,
  liveInstanceStates,
  motoInstances,
  virtualNodes,
} from "../harness/provisioning.js";
import { scenario } from "../harness/scenario.js";

for (const step of launchSteps) {
  scenario(
    `a crash at "${step}" leaves one instance per VirtualNode and every pod bound`,
    { needsRafter: true, timeoutMs: 300_000 },
    async (t) => {
      const { cluster, kubectl, eventually, defer, repoRoot } = t;
      await cluster.kubectl.apply([
        ...nodeClass(repoRoot),
        generalNodePool(repoRoot, {
          disruption: quietDisruption,
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
      const liveBefore = (await motoInstances(cluster)).filter((i) => liveInstanceStates.has(i.state));
      t.log(
        `crashed at ${step}: ${before.length} VirtualNode(s), ${liveBefore.length} live instance(s), ` +
          `${before.filter((v) => v.status?.instanceID).length} recorded`,
      );

      const restarted = Date.now();
      await cluster.rafter.start();
      const pods = await podsRunning(t, "crash", 6, { timeoutMs: 180_000 });
      const seconds = Math.round((Date.now() - restarted) / 1000);

      const { vns, live } = await assertOneInstancePerVirtualNode(cluster);
      for (const vn of vns)
        assert.ok(vn.status?.instanceID, `VirtualNode ${vn.metadata.name} records its instance`);
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
