// Helpers for lifecycle scenarios: NodePools built from the examples with overrides, a PDB watcher
// that counts violations, and a watcher of the Nodes tainted rafter.dev/disrupted.
import { KubeConfig, Watch, type V1Node } from "@kubernetes/client-node";
import type { Cluster } from "../cluster/cluster.js";
import type { KubeObject } from "../cluster/kubectl.js";
import { kwokManaged, loadExample } from "./examples.js";
import { podsIn, virtualNodes, type PodJson } from "./provisioning.js";
import type { ScenarioContext } from "./scenario.js";

export interface NodePoolOverrides {
  readonly name?: string;
  readonly weight?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly expireAfter?: string;
  readonly terminationGracePeriod?: string;
  readonly disruption?: Record<string, unknown>;
  /** Default true: kwok plays the kubelets of the NodePool's Nodes. */
  readonly kwok?: boolean;
}

interface NodePoolSpec {
  weight?: number;
  template: {
    metadata?: { labels?: Record<string, string> };
    spec: Record<string, unknown>;
  };
  disruption?: Record<string, unknown>;
}

/**
 * Disruption settings that keep voluntary disruption out of a scenario's way: only empty nodes go, and
 * only after an hour.
 */
export const quietDisruption = {
  consolidationPolicy: "WhenEmpty",
  consolidateAfter: "1h",
  budgets: [{ nodes: "100%" }],
};

/** The general example NodePool with overrides (disruption replaced wholesale when given). */
export function generalNodePool(repoRoot: string, o: NodePoolOverrides = {}): KubeObject {
  const pool = loadExample(repoRoot, "nodepool-general.yaml").find((x) => x.kind === "NodePool");
  if (pool === undefined) throw new Error("nodepool-general.yaml has no NodePool");
  const copy = structuredClone(pool) as KubeObject & { metadata: { name: string }; spec: NodePoolSpec };
  if (o.name !== undefined) copy.metadata.name = o.name;
  if (o.weight !== undefined) copy.spec.weight = o.weight;
  copy.spec.template.metadata ??= {};
  copy.spec.template.metadata.labels = { ...copy.spec.template.metadata.labels, ...o.labels };
  if (o.expireAfter !== undefined) copy.spec.template.spec.expireAfter = o.expireAfter;
  if (o.terminationGracePeriod !== undefined)
    copy.spec.template.spec.terminationGracePeriod = o.terminationGracePeriod;
  if (o.disruption !== undefined) copy.spec.disruption = o.disruption;
  return o.kwok === false ? copy : kwokManaged(copy);
}

export function nodeClass(repoRoot: string): KubeObject[] {
  return loadExample(repoRoot, "ec2nodeclass.yaml");
}

export function maxUnavailablePdb(app: string, maxUnavailable = 1): KubeObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app },
    spec: { maxUnavailable, selector: { matchLabels: { app } } },
  };
}

interface PdbJson {
  status?: { currentHealthy?: number; desiredHealthy?: number };
}

export interface Watcher<T> {
  /** Stops polling and returns what was observed. */
  stop(): Promise<T>;
}

