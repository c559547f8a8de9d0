// What the extender needs to know about one Node, distilled from a V1Node once per informer event so
// that the scheduling hot path never walks conditions or taints again.
import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { parseResourceList, type Resources } from "../domain/resources.js";

/** The taint rafter puts on a node it is draining (DESIGN.md, "Termination"). */
export const disruptedTaintKey = "rafter.dev/disrupted";

export interface NodeRecord {
  readonly name: string;
  readonly allocatable: Resources;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly V1Taint[];
  /** The kubelet reports Ready=True. */
  readonly ready: boolean;
  /** spec.unschedulable (cordoned). */
  readonly unschedulable: boolean;
  /** Carries rafter's disruption taint. */
  readonly disruptionTainted: boolean;
}

export function nodeRecordFromV1(node: V1Node): NodeRecord | undefined {
  const name = node.metadata?.name;
  if (!name) return undefined;
  const taints = node.spec?.taints ?? [];
  const ready = (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  return {
    name,
    // Allocatable is what the scheduler fits against; capacity is the fallback for nodes created by
    // hand (or by the provisioner) before a kubelet filled allocatable in.
    allocatable: parseResourceList(node.status?.allocatable ?? node.status?.capacity),
    labels: node.metadata?.labels ?? {},
    taints,
    ready,
    unschedulable: node.spec?.unschedulable === true,
    disruptionTainted: taints.some((t) => t.key === disruptedTaintKey),
  };
}
