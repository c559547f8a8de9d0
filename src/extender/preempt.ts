// Preemption: kube-scheduler proposes victims on candidate nodes when a pod fits nowhere. If capacity
// rafter is already launching will host the preemptor, evicting running pods would be for nothing.
//
// "No victims" must be expressed by leaving the node out of NodeNameToMetaVictims: kube-scheduler
// (preemption.callExtenders) rejects an entry with an empty Pods list as an error unless the extender
// is ignorable, while an empty map simply means "no candidates, no preemption".
import type { ClusterState } from "../state/cluster-state.js";
import type { ReservationLedger } from "../state/reservation-ledger.js";
import type { VirtualNodeRecord } from "../state/virtual-node-record.js";
import type { PodFacts } from "./pod-facts.js";
import type { ExtenderPreemptionArgs, ExtenderPreemptionResult, MetaVictims } from "./wire.js";

export interface PreemptInputs {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
}

export interface PreemptDecision {
  readonly result: ExtenderPreemptionResult;
  /** The in-flight virtual node that will host the preemptor, when victims were dropped. */
  readonly hostedBy: VirtualNodeRecord | undefined;
}

/** The in-flight virtual node the pod is planned onto, through its reservation or the VirtualNode spec. */
function launchingHost(inputs: PreemptInputs, pod: PodFacts): VirtualNodeRecord | undefined {
  const reservation = inputs.ledger.get(pod.uid);
  if (reservation) {
    const slot = inputs.state.lookup(reservation.nodeName);
    if (slot?.launching && slot.virtualNode) return slot.virtualNode;
  }
  return inputs.state.inFlightVirtualNodeFor(pod.uid, pod.namespace, pod.name);
}

function passThrough(args: ExtenderPreemptionArgs): Record<string, MetaVictims> {
  const out: Record<string, MetaVictims> = {};
  if (args.NodeNameToMetaVictims) {
    for (const [node, victims] of Object.entries(args.NodeNameToMetaVictims)) {
      if (victims) out[node] = { Pods: victims.Pods ?? [], NumPDBViolations: victims.NumPDBViolations };
    }
    return out;
  }
  for (const [node, victims] of Object.entries(args.NodeNameToVictims ?? {})) {
    if (!victims) continue;
    out[node] = {
      Pods: (victims.Pods ?? []).map((p) => ({ UID: p.metadata?.uid ?? "" })),
      NumPDBViolations: victims.NumPDBViolations,
    };
  }
  return out;
}

export function decidePreemption(
  inputs: PreemptInputs,
  pod: PodFacts,
  args: ExtenderPreemptionArgs,
): PreemptDecision {
  const host = launchingHost(inputs, pod);
  if (host) return { result: { NodeNameToMetaVictims: {} }, hostedBy: host };
  return { result: { NodeNameToMetaVictims: passThrough(args) }, hostedBy: undefined };
}
