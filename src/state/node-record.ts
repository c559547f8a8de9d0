// What the extender needs to know about one Node, distilled from a V1Node once per informer event so
// that the scheduling hot path never walks conditions or taints again.
import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { disruptedTaintKey } from "../api/labels.js";
import { parseResourceList, type Resources } from "../domain/resources.js";

export interface NodeRecord {
  readonly name: string;
  readonly allocatable: Resources;
  /** allocatable cpu (millicores), memory (bytes) and pods as plain fields for the hot loops; NaN when absent. */
  readonly allocatableCpu: number;
  readonly allocatableMemory: number;
  readonly allocatablePods: number;
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
  // Allocatable is what the scheduler fits against; capacity is the fallback for nodes created by
  // hand (or by the provisioner) before a kubelet filled allocatable in.
  const allocatable = parseResourceList(node.status?.allocatable ?? node.status?.capacity);
  return {
    name,
    allocatable,
    allocatableCpu: allocatable.cpu ?? NaN,
    allocatableMemory: allocatable.memory ?? NaN,
    allocatablePods: allocatable.pods ?? NaN,
    labels: node.metadata?.labels ?? {},
    taints,
    ready,
    unschedulable: node.spec?.unschedulable === true,
    disruptionTainted: taints.some((t) => t.key === disruptedTaintKey),
  };
}
