// The churn simulation behind `npm run bench:churn`: a small cluster whose Deployments scale up and
// down on a schedule, driven through rafter's own pure decision code — plan() places pending pods and
// sizes new nodes, decideConsolidation() (with simulateRemoval() at re-validation, budgets from
// allowedDisruptions(), the threshold from replacementSavingsFraction()) picks deletions and
// replacements, launchOptions() picks the offering a launch gets. Only the cluster around them is
// modelled here: time (an injected clock, one tick per disruption round), node launch and drain
// times, billing, evictions and the ReplicaSet controller's choice of pods to remove on scale-down.
// Deterministic: the same options give the same result (seeded PRNG, no wall clock).
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { labelKeys } from "../../src/api/labels.js";
import { nodePoolDefaults, type NodePool } from "../../src/api/nodepool.js";
import type { VirtualNode } from "../../src/api/virtualnode.js";
import { loadEmbeddedCatalog } from "../../src/catalog/embedded.js";
import type { Catalog, InstanceType } from "../../src/catalog/types.js";
import { launchOptions } from "../../src/cloud/launch-options.js";
import { allowedDisruptions } from "../../src/controllers/lifecycle/budgets.js";
import {
  decideConsolidation,
  replacementSavingsFraction,
  simulateRemoval,
  type ConsolidationCandidate,
  type ConsolidationCommand,
} from "../../src/controllers/lifecycle/consolidation.js";
import { parseDurationOrNever } from "../../src/domain/duration.js";
import { formatResourceList } from "../../src/domain/resources.js";
import { plan } from "../../src/planner/index.js";
import type { InFlightNode, NewNode, PlanningSnapshot, SnapshotNode } from "../../src/planner/types.js";
import { bareNodePool, emptySnapshot, rng } from "./planner-workloads.js";

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** Times of the world around the decisions; the defaults and why are in the README's paragraph. */
export interface ChurnTimings {
  /** Disruption round and provisioning batch (rafter's default disruption interval: 10 s). */
  readonly tickMs: number;
  /** Decision to re-validation (rafter's validationDelayMs default: 15 s). */
  readonly validationMs: number;
  /** Launch request to a Ready node: EC2 launch, boot, kubelet registration (~90 s on EKS AL2023). */
  readonly launchMs: number;
  /** Drain start to billing end: evictions with the pods' 30 s grace period, then instance shutdown. */
  readonly drainMs: number;
  /** An empty node's deletion to billing end (no pods to drain, shutdown only). */
  readonly emptyTerminationMs: number;
}

export const defaultTimings: ChurnTimings = {
  tickMs: 10 * second,
  validationMs: 15 * second,
  launchMs: 90 * second,
  drainMs: 60 * second,
  emptyTerminationMs: 20 * second,
};

export interface ChurnOptions {
  /** The NodePool's spec.disruption.replacementSavings, e.g. "10%". */
  readonly replacementSavings: string;
  /** The NodePool's consolidateAfter (default: the NodePool default, 0s). */
  readonly consolidateAfter?: string;
  /** Workload variant (Deployments, sizes, schedules). */
  readonly seed: number;
  /** Simulated time measured, after the warm-up. */
  readonly hours: number;
  /** Simulated time before measuring starts (the cluster is built from nothing). */
  readonly warmupHours?: number;
  readonly timings?: Partial<ChurnTimings>;
  /** Instance types the NodePool may use (default: on-demand c/m/r, generation > 4, up to 4xlarge). */
  readonly catalog?: Catalog;
  /** Called with one line per launch and disruption (for `npm run bench:churn -- --trace`). */
  readonly trace?: (line: string) => void;
}

