// consolidateAfter's clock survives a restart: a node whose pod goes away is empty; rafter is killed
// and started again in the middle of the NodePool's consolidateAfter (60 s); the node still goes about
// 60 s after its pod did — the time is kept in the VirtualNode's status.lastPodEventTime — rather
// than 60 s after the restart, as when the clock lived in memory.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import { generalNodePool, nodeClass, sleep } from "../harness/lifecycle.js";

const consolidateAfterS = 60;

scenario(
  "a restart in the middle of consolidateAfter does not start the clock over",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, {
        disruption: {
          consolidationPolicy: "WhenEmpty",
          consolidateAfter: `${consolidateAfterS}s`,
          budgets: [{ nodes: "100%" }],
        },
      }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply(deployment("web", 1, { cpu: "1", memory: "1Gi" }));
    await eventually(
      "the web pod Running",
      async () => (await podsIn(kubectl, "app=web")).some((p) => p.status.phase === "Running"),
      180_000,
    );
    const [vn] = await virtualNodes(cluster);
    assert.ok(vn, "one VirtualNode");
    await kubectl.run(["delete", "deployment", "web", "--wait=true", "--timeout=60s"]);
    await eventually("the web pod gone", async () => (await podsIn(kubectl, "app=web")).length === 0, 60_000);
    const emptied = Date.now();
    await eventually(
      "lastPodEventTime recorded",
      async () => {
        const live = (await virtualNodes(cluster)).find((v) => v.metadata.name === vn.metadata.name);
        return live?.status?.lastPodEventTime !== undefined;
      },
      30_000,
    );
    await sleep(Math.max(0, emptied + 35_000 - Date.now()));
    await cluster.rafter.kill();
    await cluster.rafter.start();
    await eventually(
      "the empty node's VirtualNode deleted",
      async () => !(await virtualNodes(cluster)).some((v) => v.metadata.name === vn.metadata.name),
      120_000,
    );
    const seconds = Math.round((Date.now() - emptied) / 1000);
    t.log(
      `restarted 35s into consolidateAfter ${consolidateAfterS}s; the empty node went ${seconds}s after its pod`,
    );
    // With the clock in memory it would go consolidateAfter after the restart: 35 + 60 = 95 s at least.
    assert.ok(seconds < 35 + consolidateAfterS, `removed ${seconds}s after the pod went`);
  },
);
