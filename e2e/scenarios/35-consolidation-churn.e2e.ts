// The churn proof (issue "Disruption trust"): a workload that oscillates around a node boundary for
// 10 minutes, in two NodePools side by side that differ only in spec.disruption.replacementSavings:
// "before" takes any cheaper move ("0%", the old behaviour), "after" has the default (15%, chosen by
// npm run bench:churn).
//
// A saving the default refuses, on a node of one pod shape. In the full catalogue the cheapest types of
// neighbouring shapes are at least 11.7% apart (c6g vs m6g of a size, m6g vs r6g, r6g vs the next c6g
// size: the bench's ~12% family swaps); a smaller step exists between generations: c7g.medium ($0.0363/h, 840m, 1.32 GiB allocatable) is 5.7% cheaper than m6g.medium
// ($0.0385/h, 840m, 3.17 GiB). Both pools are the general example narrowed to those two families.
//
// The workload, one Deployment per pool: pods of 100m and 320Mi, 5 and 4 replicas in turn, 90 s each.
// Four pods fit a c7g.medium (1280Mi of its 1351Mi); the fifth crosses that node's boundary, and five
// get an m6g.medium. With 4 the m6g.medium could be a c7g.medium, 5.7% cheaper:
// - after: the m6g.medium stays (5.7% < 15%), the fifth pod comes back to it: nothing moves, ever;
// - before: the m6g.medium is replaced by a c7g.medium; the fifth pod then needs a node of its own (a
//   launch), the two c7g.mediums are merged into an m6g.medium again (a replacement that exists only
//   because of the first) or the extra node is deleted when the pod goes; and over again.
// The clock consolidateAfter counts on (the later of a node's launch and its last pod change) is the
// same in both pools and cannot be switched off; it does not differ from the old one, which counted
// from the last pod change only, since a node's pods are first seen no earlier than its launch.
//
// Counted per pool over the run: nodes launched, replacement launches by consolidation (VirtualNodes
// planned as "Replacement (Underutilized)"), nodes deleted by consolidation (Disrupting events,
// "Underutilized" or "Empty"), and the pool's average hourly price (the live VirtualNodes' prices,
// integrated over the run). A PodDisruptionBudget (minAvailable 3) covers each workload and is
// watched throughout: no update may show fewer healthy pods than it requires. (minAvailable rather
// than maxUnavailable: with maxUnavailable the required count rises with a scale-up, and a scale-up
// that meets a pod being moved would read as a violation the Eviction API never allowed.)
//
// RAFTER_E2E_CHURN_SECONDS shortens the run while developing (default 600).
import assert from "node:assert/strict";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import type { Cluster } from "../cluster/cluster.js";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import type { KubeObject } from "../cluster/kubectl.js";
import { generalNodePool, nodeClass, sleep } from "../harness/lifecycle.js";

const runMs = Number(process.env.RAFTER_E2E_CHURN_SECONDS ?? "600") * 1000;
const phaseMs = 90_000;
const poolLabel = "e2e.rafter.test/churn";
const pod = { cpu: "100m", memory: "320Mi" };
const replicas = { high: 5, low: 4 };
const minAvailable = 3;
const families = ["c7g", "m6g"];
const variants = [
  { key: "before", replacementSavings: "0%" },
  { key: "after", replacementSavings: undefined },
] as const;
type Variant = (typeof variants)[number]["key"];

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

/** The NodePool with one more requirement: instance families c7g and m6g only. */
function withFamilies(pool: KubeObject): KubeObject {
  const copy = structuredClone(pool) as KubeObject & {
    spec: { template: { spec: { requirements: Requirement[] } } };
  };
  copy.spec.template.spec.requirements.push({
    key: "rafter.dev/instance-family",
    operator: "In",
    values: families,
  });
  return copy;
}

function minAvailablePdb(app: string, count: number): KubeObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app },
    spec: { minAvailable: count, selector: { matchLabels: { app } } },
  };
}

