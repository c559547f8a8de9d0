// `rafter status`: the report built from fixture objects, its rendering, and the planner's lower
// bound behind the efficiency figure.
import assert from "node:assert/strict";
import { runRafter, type CliRun } from "../support/cli.js";
import { describe, it } from "node:test";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { NodePool } from "../../src/api/nodepool.js";
import type { VirtualNode, VirtualNodeStatus } from "../../src/api/virtualnode.js";
import { loadEmbeddedCatalog } from "../../src/catalog/embedded.js";
import { loadLpSolver, plan, snapshotFromObjects } from "../../src/planner/index.js";
import { formatAge, renderStatusJson, renderStatusTable } from "../../src/cli/status-render.js";
import {
  buildStatusReport,
  computeLowerBound,
  lowerBoundObjects,
  podsOnRafterNodes,
  type StatusObjects,
} from "../../src/cli/status-report.js";

const now = Date.parse("2026-11-28T10:00:00Z");
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();

function pool(name: string, weight: number, limits?: Record<string, string>): NodePool {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      weight,
      template: {
        spec: {
          nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" },
          requirements: [
            { key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] },
            { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
            { key: "rafter.dev/instance-category", operator: "In", values: ["c", "m", "r"] },
          ],
        },
      },
      ...(limits ? { limits } : {}),
    },
    status: {
      conditions: [
        { type: "Ready", status: "True", reason: "Ready" },
        { type: "NodeRegistrationHealthy", status: "False", reason: "RegistrationFailed", message: "x" },
      ],
    },
  };
}

function node(name: string, poolName: string | undefined, cpu: string, memory: string): V1Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: poolName ? { "rafter.dev/nodepool": poolName } : {} },
    status: { capacity: { cpu, memory, pods: "110" }, allocatable: { cpu, memory, pods: "110" } },
  };
}

function vn(
  name: string,
  poolName: string,
  created: number,
  status: VirtualNodeStatus,
  pods: string[] = [],
): VirtualNode {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "VirtualNode",
    metadata: { name, creationTimestamp: ago(created) as unknown as Date },
    spec: {
      nodePool: poolName,
      requirements: [],
      instanceTypes: ["m5.large", "m5.xlarge"],
      resources: { cpu: "2", memory: "8Gi" },
      pods: pods.map((p) => ({ namespace: "app", name: p })),
    },
    status,
  };
}

function pod(name: string, nodeName: string | undefined, extra: Partial<V1Pod> = {}): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "app", uid: `uid-${name}`, ...extra.metadata },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: "main", resources: { requests: { cpu: "1", memory: "1Gi" } } }],
    },
    status: { phase: nodeName ? "Running" : "Pending", ...extra.status },
  };
}

function fixture(): StatusObjects {
  return {
    nodePools: [pool("spot", 5), pool("general", 10, { cpu: "1000", memory: "4000Gi", nodes: "20" })],
    nodeClasses: [],
    nodes: [
      node("ip-10-0-0-1", "general", "2", "8Gi"),
      node("ip-10-0-0-2", "general", "4", "16Gi"),
      node("control-plane", undefined, "8", "32Gi"),
    ],
    virtualNodes: [
      vn("general-a", "general", 600, {
        phase: "Ready",
        instanceType: "m5.large",
        price: "0.096",
        nodeName: "ip-10-0-0-1",
      }),
      vn("general-b", "general", 500, {
        phase: "Ready",
        instanceType: "m5.xlarge",
        price: "0.192",
        nodeName: "ip-10-0-0-2",
      }),
      vn("general-c", "general", 30, { phase: "Launching", lastFailure: "InsufficientInstanceCapacity" }, [
        "waiting",
      ]),
      vn("general-d", "general", 7200, {
        phase: "Failed",
        instanceType: "m5.large",
        price: "0.096",
        lastFailure: "node did not register within 15m",
      }),
      vn("spot-a", "spot", 10, { phase: "Launched", instanceType: "c5.large", price: "0.085" }),
    ],
    pods: [
      pod("web-1", "ip-10-0-0-1"),
      pod("web-2", "ip-10-0-0-2"),
      pod("done", "ip-10-0-0-2", { status: { phase: "Succeeded" } }),
      pod("ds", "ip-10-0-0-2", {
        metadata: { ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: "u" }] },
      }),
      pod("system", "control-plane"),
      pod("waiting", undefined),
      pod("stray", undefined),
    ],
  };
}

