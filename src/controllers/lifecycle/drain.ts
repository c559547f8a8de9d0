// One drain step for a node being terminated: evicts the pods of the earliest wave still present
// (PDBs enforced by the Eviction API), leaves do-not-disrupt pods until the NodePool's
// terminationGracePeriod has run out, then deletes whatever remains. A pod whose own
// terminationGracePeriodSeconds is longer than what is left of the node's grace period is deleted
// early enough (with the time that is left) that its shutdown ends by the node's deadline, instead
// of being cut off when the instance goes (Karpenter behaves the same). Returns whether the node is
// drained, or when to look again.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "../../logging.js";
import type { PodEvictor } from "../../kube/eviction.js";
import { tolerates } from "../../domain/taints.js";
import type { LifecycleMetrics } from "./metrics.js";
import { drainWave, hasDoNotDisrupt, isDrainable } from "./pods.js";
import { disruptedTaint } from "./taint.js";
import { millis } from "../../domain/timestamps.js";
import { podKey } from "../../domain/pod-key.js";
import { backoffDelay, exponential } from "../../domain/backoff.js";

/** A node whose evictions PDBs block is tried again after 1 s, 2 s, 4 s, … up to 30 s. */
const blockedEvictionBackoff = exponential(1_000, 30_000);

export type DrainOutcome =
  | { readonly kind: "drained" }
  | {
      readonly kind: "waiting";
      readonly requeueMs: number;
      readonly blocked: number;
      readonly waiting: number;
    };

export interface DrainInput {
  readonly node: V1Node;
  readonly pods: readonly V1Pod[];
  readonly now: number;
  /** When the grace period runs out (Infinity when the NodePool sets none). */
  readonly deadline: number;
  /** The kubelet never registered: nothing runs there, so pods are deleted at once. */
  readonly unregistered: boolean;
  /** Attempts so far that were blocked, for the backoff. */
  readonly blockedAttempts: number;
}

export interface DrainDeps {
  readonly evictor: PodEvictor;
  readonly metrics: LifecycleMetrics;
  readonly logger: Logger;
}

const pollMs = 5_000;

export async function drainStep(deps: DrainDeps, input: DrainInput): Promise<DrainOutcome> {
  const remaining = input.pods.filter((pod) => isDrainable(pod) && !toleratesDisruption(pod));
  const live = remaining.filter((pod) => !isStuckTerminating(pod, input.now));
  if (live.length === 0) return { kind: "drained" };

  const force = input.unregistered || input.now >= input.deadline;
  const notDeleting = live.filter((pod) => !pod.metadata?.deletionTimestamp);
  if (force) {
    await Promise.all(
      notDeleting.map(async (pod) => {
        const result = await deps.evictor.delete(pod, input.unregistered ? 0 : undefined);
        deps.metrics.evictions.inc({ result: `forced-${result.kind}` });
      }),
    );
    return { kind: "waiting", requeueMs: 1_000, blocked: 0, waiting: live.length };
  }

  // Pods whose own grace period no longer fits before the deadline: delete them now, with what is left.
  const secondsLeft = Math.max(0, Math.floor((input.deadline - input.now) / 1000));
  const late = notDeleting.filter((pod) => graceSeconds(pod) >= secondsLeft);
  if (late.length > 0)
    await Promise.all(
      late.map(async (pod) => {
        const result = await deps.evictor.delete(pod, secondsLeft);
        deps.metrics.evictions.inc({ result: `grace-${result.kind}` });
      }),
    );

  // do-not-disrupt pods wait for the deadline; they do not hold back the other waves.
  const evictable = notDeleting.filter((pod) => !hasDoNotDisrupt(pod, input.now) && !late.includes(pod));
  const ordered = live.filter((pod) => !hasDoNotDisrupt(pod, input.now));
  const wave = Math.min(...ordered.map(drainWave));
  let blocked = 0;
  await Promise.all(
    evictable
      .filter((pod) => drainWave(pod) === wave)
      .map(async (pod) => {
        const result = await deps.evictor.evict(pod);
        deps.metrics.evictions.inc({ result: result.kind });
        if (result.kind === "blocked" || result.kind === "error") {
          blocked++;
          deps.logger.debug(
            {
              pod: podKey(pod),
              result: result.kind,
              message: result.message,
            },
            "eviction not allowed yet",
          );
        }
      }),
  );
  const backoff = blocked > 0 ? backoffDelay(blockedEvictionBackoff, input.blockedAttempts + 1) : pollMs;
  // Wake up when the next pod's grace period stops fitting, or at the deadline.
  const untilDeadline = Math.min(
    Number.isFinite(input.deadline) ? Math.max(0, input.deadline - input.now) : Infinity,
    ...notDeleting
      .filter((pod) => !late.includes(pod))
      .map((pod) => Math.max(0, input.deadline - graceSeconds(pod) * 1000 - input.now)),
  );
  return {
    kind: "waiting",
    requeueMs: Math.max(0, Math.min(backoff, untilDeadline)),
    blocked,
    waiting: live.length,
  };
}

/** The pod's own grace period (the API server defaults it to 30 s). */
function graceSeconds(pod: V1Pod): number {
  return pod.spec?.terminationGracePeriodSeconds ?? 30;
}

/** Pods that tolerate the disruption taint would come straight back; they stay until the instance goes. */
function toleratesDisruption(pod: V1Pod): boolean {
  return (pod.spec?.tolerations ?? []).some((t) => tolerates(t, disruptedTaint) && (t.key ?? "") !== "");
}

/**
 * A pod whose deletion is overdue by a minute past its grace period will not be confirmed by a
 * kubelet (the node is gone or dead); waiting for it would hold the node forever. The pod garbage
 * collector removes it once the Node object is deleted.
 */
function isStuckTerminating(pod: V1Pod, now: number): boolean {
  const deletion = millis(pod.metadata?.deletionTimestamp);
  if (deletion === undefined) return false;
  return now > deletion + 60_000;
}
