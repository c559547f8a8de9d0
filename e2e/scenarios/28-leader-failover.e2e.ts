// High availability: two rafter replicas with leader election on the kube-system/rafter-leader Lease,
// behind a ready-endpoint proxy on the extender port kube-scheduler is configured with (a Service with
// endpoint readiness, in miniature: only the leader is ready). The leader is killed with SIGKILL while a
// Deployment's pods are pending and its first VirtualNode has just appeared (launches in flight); the
// follower takes the Lease over, becomes ready, resumes the in-flight launches and provisions the rest.
// Every pod ends up bound and Running, no VirtualNode is launched twice (at most one moto instance per
// VirtualNode tag, instances = VirtualNodes with an instance), and no pod sits on a node without an
// instance. The failover time (SIGKILL → the follower's /readyz 200) is printed.
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { freePort, httpGet } from "../cluster/net.js";
import type { Rafter } from "../cluster/rafter.js";
import { sleep } from "../harness/lifecycle.js";
import { metricValue } from "../harness/metrics.js";
import { kwokNode, pod } from "../harness/nodes.js";
import {
  applyNodePools,
  cleanupCapacity,
  deployment,
  motoInstances,
  podsIn,
  virtualNodes,
  type PodJson,
} from "../harness/provisioning.js";
import { startReadyEndpointProxy, type ReadyEndpointProxy } from "../harness/ready-endpoint-proxy.js";
import { scenario } from "../harness/scenario.js";

const leaseName = "rafter-leader";
const leaseNamespace = "kube-system";

interface LeaseJson {
  spec?: { holderIdentity?: string; leaseTransitions?: number };
}

async function ready(replica: Rafter): Promise<boolean> {
  try {
    return (await httpGet(`${replica.metricsUrl}/readyz`, { timeoutMs: 1_000 })).status === 200;
  } catch {
    return false;
  }
}