describe("rafter status report", () => {
  const report = buildStatusReport(fixture(), now, { lowerBound: 0.2, unplaceable: 0 });

  it("summarises each NodePool, heaviest first, counting launching capacity like NodePool status", () => {
    assert.deepEqual(
      report.nodePools.map((p) => p.name),
      ["general", "spot"],
    );
    const general = report.nodePools[0];
    assert.ok(general);
    assert.equal(general.weight, 10);
    assert.equal(general.ready.status, "True");
    assert.deepEqual(general.nodeRegistrationHealthy, {
      status: "False",
      reason: "RegistrationFailed",
      message: "x",
    });
    // Two Nodes plus general-c (launching, no Node yet); the failed one is not counted.
    assert.equal(general.nodes, 3);
    assert.equal(general.nodeLimit, "20");
    assert.deepEqual(general.cpu, { inUse: "8", limit: "1000" });
    assert.deepEqual(general.memory, { inUse: "32Gi", limit: "4000Gi" });
    assert.ok(Math.abs(general.hourlyCost - 0.288) < 1e-9);
    assert.deepEqual(report.nodePools[1]?.cpu, { inUse: "2" });
  });

  it("lists VirtualNodes not yet Ready with their planned or chosen type, and Failed ones with reasons", () => {
    assert.deepEqual(report.inFlight, [
      {
        name: "general-c",
        nodePool: "general",
        phase: "Launching",
        instanceType: "m5.large",
        planned: true,
        ageSeconds: 30,
        reservedPods: 1,
        lastFailure: "InsufficientInstanceCapacity",
      },
      {
        name: "spot-a",
        nodePool: "spot",
        phase: "Launched",
        instanceType: "c5.large",
        planned: false,
        ageSeconds: 10,
        reservedPods: 0,
      },
    ]);
    assert.deepEqual(report.failed, [
      {
        name: "general-d",
        nodePool: "general",
        instanceType: "m5.large",
        ageSeconds: 7200,
        reason: "node did not register within 15m",
      },
    ]);
  });

  it("totals spend over live VirtualNodes only and counts pending pods and reservations", () => {
    assert.equal(report.totals.nodes, 3);
    assert.equal(report.totals.rafterNodes, 2);
    assert.equal(report.totals.liveVirtualNodes, 4);
    assert.ok(Math.abs(report.totals.hourlyCost - (0.096 + 0.192 + 0.085)) < 1e-9);
    assert.equal(report.totals.pendingPods, 2);
    assert.equal(report.totals.reservedPods, 1);
  });

  it("divides spend by the lower bound for efficiency", () => {
    assert.ok(Math.abs((report.efficiency.ratio ?? 0) - 0.373 / 0.2) < 1e-9);
    assert.equal(report.efficiency.pods, 2);
    const noBound = buildStatusReport(fixture(), now, { lowerBound: 0, unplaceable: 0 });
    assert.equal(noBound.efficiency.ratio, undefined);
    const notComputed = buildStatusReport(fixture(), now, undefined);
    assert.equal(notComputed.efficiency.lowerBound, undefined);
  });

  it("takes the workload of rafter's nodes as pending pods, without DaemonSet, finished or foreign pods", () => {
    assert.deepEqual(
      podsOnRafterNodes(fixture()).map((p) => p.metadata?.name),
      ["web-1", "web-2"],
    );
    const objects = lowerBoundObjects(fixture()) as { kind: string; spec?: { nodeName?: string } }[];
    const pods = objects.filter((o) => o.kind === "Pod");
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.spec?.nodeName === undefined));
    assert.equal(objects.filter((o) => o.kind === "NodePool").length, 2);
  });
});

