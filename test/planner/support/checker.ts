// An independent plan checker for tests. It re-derives every rule from the snapshot and the plan
// with straightforward code (no planner internals): coverage, capacity with DaemonSet overhead,
// node selectors/affinity, taints, host ports, pod (anti-)affinity, spread skew, limits, prices.
import type { V1Pod } from "@kubernetes/client-node";
import type { InstanceType } from "../../../src/catalog/types.js";
import { offeringKey } from "../../../src/catalog/types.js";
import { podRequests } from "../../../src/domain/pod-requests.js";
import { parseResourceList, type Resources } from "../../../src/domain/resources.js";
import type { Plan, PlanningSnapshot } from "../../../src/planner/types.js";

type Labels = Record<string, string>;

function key(p: V1Pod): string {
  return `${p.metadata?.namespace ?? "default"}/${p.metadata?.name ?? ""}`;
}

function exprOk(labels: Labels, e: { key: string; operator: string; values?: string[] }): boolean {
  const v = labels[e.key];
  const vals = e.values ?? [];
  switch (e.operator) {
    case "In":
      return v !== undefined && vals.includes(v);
    case "NotIn":
      return v === undefined || !vals.includes(v);
    case "Exists":
      return v !== undefined;
    case "DoesNotExist":
      return v === undefined;
    case "Gt":
      return v !== undefined && /^-?\d+$/.test(v) && Number(v) > Number(vals[0]);
    case "Lt":
      return v !== undefined && /^-?\d+$/.test(v) && Number(v) < Number(vals[0]);
    default:
      return false;
  }
}

function selectorOk(
  sel:
    | { matchLabels?: Labels; matchExpressions?: { key: string; operator: string; values?: string[] }[] }
    | undefined,
  labels: Labels,
): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) if (!exprOk(labels, e)) return false;
  return true;
}

function nodeAffinityOk(pod: V1Pod, labels: Labels): boolean {
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (
    terms &&
    terms.length > 0 &&
    !terms.some((t) => (t.matchExpressions ?? []).every((e) => exprOk(labels, e)))
  )
    return false;
  return true;
}

function toleratesAll(
  pod: V1Pod,
  taints: readonly { key: string; value?: string; effect: string }[],
): boolean {
  return taints
    .filter((t) => t.effect !== "PreferNoSchedule")
    .every((t) =>
      (pod.spec?.tolerations ?? []).some(
        (tol) =>
          (!tol.effect || tol.effect === t.effect) &&
          (tol.key
            ? tol.key === t.key && (tol.operator === "Exists" || (tol.value ?? "") === (t.value ?? ""))
            : tol.operator === "Exists"),
      ),
    );
}