scenario(
  "the follower takes over when the leader is SIGKILLed mid-provisioning; nothing is launched twice",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await applyNodePools(cluster, repoRoot, ["nodepool-general.yaml"]);
    // Deferred cleanups run newest first: the default rafter is back before capacity is cleaned up.
    defer(() => cleanupCapacity(cluster, t.namespace));

    const replicas = [
      cluster.rafter.replica("rafter-a", { extenderPort: await freePort(), metricsPort: await freePort() }),
      cluster.rafter.replica("rafter-b", { extenderPort: await freePort(), metricsPort: await freePort() }),
    ] as const;
    const routing: { proxy?: ReadyEndpointProxy } = {};
    defer(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await routing.proxy?.close();
      if (!cluster.rafter.running) await cluster.rafter.start();
    });
    await cluster.rafter.stop();
    const proxy = await startReadyEndpointProxy({
      port: Number(new URL(cluster.rafter.extenderUrl).port),
      backends: replicas.map((r) => ({
        name: r.name,
        port: r.settings.extenderPort,
        readyUrl: `${r.metricsUrl}/readyz`,
      })),
      log: t.log,
    });
    routing.proxy = proxy;
    await Promise.all(replicas.map((r) => r.start(["--leader-elect=true"])));
    const identityOf = (r: Rafter): string => `${hostname()}-${r.pid ?? "?"}`;

    const leaseHolder = async (): Promise<LeaseJson["spec"]> => {
      const text = (
        await cluster.kubectl.run(["get", "lease", leaseName, `--namespace=${leaseNamespace}`, "-o", "json"])
      ).stdout;
      return (JSON.parse(text) as LeaseJson).spec;
    };
    const leader = await eventually(
      "one replica leads (readyz 200 and Lease holder)",
      async () => {
        const states = await Promise.all(replicas.map(ready));
        if (states.filter(Boolean).length !== 1) return undefined;
        const lead = replicas[states.indexOf(true)];
        if (lead === undefined) return undefined;
        const spec = await leaseHolder();
        return spec?.holderIdentity === identityOf(lead) ? lead : undefined;
      },
      60_000,
    );
    const follower = replicas.find((r) => r !== leader);
    assert.ok(follower, "a follower");
    assert.equal(await ready(follower), false, "the follower reports not ready");
    const leaderIdentity = identityOf(leader);
    const followerIdentity = identityOf(follower);
    t.log(`${leader.name} leads (${leaderIdentity}); ${follower.name} follows (${followerIdentity})`);
    await eventually(
      "the proxy routes to the leader",
      () => Promise.resolve(proxy.current === leader.name),
      10_000,
    );

    await kubectl.apply([
      deployment("web", 10, { cpu: "500m", memory: "512Mi" }),
      deployment("api", 10, { cpu: "1500m", memory: "1Gi" }),
      deployment("cache", 10, { cpu: "250m", memory: "3Gi" }),
    ]);
    const total = 30;

    // As soon as the first VirtualNode exists (launches are in flight), kill the leader.
    for (const deadline = Date.now() + 120_000; ;) {
      if ((await virtualNodes(cluster)).length > 0) break;
      assert.ok(Date.now() < deadline, "a VirtualNode appears within 120 s");
      await sleep(50);
    }
    const killedAt = Date.now();
    await leader.kill("SIGKILL");
    const [podsAtKill, vnsAtKill] = await Promise.all([podsIn(kubectl), virtualNodes(cluster)]);
    const pendingAtKill = podsAtKill.filter((p) => p.spec.nodeName === undefined).length;
    const phases = vnsAtKill.map((v) => v.status?.phase ?? "Planned").join(",");
    t.log(
      `SIGKILL ${leader.name} with ${pendingAtKill}/${podsAtKill.length} pods unbound and ` +
        `${vnsAtKill.length} VirtualNode(s) [${phases}]`,
    );
    assert.ok(pendingAtKill > 0, "pods were still pending when the leader died");

    // Failover: SIGKILL → the follower's /readyz 200; the Lease's holder is watched alongside.
    const lease: { holder: string; changedAt?: number; watching: boolean } = {
      holder: leaderIdentity,
      watching: true,
    };
    const leaseWatch = (async () => {
      while (lease.watching) {
        const spec = await leaseHolder().catch(() => undefined);
        const now = Date.now();
        if (spec?.holderIdentity !== undefined && spec.holderIdentity !== lease.holder) {
          t.log(
            `Lease holder ${lease.holder} → ${spec.holderIdentity} ` +
              `(${((now - killedAt) / 1000).toFixed(1)}s after SIGKILL, transitions ${String(spec.leaseTransitions)})`,
          );
          lease.holder = spec.holderIdentity;
          lease.changedAt ??= now;
        }
        await sleep(250);
      }
    })();
    let readyAt: number | undefined;
    while (readyAt === undefined && Date.now() < killedAt + 60_000) {
      if (await ready(follower)) readyAt = Date.now();
      else await sleep(100);
    }
    assert.ok(readyAt !== undefined, `${follower.name} became ready within 60 s of the SIGKILL`);
    const failoverSeconds = (readyAt - killedAt) / 1000;
    await eventually(
      "the Lease names the follower",
      () => Promise.resolve(lease.holder === followerIdentity),
      10_000,
    );
    lease.watching = false;
    await leaseWatch;
    t.log(
      `failover ${failoverSeconds.toFixed(1)}s (SIGKILL → ${follower.name} /readyz 200); Lease holder changed ` +
        `${(((lease.changedAt ?? readyAt) - killedAt) / 1000).toFixed(1)}s after SIGKILL`,
    );
    await eventually(
      "the proxy routes to the new leader",
      () => Promise.resolve(proxy.current === follower.name),
      10_000,
    );

    const running = await eventually(
      `all ${total} pods bound and Running`,
      async () => {
        const pods = await podsIn(kubectl);
        const up = pods.filter((p) => p.spec.nodeName !== undefined && p.status.phase === "Running");
        return pods.length === total && up.length === total ? pods : undefined;
      },
      240_000,
    );
    t.log(`all ${total} pods Running ${((Date.now() - killedAt) / 1000).toFixed(1)}s after SIGKILL`);

    // Nothing launched twice: one instance per VirtualNode tag, instances = VirtualNodes with one.
    const vns = await virtualNodes(cluster);
    const instances = await motoInstances(cluster);
    const live = instances.filter((i) => i.state !== "terminated");
    for (const vn of vns) {
      const tagged = instances.filter((i) => i.tags["rafter.dev/virtualnode"] === vn.metadata.name);
      assert.ok(
        tagged.length <= 1,
        `${vn.metadata.name} launched once (moto: ${tagged.map((i) => `${i.id} ${i.state}`).join(", ")})`,
      );
    }
    const withInstance = vns.filter((vn) => vn.status?.instanceID !== undefined);
    assert.equal(
      live.length,
      withInstance.length,
      `non-terminated instances (${live.map((i) => i.id).join(",")}) = VirtualNodes with an instance`,
    );
    const hostOf = new Map(
      withInstance.map((vn) => [vn.status?.nodeName ?? "", vn.status?.instanceID ?? ""]),
    );
    for (const p of running) {
      const instanceId = hostOf.get(p.spec.nodeName ?? "");
      assert.ok(
        instanceId,
        `${p.metadata.name}'s node ${p.spec.nodeName ?? ""} belongs to a launched VirtualNode`,
      );
      assert.ok(
        live.some((i) => i.id === instanceId),
        `${p.metadata.name}'s node ${p.spec.nodeName ?? ""} has a live instance ${instanceId}`,
      );
    }
    t.log(
      `${withInstance.length} VirtualNode(s) with an instance, ${live.length} live instance(s), ` +
        `${instances.length - live.length} terminated`,
    );

    // kube-scheduler's extender calls reach the new leader through the "Service": a pod pinned to a
    // plain kwok node is filtered and bound by the follower-turned-leader's extender.
    const nodeName = `e2e-failover-${Math.random().toString(36).slice(2, 7)}`;
    await cluster.kubectl.apply(kwokNode(nodeName));
    defer(() => cluster.kubectl.delete("node", nodeName, ["--wait=false"]));
    await kubectl.apply(pod("after-failover", { nodeSelector: { "kubernetes.io/hostname": nodeName } }));
    await eventually(
      "the pinned pod bound through the new leader's extender",
      async () => {
        const bound = (await kubectl.getJson<PodJson>("pod", "after-failover")).spec.nodeName;
        const binds = metricValue(await follower.metrics(), "rafter_extender_requests_total", {
          verb: "bind",
        });
        return bound === nodeName && binds >= 1;
      },
      60_000,
    );
    const forwarded = [...proxy.forwarded].map(([n, c]) => `${n}:${c}`).join(" ");
    t.log(`proxy connections: ${forwarded}, refused ${proxy.refused}`);
    assert.ok(
      (proxy.forwarded.get(follower.name) ?? 0) >= 1,
      "the proxy sent kube-scheduler to the new leader",
    );

    t.log(`failover seconds: ${failoverSeconds.toFixed(1)}`);
    // With a 15 s lease the takeover comes 13–15 s after the crash (15 s after the last renewal);
    // a second of slack for a loaded machine.
    assert.ok(failoverSeconds < 16, `failover within the lease duration (${failoverSeconds.toFixed(1)}s)`);
  },
);
