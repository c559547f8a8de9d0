// Table-driven tests: one scenario per scheduling constraint, each plan also run through the
// independent checker.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { plan } from "../../src/planner/planner.js";
import type { Plan, PlanningSnapshot } from "../../src/planner/types.js";
import { checkPlan, zoneSkew } from "./support/checker.js";
import { daemonSet, instanceType, node, nodePool, pod, smallCatalog, snapshot } from "./support/builders.js";

function run(s: PlanningSnapshot): Plan {
  const result = plan(s);
  assert.deepEqual(checkPlan(s, result), []);
  return result;
}

function nodeOf(p: Plan, podKey: string): string | undefined {
  return (
    p.placements.find((x) => x.pod === podKey)?.node ?? p.newNodes.find((n) => n.pods.includes(podKey))?.name
  );
}

const anti = (app: string, topologyKey: string): V1Pod["spec"] => ({
  containers: [{ name: "c", resources: { requests: { cpu: "100m" } } }],
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey, labelSelector: { matchLabels: { app } } },
      ],
    },
  },
});

describe("planner constraints", () => {
  it("packs pods and picks the cheapest type that fits", () => {
    const p = run(snapshot({ pendingPods: [pod("a", { cpu: "1500m", memory: "1Gi" })] }));
    assert.equal(p.newNodes.length, 1);
    assert.equal(p.newNodes[0]?.instanceTypes[0], "a.large");
    assert.ok(p.newNodes.every((n) => n.capacityTypes.includes("spot")));
  });

  it("counts init containers as the max with the app containers, plus overhead", () => {
    const big = pod("init", {
      spec: {
        containers: [{ name: "c", resources: { requests: { cpu: "100m" } } }],
        initContainers: [{ name: "i", resources: { requests: { cpu: "3500m" } } }],
        overhead: { cpu: "300m" },
      },
    });
    const p = run(snapshot({ pendingPods: [big] }));
    // 3.8 cpu does not fit a 2-vCPU type.
    assert.ok(p.newNodes[0]?.instanceTypes.every((t) => !t.endsWith(".large")));
  });

  it("adds DaemonSet overhead to every new node whose taints it tolerates", () => {
    const s = snapshot({
      pendingPods: [pod("a", { cpu: "1500m" })],
      daemonSets: [daemonSet("agent", "500m", "100Mi")],
    });
    const p = run(s);
    assert.ok(
      !p.newNodes[0]?.instanceTypes.includes("a.large"),
      "1.5 + 0.5 cpu does not fit 1.9 allocatable",
    );
    assert.equal(p.newNodes[0]?.requests.cpu, 2000 + 0);
    const tainted = snapshot({
      pendingPods: [pod("a", { cpu: "1500m", spec: { tolerations: [{ key: "t", operator: "Exists" }] } })],
      nodePools: [nodePool("p", { taints: [{ key: "t", effect: "NoSchedule" }] })],
      daemonSets: [daemonSet("agent", "500m", "100Mi")],
    });
    assert.ok(
      run(tainted).newNodes[0]?.instanceTypes.includes("a.large"),
      "the DaemonSet does not tolerate the pool's taint",
    );
  });

  const selectorCases: { name: string; spec: V1Pod["spec"]; expectType: (t: string) => boolean }[] = [
    {
      name: "nodeSelector arch",
      spec: { containers: [], nodeSelector: { "kubernetes.io/arch": "arm64" } },
      expectType: (t) => t === "a.large",
    },
    {
      name: "required affinity terms are ORed",
      spec: {
        containers: [],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "rafter.dev/instance-family", operator: "In", values: ["r"] }] },
                { matchExpressions: [{ key: "rafter.dev/instance-family", operator: "In", values: ["m"] }] },
              ],
            },
          },
        },
      },
      expectType: (t) => t.startsWith("r.") || t.startsWith("m."),
    },
    {
      name: "Gt on a numeric label",
      spec: {
        containers: [],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "rafter.dev/instance-cpu", operator: "Gt", values: ["4"] }] },
              ],
            },
          },
        },
      },
      expectType: (t) => t.endsWith("2xlarge"),
    },
    {
      name: "NotIn and DoesNotExist",
      spec: {
        containers: [],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: "rafter.dev/instance-family", operator: "NotIn", values: ["c", "a", "m"] },
                    { key: "example.com/none", operator: "DoesNotExist" },
                  ],
                },
              ],
            },
          },
        },
      },
      expectType: (t) => !/^(c|a|m)\./.test(t),
    },
  ];
  for (const c of selectorCases)
    it(`node selection: ${c.name}`, () => {
      const p = run(snapshot({ pendingPods: [pod("x", { spec: c.spec })] }));
      assert.ok(p.newNodes[0]?.instanceTypes.every(c.expectType), p.newNodes[0]?.instanceTypes.join(","));
    });

  it("honours preferred node affinity when possible and relaxes it otherwise", () => {
    const pref = (family: string): V1Pod["spec"] => ({
      containers: [],
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: {
                matchExpressions: [{ key: "rafter.dev/instance-family", operator: "In", values: [family] }],
              },
            },
          ],
        },
      },
    });
    assert.ok(
      run(snapshot({ pendingPods: [pod("x", { spec: pref("r") })] })).newNodes[0]?.instanceTypes.every((t) =>
        t.startsWith("r."),
      ),
    );
    const relaxed = run(snapshot({ pendingPods: [pod("x", { spec: pref("nope") })] }));
    assert.equal(relaxed.newNodes.length, 1);
  });

  it("requires tolerations for NodePool taints but not startupTaints", () => {
    const pools = [
      nodePool("gpu", { taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] }),
    ];
    const p = run(snapshot({ pendingPods: [pod("x")], nodePools: pools }));
    assert.equal(p.unschedulable.length, 1);
    assert.match(p.unschedulable[0]?.reason ?? "", /nvidia.com\/gpu=true:NoSchedule/);
    const tolerated = pod("y", {
      spec: { containers: [], tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }] },
    });
    assert.equal(run(snapshot({ pendingPods: [tolerated], nodePools: pools })).newNodes.length, 1);
    const startup = [nodePool("s", { startupTaints: [{ key: "init", effect: "NoSchedule" }] })];
    assert.equal(run(snapshot({ pendingPods: [pod("x")], nodePools: startup })).newNodes.length, 1);
  });

  it("keeps hostname anti-affinity pods on separate nodes, including against running pods", () => {
    const pods = [0, 1, 2].map((i) =>
      pod(`db-${i}`, { labels: { app: "db" }, spec: anti("db", "kubernetes.io/hostname") }),
    );
    const p = run(snapshot({ pendingPods: pods }));
    assert.equal(new Set(pods.map((x) => nodeOf(p, `default/${x.metadata?.name ?? ""}`))).size, 3);
    // A running pod with anti-affinity against app=web keeps web pods off its node (symmetry).
    const running = pod("guard", {
      nodeName: "n1",
      spec: { ...anti("web", "kubernetes.io/hostname"), nodeName: "n1" },
    });
    const s = snapshot({
      nodes: [{ node: node("n1"), pods: [running] }],
      pendingPods: [pod("web", { labels: { app: "web" } }), pod("other")],
    });
    const q = run(s);
    assert.notEqual(nodeOf(q, "default/web"), "n1");
    assert.equal(nodeOf(q, "default/other"), "n1");
  });

  it("puts zone pod-affinity pods in one zone and pins their nodes to it", () => {
    const aff: V1Pod["spec"] = {
      containers: [{ name: "c", resources: { requests: { cpu: "1500m" } } }],
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchLabels: { app: "cache" } } },
          ],
        },
      },
    };
    const pods = [0, 1, 2, 3].map((i) => pod(`c-${i}`, { labels: { app: "cache" }, spec: aff }));
    const p = run(snapshot({ pendingPods: pods }));
    assert.ok(p.newNodes.every((n) => n.zones.length === 1));
    assert.equal(new Set(p.newNodes.map((n) => n.zones[0])).size, 1);
  });

  it("spreads across zones with maxSkew, counting every zone a pool can launch into", () => {
    const spread: V1Pod["spec"] = {
      containers: [{ name: "c", resources: { requests: { cpu: "100m" } } }],
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app: "web" } },
        },
      ],
    };
    const pods = Array.from({ length: 7 }, (_, i) => pod(`w-${i}`, { labels: { app: "web" }, spec: spread }));
    const p = run(snapshot({ pendingPods: pods }));
    assert.equal(p.newNodes.length, 3);
    assert.ok(
      zoneSkew(p, new Set(pods.map((x) => `default/${x.metadata?.name ?? ""}`)), [
        "zone-a",
        "zone-b",
        "zone-c",
      ]) <= 1,
    );
  });

  it("spreads across hostnames and treats ScheduleAnyway as a preference", () => {
    const spread = (when: string): V1Pod["spec"] => ({
      containers: [],
      topologySpreadConstraints: [
        {
          maxSkew: 2,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: when,
          labelSelector: { matchLabels: { app: "h" } },
        },
      ],
    });
    const pods = Array.from({ length: 6 }, (_, i) =>
      pod(`h-${i}`, { labels: { app: "h" }, spec: spread("DoNotSchedule") }),
    );
    assert.equal(run(snapshot({ pendingPods: pods })).newNodes.length, 3);
    // With a one-node limit, ScheduleAnyway pods still schedule (relaxed), DoNotSchedule ones do not.
    const limited = [nodePool("one", {}, { limits: { nodes: "1" } })];
    const soft = Array.from({ length: 6 }, (_, i) =>
      pod(`s-${i}`, { labels: { app: "h" }, spec: spread("ScheduleAnyway") }),
    );
    assert.equal(run(snapshot({ pendingPods: soft, nodePools: limited })).unschedulable.length, 0);
    assert.equal(run(snapshot({ pendingPods: pods, nodePools: limited })).unschedulable.length, 4);
  });

  it("keeps pods with the same host port apart", () => {
    const withPort: V1Pod["spec"] = {
      containers: [{ name: "c", ports: [{ containerPort: 80, hostPort: 8080 }] }],
    };
    const p = run(snapshot({ pendingPods: [pod("a", { spec: withPort }), pod("b", { spec: withPort })] }));
    assert.equal(p.newNodes.length, 2);
  });

  it("follows a bound PV's node affinity and a WaitForFirstConsumer class's allowed topologies", () => {
    const withClaim = (name: string, claim: string): V1Pod =>
      pod(name, {
        spec: { containers: [], volumes: [{ name: "v", persistentVolumeClaim: { claimName: claim } }] },
      });
    const s = snapshot({
      pendingPods: [withClaim("a", "bound"), withClaim("b", "wffc"), withClaim("c", "missing")],
      persistentVolumeClaims: [
        { metadata: { name: "bound", namespace: "default" }, spec: { volumeName: "pv1" } },
        { metadata: { name: "wffc", namespace: "default" }, spec: { storageClassName: "ebs" } },
      ],
      persistentVolumes: [
        {
          metadata: { name: "pv1" },
          spec: {
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: "topology.kubernetes.io/zone", operator: "In", values: ["zone-b"] },
                    ],
                  },
                ],
              },
            },
          },
        },
      ],
      storageClasses: [
        {
          metadata: { name: "ebs" },
          provisioner: "ebs.csi.aws.com",
          volumeBindingMode: "WaitForFirstConsumer",
          allowedTopologies: [
            { matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["zone-c"] }] },
          ],
        },
      ],
    });
    const p = run(s);
    const zonesOf = (k: string): readonly string[] | undefined =>
      p.newNodes.find((n) => n.pods.includes(k))?.zones;
    assert.deepEqual(zonesOf("default/a"), ["zone-b"]);
    assert.deepEqual(zonesOf("default/b"), ["zone-c"]);
    assert.match(
      p.unschedulable.find((u) => u.pod === "default/c")?.reason ?? "",
      /persistentvolumeclaim "missing" not found/,
    );
  });

  it("respects NodePool limits and weight order", () => {
    const pools = [
      nodePool("small", {}, { limits: { cpu: "4" }, weight: 10 }),
      nodePool("big", {}, { weight: 1 }),
    ];
    const pods = Array.from({ length: 6 }, (_, i) => pod(`p-${i}`, { cpu: "1500m" }));
    const p = run(snapshot({ pendingPods: pods, nodePools: pools }));
    assert.ok(p.newNodes.some((n) => n.nodePool === "small"));
    assert.ok(p.newNodes.some((n) => n.nodePool === "big"));
    const capped = run(
      snapshot({ pendingPods: pods, nodePools: [nodePool("only", {}, { limits: { cpu: "4" } })] }),
    );
    assert.ok(capped.unschedulable.length > 0);
    assert.match(capped.unschedulable[0]?.reason ?? "", /limits/);
  });

  it("gives a pod that selects its NodePool by rafter.dev/nodepool a node of that pool, or none", () => {
    // "first" is tried first (weight), so a pod that ignored its selector would land there.
    const pools = [nodePool("first", {}, { weight: 10 }), nodePool("chosen", {}, { weight: 1 })];
    const selecting = (name: string, pool: string) =>
      pod(name, { spec: { nodeSelector: { "rafter.dev/nodepool": pool } } });
    const p = run(
      snapshot({ pendingPods: [selecting("a", "chosen"), selecting("b", "absent")], nodePools: pools }),
    );
    assert.deepEqual(
      p.newNodes.map((n) => [n.nodePool, n.pods]),
      [["chosen", ["default/a"]]],
    );
    assert.deepEqual(
      p.unschedulable.map((u) => u.pod),
      ["default/b"],
    );
  });

  it("keeps at least minValues instance families among a node's options", () => {
    const pools = [
      nodePool("mv", {
        requirements: [{ key: "rafter.dev/instance-family", operator: "Exists", minValues: 3 }],
      }),
    ];
    const p = run(snapshot({ pendingPods: [pod("a", { cpu: "1" })], nodePools: pools }));
    const families = new Set(p.newNodes[0]?.instanceTypes.map((t) => t.split(".")[0]));
    assert.ok(families.size >= 3);
    const tooStrict = [
      nodePool("mv", {
        requirements: [
          { key: "rafter.dev/instance-family", operator: "In", values: ["c", "m"], minValues: 3 },
        ],
      }),
    ];
    assert.equal(run(snapshot({ pendingPods: [pod("a")], nodePools: tooStrict })).unschedulable.length, 1);
  });

  it("plans onto a node rafter is still bringing up through its startup and not-ready taints, not onto others", () => {
    const startupTaint = { key: "example.com/agent-not-ready", effect: "NoSchedule" as const };
    const notReady = { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" as const };
    const pools = [nodePool("default", { startupTaints: [startupTaint] })];
    const comingUp = node("coming-up", {
      labels: { "rafter.dev/nodepool": "default" },
      taints: [startupTaint, notReady],
    });
    const s = snapshot({
      nodes: [{ node: comingUp, pods: [] }],
      nodePools: pools,
      pendingPods: [pod("a", { cpu: "1" })],
    });
    assert.equal(nodeOf(run(s), "default/a"), "coming-up");
    // Initialized (or not rafter's): its taints are real.
    const initialized = node("up", {
      labels: { "rafter.dev/nodepool": "default", "rafter.dev/initialized": "true" },
      taints: [startupTaint],
    });
    const foreign = node("foreign", { taints: [notReady] });
    const t = snapshot({
      nodes: [
        { node: initialized, pods: [] },
        { node: foreign, pods: [] },
      ],
      nodePools: pools,
      pendingPods: [pod("a", { cpu: "1" })],
    });
    assert.equal(run(t).placements.length, 0);
    // Any other taint on a coming-up node still counts.
    const tainted = node("coming-up", {
      labels: { "rafter.dev/nodepool": "default" },
      taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }],
    });
    const u = snapshot({
      nodes: [{ node: tainted, pods: [] }],
      nodePools: pools,
      pendingPods: [pod("a", { cpu: "1" })],
    });
    assert.equal(run(u).placements.length, 0);
  });

  it("uses existing free capacity first, then in-flight nodes, skipping cordoned and disrupted nodes", () => {
    const s = snapshot({
      nodes: [
        { node: node("cordoned", { unschedulable: true }), pods: [] },
        { node: node("leaving"), pods: [], markedForDeletion: true },
        { node: node("n1", { cpu: 2 }), pods: [pod("old", { cpu: "1", nodeName: "n1" })] },
      ],
      inFlight: [
        {
          name: "vn-1",
          nodePool: "default",
          requirements: [],
          instanceTypes: ["m.xlarge", "c.xlarge"],
          pods: [pod("r", { cpu: "1" })],
        },
      ],
      pendingPods: [pod("a", { cpu: "900m" }), pod("b", { cpu: "2" }), pod("c", { cpu: "3" })],
    });
    const p = run(s);
    assert.equal(nodeOf(p, "default/b"), "vn-1");
    assert.equal(nodeOf(p, "default/a"), "n1");
    assert.equal(p.newNodes.length, 1);
    assert.deepEqual(p.newNodes[0]?.pods, ["default/c"]);
  });

  it("skips unavailable offerings", () => {
    const only = {
      region: "r",
      instanceTypes: [instanceType("x.large", 2, 8, 0.1, { zones: ["z1", "z2"], spot: false })],
    };
    const p = run(
      snapshot({
        catalog: only,
        pendingPods: [pod("a")],
        unavailableOfferings: new Set(["x.large/z1/on-demand"]),
      }),
    );
    assert.deepEqual(p.newNodes[0]?.zones, ["z2"]);
  });

  it("explains unschedulable pods in terms a person can act on", () => {
    const p = plan(
      snapshot({
        pendingPods: [
          pod("huge", { cpu: "1000" }),
          pod("arch", { spec: { containers: [], nodeSelector: { "kubernetes.io/arch": "s390x" } } }),
          pod("gpu", { extra: { "nvidia.com/gpu": "4" } }),
        ],
      }),
    );
    const reason = (k: string): string => p.unschedulable.find((u) => u.pod === `default/${k}`)?.reason ?? "";
    assert.match(reason("huge"), /requests 1000 cpu; the largest allowed instance type has 7\.9/);
    assert.equal(reason("arch"), "no NodePool allows kubernetes.io/arch=s390x");
    assert.match(reason("gpu"), /nvidia.com\/gpu/);
  });

  it("lists at most 60 instance types, cheapest first, and is deterministic", () => {
    const many = {
      region: "r",
      instanceTypes: Array.from({ length: 80 }, (_, i) =>
        instanceType(`t${i}.large`, 2 + (i % 5), 8, 0.1 + i / 1000),
      ),
    };
    const s = snapshot({ catalog: many, pendingPods: [pod("a")] });
    const p = run(s);
    assert.equal(p.newNodes[0]?.instanceTypes.length, 60);
    assert.deepEqual(plan(s), p);
    assert.equal(smallCatalog().instanceTypes.length > 0, true);
  });
});