describe("rafter status lower bound", () => {
  it("is positive, at most the cost of a real plan for the same pods, and leaves out pods no pool fits", async () => {
    const giant = pod("giant", "ip-10-0-0-2");
    giant.spec = {
      nodeName: "ip-10-0-0-2",
      containers: [{ name: "main", resources: { requests: { cpu: "5000" } } }],
    };
    const objects = { ...fixture(), pods: [...fixture().pods, giant] };
    const lpSolver = await loadLpSolver();
    const catalog = loadEmbeddedCatalog();
    const bound = computeLowerBound(objects, catalog, lpSolver);
    assert.equal(bound.unplaceable, 1);
    assert.ok(bound.lowerBound > 0);
    const planned = plan(snapshotFromObjects(lowerBoundObjects(objects), catalog), { lpSolver });
    assert.ok(bound.lowerBound <= planned.hourlyCost + 1e-9);
    const empty = computeLowerBound({ ...objects, pods: [] }, catalog, lpSolver);
    assert.equal(empty.lowerBound, 0);
  });
});

describe("rafter status rendering", () => {
  const report = buildStatusReport(fixture(), now, { lowerBound: 0.2, unplaceable: 0 });

  it("prints the pools, in-flight and failed capacity, totals and the explained efficiency", () => {
    const text = renderStatusTable(report);
    const lines = text.split("\n");
    const header = lines.findIndex((l) => l.startsWith("NAME") && l.includes("REGISTRATION-HEALTHY"));
    assert.ok(header >= 0, text);
    assert.match(
      lines[header + 1] ?? "",
      /^general\s+10\s+True\s+False \(RegistrationFailed\)\s+3\/20\s+8\/1000\s+32Gi\/4000Gi\s+0\.2880$/,
    );
    assert.match(
      lines[header + 2] ?? "",
      /^spot\s+5\s+True\s+False \(RegistrationFailed\)\s+1\s+2\/-\s+8Gi\/-\s+0\.0850$/,
    );
    assert.match(
      text,
      /general-c\s+general\s+Launching\s+m5\.large \(planned\)\s+30s\s+1\s+InsufficientInstanceCapacity/,
    );
    assert.match(
      text,
      /FAILED VIRTUALNODES\n.*\ngeneral-d\s+general\s+m5\.large\s+2h\s+node did not register within 15m/,
    );
    assert.match(text, /spend:\s+\$0\.3730\/h/);
    assert.match(text, /pending pods:\s+2 \(1 reserved by in-flight capacity\)/);
    assert.match(text, /1\.87x\s+\(spend \$0\.3730\/h, lower bound \$0\.2000\/h for 2 pod\(s\)/);
    assert.match(text, /efficiency = current spend \//);
  });

  it("says so when there is nothing in flight, nothing failed and no bound", () => {
    const quiet = buildStatusReport({ ...fixture(), virtualNodes: [], pods: [] }, now, {
      lowerBound: 0,
      unplaceable: 0,
    });
    const text = renderStatusTable(quiet);
    assert.match(text, /IN-FLIGHT CAPACITY \(VirtualNodes not yet Ready\)\n {2}\(none\)/);
    assert.doesNotMatch(text, /FAILED VIRTUALNODES/);
    assert.match(text, /n\/a: no lower bound for 0 pod\(s\)/);
  });

  it("prints the report as JSON", () => {
    const doc = JSON.parse(renderStatusJson(report)) as typeof report;
    assert.deepEqual(doc, JSON.parse(JSON.stringify(report)));
    assert.equal(doc.nodePools[0]?.name, "general");
  });

  it("formats ages like kubectl", () => {
    assert.deepEqual(
      [formatAge(5), formatAge(150), formatAge(7200), formatAge(3 * 86400), formatAge(undefined)],
      ["5s", "2m", "2h", "3d", "-"],
    );
  });
});

describe("rafter status command", () => {
  const rafter = (...args: string[]): CliRun => runRafter(["status", ...args]);

  it("rejects a bad output format and a missing kubeconfig with one line and exit 2", () => {
    const bad = rafter("-o", "yaml", "--kubeconfig", "/nonexistent");
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'rafter: -o must be table or json (got "yaml")\n');
    const missing = rafter("--kubeconfig", "/nonexistent/kubeconfig");
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, "rafter: --kubeconfig /nonexistent/kubeconfig: no such file\n");
  });
});