function sum(list: readonly Resources[]): Resources {
  const out: Record<string, number> = {};
  for (const r of list) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function within(a: Resources, cap: Resources): string | undefined {
  for (const [k, v] of Object.entries(a)) if (v > 0 && v > (cap[k] ?? 0)) return k;
  return undefined;
}

interface Placed {
  pod: V1Pod;
  node: string;
  /** One concrete label set per possible launch (existing nodes: one). */
  labelSets: Labels[];
}

export function checkPlan(snapshot: PlanningSnapshot, plan: Plan): string[] {
  const errors: string[] = [];
  const pending = new Map(snapshot.pendingPods.map((p) => [key(p), p]));
  const seen = new Map<string, number>();
  const mark = (k: string): void => {
    seen.set(k, (seen.get(k) ?? 0) + 1);
  };
  plan.placements.forEach((p) => {
    mark(p.pod);
  });
  plan.newNodes.forEach((n) => {
    n.pods.forEach(mark);
  });
  plan.unschedulable.forEach((u) => {
    mark(u.pod);
  });
  for (const k of pending.keys())
    if (seen.get(k) !== 1) errors.push(`${k} appears ${seen.get(k) ?? 0} times`);
  for (const k of seen.keys()) if (!pending.has(k)) errors.push(`${k} is not a pending pod`);

  const placed: Placed[] = [];
  const types = new Map(snapshot.catalog.instanceTypes.map((t) => [t.name, t]));
  // Existing nodes.
  for (const sn of snapshot.nodes) {
    const name = sn.node.metadata?.name ?? "";
    const labels: Record<string, string> = {
      "kubernetes.io/hostname": name,
      ...(sn.node.metadata?.labels ?? {}),
    };
    const newcomers = plan.placements
      .filter((p) => p.node === name)
      .map((p) => pending.get(p.pod))
      .filter((p): p is V1Pod => p !== undefined);
    if (newcomers.length > 0 && sn.markedForDeletion)
      errors.push(`${name}: pods placed on a node being disrupted`);
    // A node rafter is still bringing up (its NodePool label, no initialized label) is judged without
    // the taints that go away as it comes up: the pool's startupTaints and the not-ready family.
    const comingUp =
      labels["rafter.dev/nodepool"] !== undefined && labels["rafter.dev/initialized"] !== "true";
    const startup =
      snapshot.nodePools.find((np) => np.metadata.name === labels["rafter.dev/nodepool"])?.spec.template.spec
        .startupTaints ?? [];
    const goesAway = (t: { key: string; effect: string; value?: string }) =>
      comingUp &&
      (t.key.startsWith("node.kubernetes.io/not-ready") ||
        t.key === "node.kubernetes.io/unreachable" ||
        t.key === "node.cloudprovider.kubernetes.io/uninitialized" ||
        startup.some((s) => s.key === t.key && s.effect === t.effect && (s.value ?? "") === (t.value ?? "")));
    const taints = [
      ...(sn.node.spec?.taints ?? []).filter((t) => !goesAway(t)),
      ...(sn.node.spec?.unschedulable
        ? [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }]
        : []),
    ];
    for (const p of newcomers) {
      if (!toleratesAll(p, taints)) errors.push(`${key(p)} on ${name}: taint not tolerated`);
      if (!nodeAffinityOk(p, labels)) errors.push(`${key(p)} on ${name}: node affinity`);
    }
    const all = [...sn.pods, ...newcomers];
    const over = within(sum(all.map(podRequests)), parseResourceList(sn.node.status?.allocatable));
    if (over) errors.push(`${name}: ${over} over allocatable`);
    for (const p of all) placed.push({ pod: p, node: name, labelSets: [labels] });
  }
  // New nodes.
  const poolNodes = new Map<string, { count: number; capacity: Resources }>();
  for (const n of plan.newNodes) {
    const pool = snapshot.nodePools.find((p) => p.metadata.name === n.nodePool);
    if (!pool) {
      errors.push(`${n.name}: unknown pool ${n.nodePool}`);
      continue;
    }
    if (n.instanceTypes.length === 0 || n.instanceTypes.length > 60)
      errors.push(`${n.name}: ${n.instanceTypes.length} instance types`);
    const pods = n.pods.map((k) => pending.get(k)).filter((p): p is V1Pod => p !== undefined);
    const requests = sum(pods.map(podRequests));
    const tmplLabels = pool.spec.template.metadata?.labels ?? {};
    const poolTaints = pool.spec.template.spec.taints ?? [];
    let cheapest = Infinity;
    const labelSets: Labels[] = [];
    const maxCap: Record<string, number> = {};
    for (const tn of n.instanceTypes) {
      const t: InstanceType | undefined = types.get(tn);
      if (!t) {
        errors.push(`${n.name}: unknown type ${tn}`);
        continue;
      }
      for (const [k, v] of Object.entries(t.capacity)) maxCap[k] = Math.max(maxCap[k] ?? 0, v);
      const base: Labels = {
        ...t.labels,
        "node.kubernetes.io/instance-type": tn,
        "rafter.dev/nodepool": n.nodePool,
        "kubernetes.io/hostname": n.name,
        "topology.kubernetes.io/region": snapshot.catalog.region,
        ...tmplLabels,
      };
      let offered = false;
      for (const zone of n.zones)
        for (const ct of n.capacityTypes) {
          const o = t.offerings.find((x) => x.zone === zone && x.capacityType === ct);
          if (o?.available && !snapshot.unavailableOfferings.has(offeringKey(tn, zone, ct))) {
            offered = true;
            cheapest = Math.min(cheapest, o.price);
          }
          labelSets.push({ ...base, "topology.kubernetes.io/zone": zone, "rafter.dev/capacity-type": ct });
        }
      if (!offered)
        errors.push(`${n.name}: ${tn} has no offering in ${n.zones.join(",")}/${n.capacityTypes.join(",")}`);
      // DaemonSets that tolerate the pool's taints and select the node add their requests.
      const ds = snapshot.daemonSets
        .filter((d) => {
          const spec = d.spec?.template.spec;
          if (!spec) return false;
          const fake: V1Pod = { spec };
          return (
            toleratesAll(fake, poolTaints) &&
            n.zones.some((z) => nodeAffinityOk(fake, { ...base, "topology.kubernetes.io/zone": z }))
          );
        })
        .map((d) => podRequests({ spec: d.spec?.template.spec ?? { containers: [] } }));
      const over = within(sum([requests, ...ds]), t.allocatable);
      if (over) errors.push(`${n.name}: pods + daemonsets exceed ${tn} ${over}`);
    }
    if (Math.abs(cheapest - n.hourlyPrice) > 1e-6)
      errors.push(`${n.name}: hourlyPrice ${n.hourlyPrice} != cheapest ${cheapest}`);
    for (const ls of labelSets)
      for (const r of pool.spec.template.spec.requirements ?? [])
        if (
          !(r.key in ls) &&
          ["In", "Exists", "Gt", "Lt"].includes(r.operator) &&
          !snapshot.catalog.instanceTypes.every((t) => !(r.key in t.labels))
        ) {
          errors.push(`${n.name}: pool requirement ${r.key} unmet`);
          break;
        } else if (r.key in ls && !exprOk(ls, { key: r.key, operator: r.operator, values: r.values ?? [] })) {
          errors.push(
            `${n.name}: pool requirement ${r.key} ${r.operator} unmet by ${ls["node.kubernetes.io/instance-type"] ?? ""}`,
          );
          break;
        }
    for (const p of pods) {
      if (!toleratesAll(p, poolTaints)) errors.push(`${key(p)} on ${n.name}: pool taint not tolerated`);
      if (!labelSets.every((ls) => nodeAffinityOk(p, ls)))
        errors.push(`${key(p)} on ${n.name}: node affinity not met by every option`);
      placed.push({ pod: p, node: n.name, labelSets });
    }
    const pn = poolNodes.get(n.nodePool) ?? { count: 0, capacity: {} };
    poolNodes.set(n.nodePool, { count: pn.count + 1, capacity: sum([pn.capacity, maxCap]) });
  }
  const total = plan.newNodes.reduce((s, n) => s + n.hourlyPrice, 0);
  if (Math.abs(total - plan.hourlyCost) > 1e-4) errors.push(`hourlyCost ${plan.hourlyCost} != sum ${total}`);
  // Limits.
  for (const pool of snapshot.nodePools) {
    const used = poolNodes.get(pool.metadata.name ?? "");
    if (!used) continue;
    const limits = parseResourceList(pool.spec.limits);
    for (const [k, v] of Object.entries(limits)) {
      const have = k === "nodes" ? used.count : (used.capacity[k] ?? 0);
      if (have > v) errors.push(`pool ${pool.metadata.name ?? ""}: ${k} ${have} over limit ${v}`);
    }
  }
  errors.push(...checkInterPod(placed, snapshot));
  return errors;
}

