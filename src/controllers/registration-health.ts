// NodeRegistrationHealthy: whether a NodePool's capacity actually joins the cluster. The lifecycle
// controller reports each launch outcome here the moment it knows it; the status reconciler publishes
// the condition on the NodePool, and the planner (through `withRegistrationHealth`) sees it at once,
// before the status write comes back through the informer — so pods released by a failed launch are
// planned again away from the failing pool in the very next round.
import type { Condition } from "../api/common.js";
import { nodeRegistrationHealthy, type NodePool } from "../api/nodepool.js";
import type { Clock } from "../clock.js";
import type { ClusterReader } from "./cluster-reader.js";

/** How long a pool stays deprioritized after a failure when nothing else changes it. */
const defaultRegistrationRetryMs = 30 * 60_000;

interface Outcome {
  readonly ok: boolean;
  readonly at: number;
  readonly reason: string;
  readonly message: string;
  /** The pool's generation when the outcome was seen: a later spec change makes it stale. */
  readonly generation: number | undefined;
  /** Failures in a row, for the message. */
  readonly consecutiveFailures: number;
}

export interface RegistrationOutcomes {
  failed(nodePool: string, reason: string, message: string): void;
  registered(nodePool: string): void;
}

export class RegistrationHealth implements RegistrationOutcomes {
  private readonly latest = new Map<string, Outcome>();

  constructor(
    private readonly deps: {
      readonly clock: Clock;
      /** The pool objects as the informer has them (for generations). */
      readonly nodePools: () => readonly NodePool[];
      /** Called after each outcome, e.g. to publish the condition. */
      readonly onChange?: () => void;
      readonly retryAfterMs?: number;
    },
  ) {}

  failed(nodePool: string, reason: string, message: string): void {
    const before = this.latest.get(nodePool);
    this.record(nodePool, {
      ok: false,
      reason,
      message,
      consecutiveFailures: before && !before.ok ? before.consecutiveFailures + 1 : 1,
    });
  }

  registered(nodePool: string): void {
    const before = this.latest.get(nodePool);
    if (before?.ok) return; // already healthy as far as this process knows: nothing to publish
    this.record(nodePool, { ok: true, reason: "NodeRegistered", message: "", consecutiveFailures: 0 });
  }

  /** The condition the pool should carry now. */
  condition(pool: NodePool): Condition {
    return registrationCondition(
      pool,
      this.latest.get(pool.metadata.name ?? ""),
      this.deps.clock.now(),
      this.deps.retryAfterMs ?? defaultRegistrationRetryMs,
    );
  }

  /** The pool with its condition brought up to date (the same object when nothing changes). */
  apply(pool: NodePool): NodePool {
    const next = this.condition(pool);
    const conditions = pool.status?.conditions ?? [];
    const previous = conditions.find((c) => c.type === nodeRegistrationHealthy);
    if (previous?.status === next.status && previous.reason === next.reason) return pool;
    return {
      ...pool,
      status: {
        ...pool.status,
        conditions: [...conditions.filter((c) => c.type !== nodeRegistrationHealthy), next],
      },
    };
  }

  private record(nodePool: string, outcome: Omit<Outcome, "at" | "generation">): void {
    const pool = this.deps.nodePools().find((p) => p.metadata.name === nodePool);
    this.latest.set(nodePool, {
      ...outcome,
      at: this.deps.clock.now(),
      generation: pool?.metadata.generation,
    });
    this.deps.onChange?.();
  }
}

/**
 * The rules, pure: an outcome this process saw since the published transition wins (a failure →
 * False, a registration → True); False becomes Unknown (try the pool again) once the NodePool's spec
 * changed or `retryAfterMs` passed since the last failure; a pool never launched from is Unknown.
 */
function registrationCondition(
  pool: NodePool,
  outcome: Outcome | undefined,
  now: number,
  retryAfterMs: number,
): Condition {
  const generation = pool.metadata.generation;
  const previous = pool.status?.conditions?.find((c) => c.type === nodeRegistrationHealthy);
  const publishedAt = previous?.lastTransitionTime ? Date.parse(previous.lastTransitionTime) : -Infinity;
  const fresh = outcome && outcome.generation === generation && outcome.at >= publishedAt;
  const retry: Condition = {
    type: nodeRegistrationHealthy,
    status: "Unknown",
    reason: "RetryAfterFailure",
    message: `no failure in the last ${Math.round(retryAfterMs / 60_000)} min; trying the pool again`,
  };
  let next: Condition;
  if (fresh && outcome.ok) {
    next = { type: nodeRegistrationHealthy, status: "True", reason: outcome.reason, message: "" };
  } else if (fresh && now - outcome.at >= retryAfterMs) {
    next = retry;
  } else if (fresh) {
    const times = outcome.consecutiveFailures > 1 ? ` (${outcome.consecutiveFailures} in a row)` : "";
    next = {
      type: nodeRegistrationHealthy,
      status: "False",
      reason: outcome.reason,
      message: `a node failed to join${times}: ${outcome.message}`,
    };
  } else if (previous?.status === "False" && previous.observedGeneration !== generation) {
    next = {
      type: nodeRegistrationHealthy,
      status: "Unknown",
      reason: "NodePoolChanged",
      message: "the NodePool changed since the last failure; trying it again",
    };
  } else if (previous?.status === "False" && now - publishedAt >= retryAfterMs) {
    next = retry; // failures seen before a restart
  } else if (previous) {
    return previous;
  } else {
    next = { type: nodeRegistrationHealthy, status: "Unknown", reason: "NoLaunches", message: "" };
  }
  const transitioned = previous?.status !== next.status;
  return {
    ...next,
    lastTransitionTime:
      transitioned || !previous.lastTransitionTime
        ? new Date(fresh && next !== retry ? outcome.at : now).toISOString()
        : previous.lastTransitionTime,
    ...(generation !== undefined ? { observedGeneration: fresh ? outcome.generation : generation } : {}),
  };
}

/** A reader whose NodePools carry the registration health this process knows of, for planning. */
export function withRegistrationHealth(reader: ClusterReader, health: RegistrationHealth): ClusterReader {
  return { ...reader, nodePools: () => reader.nodePools().map((pool) => health.apply(pool)) };
}