interface VirtualNodeObject {
  metadata?: { name?: string; creationTimestamp?: string | Date };
  spec?: { nodePool?: string };
  status?: { price?: string; nodeName?: string };
}
interface PdbObject {
  metadata?: { name?: string };
  status?: { currentHealthy?: number; desiredHealthy?: number; expectedPods?: number };
}
interface EventList {
  items: {
    metadata: { creationTimestamp?: string };
    reason?: string;
    message?: string;
    involvedObject?: { kind?: string; name?: string };
  }[];
}

/** A watch that is started again if the server ends it, until stopped. */
async function keepWatching(
  cluster: Cluster,
  path: string,
  onEvent: (type: string, object: unknown) => void,
): Promise<{ stop(): void }> {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const state: { on: boolean; controller?: AbortController } = { on: true };
  const start = async (): Promise<void> => {
    state.controller = await new Watch(kc).watch(path, {}, onEvent, () => {
      if (state.on) setTimeout(() => void start().catch(() => setTimeout(() => void start(), 1_000)), 500);
    });
  };
  await start();
  return {
    stop() {
      state.on = false;
      state.controller?.abort();
    },
  };
}

/** Per pool: the VirtualNodes seen, their Node names, and the price integral over time. */
class PoolLedger {
  private readonly live = new Map<string, { pool: string; price: number }>();
  private readonly dollarHours = new Map<string, number>();
  readonly created = new Map<string, string>();
  readonly nodePool = new Map<string, string>();
  private last = Date.now();
  readonly since = Date.now();

  constructor(private readonly pools: ReadonlyMap<string, Variant>) {}

  observe(type: string, vn: VirtualNodeObject): void {
    const name = vn.metadata?.name ?? "";
    const pool = vn.spec?.nodePool ?? "";
    if (!this.pools.has(pool)) return;
    this.integrate();
    this.nodePool.set(name, pool);
    if (vn.status?.nodeName) this.nodePool.set(vn.status.nodeName, pool);
    const createdAt = new Date(vn.metadata?.creationTimestamp ?? 0).getTime();
    if (createdAt >= this.since - 1_000) this.created.set(name, pool);
    const price = Number(vn.status?.price);
    if (type === "DELETED" || !Number.isFinite(price)) this.live.delete(name);
    else this.live.set(name, { pool, price });
  }

  /** Adds the current hourly spend of each pool over the time since the last change. */
  integrate(): void {
    const now = Date.now();
    for (const { pool, price } of this.live.values())
      this.dollarHours.set(pool, (this.dollarHours.get(pool) ?? 0) + (price * (now - this.last)) / 3_600_000);
    this.last = now;
  }

  averageHourly(pool: string): number {
    this.integrate();
    const hours = (this.last - this.since) / 3_600_000;
    return hours > 0 ? (this.dollarHours.get(pool) ?? 0) / hours : 0;
  }
}

