// NodePools compiled against the catalogue: which instance types and offerings each may launch,
// what DaemonSets take on each type, and how much of the pool's limits is left.
import type { V1DaemonSet } from "@kubernetes/client-node";
import type { Taint, CapacityType } from "../api/common.js";
import { nodeRegistrationHealthy, type NodePool } from "../api/nodepool.js";
import { offeringKey, type Catalog, type InstanceType } from "../catalog/types.js";
import { podRequests } from "../domain/pod-requests.js";
import {
  admitsAbsent,
  admitsValue,
  intersect,
  isSatisfiable,
  type KeyRequirement,
  type Requirements,
} from "../domain/requirements.js";
import { aliasedRequirementsFrom, aliasedRequirementsFromLabels } from "./label-aliases.js";
import { parseResourceList } from "../domain/resources.js";
import { isBlocking, untoleratedTaint } from "../domain/taints.js";
import { labelKeys } from "../api/labels.js";
import { catalogMemo } from "./catalog-memo.js";
import { addInto, type ResourceSpace, type Vec } from "./resource-space.js";

export interface PoolOffering {
  readonly zone: string;
  readonly capacityType: CapacityType;
  readonly price: number;
}

export interface PoolType {
  /** Index within its pool's `types` (sorted cheapest first). */
  readonly index: number;
  readonly type: InstanceType;
  /** Type labels plus the pool's template labels and the labels rafter always sets. */
  readonly labels: Readonly<Record<string, string>>;
  readonly offerings: readonly PoolOffering[];
  readonly minPrice: number;
  /** Allocatable minus DaemonSet overhead: what pending pods may use. */
  readonly free: Vec;
  readonly overhead: Vec;
  readonly capacity: Vec;
  /** Bit per pool (zone, capacity type) combination this type is offered in (see offerBits). */
  readonly offerBits: number;
}

export interface CompiledPool {
  readonly index: number;
  readonly name: string;
  readonly pool: NodePool;
  readonly weight: number;
  readonly requirements: Requirements;
  readonly taints: readonly Taint[];
  readonly types: readonly PoolType[];
  readonly zones: readonly string[];
  readonly capacityTypes: readonly CapacityType[];
  /** Keys a node of this pool carries because the pool's requirements set them (custom labels). */
  readonly customKeys: ReadonlySet<string>;
  /** Remaining limit per resource (Infinity when unlimited), and remaining node count. */
  readonly remaining: Vec;
  remainingNodes: number;
  /** Per "zone/capacityType": the types offered there with that offering's price, cheapest first. */
  readonly byOffering: ReadonlyMap<string, readonly { readonly t: PoolType; readonly price: number }[]>;
  /**
   * Bit index of each "zone/capacityType" combination, and per zone (capacity type) the bits of its
   * combinations; absent when there are too many combinations for bits.
   */
  readonly offerIndex:
    | {
        readonly bit: ReadonlyMap<string, number>;
        readonly zoneBits: ReadonlyMap<string, number>;
        readonly capacityBits: ReadonlyMap<string, number>;
      }
    | undefined;
  /** No resource limit at all: opening a node needs no reservation check. */
  readonly unlimited: boolean;
  /** Why types were dropped, for unschedulable reasons. */
  readonly notes: string[];
}

const wellKnown = new Set<string>([
  labelKeys.zone,
  labelKeys.capacityType,
  labelKeys.hostname,
  labelKeys.region,
  labelKeys.nodePool,
]);

function offeringAllowed(req: KeyRequirement | undefined, value: string): boolean {
  return !req || admitsValue(req, value);
}

/** The cheapest price of an accepted type within the zones and capacity types (Infinity if none). */
export function cheapestAccepted(
  pool: CompiledPool,
  zones: readonly string[],
  capacityTypes: readonly CapacityType[],
  accept: (t: PoolType) => boolean,
): number {
  let best = Infinity;
  // A type appears in every list it has offerings in: decide it once (0 unknown, 1 yes, 2 no).
  const verdict = new Uint8Array(pool.types.length);
  for (const z of zones)
    for (const c of capacityTypes)
      for (const { t, price } of pool.byOffering.get(`${z}/${c}`) ?? []) {
        if (price >= best) break;
        let v = verdict[t.index];
        if (v === 0) verdict[t.index] = v = accept(t) ? 1 : 2;
        if (v === 1) {
          best = price;
          break;
        }
      }
  return best;
}

/** Do a type's labels satisfy requirements on keys the type (or pool) defines? Zone/capacity type excluded. */
export function typeAdmits(
  labels: Readonly<Record<string, string>>,
  reqs: Requirements,
  customKeys: ReadonlySet<string>,
): boolean {
  for (const [key, req] of reqs) {
    // Offerings decide zone and capacity type; the region is the catalogue's. The pool's name is an
    // ordinary label here (a pod may select its NodePool by rafter.dev/nodepool)
    if (key === labelKeys.zone || key === labelKeys.capacityType || key === labelKeys.region) continue;
    if (key === labelKeys.hostname) {
      if (req.allow || req.exists === false || req.gt !== undefined || req.lt !== undefined) return false;
      continue;
    }
    const value = labels[key];
    if (value !== undefined) {
      if (!admitsValue(req, value)) return false;
    } else if (customKeys.has(key)) {
      if (!isSatisfiable(req)) return false;
    } else if (!admitsAbsent(req)) return false;
  }
  return true;
}

