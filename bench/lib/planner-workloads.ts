// Benchmark workloads for the planner: Karpenter's scheduling benchmark shape on a synthetic
// catalogue, and a mixed real-world workload on the embedded us-east-1 catalogue. Seeded.
import type { V1Pod } from "@kubernetes/client-node";
import type { NodePool } from "../../src/api/nodepool.js";
import type { Catalog, InstanceType } from "../../src/catalog/types.js";
import type { PlanningSnapshot } from "../../src/planner/types.js";

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** Karpenter's fake catalogue: type i has i+1 vCPU, 2(i+1) GiB, 10(i+1) pods; spot in 2 zones, on-demand in 3. */
export function karpenterCatalog(count = 400): Catalog {
  const instanceTypes: InstanceType[] = [];
  for (let i = 0; i < count; i++) {
    const cpu = i + 1;
    const mem = 2 * (i + 1);
    const price = 0.1 * cpu + 0.1 * mem * (GiB / 1e9);
    const name = `fake-it-${i}`;
    instanceTypes.push({
      name,
      labels: { "kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux" },
      capacity: { cpu: cpu * 1000, memory: mem * GiB, pods: 10 * cpu },
      allocatable: { cpu: cpu * 1000 - 100, memory: mem * GiB - 10 * MiB, pods: 10 * cpu },
      offerings: [
        ...["test-zone-1", "test-zone-2"].map((zone) => ({
          zone,
          capacityType: "spot" as const,
          price,
          available: true,
        })),
        ...["test-zone-1", "test-zone-2", "test-zone-3"].map((zone) => ({
          zone,
          capacityType: "on-demand" as const,
          price,
          available: true,
        })),
      ],
    });
  }
  return { region: "test", instanceTypes };
}

export function bareNodePool(
  name: string,
  extra: Partial<NodePool["spec"]["template"]["spec"]> = {},
): NodePool {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      template: {
        spec: { nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" }, ...extra },
      },
    },
  };
}

function makePod(
  name: string,
  cpu: string,
  memory: string,
  labels: Record<string, string>,
  spec: Partial<NonNullable<V1Pod["spec"]>> = {},
): V1Pod {
  return {
    metadata: { name, namespace: "default", labels },
    spec: { containers: [{ name: "app", image: "app", resources: { requests: { cpu, memory } } }], ...spec },
  };
}

/** N pods: one fifth each generic, zone spread, hostname spread, zone self-affinity, hostname anti-affinity. */
export function karpenterPods(n: number, seed = 42): V1Pod[] {
  const r = rng(seed);
  const cpus = ["100m", "250m", "500m", "1", "1500m"];
  const mems = ["100Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi"];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const fifth = Math.floor(n / 5);
  const pods: V1Pod[] = [];
  const spread = (key: string, app: string): Partial<NonNullable<V1Pod["spec"]>> => ({
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: key,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app } },
      },
    ],
  });
  for (let i = 0; i < fifth; i++)
    pods.push(makePod(`generic-${i}`, pick(cpus), pick(mems), { app: "generic" }));
  for (let i = 0; i < fifth; i++)
    pods.push(
      makePod(
        `zone-spread-${i}`,
        pick(cpus),
        pick(mems),
        { app: "zone-spread" },
        spread("topology.kubernetes.io/zone", "zone-spread"),
      ),
    );
  for (let i = 0; i < fifth; i++)
    pods.push(
      makePod(
        `host-spread-${i}`,
        pick(cpus),
        pick(mems),
        { app: "host-spread" },
        spread("kubernetes.io/hostname", "host-spread"),
      ),
    );
  for (let i = 0; i < fifth; i++)
    pods.push(
      makePod(
        `zone-affinity-${i}`,
        pick(cpus),
        pick(mems),
        { app: "zone-affinity" },
        {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  topologyKey: "topology.kubernetes.io/zone",
                  labelSelector: { matchLabels: { app: "zone-affinity" } },
                },
              ],
            },
          },
        },
      ),
    );
  for (let i = 0; i < n - 4 * fifth; i++)
    pods.push(
      makePod(
        `anti-${i}`,
        pick(cpus),
        pick(mems),
        { app: "anti" },
        {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "anti" } } },
              ],
            },
          },
        },
      ),
    );
  return pods;
}

/** A snapshot with no volumes, DaemonSets or unavailable offerings; no nodes unless given. */
export function emptySnapshot(
  catalog: Catalog,
  nodePools: readonly NodePool[],
  pendingPods: readonly V1Pod[],
  nodes: Pick<PlanningSnapshot, "nodes" | "inFlight"> = { nodes: [], inFlight: [] },
): PlanningSnapshot {
  return {
    pendingPods,
    ...nodes,
    nodePools,
    catalog,
    daemonSets: [],
    persistentVolumeClaims: [],
    persistentVolumes: [],
    storageClasses: [],
    unavailableOfferings: new Set(),
  };
}

/**
 * A mixed real-world workload of `n` pods: half memory-heavy, half cpu-heavy services (Deployments of
 * 10), a third of the services zone-spread, some with hostname anti-affinity, some arm64-only.
 */
export function mixedPods(n: number, seed = 7): V1Pod[] {
  const r = rng(seed);
  const pods: V1Pod[] = [];
  let service = 0;
  while (pods.length < n) {
    const app = `svc-${service}`;
    const memHeavy = service % 2 === 0;
    const cpu = memHeavy ? ["250m", "500m", "1"][Math.floor(r() * 3)] : ["1", "2", "3"][Math.floor(r() * 3)];
    const mem = memHeavy
      ? ["4Gi", "6Gi", "8Gi"][Math.floor(r() * 3)]
      : ["512Mi", "1Gi", "2Gi"][Math.floor(r() * 3)];
    const spec: Partial<NonNullable<V1Pod["spec"]>> = {};
    if (service % 3 === 0)
      spec.topologySpreadConstraints = [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app } },
        },
      ];
    if (service % 7 === 1)
      spec.affinity = {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app } } },
          ],
        },
      };
    if (service % 5 === 2) spec.nodeSelector = { "kubernetes.io/arch": "amd64" };
    for (let i = 0; i < 10 && pods.length < n; i++)
      pods.push(makePod(`${app}-${i}`, cpu ?? "1", mem ?? "1Gi", { app }, spec));
    service++;
  }
  return pods;
}