function poll<T>(intervalMs: number, step: () => Promise<void>, result: () => T): Watcher<T> {
  const state = { on: true };
  const loop = (async () => {
    while (state.on) {
      await step().catch(() => undefined);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      state.on = false;
      await loop;
      return result();
    },
  };
}

export interface PdbObservation {
  readonly samples: number;
  readonly violations: number;
  readonly lowestHealthy: number;
}

/** Polls a PDB every 250 ms; a violation is a sample with currentHealthy < desiredHealthy. */
export function watchPdb(kubectl: Cluster["kubectl"], name: string): Watcher<PdbObservation> {
  let samples = 0;
  let violations = 0;
  let lowestHealthy = Infinity;
  return poll(
    250,
    async () => {
      const s = (await kubectl.getJson<PdbJson>("pdb", name)).status;
      if (s?.currentHealthy === undefined || s.desiredHealthy === undefined) return;
      samples++;
      lowestHealthy = Math.min(lowestHealthy, s.currentHealthy);
      if (s.currentHealthy < s.desiredHealthy) violations++;
    },
    () => ({ samples, violations, lowestHealthy }),
  );
}

interface NodeList {
  items: { metadata: { name: string }; spec?: { taints?: { key: string; effect: string }[] } }[];
}

export interface DisruptedObservation {
  readonly samples: number;
  /** Most Nodes tainted rafter.dev/disrupted at the same time. */
  readonly maxAtOnce: number;
  /** Every Node seen tainted. */
  readonly seen: ReadonlySet<string>;
}

/** Polls rafter's Nodes every 250 ms and counts those tainted rafter.dev/disrupted:NoSchedule. */
export function watchDisrupted(cluster: Cluster): Watcher<DisruptedObservation> {
  let samples = 0;
  let maxAtOnce = 0;
  const seen = new Set<string>();
  return poll(
    250,
    async () => {
      const nodes = await cluster.kubectl.getJson<NodeList>("nodes", undefined, ["-l=rafter.dev/nodepool"]);
      const tainted = nodes.items.filter((n) =>
        (n.spec?.taints ?? []).some((t) => t.key === "rafter.dev/disrupted" && t.effect === "NoSchedule"),
      );
      samples++;
      maxAtOnce = Math.max(maxAtOnce, tainted.length);
      for (const n of tainted) seen.add(n.metadata.name);
    },
    () => ({ samples, maxAtOnce, seen }),
  );
}

/**
 * Watches rafter's Nodes (a watch, so that no taint is missed however briefly it lasts: empty nodes
 * go within a second) and tracks how many carry rafter.dev/disrupted:NoSchedule at the same time.
 */
export async function watchDisruptedStream(cluster: Cluster): Promise<Watcher<DisruptedObservation>> {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const tainted = new Set<string>();
  const seen = new Set<string>();
  let samples = 0;
  let maxAtOnce = 0;
  let failure: unknown;
  const controller = await new Watch(kc).watch(
    "/api/v1/nodes",
    { labelSelector: "rafter.dev/nodepool" },
    (type: string, node: V1Node) => {
      const name = node.metadata?.name ?? "";
      samples++;
      const isTainted =
        type !== "DELETED" &&
        (node.spec?.taints ?? []).some((t) => t.key === "rafter.dev/disrupted" && t.effect === "NoSchedule");
      if (isTainted) {
        tainted.add(name);
        seen.add(name);
      } else tainted.delete(name);
      maxAtOnce = Math.max(maxAtOnce, tainted.size);
    },
    (err: unknown) => {
      if (err !== null && err !== undefined) failure = err;
    },
  );
  return {
    stop() {
      controller.abort();
      if (failure !== undefined && !(failure instanceof Error && failure.name === "AbortError"))
        return Promise.reject(
          new Error(
            `node watch failed: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`,
          ),
        );
      return Promise.resolve({ samples, maxAtOnce, seen });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `count` pods of `app` run, none of them on `notOn` (a node being drained away). */
export function podsRunning(
  t: Pick<ScenarioContext, "kubectl" | "eventually">,
  app: string,
  count: number,
  options: { notOn?: string; timeoutMs?: number } = {},
): Promise<PodJson[]> {
  const where = options.notOn === undefined ? "" : ` off ${options.notOn}`;
  return t.eventually(
    `${count} ${app} pods Running${where}`,
    async () => {
      const pods = await podsIn(t.kubectl, `app=${app}`);
      const running = pods.filter((p) => p.status.phase === "Running" && p.spec.nodeName !== options.notOn);
      return running.length === count ? pods : undefined;
    },
    options.timeoutMs ?? 180_000,
  );
}

/** Waits until a Node and its VirtualNode are both gone (termination released both finalizers). */
export async function nodeAndVirtualNodeGone(
  t: Pick<ScenarioContext, "cluster" | "eventually">,
  nodeName: string,
  virtualNode: string,
  timeoutMs = 240_000,
): Promise<void> {
  await t.eventually(
    `node ${nodeName} and VirtualNode ${virtualNode} gone`,
    async () => {
      const node = await t.cluster.kubectl.find("node", nodeName);
      const still = (await virtualNodes(t.cluster)).some((v) => v.metadata.name === virtualNode);
      return node === undefined && !still;
    },
    timeoutMs,
  );
}
