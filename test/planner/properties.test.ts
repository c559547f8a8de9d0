// Property tests: random catalogues, NodePools, nodes and pods; every plan must pass the
// independent checker, cover every pending pod exactly once and be deterministic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { V1Pod } from "@kubernetes/client-node";
import { plan } from "../../src/planner/planner.js";
import type { PlanningSnapshot } from "../../src/planner/types.js";
import { checkPlan } from "./support/checker.js";
import { daemonSet, instanceType, node, nodePool, pod } from "./support/builders.js";

const zones = ["zone-a", "zone-b", "zone-c"];

const podArb = fc.record({
  cpu: fc.constantFrom("100m", "250m", "500m", "1", "2", "3500m"),
  memory: fc.constantFrom("128Mi", "512Mi", "1Gi", "4Gi", "12Gi"),
  app: fc.constantFrom("a", "b", "c", "d"),
  arch: fc.constantFrom(undefined, "amd64", "arm64"),
  zone: fc.constantFrom(undefined, ...zones),
  antiHost: fc.boolean(),
  antiZone: fc.boolean(),
  affinityZone: fc.boolean(),
  spread: fc.constantFrom(undefined, "topology.kubernetes.io/zone", "kubernetes.io/hostname"),
  hostPort: fc.constantFrom(undefined, 8080),
  tolerate: fc.boolean(),
});

type PodSpecInput = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

function makePod(i: number, p: PodSpecInput): V1Pod {
  const spec: NonNullable<V1Pod["spec"]> = {
    containers: [
      {
        name: "c",
        resources: { requests: { cpu: p.cpu, memory: p.memory } },
        ...(p.hostPort ? { ports: [{ containerPort: 80, hostPort: p.hostPort }] } : {}),
      },
    ],
  };
  const nodeSelector: Record<string, string> = {};
  if (p.arch) nodeSelector["kubernetes.io/arch"] = p.arch;
  if (p.zone) nodeSelector["topology.kubernetes.io/zone"] = p.zone;
  if (Object.keys(nodeSelector).length > 0) spec.nodeSelector = nodeSelector;
  const sel = { matchLabels: { app: p.app } };
  const anti = [
    ...(p.antiHost ? [{ topologyKey: "kubernetes.io/hostname", labelSelector: sel }] : []),
    ...(p.antiZone
      ? [
          {
            topologyKey: "topology.kubernetes.io/zone",
            labelSelector: { matchLabels: { app: `${p.app}-z` } },
          },
        ]
      : []),
  ];
  spec.affinity = {
    ...(anti.length > 0 ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: anti } } : {}),
    ...(p.affinityZone
      ? {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: "topology.kubernetes.io/zone", labelSelector: sel },
            ],
          },
        }
      : {}),
  };
  if (p.spread)
    spec.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: p.spread, whenUnsatisfiable: "DoNotSchedule", labelSelector: sel },
    ];
  if (p.tolerate) spec.tolerations = [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }];
  return pod(`p${i}`, { labels: { app: p.app }, spec });
}

const snapshotArb = fc
  .record({
    pods: fc.array(podArb, { minLength: 1, maxLength: 25 }),
    prices: fc.array(fc.integer({ min: 5, max: 60 }), { minLength: 3, maxLength: 6 }),
    tainted: fc.boolean(),
    limitCpu: fc.constantFrom(undefined, "16", "64"),
    nodes: fc.integer({ min: 0, max: 2 }),
    ds: fc.boolean(),
    unavailable: fc.boolean(),
  })
  .map((r): PlanningSnapshot => {
    const types = r.prices.map((p, i) =>
      instanceType(`t${i}.x`, 2 ** (i % 4) * 2, 2 ** (i % 4) * (4 + 4 * (i % 3)), p / 100, {
        labels: i % 2 === 1 ? { "kubernetes.io/arch": "arm64" } : {},
        zones,
      }),
    );
    const pools = [
      nodePool("general", {}, r.limitCpu ? { limits: { cpu: r.limitCpu }, weight: 10 } : { weight: 10 }),
      ...(r.tainted ? [nodePool("dedicated", { taints: [{ key: "dedicated", effect: "NoSchedule" }] })] : []),
    ];
    return {
      pendingPods: r.pods.map((p, i) => makePod(i, p)),
      nodes: Array.from({ length: r.nodes }, (_, i) => ({
        node: node(`n${i}`, { labels: { "topology.kubernetes.io/zone": zones[i] ?? "zone-a" } }),
        pods: [],
      })),
      inFlight: [],
      nodePools: pools,
      catalog: { region: "test", instanceTypes: types },
      daemonSets: r.ds ? [daemonSet("agent", "200m", "256Mi")] : [],
      persistentVolumeClaims: [],
      persistentVolumes: [],
      storageClasses: [],
      unavailableOfferings: new Set(r.unavailable ? ["t0.x/zone-a/on-demand", "t1.x/zone-b/spot"] : []),
    };
  });

describe("planner properties", () => {
  it("every plan passes the independent checker and is deterministic", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const result = plan(s);
        const errors = checkPlan(s, result);
        assert.deepEqual(errors, [], errors.join("; "));
        assert.deepEqual(plan(s), result);
      }),
      { numRuns: 150, seed: 20240601 },
    );
  });

  it("never costs more than plain first-fit-decreasing", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const ffd = plan(s, { packingRuns: 1, improve: false });
        const best = plan(s);
        if (best.unschedulable.length === ffd.unschedulable.length)
          assert.ok(best.hourlyCost <= ffd.hourlyCost + 1e-9);
        else assert.ok(best.unschedulable.length < ffd.unschedulable.length);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
