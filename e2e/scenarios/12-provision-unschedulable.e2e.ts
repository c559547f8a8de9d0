// Pods no NodePool can satisfy stay Pending with an event carrying the planner's reason, and nothing
// is launched for them.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { applyNodePools, cleanupCapacity, motoInstances, virtualNodes } from "../harness/provisioning.js";
import { pod } from "../harness/nodes.js";

interface EventJson {
  reason: string;
  message: string;
  involvedObject: { name: string };
}

scenario(
  "pods no NodePool can host stay Pending with the reason",
  { needsRafter: true, timeoutMs: 120_000 },
  async (t) => {
    const { cluster, kubectl, repoRoot, defer, eventually } = t;
    await applyNodePools(cluster, repoRoot, ["nodepool-general.yaml"]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    const instancesBefore = (await motoInstances(cluster)).length;
    await kubectl.apply([
      pod("mainframe", { cpu: "1", memory: "1Gi", nodeSelector: { "kubernetes.io/arch": "s390x" } }),
      pod("giant", { cpu: "1000", memory: "1Gi" }),
    ]);
    const events = await eventually(
      "FailedProvisioning events for both pods",
      async () => {
        const list = await kubectl.getJson<{ items: EventJson[] }>("events");
        const failed = list.items.filter((e) => e.reason === "FailedProvisioning");
        const names = new Set(failed.map((e) => e.involvedObject.name));
        return names.has("mainframe") && names.has("giant") ? failed : undefined;
      },
      60_000,
    );
    for (const event of events) t.log(`${event.involvedObject.name}: ${event.message}`);
    assert.match(events.find((e) => e.involvedObject.name === "mainframe")?.message ?? "", /s390x/);
    assert.match(events.find((e) => e.involvedObject.name === "giant")?.message ?? "", /cpu/);
    const phases = await kubectl.getJson<{
      items: { status: { phase: string }; spec: { nodeName?: string } }[];
    }>("pods");
    assert.ok(phases.items.every((p) => p.status.phase === "Pending" && p.spec.nodeName === undefined));
    const ours = (await virtualNodes(cluster)).filter((vn) =>
      vn.spec.pods.some((p) => p.namespace === t.namespace),
    );
    assert.deepEqual(ours, [], "no VirtualNode for these pods");
    assert.equal((await motoInstances(cluster)).length, instancesBefore, "no instance launched");
  },
);