function daemonSetOverhead(
  daemonSets: readonly V1DaemonSet[],
  labels: Readonly<Record<string, string>>,
  taints: readonly Taint[],
  customKeys: ReadonlySet<string>,
  space: ResourceSpace,
): Vec {
  const total = space.zero();
  for (const ds of daemonSets) {
    const template = ds.spec?.template;
    if (!template) continue;
    const spec = template.spec;
    if (untoleratedTaint(spec?.tolerations, taints.filter(isBlocking))) continue;
    // Count a DaemonSet when it may run on the node; zone-dependent selectors count conservatively.
    const selector = aliasedRequirementsFromLabels(spec?.nodeSelector);
    const terms =
      spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    const termReqs =
      terms.length > 0
        ? terms.map((t) => intersect(selector, aliasedRequirementsFrom(t.matchExpressions)))
        : [selector];
    const node = { ...labels };
    if (
      !termReqs.some((r) =>
        typeAdmits(node, r, new Set([...customKeys, labelKeys.zone, labelKeys.capacityType])),
      )
    )
      continue;
    const requests = podRequests({ spec: spec ?? { containers: [] } });
    space.register(requests);
    addInto(total, space.vector(requests));
  }
  return total;
}

/** The bits of the pool's offering combinations within zones × capacity types (-1: use offerings). */
export function offerBitsOf(
  pool: CompiledPool,
  zones: readonly string[],
  capacityTypes: readonly CapacityType[],
): number {
  const index = pool.offerIndex;
  if (!index) return -1;
  let zoneBits = 0;
  for (const z of zones) zoneBits |= index.zoneBits.get(z) ?? 0;
  let capacityBits = 0;
  for (const c of capacityTypes) capacityBits |= index.capacityBits.get(c) ?? 0;
  return zoneBits & capacityBits;
}

/** Registers every resource the catalogue, pools and DaemonSets name, so vectors share one length. */
export function registerPoolResources(
  nodePools: readonly NodePool[],
  catalog: Catalog,
  daemonSets: readonly V1DaemonSet[],
  space: ResourceSpace,
): void {
  for (const t of catalog.instanceTypes) space.register(t.allocatable);
  for (const p of nodePools) space.register(parseResourceList(p.spec.limits));
  for (const ds of daemonSets)
    space.register(podRequests({ spec: ds.spec?.template.spec ?? { containers: [] } }));
}

/** What a pool's compilation derives from the catalogue (no usage, no index): memoisable. */
type PoolTypes = Pick<
  CompiledPool,
  | "requirements"
  | "taints"
  | "types"
  | "zones"
  | "capacityTypes"
  | "customKeys"
  | "byOffering"
  | "notes"
  | "offerIndex"
>;