/** A node's value for a topology key, if the same across all its launch options. */
function domain(p: Placed, topologyKey: string): string | undefined | null {
  const values = new Set(p.labelSets.map((l) => l[topologyKey]));
  if (values.size !== 1) return null;
  return [...values][0];
}

function checkInterPod(placed: Placed[], snapshot: PlanningSnapshot): string[] {
  const errors: string[] = [];
  const pendingKeys = new Set(snapshot.pendingPods.map(key));
  const matches = (other: Placed, ns: string[], sel: Parameters<typeof selectorOk>[0]): boolean =>
    ns.includes(other.pod.metadata?.namespace ?? "default") &&
    selectorOk(sel, other.pod.metadata?.labels ?? {});
  // Host ports.
  const ports = new Map<string, string>();
  for (const p of placed)
    for (const c of p.pod.spec?.containers ?? [])
      for (const port of c.ports ?? []) {
        if (!port.hostPort) continue;
        const id = `${p.node}/${port.protocol ?? "TCP"}/${port.hostPort}`;
        const prev = ports.get(id);
        if (prev && prev !== key(p.pod)) errors.push(`host port ${id} used by ${prev} and ${key(p.pod)}`);
        ports.set(id, key(p.pod));
      }
  for (const p of placed) {
    if (!pendingKeys.has(key(p.pod))) continue;
    const ns = p.pod.metadata?.namespace ?? "default";
    for (const term of p.pod.spec?.affinity?.podAntiAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const d = domain(p, term.topologyKey);
      if (d === null) {
        errors.push(`${key(p.pod)}: anti-affinity key ${term.topologyKey} undecided on ${p.node}`);
        continue;
      }
      if (d === undefined) continue;
      for (const o of placed)
        if (
          o !== p &&
          domain(o, term.topologyKey) === d &&
          matches(o, term.namespaces ?? [ns], term.labelSelector)
        )
          errors.push(`${key(p.pod)} and ${key(o.pod)} share ${term.topologyKey}=${d} against anti-affinity`);
    }
    for (const term of p.pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ??
      []) {
      const d = domain(p, term.topologyKey);
      if (d === null || d === undefined) {
        errors.push(`${key(p.pod)}: affinity key ${term.topologyKey} undecided on ${p.node}`);
        continue;
      }
      const others = placed.filter((o) => o !== p && matches(o, term.namespaces ?? [ns], term.labelSelector));
      if (others.some((o) => domain(o, term.topologyKey) === d)) continue;
      // kube-scheduler lets the first pod of a self-matching group start anywhere (nothing matched
      // yet); any later carrier of the term needed company. So at most one carrier is alone.
      const selfMatch = matches(p, [ns], term.labelSelector);
      const lonely = placed.filter(
        (o) =>
          (o.pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(
            (t) =>
              t.topologyKey === term.topologyKey &&
              JSON.stringify(t.labelSelector) === JSON.stringify(term.labelSelector),
          ) &&
          !placed.some(
            (x) =>
              x !== o &&
              matches(x, [ns], term.labelSelector) &&
              domain(x, term.topologyKey) === domain(o, term.topologyKey),
          ),
      );
      if (selfMatch && lonely.length <= 1) continue;
      errors.push(`${key(p.pod)}: no pod matching its affinity in ${term.topologyKey}=${d}`);
    }
    for (const c of p.pod.spec?.topologySpreadConstraints ?? []) {
      if (c.whenUnsatisfiable === "ScheduleAnyway") continue;
      // Pods carrying the same constraint (others may legitimately join later without checking it).
      const group = placed.filter(
        (o) =>
          matches(o, [ns], c.labelSelector) &&
          (o.pod.spec?.topologySpreadConstraints ?? []).some(
            (x) =>
              x.topologyKey === c.topologyKey &&
              JSON.stringify(x.labelSelector) === JSON.stringify(c.labelSelector),
          ),
      );
      if (c.topologyKey === "kubernetes.io/hostname") {
        const count = group.filter((o) => o.node === p.node).length;
        if (count > c.maxSkew)
          errors.push(`${key(p.pod)}: ${count} matching pods on ${p.node} > maxSkew ${c.maxSkew}`);
        continue;
      }
      const d = domain(p, c.topologyKey);
      if (d === null || d === undefined)
        errors.push(`${key(p.pod)}: spread key ${c.topologyKey} undecided on ${p.node}`);
    }
  }
  return errors;
}

/** Zone skew of a group of pods over the given zones (max - min). */
export function zoneSkew(plan: Plan, podKeys: ReadonlySet<string>, zones: readonly string[]): number {
  const counts = new Map(zones.map((z) => [z, 0]));
  for (const n of plan.newNodes) {
    if (n.zones.length !== 1) continue;
    const z = n.zones[0] ?? "";
    counts.set(z, (counts.get(z) ?? 0) + n.pods.filter((p) => podKeys.has(p)).length);
  }
  const values = [...counts.values()];
  return Math.max(...values) - Math.min(...values);
}