export interface ChurnResult {
  readonly replacementSavings: string;
  readonly seed: number;
  readonly hours: number;
  /** Replace commands executed (each one launch and one or more nodes drained). */
  readonly replacements: number;
  /** Nodes deleted: consolidation deletions plus empty nodes. */
  readonly deletions: number;
  /** Commands dropped at re-validation (the cluster moved in the 15 s pause). */
  readonly invalidated: number;
  /** Pods evicted by consolidation (deletions and replacements). */
  readonly evictions: number;
  /** Node launches of any cause (provisioning and replacements). */
  readonly launches: number;
  /** Total node cost over the measured window, USD. */
  readonly cost: number;
  /** Of which: the replaced nodes' price while their replacement was already billed (the overlap). */
  readonly overlapCost: number;
  /** Hourly savings each executed replacement claimed, as a fraction of the replaced nodes' price. */
  readonly replacementSavingFractions: readonly number[];
  /** Mean node count over the window. */
  readonly meanNodes: number;
}

interface Deployment {
  readonly name: string;
  readonly cpu: string;
  readonly memory: string;
  /** Desired replicas at a time (ms). */
  readonly replicas: (t: number) => number;
}

interface SimPod {
  readonly key: string;
  readonly deployment: string;
  readonly createdAt: number;
  readonly pod: V1Pod;
  node: string | undefined;
}

interface SimNode {
  readonly name: string;
  readonly type: InstanceType;
  readonly zone: string;
  readonly price: number;
  readonly launchedAt: number;
  readonly readyAt: number;
  ready: boolean;
  /** Billing stops (set when it is deleted). */
  goneAt: number | undefined;
  /** Tainted by a running command, draining or terminating: nothing new lands here. */
  disrupting: boolean;
  /** Chosen by a command still in its validation pause (the extender scores such nodes low). */
  marked: boolean;
  podsChangedAt: number;
  readonly node: V1Node;
}

type Command = ConsolidationCommand & { kind: "delete" | "replace" };

interface Running {
  readonly command: Command;
  /** Phase: validating until validateAt, then waiting for the replacement node, if any. */
  readonly validateAt: number;
  readonly podUids: ReadonlyMap<string, string>;
  replacement?: string;
  replacementLaunchedAt?: number;
}

/**
 * The NodePool every run uses: manifests/examples/nodepool-general.yaml's requirements, every
 * disruption setting at its default (consolidateAfter 0s, budgets 10%) but replacementSavings
 * (and consolidateAfter when given).
 */
export function churnNodePool(replacementSavings: string, consolidateAfter?: string): NodePool {
  const pool = bareNodePool("default", {
    requirements: [
      { key: labelKeys.capacityType, operator: "In", values: ["on-demand"] },
      { key: labelKeys.arch, operator: "In", values: ["amd64", "arm64"] },
      { key: labelKeys.category, operator: "In", values: ["c", "m", "r"] },
      { key: labelKeys.generation, operator: "Gt", values: ["4"] },
    ],
  });
  pool.spec.disruption = { replacementSavings, ...(consolidateAfter ? { consolidateAfter } : {}) };
  return pool;
}

let embedded: Catalog | undefined;

/** The embedded us-east-1 catalogue cut to what a general-purpose pool launches: sizes up to 4xlarge. */
export function churnCatalog(): Catalog {
  embedded ??= loadEmbeddedCatalog();
  const sizes = new Set(["medium", "large", "xlarge", "2xlarge", "4xlarge"]);
  return {
    ...embedded,
    instanceTypes: embedded.instanceTypes.filter((t) => {
      const category = t.labels[labelKeys.category] ?? "";
      const generation = Number(t.labels[labelKeys.generation] ?? 0);
      return (
        ["c", "m", "r"].includes(category) && generation > 4 && sizes.has(t.labels[labelKeys.size] ?? "")
      );
    }),
  };
}

const podShapes: readonly (readonly [string, string])[] = [
  ["250m", "512Mi"],
  ["500m", "1Gi"],
  ["500m", "3Gi"],
  ["1", "2Gi"],
  ["1", "4Gi"],
  ["1500m", "1536Mi"],
  ["2", "4Gi"],
  ["2", "8Gi"],
];

/**
 * Seeded Deployments whose replica counts oscillate: some as steps of a sine (an HPA following a
 * smooth load, re-evaluated every few minutes), some as a square wave (a scheduled scale-up and
 * down). Periods of 20–120 min and several Deployments of different sizes make the total demand
 * cross node boundaries often, the case anti-churn is about.
 */
