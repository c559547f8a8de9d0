// When each node's set of workload pods last changed: the clock consolidateAfter runs on. It is
// persisted in the VirtualNode's status (lastPodEventTime, as Karpenter keeps it on its NodeClaims),
// so a restart or a new leader does not start every node's consolidateAfter over again; in memory
// each node's pod set is remembered to notice changes between rounds. On first sight (after a
// restart) the persisted time stands, moved forward to the newest pod on the node if one was created
// while nobody watched.
import type { V1Pod } from "@kubernetes/client-node";
import type { LifecycleDeps } from "./deps.js";
import { millis } from "../../domain/timestamps.js";

export class PodEventClock {
  private readonly seen = new Map<string, { signature: string; since: number }>();
  private readonly unsaved = new Map<string, number>();

  constructor(private readonly deps: Pick<LifecycleDeps, "reader" | "virtualNodes" | "logger">) {}

  /** When the pods of the node `key` last changed; `now` when they changed since the last round. */
  changedAt(key: string, pods: readonly V1Pod[], now: number): number {
    const signature = pods
      .map((p) => p.metadata?.uid ?? "")
      .sort()
      .join(",");
    const known = this.seen.get(key);
    if (known?.signature === signature) return known.since;
    const since = known ? now : this.recovered(key, pods, now);
    this.seen.set(key, { signature, since });
    const persisted = this.persisted(key);
    if (persisted === undefined || persisted < since) this.unsaved.set(key, since);
    return since;
  }

  /** Writes the times that changed this round. */
  async save(): Promise<void> {
    const writes = [...this.unsaved];
    this.unsaved.clear();
    for (const [key, since] of writes) {
      const result = await this.deps.virtualNodes.patchStatus(key, {
        lastPodEventTime: new Date(since).toISOString(),
      });
      if (!result.ok && result.error.kind !== "not-found")
        this.deps.logger.warn({ key, error: result.error.message }, "could not record the last pod event");
    }
  }

  /** Forgets nodes that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.seen.keys()) if (!keys.has(key)) this.seen.delete(key);
  }

  private recovered(key: string, pods: readonly V1Pod[], now: number): number {
    const persisted = this.persisted(key);
    if (persisted === undefined) return now;
    const newest = Math.max(...pods.map((p) => millis(p.metadata?.creationTimestamp) ?? 0));
    return Math.min(now, Math.max(persisted, newest));
  }

  private persisted(key: string): number | undefined {
    const virtualNode = this.deps.reader.virtualNodes().find((vn) => vn.metadata.name === key);
    return millis(virtualNode?.status?.lastPodEventTime);
  }
}
