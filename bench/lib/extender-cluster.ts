// The extender benchmarks' cluster (bench/extender.ts, bench/extender-soak.ts): a seeded state of
// nodes, bound pods, reservations, disruptions and launching virtual nodes, and kube-scheduler's
// nodeCacheCapable filter/prioritize request bodies over it. Same seed, same cluster, same requests.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { VirtualNode } from "../../src/api/virtualnode.js";
import { systemClock } from "../../src/clock.js";
import { rng } from "./planner-workloads.js";
import { createSchedulingState, type SchedulingState } from "../../src/state/scheduling-state.js";

export const nodeName = (i: number): string =>
  `ip-10-${(i >> 16) & 255}-${(i >> 8) & 255}-${i & 255}.ec2.internal`;

function asNode(json: unknown): V1Node {
  return json as V1Node;
}
function asPod(json: unknown): V1Pod {
  return json as V1Pod;
}
function asVirtualNode(json: unknown): VirtualNode {
  return json as VirtualNode;
}

export function makePod(random: () => number, name: string, uid: string, bound: string | undefined): V1Pod {
  const cpu = [100, 250, 500, 1000, 2000][Math.floor(random() * 5)] ?? 250;
  const memoryMi = [128, 256, 512, 1024, 4096][Math.floor(random() * 5)] ?? 256;
  return asPod({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "bench",
      uid,
      labels: { app: `app-${uid.length % 17}` },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs-uid", controller: true },
      ],
    },
    spec: {
      ...(bound ? { nodeName: bound } : {}),
      schedulerName: "default-scheduler",
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
      containers: [
        {
          name: "app",
          image: "registry.k8s.io/pause:3.10",
          resources: {
            requests: { cpu: `${cpu}m`, memory: `${memoryMi}Mi` },
            limits: { memory: `${memoryMi}Mi` },
          },
        },
      ],
    },
    status: { phase: bound ? "Running" : "Pending" },
  });
}

/** The cluster: varied node sizes, pods spread over them, some reservations, disruptions, launches. */
export function buildState(
  nodeCount: number,
  podCount: number,
  seed: number,
): SchedulingState & { names: string[] } {
  const random = rng(seed);
  const scheduling = createSchedulingState({ clock: systemClock });
  const { state, ledger } = scheduling;
  const names: string[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const name = nodeName(i);
    names.push(name);
    const cpu = [4, 8, 16, 32, 64][Math.floor(random() * 5)] ?? 8;
    state.upsertNode(
      asNode({
        metadata: {
          name,
          labels: {
            "kubernetes.io/hostname": name,
            "topology.kubernetes.io/zone": `us-east-1${"abc"[i % 3] ?? "a"}`,
          },
        },
        spec: {},
        status: {
          allocatable: { cpu: `${cpu * 1000 - 100}m`, memory: `${cpu * 4 - 1}Gi`, pods: "110" },
          conditions: [{ type: "Ready", status: "True" }],
        },
      }),
    );
  }
  for (let i = 0; i < podCount; i++) {
    state.upsertPod(makePod(random, `pod-${i}`, `uid-${i}`, names[Math.floor(random() * nodeCount)]));
  }
  // 10% of nodes carry 1–3 reservations; 1% are being disrupted; 2% are consolidation candidates.
  let reserved = 0;
  for (const name of names) {
    const roll = random();
    if (roll < 0.1) {
      for (let r = 0; r < 1 + Math.floor(random() * 3); r++) {
        ledger.reserve({
          podUID: `planned-${reserved++}`,
          nodeName: name,
          requests: { cpu: 2000, memory: 4 * 2 ** 30, pods: 1 },
        });
      }
    } else if (roll < 0.11) state.setBeingDisrupted(name, true);
    else if (roll < 0.13) state.setConsolidationCandidate(name, true);
  }
  // 50 launching virtual nodes (their Nodes exist, not Ready yet), each planned for 4 pods.
  for (let v = 0; v < 50; v++) {
    const name = nodeName(nodeCount + v);
    const pods = Array.from({ length: 4 }, (_, k) => ({
      namespace: "bench",
      name: `vn-${v}-pod-${k}`,
      uid: `vn-${v}-uid-${k}`,
    }));
    state.upsertVirtualNode(
      asVirtualNode({
        apiVersion: "rafter.dev/v1",
        kind: "VirtualNode",
        metadata: { name: `vn-${v}` },
        spec: { nodePool: "default", requirements: [], instanceTypes: ["m5.xlarge"], resources: {}, pods },
        status: { phase: "Launching", nodeName: name },
      }),
    );
    state.upsertNode(
      asNode({
        metadata: { name },
        spec: { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] },
        status: {
          allocatable: { cpu: "3900m", memory: "15Gi", pods: "58" },
          conditions: [{ type: "Ready", status: "False" }],
        },
      }),
    );
    names.push(name);
    for (const p of pods) ledger.reserve({ podUID: p.uid, nodeName: name, requests: { cpu: 500, pods: 1 } });
  }
  state.markSynced();
  return { ...scheduling, names };
}

/** Distinct request bodies: pending pods (a few holding reservations) over 500 random candidates. */
export function requestBodies(
  names: readonly string[],
  count: number,
  candidates: number,
  seed: number,
): string[] {
  const random = rng(seed + 1);
  const bodies: string[] = [];
  for (let b = 0; b < count; b++) {
    const picked = new Set<string>();
    while (picked.size < Math.min(candidates, names.length))
      picked.add(names[Math.floor(random() * names.length)] ?? "");
    const uid = b % 8 === 0 ? `vn-${b % 50}-uid-0` : `pending-${b}`;
    bodies.push(
      JSON.stringify({ Pod: makePod(random, `pending-${b}`, uid, undefined), NodeNames: [...picked] }),
    );
  }
  return bodies;
}
