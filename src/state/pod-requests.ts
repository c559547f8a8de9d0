// The resources a pod asks the scheduler for, as kube-scheduler's NodeResourcesFit computes them.
// Kept here (not in src/domain) because the extender and the cluster state need it on their hot path
// before the planner's domain helpers land; it can be swapped for those later.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { parseResourceQuantity } from "../domain/quantity.js";
import type { Resources } from "../domain/resources.js";

type MutableResources = Record<string, number>;

function addInto(target: MutableResources, list: Readonly<Record<string, string>> | undefined): void {
  if (!list) return;
  for (const name in list) {
    const raw = list[name];
    if (raw === undefined) continue;
    target[name] = (target[name] ?? 0) + parseResourceQuantity(name, raw);
  }
}

function maxInto(target: MutableResources, candidate: Readonly<MutableResources>): void {
  for (const name in candidate) {
    const value = candidate[name] ?? 0;
    if (value > (target[name] ?? 0)) target[name] = value;
  }
}

function requestsOf(container: V1Container): MutableResources {
  const out: MutableResources = {};
  addInto(out, container.resources?.requests);
  return out;
}

/**
 * Effective requests: max(sum of containers + restartable init containers ("sidecars"), the peak of
 * each regular init container running next to the sidecars started before it), then pod-level
 * requests where set, plus the RuntimeClass overhead. A `pods: 1` entry is included because every
 * pod takes one of the node's pod slots, which reservations must account for too.
 * Throws InvalidQuantityError on a malformed quantity.
 */
export function effectivePodRequests(pod: V1Pod): Resources {
  const spec = pod.spec;
  const total: MutableResources = {};
  if (spec) {
    for (const container of spec.containers) addInto(total, container.resources?.requests);
    const sidecars: MutableResources = {};
    const initPeak: MutableResources = {};
    for (const init of spec.initContainers ?? []) {
      const own = requestsOf(init);
      if (init.restartPolicy === "Always") {
        for (const name in own) sidecars[name] = (sidecars[name] ?? 0) + (own[name] ?? 0);
        maxInto(initPeak, sidecars);
      } else {
        const running: MutableResources = { ...sidecars };
        for (const name in own) running[name] = (running[name] ?? 0) + (own[name] ?? 0);
        maxInto(initPeak, running);
      }
    }
    for (const name in sidecars) total[name] = (total[name] ?? 0) + (sidecars[name] ?? 0);
    maxInto(total, initPeak);
    const podLevel = spec.resources?.requests;
    if (podLevel) {
      for (const name in podLevel) {
        const raw = podLevel[name];
        if (raw !== undefined) total[name] = parseResourceQuantity(name, raw);
      }
    }
    addInto(total, spec.overhead);
  }
  total.pods = 1;
  return total;
}
