// Pods seen recently by filter/prioritize, by UID: their requests and creation time. The bind verb
// only carries the pod's name, namespace and UID; when the pod had no reservation and the informer
// has not delivered it yet, this is where the requests to hold until the binding is visible (and the
// creation time for the pending-to-bound figure) come from. Bounded: the least recently remembered
// pod goes first (reading one does not keep it: bind reads a pod once, after filter remembered it).
import { LRUCache } from "lru-cache";
import type { Resources } from "../domain/resources.js";

export interface RecentPod {
  readonly requests: Resources;
  /** metadata.creationTimestamp as the request carried it. */
  readonly creationTimestamp: unknown;
}

export class RecentPods {
  private readonly entries: LRUCache<string, RecentPod>;

  constructor(capacity = 10_000) {
    this.entries = new LRUCache({ max: capacity });
  }

  remember(uid: string, pod: RecentPod): void {
    this.entries.set(uid, pod);
  }

  get(uid: string): RecentPod | undefined {
    return this.entries.peek(uid);
  }

  forget(uid: string): void {
    this.entries.delete(uid);
  }
}
