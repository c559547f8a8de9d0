// Node repair on the real control plane (rafter started with --node-repair-after=15s):
// 1. three web pods (one per node, a PDB allowing one unavailable); one node is made NotReady by a
//    kwok stage (breakKwokNode): after the repair window rafter deletes its VirtualNode, a replacement
//    is launched and the pod runs there, the broken node's instance is terminated in moto; the healthy
//    nodes are never touched and the PDB is never violated. The timings are printed.
// 2. the share limit: two of the three nodes NotReady at once (more than ceil(20% of 3) = 1) — none is
//    repaired past the window; once one recovers, the other is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { breakKwokNode, healKwokNode } from "../cluster/kwok-stages.js";
import { scenario } from "../harness/scenario.js";
import {
  cleanupCapacity,
  deployment,
  motoInstances,
  podsIn,
  virtualNodes,
  type PodJson,
} from "../harness/provisioning.js";
import {
  generalNodePool,
  maxUnavailablePdb,
  nodeClass,
  quietDisruption,
  sleep,
  watchDisruptedStream,
  watchPdb,
} from "../harness/lifecycle.js";

const repairAfterS = 15;
/** rafter's disruption round, in which repair runs. */
const roundS = 10;

interface NodeJson {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

const readyStatus = (node: NodeJson | undefined): string | undefined =>
  node?.status?.conditions?.find((c) => c.type === "Ready")?.status;

const spread = {
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } },
      ],
    },
  },
};

