// Pods seen recently by filter/prioritize, by UID: their requests and creation time. The bind verb
// only carries the pod's name, namespace and UID; when the pod had no reservation and the informer
// has not delivered it yet, this is where the requests to hold until the binding is visible (and the
// creation time for the pending-to-bound figure) come from. Bounded, oldest first out.
import type { Resources } from "../domain/resources.js";

export interface RecentPod {
  readonly requests: Resources;
  /** metadata.creationTimestamp as the request carried it. */
  readonly creationTimestamp: unknown;
}

export class RecentPods {
  private readonly entries = new Map<string, RecentPod>();

  constructor(private readonly capacity = 10_000) {}

  remember(uid: string, pod: RecentPod): void {
    if (this.entries.has(uid)) this.entries.delete(uid);
    else if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(uid, pod);
  }

  get(uid: string): RecentPod | undefined {
    return this.entries.get(uid);
  }

  forget(uid: string): void {
    this.entries.delete(uid);
  }
}
