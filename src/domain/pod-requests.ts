// A pod's effective resource requests: what kube-scheduler's NodeResourcesFit filter checks against a
// node's free allocatable. The one definition the planner, the extender, the reservation ledger, the
// provisioner, the launcher and the cluster state all use, so they agree on whether a pod fits.
//
// Semantics of kube-scheduler v1.36, read (not copied) from upstream kubernetes/kubernetes:
// - staging/src/k8s.io/component-helpers/resource/helpers.go, PodRequests and
//   AggregateContainerRequests (called by pkg/scheduler/framework/plugins/noderesources/fit.go):
//   the sum of the regular containers and the restartable ("sidecar", restartPolicy: Always) init
//   containers, max'ed per resource with each regular init container plus the sidecars started
//   before it (KEP-753); then pod-level `spec.resources.requests` replace that for the resources
//   pod-level resources support (cpu, memory, hugepages-*; KEP-2837); then `spec.overhead` is added.
// - pkg/apis/core/v1/defaults.go, SetDefaults_Pod: the API server defaults a container's missing
//   request to its limit, per resource, and (defaultPodRequests) a pod-level limit without a
//   pod-level request to the containers' aggregate request if they name the resource and it can be
//   overcommitted, else to the limit. Pods from the API server arrive defaulted, manifests read by
//   `rafter plan -f` and DaemonSet templates do not, so the defaulting is applied here: it is
//   idempotent on a defaulted pod.
// In-place resize (status.*Resources) is left out: rafter plans and reserves for pods by their spec.
// A `pods: 1` entry is added because every pod takes one of the node's pod slots.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { InvalidQuantityError, parseResourceQuantity } from "./quantity.js";
import type { Resources } from "./resources.js";

type Quantities = Readonly<Record<string, unknown>>;
type Totals = Record<string, number>;

function quantity(name: string, raw: unknown): number {
  if (typeof raw === "string" || typeof raw === "number") return parseResourceQuantity(name, raw);
  throw new InvalidQuantityError(String(raw));
}

/** Adds a container's requests, each missing one defaulted from its limit, into `into`. */
function addContainer(into: Totals, container: V1Container): void {
  const requests: Quantities | undefined = container.resources?.requests;
  const limits: Quantities | undefined = container.resources?.limits;
  for (const name in requests) {
    const raw = requests[name];
    if (raw !== undefined) into[name] = (into[name] ?? 0) + quantity(name, raw);
  }
  for (const name in limits) {
    const raw = limits[name];
    if (raw !== undefined && requests?.[name] === undefined)
      into[name] = (into[name] ?? 0) + quantity(name, raw);
  }
}

function addAll(into: Totals, from: Readonly<Totals>): void {
  for (const name in from) into[name] = (into[name] ?? 0) + (from[name] ?? 0);
}

function maxInto(into: Totals, from: Readonly<Totals>): void {
  for (const name in from) {
    const value = from[name] ?? 0;
    if (!(name in into) || value > (into[name] ?? 0)) into[name] = value;
  }
}

function isHugePages(name: string): boolean {
  return name.startsWith("hugepages-");
}

function isPodLevelResource(name: string): boolean {
  return name === "cpu" || name === "memory" || isHugePages(name);
}

/** Aggregated container requests (KEP-753): containers + sidecars, max'ed with each init step. */
function aggregateContainers(pod: V1Pod): Totals {
  const spec = pod.spec;
  const total: Totals = {};
  for (const container of spec?.containers ?? []) addContainer(total, container);
  const initContainers = spec?.initContainers;
  if (!initContainers || initContainers.length === 0) return total;
  const sidecars: Totals = {};
  const initPeak: Totals = {};
  for (const init of initContainers) {
    const own: Totals = {};
    addContainer(own, init);
    if (init.restartPolicy === "Always") {
      // A sidecar keeps running next to the containers and every init container after it.
      addAll(total, own);
      addAll(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      // A regular init container runs alone, beside the sidecars started before it.
      addAll(own, sidecars);
      maxInto(initPeak, own);
    }
  }
  maxInto(total, initPeak);
  return total;
}

/** Pod-level requests replace the aggregate for cpu, memory and hugepages (KEP-2837). */
function applyPodLevel(total: Totals, pod: V1Pod): void {
  const resources = pod.spec?.resources;
  if (!resources) return;
  const requests: Quantities | undefined = resources.requests;
  const limits: Quantities | undefined = resources.limits;
  for (const name in requests) {
    const raw = requests[name];
    if (raw !== undefined && isPodLevelResource(name)) total[name] = quantity(name, raw);
  }
  // A pod-level limit without a pod-level request: the API server's default. Overcommittable
  // resources the containers name keep the containers' aggregate; hugepages (never overcommitted)
  // and resources no container names take the limit.
  for (const name in limits) {
    const raw = limits[name];
    if (raw === undefined || requests?.[name] !== undefined || !isPodLevelResource(name)) continue;
    if (isHugePages(name) || !(name in total)) total[name] = quantity(name, raw);
  }
}

/**
 * The requests kube-scheduler counts for a pod, in canonical units (see quantity.ts), plus `pods: 1`.
 * Throws InvalidQuantityError on a malformed quantity.
 */
export function podRequests(pod: V1Pod): Resources {
  const total = aggregateContainers(pod);
  applyPodLevel(total, pod);
  const overhead: Quantities | undefined = pod.spec?.overhead;
  for (const name in overhead) {
    const raw = overhead[name];
    if (raw !== undefined) total[name] = (total[name] ?? 0) + quantity(name, raw);
  }
  total.pods = 1;
  return total;
}
