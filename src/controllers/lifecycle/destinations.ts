// Where a disruption's simulation may send the pods it moves. consolidation.ts plans them onto the
// existing nodes first and launches only for what is left, so every open node in the snapshot counts
// as room; buildSnapshot closes only nodes already tainted rafter.dev/disrupted. A node that is going
// anyway must not count: the move would be taken (a node replaced on the strength of that room), the
// room would vanish before the drain (a replacement takes a validation pause, a launch and a drain),
// and the pod sent there would need a fresh launch. Going are:
// - nodes being deleted whose Node is not tainted yet (emptiness or expiry deleted them this round;
//   the termination controller taints them later);
// - nodes a disruption command chose (Consolidatable);
// - empty nodes emptiness will delete: every empty node without do-not-disrupt in a NodePool whose
//   consolidateAfter is not Never, whether its consolidateAfter has passed or not (a budget only delays
//   the deletion). The e2e 35 report was this case: a node replaced on the strength of a node emptied
//   moments before, which emptiness deleted 20 s later (consolidateAfter 20s there).
// The re-validation before a command runs and drift's pre-launch simulate on the same snapshot.
import type { Catalog } from "../../catalog/types.js";
import type { PlanningSnapshot } from "../../planner/types.js";
import { buildSnapshot } from "../snapshot.js";
import { buildCandidates, consolidateAfter, type Candidate } from "./candidates.js";
import { isMarked } from "./consolidation-marks.js";
import type { LifecycleDeps } from "./deps.js";
import { allManaged, isDeleting, type ManagedNode } from "./managed-nodes.js";
import { podsByNode } from "./pods.js";
import { hasDisruptedTaint } from "./taint.js";

/** Names of the Nodes that are going; `candidates` are buildCandidates' for `units`. */
export function goingNodes(units: readonly ManagedNode[], candidates: readonly Candidate[]): Set<string> {
  const out = new Set<string>();
  for (const unit of units) {
    const node = unit.node;
    const name = node?.metadata?.name;
    if (!node || !name) continue;
    const marked = unit.virtualNode !== undefined && isMarked(unit.virtualNode);
    if (isDeleting(unit) || hasDisruptedTaint(node) || marked) out.add(name);
  }
  for (const candidate of candidates)
    if (
      candidate.pods.length === 0 &&
      !candidate.blocker &&
      Number.isFinite(consolidateAfter(candidate.nodePool))
    )
      out.add(candidate.nodeName);
  return out;
}

/** The cluster as it is now for a disruption's simulation: no pending pods, going nodes closed. */
export function disruptionSnapshot(deps: LifecycleDeps, catalog: Catalog): PlanningSnapshot {
  const now = deps.clock.now();
  const units = allManaged(deps.reader);
  const candidates = buildCandidates(units, podsByNode(deps.reader.pods()), undefined, () => now, now);
  return buildSnapshot({
    reader: deps.reader,
    pendingPods: [],
    catalog,
    unavailableOfferings: deps.unavailableOfferings.keys(),
    markedForDeletion: goingNodes(units, candidates),
  });
}
