// Which PodDisruptionBudget would stop a node's drain before it starts. Voluntary disruption taints
// the node and may launch a replacement before it evicts anything; if a pod's PDB allows no
// disruption now, the Eviction API refuses that pod and the drain hangs with the replacement paid
// for. So a candidate with such a pod is skipped, and the event names the budget. (The Eviction API
// also refuses a pod that two PDBs select; that blocks as well.) Karpenter makes the same check.
import type { V1Pod, V1PodDisruptionBudget } from "@kubernetes/client-node";
import { selectorMatches } from "../../domain/selectors.js";

/** PDBs by namespace, built once per round. */
export type PdbIndex = ReadonlyMap<string, readonly V1PodDisruptionBudget[]>;

export function indexPdbs(pdbs: readonly V1PodDisruptionBudget[]): PdbIndex {
  const out = new Map<string, V1PodDisruptionBudget[]>();
  for (const pdb of pdbs) {
    const namespace = pdb.metadata?.namespace ?? "";
    const list = out.get(namespace);
    if (list) list.push(pdb);
    else out.set(namespace, [pdb]);
  }
  return out;
}

/** Why evicting these pods cannot proceed now, naming the PDB, or undefined. */
export function pdbBlocker(pods: readonly V1Pod[], pdbs: PdbIndex): string | undefined {
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? "";
    const labels = pod.metadata?.labels ?? {};
    const matching = (pdbs.get(namespace) ?? []).filter((pdb) => selectorMatches(pdb.spec?.selector, labels));
    const podName = `${namespace}/${pod.metadata?.name ?? ""}`;
    if (matching.length > 1)
      return `pod ${podName} is selected by ${matching.length} PodDisruptionBudgets (${matching
        .map((pdb) => pdb.metadata?.name ?? "")
        .join(", ")}), which the Eviction API refuses`;
    const [pdb] = matching;
    if (pdb && (pdb.status?.disruptionsAllowed ?? 0) < 1)
      return `PodDisruptionBudget ${namespace}/${pdb.metadata?.name ?? ""} allows no disruption of pod ${podName} now`;
  }
  return undefined;
}