function compilePoolTypes(
  pool: NodePool,
  catalog: Catalog,
  daemonSets: readonly V1DaemonSet[],
  unavailable: ReadonlySet<string>,
  space: ResourceSpace,
): PoolTypes {
  const name = pool.metadata.name ?? "";
  const templateLabels = pool.spec.template.metadata?.labels ?? {};
  const requirements = intersect(
    aliasedRequirementsFrom(pool.spec.template.spec.requirements),
    aliasedRequirementsFromLabels(templateLabels),
  );
  const customKeys = new Set(
    [...requirements.keys()].filter(
      (k) => !wellKnown.has(k) && !catalog.instanceTypes.some((t) => t.labels[k] !== undefined),
    ),
  );
  const taints = pool.spec.template.spec.taints ?? [];
  const notes: string[] = [];
  const types: Omit<PoolType, "index" | "offerBits">[] = [];
  for (const type of catalog.instanceTypes) {
    const labels = {
      ...type.labels,
      [labelKeys.instanceType]: type.name,
      [labelKeys.region]: catalog.region,
      [labelKeys.nodePool]: name,
      ...templateLabels,
    };
    if (!typeAdmits(labels, requirements, customKeys)) continue;
    const offerings = type.offerings
      .filter(
        (o) =>
          o.available &&
          !unavailable.has(offeringKey(type.name, o.zone, o.capacityType)) &&
          offeringAllowed(requirements.get(labelKeys.zone), o.zone) &&
          offeringAllowed(requirements.get(labelKeys.capacityType), o.capacityType),
      )
      .map((o) => ({ zone: o.zone, capacityType: o.capacityType, price: o.price }))
      .sort(
        (a, b) =>
          a.price - b.price || a.zone.localeCompare(b.zone) || a.capacityType.localeCompare(b.capacityType),
      );
    if (offerings.length === 0) continue;
    const overhead = daemonSetOverhead(daemonSets, labels, taints, customKeys, space);
    const free = space.vector(type.allocatable);
    addInto(free, overhead, -1);
    types.push({
      type,
      labels,
      offerings,
      minPrice: offerings[0]?.price ?? Infinity,
      free,
      overhead,
      capacity: space.vector(type.capacity),
    });
  }
  types.sort((a, b) => a.minPrice - b.minPrice || a.type.name.localeCompare(b.type.name));
  const zones = [...new Set(types.flatMap((t) => t.offerings.map((o) => o.zone)))].sort();
  const capacityTypes = [...new Set(types.flatMap((t) => t.offerings.map((o) => o.capacityType)))].sort();
  // Offering membership as bits, so "offered in one of these zones/capacity types" is one AND on
  // the hot path; a pool with more combinations than bits falls back to scanning offerings.
  const combos = zones.flatMap((z) => capacityTypes.map((c) => `${z}/${c}`));
  const bit = new Map(combos.map((k, i) => [k, i]));
  const offerIndex =
    combos.length <= 30
      ? {
          bit,
          zoneBits: new Map(
            zones.map((z) => [z, capacityTypes.reduce((b, c) => b | (1 << (bit.get(`${z}/${c}`) ?? 0)), 0)]),
          ),
          capacityBits: new Map(
            capacityTypes.map((c) => [c, zones.reduce((b, z) => b | (1 << (bit.get(`${z}/${c}`) ?? 0)), 0)]),
          ),
        }
      : undefined;
  const indexed = types.map((t, i) => {
    let offerBits = 0;
    if (offerIndex)
      for (const o of t.offerings) offerBits |= 1 << (bit.get(`${o.zone}/${o.capacityType}`) ?? 0);
    return { ...t, index: i, offerBits };
  });
  const byOffering = new Map<string, { t: PoolType; price: number }[]>();
  for (const t of indexed)
    for (const o of t.offerings) {
      const key = `${o.zone}/${o.capacityType}`;
      let list = byOffering.get(key);
      if (!list) byOffering.set(key, (list = []));
      list.push({ t, price: o.price });
    }
  for (const list of byOffering.values()) list.sort((a, b) => a.price - b.price || a.t.index - b.t.index);
  return {
    requirements,
    taints,
    types: indexed,
    zones,
    capacityTypes,
    customKeys,
    byOffering,
    notes,
    offerIndex,
  };
}

export function compilePools(
  nodePools: readonly NodePool[],
  catalog: Catalog,
  daemonSets: readonly V1DaemonSet[],
  unavailable: ReadonlySet<string>,
  usage: (pool: NodePool) => Readonly<Record<string, number>>,
  space: ResourceSpace,
): CompiledPool[] {
  registerPoolResources(nodePools, catalog, daemonSets, space);
  // Pools whose nodes recently failed to register are tried last: still used when nothing else
  // fits, but healthy pools of any weight come first.
  const sorted = [...nodePools].sort(
    (a, b) =>
      Number(registrationUnhealthy(a)) - Number(registrationUnhealthy(b)) ||
      (b.spec.weight ?? 0) - (a.spec.weight ?? 0) ||
      (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
  );
  // Everything but the pool's spec, the DaemonSets' templates, unavailable offerings and the
  // resource space's dimensions comes from the catalogue object itself (the memo's identity key).
  const shared = JSON.stringify([
    space.names,
    daemonSets.map((ds) => ds.spec?.template ?? null),
    [...unavailable].sort(),
  ]);
  return sorted.map((pool, index) => {
    const compiled = catalogMemo(
      catalog,
      JSON.stringify([shared, pool.metadata.name ?? "", pool.spec.template]),
      () => compilePoolTypes(pool, catalog, daemonSets, unavailable, space),
    );
    const limits = parseResourceList(pool.spec.limits);
    const used = usage(pool);
    const remaining = new Float64Array(space.names.length).fill(Infinity);
    space.names.forEach((r, i) => {
      const limit = limits[r];
      if (limit !== undefined) remaining[i] = limit - (used[r] ?? 0);
    });
    const nodesLimit = limits.nodes;
    return {
      ...compiled,
      index,
      name: pool.metadata.name ?? "",
      pool,
      weight: pool.spec.weight ?? 0,
      remaining,
      remainingNodes: nodesLimit === undefined ? Infinity : nodesLimit - (used.nodes ?? 0),
      unlimited: remaining.every((r) => !Number.isFinite(r)),
    };
  });
}

/** The pool's NodeRegistrationHealthy condition is False (set by the lifecycle controller). */
export function registrationUnhealthy(pool: NodePool): boolean {
  return (
    pool.status?.conditions?.some((c) => c.type === nodeRegistrationHealthy && c.status === "False") ?? false
  );
}