scenario(
  "a NotReady node is replaced after the repair window, within its PDB; not while too much of its pool is sick",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.rafter.restart([`--node-repair-after=${repairAfterS}s`]);
    defer(() => cluster.rafter.restart());
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, { disruption: quietDisruption }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([
      deployment("web", 3, { cpu: "1", memory: "1Gi" }, spread),
      maxUnavailablePdb("web", 1),
    ]);
    const running = (pods: PodJson[]) => pods.filter((p) => p.status.phase === "Running");
    const placed = await eventually(
      "3 web pods Running on 3 nodes",
      async () => {
        const pods = running(await podsIn(kubectl, "app=web"));
        return pods.length === 3 && new Set(pods.map((p) => p.spec.nodeName)).size === 3 ? pods : undefined;
      },
      180_000,
    );
    const vns = await virtualNodes(cluster);
    const original = placed.map((p) => p.spec.nodeName ?? "").sort();
    const [broken, ...healthy] = original;
    assert.ok(broken !== undefined && healthy.length === 2);
    const brokenVn = vns.find((v) => v.status?.nodeName === broken);
    const instance = brokenVn?.status?.instanceID;
    assert.ok(brokenVn && instance, `the VirtualNode and instance of ${broken}`);

    // 1. One node NotReady: repaired after the window, the others untouched, the PDB held.
    const pdb = watchPdb(kubectl, "web");
    const disrupted = await watchDisruptedStream(cluster);
    const broke = Date.now();
    await breakKwokNode(cluster.kubectl, broken);
    const at = new Map<string, number>();
    const mark = (what: string, reached: boolean) => {
      if (reached && !at.has(what)) at.set(what, (Date.now() - broke) / 1000);
    };
    await eventually(
      `${broken} NotReady, repaired, replaced, its instance terminated`,
      async () => {
        const node = await cluster.kubectl.find<NodeJson>("node", broken);
        mark("notReady", readyStatus(node) === "False");
        const live = await virtualNodes(cluster);
        const vn = live.find((v) => v.metadata.name === brokenVn.metadata.name);
        mark("repairDecided", vn === undefined || vn.metadata.deletionTimestamp !== undefined);
        const pods = running(await podsIn(kubectl, "app=web"));
        const moved = pods.find((p) => p.spec.nodeName !== undefined && !original.includes(p.spec.nodeName));
        if (moved?.spec.nodeName !== undefined) {
          const replacement = await cluster.kubectl.find<NodeJson>("node", moved.spec.nodeName);
          mark("replacementReady", readyStatus(replacement) === "True");
          mark("podRunningOnReplacement", true);
        }
        const state = (await motoInstances(cluster)).find((i) => i.id === instance)?.state;
        mark("instanceTerminated", state === "terminated" || state === "shutting-down");
        mark("nodeGone", node === undefined);
        return at.size === 6;
      },
      120_000,
    );
    const pdbSeen = await pdb.stop();
    const tainted = await disrupted.stop();
    const s = (what: string) => `${at.get(what)?.toFixed(1) ?? "?"}s`;
    t.log(
      `repair of ${broken} (--node-repair-after=${repairAfterS}s, rounds every ${roundS}s), from the NotReady label: ` +
        `Ready=False ${s("notReady")}, repair decision (VirtualNode deleted) ${s("repairDecided")}, ` +
        `replacement Ready ${s("replacementReady")}, pod Running there ${s("podRunningOnReplacement")}, ` +
        `old instance terminated ${s("instanceTerminated")}, old Node gone ${s("nodeGone")}; ` +
        `PDB: ${pdbSeen.violations} violations in ${pdbSeen.samples} samples, lowest healthy ${pdbSeen.lowestHealthy}`,
    );
    const decided = at.get("repairDecided") ?? 0;
    assert.ok(decided >= repairAfterS - 1, `not repaired before the window (decided at ${decided}s)`);
    assert.ok(decided <= repairAfterS + roundS + 5, `repaired within a round of the window (${decided}s)`);
    assert.equal(pdbSeen.violations, 0, "no PDB violation");
    assert.deepEqual([...tainted.seen], [broken], "only the broken node was disrupted");
    const after = await virtualNodes(cluster);
    for (const name of healthy)
      assert.ok(
        after.some((v) => v.status?.nodeName === name),
        `healthy ${name} still has its VirtualNode`,
      );

    // 2. Two of three nodes NotReady: more than a fifth of the pool, so neither is repaired.
    const nodes = running(await podsIn(kubectl, "app=web")).map((p) => p.spec.nodeName ?? "");
    assert.equal(new Set(nodes).size, 3, "3 nodes again");
    const [first, second] = healthy as [string, string];
    const logBefore = readFileSync(cluster.rafter.logFile, "utf8").length;
    await Promise.all([breakKwokNode(cluster.kubectl, first), breakKwokNode(cluster.kubectl, second)]);
    await eventually(
      `${first} and ${second} NotReady`,
      async () => {
        const states = await Promise.all(
          [first, second].map(async (n) => readyStatus(await cluster.kubectl.find<NodeJson>("node", n))),
        );
        return states.every((s) => s === "False");
      },
      30_000,
    );
    await sleep((repairAfterS + roundS + 5) * 1000);
    const held = await virtualNodes(cluster);
    for (const name of [first, second])
      assert.ok(
        held.some((v) => v.status?.nodeName === name && !v.metadata.deletionTimestamp),
        `${name} not repaired while two of three are NotReady`,
      );
    const logged = readFileSync(cluster.rafter.logFile, "utf8").slice(logBefore);
    assert.ok(logged.includes("too many unhealthy nodes to repair"), "rafter says why it holds");
    // One recovers: the other is the only unhealthy node left, and is repaired.
    await healKwokNode(cluster.kubectl, second);
    const healed = Date.now();
    await eventually(
      `${first} repaired once ${second} is Ready again`,
      async () => {
        const vn = (await virtualNodes(cluster)).find((v) => v.status?.nodeName === first);
        return vn === undefined || vn.metadata.deletionTimestamp !== undefined;
      },
      (roundS + 15) * 1000,
    );
    t.log(
      `two of three NotReady: held ${repairAfterS + roundS + 5}s past the window; ${first} repaired ` +
        `${((Date.now() - healed) / 1000).toFixed(1)}s after ${second} recovered`,
    );
  },
);
