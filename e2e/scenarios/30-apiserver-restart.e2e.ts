// kube-apiserver restarted under load: while a 40-pod Deployment is pending and its capacity is
// launching, kube-apiserver is stopped and started again (same port, flags and etcd data) — once
// for a few seconds, once for longer than rafter's launcher keeps retrying a launch (about 31 s). Every client — kube-controller-manager, kube-scheduler, kwok and rafter — has to
// reconnect on its own; rafter's informers must list again and miss nothing, so a second Deployment
// created right after the restart is provisioned too. In the end: every pod Running on a node backed
// by a live instance, one instance per VirtualNode, no orphaned instance, rafter never restarted.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generalNodePool, nodeClass, podsRunning, quietDisruption } from "../harness/lifecycle.js";
import {
  assertOneInstancePerVirtualNode,
  cleanupCapacity,
  deployment,
  podsIn,
  virtualNodes,
  type VirtualNodeJson,
} from "../harness/provisioning.js";
import { scenario, type ScenarioContext } from "../harness/scenario.js";

const before = { app: "before", replicas: 40 };
const after = { app: "after", replicas: 12 };
const container = { cpu: "1", memory: "1Gi" };

interface EventJson {
  reason?: string;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  involvedObject?: { name?: string };
}

/** When kube-scheduler first reported one of the app's pods Unschedulable (epoch ms), if it did. */
async function firstFailedScheduling(t: ScenarioContext, app: string): Promise<number | undefined> {
  const events = await t.kubectl.getJson<{ items: EventJson[] }>("events", undefined, [
    "--field-selector=reason=FailedScheduling",
  ]);
  const times = events.items
    .filter((e) => e.involvedObject?.name?.startsWith(`${app}-`) === true)
    .map((e) => Date.parse(e.eventTime ?? e.firstTimestamp ?? ""))
    .filter((ms) => !Number.isNaN(ms));
  return times.length > 0 ? Math.min(...times) : undefined;
}

for (const downSeconds of [5, 40])
  scenario(
    `kube-apiserver away ${downSeconds}s while capacity launches: informers recover, nothing is missed`,
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
      const rafterPid = cluster.rafter.pid;

      await kubectl.apply(deployment(before.app, before.replicas, container));
      // Under load: some capacity planned or launching, and pods still waiting for it.
      const load = await eventually(
        "VirtualNodes launching with pods still pending",
        async () => {
          const vns = await virtualNodes(cluster);
          const pods = await podsIn(kubectl, `app=${before.app}`);
          const pending = pods.filter((p) => p.status.phase !== "Running").length;
          return vns.length > 0 && pending > 0 ? { vns: vns.length, pods: pods.length, pending } : undefined;
        },
        120_000,
      );
      t.log(
        `stopping kube-apiserver with ${load.vns} VirtualNode(s), ${load.pods} pod(s) created, ` +
          `${load.pending} not Running`,
      );

      const restart = await cluster.restartApiServer({ downMs: downSeconds * 1000 });
      t.log(
        `kube-apiserver down ${((restart.startedAt - restart.stoppedAt) / 1000).toFixed(1)}s, ` +
          `ready ${((restart.readyAt - restart.startedAt) / 1000).toFixed(1)}s after its start`,
      );
      // kube-scheduler runs with leader election (as shipped) and, like in a real cluster, exits when it
      // cannot renew its lease within its renew deadline; the harness then starts it again, as a kubelet
      // would. Anything else that exited did not reconnect on its own.
      for (const client of restart.exited) {
        t.log(`${client.exit} during the outage; started again`);
        assert.ok(
          client.name === "kube-scheduler" && /leader ?election lost/i.test(client.logTail),
          `${client.exit} while kube-apiserver was away; last lines:\n${client.logTail}`,
        );
      }
      // Created as soon as the API answers, while the clients are still reconnecting.
      await kubectl.apply(deployment(after.app, after.replicas, container));
      const readyAt = restart.readyAt;

      // The first VirtualNode rafter creates after the restart proves its informers saw new pods.
      const sinceReady = (iso: string | undefined): number =>
        iso === undefined ? -Infinity : Date.parse(iso) - Math.floor(readyAt / 1000) * 1000;
      const firstNew = await eventually(
        "a VirtualNode created after the restart for the new pods",
        async () => {
          const vns = await cluster.kubectl.getJson<{
            items: (VirtualNodeJson & { metadata: { creationTimestamp?: string } })[];
          }>("virtualnodes");
          const fresh = vns.items.filter(
            (v) =>
              sinceReady(v.metadata.creationTimestamp) >= 0 &&
              v.spec.pods.some((p) => p.namespace === t.namespace && p.name.startsWith(`${after.app}-`)),
          );
          return fresh.length > 0 ? Date.now() : undefined;
        },
        180_000,
      );
      const unschedulableAt = await firstFailedScheduling(t, after.app);
      const runningBefore = await podsRunning(t, before.app, before.replicas, { timeoutMs: 240_000 });
      const runningAfter = await podsRunning(t, after.app, after.replicas, { timeoutMs: 240_000 });
      const allRunningAt = Date.now();

      assert.equal(cluster.rafter.pid, rafterPid, "rafter kept running through the restart (no crash)");
      const { vns, live } = await assertOneInstancePerVirtualNode(t.cluster);
      const backed = new Set(vns.map((v) => v.status?.nodeName));
      for (const pod of [...runningBefore, ...runningAfter])
        assert.ok(
          backed.has(pod.spec.nodeName),
          `pod ${pod.metadata.name} on ${pod.spec.nodeName ?? "?"} is on a node backed by a VirtualNode`,
        );
      const gaveUp =
        readFileSync(cluster.rafter.logFile, "utf8").split("recording the failed launch failed").length - 1;
      t.log(
        `recovery after kube-apiserver ready: kube-scheduler reported the new pods Unschedulable ` +
          `${unschedulableAt === undefined ? "?" : ((unschedulableAt - readyAt) / 1000).toFixed(1)}s, ` +
          `first new VirtualNode ${((firstNew - readyAt) / 1000).toFixed(1)}s, ` +
          `all ${before.replicas + after.replicas} pods Running ${((allRunningAt - readyAt) / 1000).toFixed(1)}s; ` +
          `${vns.length} VirtualNode(s), ${live.length} live instance(s), none duplicated or orphaned; ` +
          `launches given up while the API was away (and retried): ${gaveUp} (whole rafter log)`,
      );
    },
  );
