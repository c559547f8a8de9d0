// The pair split search on its own: it finds the cheaper split by estimated price, never puts pods
// with hostname anti-affinity together, and stops at the work limit it is given (a counter, not time).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BinPricer } from "../../src/planner/bin-pricer.js";
import { compileModel } from "../../src/planner/model.js";
import { bestSplit } from "../../src/planner/pair-split.js";
import type { PodInfo } from "../../src/planner/pods.js";
import { instanceType, nodePool, pod, snapshot } from "./support/builders.js";

const catalog = {
  region: "test-1",
  instanceTypes: [
    instanceType("c.xlarge", 4, 8, 0.17),
    instanceType("m.xlarge", 4, 16, 0.192),
    instanceType("r.large", 2, 16, 0.126),
    instanceType("r.xlarge", 4, 32, 0.252),
  ],
};
const pool = nodePool("default", {
  requirements: [{ key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] }],
});
const anti = {
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "solo" } } },
      ],
    },
  },
};

function setup(pods: ReturnType<typeof pod>[]): { pricer: BinPricer; infos: PodInfo[]; zones: string[] } {
  const model = compileModel(snapshot({ catalog, nodePools: [pool], pendingPods: pods }));
  const compiled = model.pools[0];
  assert.ok(compiled);
  const pricer = new BinPricer(compiled, model.compat, model.space.names.length, [0, 1, 2]);
  return { pricer, infos: [...model.pending], zones: [...compiled.zones] };
}

const byName = (infos: PodInfo[], names: string[]): PodInfo[] =>
  names.map((n) => infos.find((p) => p.key === `default/${n}`)).filter((p): p is PodInfo => !!p);

describe("pair split search", () => {
  const pods = [
    pod("cpu", { cpu: "3", memory: "2Gi" }),
    pod("mem", { cpu: "500m", memory: "8Gi" }),
    pod("a", { cpu: "500m", memory: "4Gi" }),
    pod("b", { cpu: "500m", memory: "4Gi" }),
  ];

  it("finds the cheaper split from a worse one", () => {
    const { pricer, infos, zones } = setup(pods);
    // m.xlarge (cpu + mem) and r.large (a + b): 0.318; c.xlarge + r.large: 0.296.
    const split = bestSplit({
      pricer,
      sides: [byName(infos, ["cpu", "mem"]), byName(infos, ["a", "b"])],
      zones,
      capacityTypes: ["on-demand"],
      work: { spent: 0, limit: 10_000 },
    });
    assert.ok(split);
    assert.equal(Number(split.cost.toFixed(6)), 0.296);
  });

  it("keeps pods with hostname anti-affinity apart", () => {
    // One node would be cheaper than two for these small pods, but s0 and s1 may not share one.
    const small = (rule: boolean): ReturnType<typeof pod>[] => [
      pod("s0", { cpu: "250m", memory: "1Gi", labels: { app: "solo" }, ...(rule ? { spec: anti } : {}) }),
      pod("s1", { cpu: "250m", memory: "1Gi", labels: { app: "solo" }, ...(rule ? { spec: anti } : {}) }),
      pod("x", { cpu: "250m", memory: "1Gi" }),
    ];
    const { pricer, infos, zones } = setup(small(true));
    const input = {
      pricer,
      sides: [byName(infos, ["s0", "x"]), byName(infos, ["s1"])] as const,
      zones,
      capacityTypes: ["on-demand" as const],
      work: { spent: 0, limit: 10_000 },
    };
    const split = bestSplit(input);
    assert.ok(split);
    const sideOf = (key: string): number => split.sides.findIndex((side) => side.some((p) => p.key === key));
    assert.notEqual(sideOf("default/s0"), sideOf("default/s1"));
    // Without the rule the same search merges everything onto one node.
    const free = setup(small(false));
    const merged = bestSplit({
      ...input,
      pricer: free.pricer,
      sides: [byName(free.infos, ["s0", "x"]), byName(free.infos, ["s1"])],
    });
    assert.ok(merged?.sides.some((side) => side.length === 0));
  });

  it("stops at the work limit it is given", () => {
    const { pricer, infos, zones } = setup(pods);
    const work = { spent: 0, limit: 2 };
    const split = bestSplit({
      pricer,
      sides: [byName(infos, ["cpu", "mem"]), byName(infos, ["a", "b"])],
      zones,
      capacityTypes: ["on-demand"],
      work,
    });
    assert.ok(split);
    // Pricing the start spends the limit: no move is searched, the start is returned.
    assert.equal(work.spent, 2);
    assert.equal(Number(split.cost.toFixed(6)), 0.318);
  });
});
