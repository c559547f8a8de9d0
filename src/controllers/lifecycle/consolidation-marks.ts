// Nodes a disruption command has chosen carry Consolidatable=True on their VirtualNode from the
// decision until the command taints them (after its validation pause, up to 15 s) or is dropped. The
// extender's prioritize reads that condition (state/virtual-node-record.ts) and scores such nodes low,
// so kube-scheduler does not put a new pod on a node that is about to be emptied — which would both
// waste the move and cancel it at validation. The condition lives in the API, not in memory, so the
// extender sees it wherever it runs; a leader that finds marks no command of its own explains clears
// them (a predecessor's command died with it).
import type { VirtualNode } from "../../api/virtualnode.js";
import { setCondition } from "../virtual-node-status.js";
import type { LifecycleDeps } from "./deps.js";

const conditionType = "Consolidatable";

export function isMarked(virtualNode: VirtualNode): boolean {
  return (
    virtualNode.status?.conditions?.some((c) => c.type === conditionType && c.status === "True") ?? false
  );
}

export class ConsolidationMarks {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Marks the command's nodes (VirtualNode names) as about to be emptied. */
  async mark(keys: readonly string[], message: string): Promise<void> {
    for (const key of keys) await this.set(key, true, message);
  }

  /** Clears every mark but those of `keep` (the running command's nodes). */
  async clearExcept(keep: ReadonlySet<string>): Promise<void> {
    for (const virtualNode of this.deps.reader.virtualNodes()) {
      const key = virtualNode.metadata.name ?? "";
      if (!keep.has(key) && isMarked(virtualNode) && !virtualNode.metadata.deletionTimestamp)
        await this.set(key, false, "no disruption command holds this node");
    }
  }

  private async set(key: string, value: boolean, message: string): Promise<void> {
    const virtualNode = this.deps.reader.virtualNodes().find((vn) => vn.metadata.name === key);
    if (!virtualNode || isMarked(virtualNode) === value) return;
    const next = setCondition(
      virtualNode.status ?? {},
      value
        ? { type: conditionType, status: "True", reason: "DisruptionPlanned", message }
        : { type: conditionType, status: "False", reason: "NotPlanned", message },
      this.deps.clock.now(),
    );
    const result = await this.deps.virtualNodes.patchStatus(key, next);
    if (!result.ok && result.error.kind !== "not-found")
      this.deps.logger.warn(
        { key, error: result.error.message },
        "could not update the Consolidatable condition",
      );
  }
}