scenario(
  "a workload oscillating around a node boundary: replacementSavings 0% churns, the default does not",
  { needsRafter: true, timeoutMs: runMs + 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    const poolName = (v: Variant) => `churn-${v}`;
    const pools = variants.map((v) =>
      withFamilies(
        generalNodePool(repoRoot, {
          name: poolName(v.key),
          labels: { [poolLabel]: v.key },
          disruption: {
            consolidationPolicy: "WhenEmptyOrUnderutilized",
            consolidateAfter: "20s",
            ...(v.replacementSavings === undefined ? {} : { replacementSavings: v.replacementSavings }),
            budgets: [{ nodes: "100%" }],
          },
        }),
      ),
    );
    await cluster.kubectl.apply([...nodeClass(repoRoot), ...pools]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    const selector = (v: Variant) => ({ nodeSelector: { [poolLabel]: v } });
    await kubectl.apply(
      variants.flatMap(({ key }) => [
        deployment(`${key}-web`, replicas.high, pod, selector(key)),
        minAvailablePdb(`${key}-web`, minAvailable),
      ]),
    );
    await eventually(
      `each pool's ${replicas.high} pods Running on one node`,
      async () => {
        const running = (await podsIn(kubectl)).filter((p) => p.status.phase === "Running");
        const vns = await virtualNodes(cluster);
        return variants.every(
          ({ key }) =>
            running.filter((p) => p.metadata.labels?.app === `${key}-web`).length === replicas.high &&
            vns.filter((vn) => vn.spec.nodePool === poolName(key)).length === 1,
        );
      },
      180_000,
    );
    const initial = await virtualNodes(cluster);
    t.log(
      `start: ${initial.map((vn) => `${vn.spec.nodePool} ${vn.status?.instanceType ?? "?"}`).join(", ")}`,
    );

    // Watch the VirtualNodes (launches, Node names, prices) and the PDBs for the whole run.
    const byPool = new Map(variants.map(({ key }) => [poolName(key), key]));
    const ledger = new PoolLedger(byPool);
    const vnWatch = await keepWatching(cluster, "/apis/rafter.dev/v1/virtualnodes", (type, object) => {
      ledger.observe(type, object as VirtualNodeObject);
    });
    const violations: string[] = [];
    const pdbUpdates = { count: 0 };
    const pdbWatch = await keepWatching(
      cluster,
      `/apis/policy/v1/namespaces/${t.namespace}/poddisruptionbudgets`,
      (_type, object) => {
        const pdb = object as PdbObject;
        const s = pdb.status;
        if (s?.currentHealthy === undefined || s.desiredHealthy === undefined) return;
        pdbUpdates.count++;
        if (s.currentHealthy < s.desiredHealthy)
          violations.push(`${pdb.metadata?.name ?? "?"}: ${s.currentHealthy} healthy < ${s.desiredHealthy}`);
      },
    );

    // Oscillate: 4 pods for a phase, 5 for a phase, in both pools at once.
    const started = Date.now();
    let phases = 0;
    try {
      while (Date.now() - started < runMs) {
        const count = phases % 2 === 0 ? replicas.low : replicas.high;
        await Promise.all(
          variants.map(({ key }) => kubectl.run(["scale", `deployment/${key}-web`, `--replicas=${count}`])),
        );
        phases++;
        await sleep(Math.min(phaseMs, runMs - (Date.now() - started)));
      }
    } finally {
      vnWatch.stop();
      pdbWatch.stop();
    }
    const runSeconds = Math.round((Date.now() - started) / 1000);

    const since = ledger.since - 1_000;
    const events = async (reason: string) =>
      (
        await cluster.kubectl.getJson<EventList>("events", undefined, [
          "--all-namespaces",
          `--field-selector=reason=${reason}`,
        ])
      ).items.filter((e) => new Date(e.metadata.creationTimestamp ?? 0).getTime() >= since);
    const planned = await events("Planned");
    const disrupting = await events("Disrupting");
    const distinct = (names: (string | undefined)[]) => new Set(names.filter((n) => n !== undefined)).size;
    const counts = (key: Variant) => {
      const pool = poolName(key);
      const mine = (name: string | undefined) =>
        name !== undefined &&
        (ledger.nodePool.get(name) ?? (name.startsWith(`${pool}-`) ? pool : "")) === pool;
      return {
        nodesLaunched: [...ledger.created.values()].filter((p) => p === pool).length,
        replacements: distinct(
          planned
            .filter(
              (e) => e.message?.startsWith("Replacement (Underutilized)") && mine(e.involvedObject?.name),
            )
            .map((e) => e.involvedObject?.name),
        ),
        consolidationDeletions: distinct(
          disrupting
            .filter(
              (e) =>
                (e.message?.startsWith("Underutilized") === true ||
                  e.message?.startsWith("Empty") === true) &&
                mine(e.involvedObject?.name),
            )
            .map((e) => e.involvedObject?.name),
        ),
        averageHourlyPrice: Number(ledger.averageHourly(pool).toFixed(4)),
        pdbViolations: violations.filter((v) => v.startsWith(`${key}-web:`)).length,
      };
    };
    const result = { seconds: runSeconds, phases, before: counts("before"), after: counts("after") };
    t.log(JSON.stringify(result));

    assert.equal(
      violations.length,
      0,
      `PDB violations (${pdbUpdates.count} updates): ${violations.join("; ")}`,
    );
    assert.ok(
      result.before.replacements > 0,
      `replacementSavings 0% replaced nothing: the pattern shows no churn, the comparison proves nothing`,
    );
    assert.ok(
      result.after.replacements < result.before.replacements,
      `after (${result.after.replacements}) replaced fewer nodes than before (${result.before.replacements})`,
    );
  },
);