export function churnWorkload(seed: number): Deployment[] {
  const random = rng(seed);
  const count = 6 + Math.floor(random() * 3);
  const deployments: Deployment[] = [];
  for (let i = 0; i < count; i++) {
    const [cpu, memory] = podShapes[Math.floor(random() * podShapes.length)] ?? ["500m", "1Gi"];
    const base = 2 + Math.floor(random() * 6);
    const amplitude = 1 + Math.floor(random() * Math.min(base, 5));
    const period = (20 + Math.floor(random() * 100)) * minute;
    const phase = random() * period;
    const resolution = (1 + Math.floor(random() * 5)) * minute;
    const square = random() < 0.4;
    deployments.push({
      name: `app-${i}`,
      cpu,
      memory,
      replicas: (t) => {
        const at = Math.floor(t / resolution) * resolution;
        const angle = (2 * Math.PI * (at + phase)) / period;
        const wave = square ? (Math.sin(angle) >= 0 ? 1 : -1) : Math.sin(angle);
        return Math.max(1, Math.round(base + amplitude * wave));
      },
    });
  }
  return deployments;
}

const minutes = (t: number) => `${(t / minute).toFixed(1)}m`;

export function simulateChurn(options: ChurnOptions): ChurnResult {
  const timings: ChurnTimings = { ...defaultTimings, ...options.timings };
  const catalog = options.catalog ?? churnCatalog();
  const pool = churnNodePool(options.replacementSavings, options.consolidateAfter);
  const poolName = pool.metadata.name ?? "default";
  const minSavings = replacementSavingsFraction(pool);
  const consolidateAfter = parseDurationOrNever(
    pool.spec.disruption?.consolidateAfter,
    nodePoolDefaults.consolidateAfter,
  );
  const deployments = churnWorkload(options.seed);
  const typeByName = new Map(catalog.instanceTypes.map((t) => [t.name, t]));
  const start = 0;
  const measureFrom = start + (options.warmupHours ?? 0.5) * hour;
  const end = measureFrom + options.hours * hour;

  const nodes = new Map<string, SimNode>();
  const allNodes: SimNode[] = [];
  const pods = new Map<string, SimPod>();
  let podSerial = 0;
  let nodeSerial = 0;
  let running: Running | undefined;
  /** Bumped on every change a decision could see; a "none" on an unchanged cluster is not re-asked. */
  let version = 0;
  let decidedNone = "";

  let replacements = 0;
  let deletions = 0;
  let invalidated = 0;
  let evictions = 0;
  let launches = 0;
  let overlapCost = 0;
  const savingFractions: number[] = [];
  const measuring = (t: number) => t >= measureFrom;

  const podsOn = (name: string) => [...pods.values()].filter((p) => p.node === name);
  const bound = (p: SimPod, nodeName: string): V1Pod => ({
    ...p.pod,
    spec: { ...p.pod.spec, containers: p.pod.spec?.containers ?? [], nodeName },
    status: { phase: "Running" },
  });
  // consolidateAfter counts from the later of the last pod change and the launch (disruption.ts).
  const settled = (node: SimNode, t: number) =>
    Math.max(node.podsChangedAt, node.launchedAt) + consolidateAfter <= t;
  const touch = (nodeName: string | undefined, t: number) => {
    const node = nodeName ? nodes.get(nodeName) : undefined;
    if (node) node.podsChangedAt = t;
    version++;
  };

  const launch = (newNode: NewNode, t: number, reason: string): SimNode | undefined => {
    const virtualNode: VirtualNode = {
      apiVersion: "rafter.dev/v1",
      kind: "VirtualNode",
      metadata: { name: newNode.name },
      spec: {
        nodePool: newNode.nodePool,
        requirements: [...newNode.requirements],
        instanceTypes: [...newNode.instanceTypes],
        resources: {},
        pods: [],
      },
    };
    // The simulated cloud's choice: the cheapest launch option (lowest-price fleet).
    const choice = launchOptions(virtualNode, typeByName, new Set());
    const option = [...(choice?.options ?? [])].sort((a, b) => a.price - b.price)[0];
    const type = option ? typeByName.get(option.instanceType) : undefined;
    if (!option || !type) return undefined;
    const name = `${reason}-${++nodeSerial}`;
    const node: SimNode = {
      name,
      type,
      zone: option.zone,
      price: option.price,
      launchedAt: t,
      readyAt: t + timings.launchMs,
      ready: false,
      goneAt: undefined,
      disrupting: false,
      marked: false,
      podsChangedAt: t,
      node: {
        metadata: {
          name,
          labels: {
            ...type.labels,
            [labelKeys.hostname]: name,
            [labelKeys.zone]: option.zone,
            [labelKeys.capacityType]: option.capacityType,
            [labelKeys.nodePool]: poolName,
          },
        },
        status: {
          allocatable: formatResourceList(type.allocatable),
          capacity: formatResourceList(type.capacity),
        },
      },
    };
    nodes.set(name, node);
    allNodes.push(node);
    if (measuring(t)) launches++;
    options.trace?.(`${minutes(t)} launch ${name} ${type.name} $${option.price}/h`);
    version++;
    return node;
  };

  const remove = (node: SimNode, t: number, terminationMs: number) => {
    node.disrupting = true;
    node.goneAt = t + terminationMs;
    version++;
  };

  const snapshot = (pending: readonly V1Pod[], forProvisioning: boolean): PlanningSnapshot => {
    const snapshotNodes: SnapshotNode[] = [];
    const inFlight: InFlightNode[] = [];
    for (const node of nodes.values()) {
      const on = podsOn(node.name).map((p) => bound(p, node.name));
      if (!node.ready) {
        inFlight.push({
          name: node.name,
          nodePool: poolName,
          requirements: pool.spec.template.spec.requirements ?? [],
          instanceTypes: [node.type.name],
          pods: on,
          instanceType: node.type.name,
          zone: node.zone,
          capacityType: "on-demand",
        });
        continue;
      }
      // Disruption's simulations also close the empty nodes emptiness will delete (destinations.ts).
      const going = forProvisioning ? node.marked : on.length === 0 && Number.isFinite(consolidateAfter);
      snapshotNodes.push({ node: node.node, pods: on, markedForDeletion: node.disrupting || going });
    }
    return emptySnapshot(catalog, [pool], pending, { nodes: snapshotNodes, inFlight });
  };

  // Nodes Ready, not disrupted, with their reschedulable pods: what buildCandidates gives.
  const candidates = (t?: number): ConsolidationCandidate[] =>
    [...nodes.values()]
      .filter((n) => n.ready && !n.disrupting && (t === undefined || settled(n, t)))
      .map((n) => ({
        nodeName: n.name,
        nodePool: poolName,
        price: n.price,
        capacityType: "on-demand" as const,
        pods: podsOn(n.name).map((p) => bound(p, n.name)),
        minSavings,
      }));

  const allowed = (t: number) => {
    const live = [...nodes.values()].filter((n) => n.ready || n.disrupting);
    return allowedDisruptions(
      pool,
      { total: live.length, disrupting: live.filter((n) => n.disrupting).length },
      t,
    );
  };

  const addPod = (deployment: Deployment | undefined, t: number) => {
    if (!deployment) return;
    const name = `${deployment.name}-${++podSerial}`;
    const pod: V1Pod = {
      metadata: { name, namespace: "default", uid: `uid-${podSerial}`, labels: { app: deployment.name } },
      spec: {
        containers: [
          {
            name: "app",
            image: "app",
            resources: { requests: { cpu: deployment.cpu, memory: deployment.memory } },
          },
        ],
      },
      status: { phase: "Pending" },
    };
    const key = `default/${name}`;
    pods.set(key, { key, deployment: deployment.name, createdAt: t, pod, node: undefined });
    version++;
  };

  // Deployments: the ReplicaSet controller adds pods, or removes them in its order (pending first,
  // then pods on nodes not yet Ready, then on the node with most replicas of the Deployment, newest).
  const reconcileWorkload = (t: number) => {
    for (const deployment of deployments) {
      const mine = [...pods.values()].filter((p) => p.deployment === deployment.name);
      const want = deployment.replicas(t);
      for (let i = mine.length; i < want; i++) addPod(deployment, t);
      if (mine.length <= want) continue;
      const perNode = new Map<string, number>();
      for (const p of mine) if (p.node) perNode.set(p.node, (perNode.get(p.node) ?? 0) + 1);
      const rank = (p: SimPod) => {
        if (!p.node) return [0, 0, -p.createdAt] as const;
        const node = nodes.get(p.node);
        return [node && !node.ready ? 1 : 2, -(perNode.get(p.node) ?? 0), -p.createdAt] as const;
      };
      const victims = [...mine]
        .sort((a, b) => {
          const [a1, a2, a3] = rank(a);
          const [b1, b2, b3] = rank(b);
          return a1 - b1 || a2 - b2 || a3 - b3 || (a.key < b.key ? -1 : 1);
        })
        .slice(0, mine.length - want);
      for (const victim of victims) {
        pods.delete(victim.key);
        touch(victim.node, t);
      }
    }
  };

  // The provisioner: pending pods planned onto existing, in-flight or new capacity.
  const provision = (t: number) => {
    const pending = [...pods.values()].filter((p) => p.node === undefined);
    if (pending.length === 0) return;
    const result = plan(
      snapshot(
        pending.map((p) => p.pod),
        true,
      ),
    );
    for (const placement of result.placements) {
      const p = pods.get(placement.pod);
      if (p && nodes.has(placement.node)) {
        p.node = placement.node;
        touch(placement.node, t);
      }
    }
    for (const newNode of result.newNodes) {
      const node = launch(newNode, t, "node");
      if (!node) continue;
      for (const key of newNode.pods) {
        const p = pods.get(key);
        if (p) {
          p.node = node.name;
          touch(node.name, t);
        }
      }
    }
  };

  // Eviction deletes the pod; its ReplicaSet creates a new one at once, pending.
  const evict = (node: SimNode, t: number) => {
    for (const p of podsOn(node.name)) {
      pods.delete(p.key);
      addPod(
        deployments.find((d) => d.name === p.deployment),
        t,
      );
      if (measuring(t)) evictions++;
    }
    touch(node.name, t);
  };

  // Disruption.emptiness: Ready nodes without pods for consolidateAfter, within the Empty budget.
  const emptiness = (t: number) => {
    let room = allowed(t).Empty;
    for (const node of nodes.values()) {
      if (!node.ready || node.disrupting || !settled(node, t) || room < 1) continue;
      if (podsOn(node.name).length > 0) continue;
      room--;
      remove(node, t, timings.emptyTerminationMs);
      options.trace?.(`${minutes(t)} empty ${node.name} ${node.type.name}`);
      if (measuring(t)) deletions++;
    }
  };

  const podUids = (name: string) =>
    podsOn(name)
      .map((p) => p.pod.metadata?.uid ?? "")
      .sort()
      .join(",");

  // A running command: validation pause, re-validation, the replacement's launch, the drain.
  const advanceCommand = (t: number) => {
    if (!running) return;
    const { command } = running;
    const chosen = command.nodes.flatMap((name) => nodes.get(name) ?? []);
    if (running.replacement === undefined) {
      if (t < running.validateAt) return;
      // Re-validation (Disruption.refresh + simulate): the same nodes with the same pods, and the
      // same kind of move still valid on the cluster as it is now.
      for (const n of chosen) n.marked = false;
      const unchanged =
        chosen.length === command.nodes.length &&
        chosen.every((n) => !n.disrupting && podUids(n.name) === running?.podUids.get(n.name));
      const again = unchanged
        ? simulateRemoval(
            { snapshot: snapshot([], false), plan },
            candidates().filter((c) => command.nodes.includes(c.nodeName)),
          )
        : undefined;
      version++;
      if (!again?.ok || again.value.kind !== command.kind) {
        if (measuring(t)) invalidated++;
        running = undefined;
        return;
      }
      for (const n of chosen) n.disrupting = true;
      if (command.kind === "replace" && command.replacement) {
        const node = launch(command.replacement, t, "replacement");
        if (!node) {
          for (const n of chosen) n.disrupting = false;
          running = undefined;
          return;
        }
        running.replacement = node.name;
        running.replacementLaunchedAt = t;
        return;
      }
    } else if (!nodes.get(running.replacement)?.ready) return;
    // Execute: the old nodes drain (their pods go pending and the provisioner places them).
    for (const node of chosen) {
      evict(node, t);
      remove(node, t, timings.drainMs);
      if (running.replacementLaunchedAt !== undefined) {
        const from = Math.max(running.replacementLaunchedAt, measureFrom);
        const to = Math.min(node.goneAt ?? end, end);
        if (to > from) overlapCost += (node.price * (to - from)) / hour;
      }
    }
    const replacedBy = running.replacement ? nodes.get(running.replacement)?.type.name : undefined;
    options.trace?.(
      `${minutes(t)} ${command.kind} ${chosen.map((n) => `${n.name} ${n.type.name}`).join(", ")}` +
        `${replacedBy ? ` by ${replacedBy}` : ""} saves $${command.savings.toFixed(4)}/h`,
    );
    if (measuring(t)) {
      if (command.kind === "replace") {
        replacements++;
        const old = chosen.reduce((sum, n) => sum + n.price, 0);
        savingFractions.push(old > 0 ? command.savings / old : 0);
      } else deletions += chosen.length;
    }
    running = undefined;
    version++;
  };

  // Disruption.consolidate: one decision over the settled nodes with pods, within the budget. The
  // decision is pure, so it is not asked again while nothing it sees has changed.
  const consolidate = (t: number) => {
    if (running) return;
    const eligible = candidates(t).filter((c) => c.pods.length > 0);
    const asked = `${version}:${eligible.map((c) => c.nodeName).join(",")}`;
    if (eligible.length === 0 || asked === decidedNone) return;
    const budget = allowed(t);
    const result = decideConsolidation({
      snapshot: snapshot([], false),
      candidates: eligible,
      allowed: new Map([[poolName, budget.Underutilized]]),
      plan,
    });
    if (result.command.kind === "none") {
      decidedNone = asked;
      return;
    }
    const command = result.command;
    const uids = new Map(command.nodes.map((name) => [name, podUids(name)]));
    for (const name of command.nodes) {
      const node = nodes.get(name);
      if (node) node.marked = true;
    }
    running = { command, validateAt: t + timings.validationMs, podUids: uids };
    version++;
  };

  let clock = start;
  let nodeSeconds = 0;
  for (; clock < end; clock += timings.tickMs) {
    const t = clock;
    for (const node of [...nodes.values()])
      if (node.goneAt !== undefined && node.goneAt <= t) {
        nodes.delete(node.name);
        version++;
      }
    for (const node of nodes.values())
      if (!node.ready && node.readyAt <= t) {
        node.ready = true;
        version++;
      }
    reconcileWorkload(t);
    advanceCommand(t);
    provision(t);
    emptiness(t);
    consolidate(t);
    if (measuring(t)) nodeSeconds += nodes.size * (timings.tickMs / second);
  }

  let cost = 0;
  for (const node of allNodes) {
    const from = Math.max(node.launchedAt, measureFrom);
    const to = Math.min(node.goneAt ?? end, end);
    if (to > from) cost += (node.price * (to - from)) / hour;
  }
  return {
    replacementSavings: options.replacementSavings,
    seed: options.seed,
    hours: options.hours,
    replacements,
    deletions,
    invalidated,
    evictions,
    launches,
    cost,
    overlapCost,
    replacementSavingFractions: savingFractions,
    meanNodes: nodeSeconds / ((end - measureFrom) / second),
  };
}
