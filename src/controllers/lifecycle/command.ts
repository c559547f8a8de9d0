// Executes one disruption command: taint the nodes (nothing new lands there), launch the
// replacement through the provisioner's path and wait until it is Ready (Initialized), then delete
// the old nodes' VirtualNodes — termination drains them with PDBs respected. If the replacement
// fails or times out the taints are removed and nothing is deleted.
import type { DisruptionReason } from "../../api/nodepool.js";
import type { NewNode } from "../../planner/types.js";
import type { LifecycleDeps } from "./deps.js";
import { lookup } from "./managed-nodes.js";
import type { LifecycleMetrics } from "./metrics.js";
import { nodeTarget } from "./targets.js";
import { hasDisruptedTaint, withDisruptedTaint, withoutDisruptedTaint } from "./taint.js";
import type { Timers } from "../../clock.js";

export type CommandReason = DisruptionReason | "Expired" | "Interrupted";

export interface DisruptionCommand {
  readonly reason: CommandReason;
  /** Keys (VirtualNode names) of the nodes to remove. */
  readonly keys: readonly string[];
  readonly replacement?: NewNode;
  readonly message: string;
}

export type CommandOutcome =
  | { readonly kind: "done"; readonly deleted: readonly string[] }
  | { readonly kind: "aborted"; readonly reason: string };

const pollMs = 5_000;

export class CommandExecutor {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly metrics: LifecycleMetrics,
    private readonly sleeper: Sleeper,
  ) {}

  async execute(command: DisruptionCommand): Promise<CommandOutcome> {
    const log = this.deps.logger.child({ reason: command.reason, nodes: command.keys });
    for (const key of command.keys) await this.taint(key, true);
    if (command.replacement) {
      const launched = await this.deps.provision(command.replacement, command.reason);
      if (!launched.ok) return this.abort(command, `replacement not launched: ${launched.error}`);
      log.info({ replacement: launched.value }, "replacement launched; waiting until it is ready");
      const ready = await this.waitReady(launched.value);
      if (ready !== undefined) {
        // The replacement is not needed any more: terminate it.
        await this.deps.virtualNodes.delete(launched.value);
        return this.abort(command, ready);
      }
    }
    const deleted: string[] = [];
    for (const key of command.keys) {
      const unit = lookup(this.deps.reader, key);
      if (unit.node) this.deps.events.record(nodeTarget(unit.node), "Normal", "Disrupting", command.message);
      const result = await this.deps.virtualNodes.delete(key);
      if (result.ok || result.error.kind === "not-found") deleted.push(key);
      else log.warn({ key, error: result.error.message }, "could not delete VirtualNode");
    }
    this.metrics.disruptions.inc({
      reason: command.reason,
      action: command.replacement ? "replace" : "delete",
    });
    log.info({ message: command.message }, "disruption executed");
    return { kind: "done", deleted };
  }

  private async abort(command: DisruptionCommand, reason: string): Promise<CommandOutcome> {
    this.deps.logger.warn({ nodes: command.keys, reason }, "disruption aborted");
    for (const key of command.keys) await this.taint(key, false);
    this.metrics.disruptions.inc({ reason: command.reason, action: "aborted" });
    return { kind: "aborted", reason };
  }

  /** Undefined once Ready; a reason when it failed, vanished or timed out. */
  private async waitReady(name: string): Promise<string | undefined> {
    const timeout =
      this.deps.config.replacementTimeoutMs ??
      this.deps.config.launchTimeoutMs + this.deps.config.registrationTimeoutMs;
    const started = this.deps.clock.now();
    let seen = false;
    for (;;) {
      const virtualNode = this.deps.reader.virtualNodes().find((vn) => vn.metadata.name === name);
      if (virtualNode) seen = true;
      const phase = virtualNode?.status?.phase;
      if (phase === "Ready") return undefined;
      if (phase === "Failed") return `replacement ${name} failed: ${virtualNode?.status?.lastFailure ?? ""}`;
      if (seen && (!virtualNode || virtualNode.metadata.deletionTimestamp))
        return `replacement ${name} was deleted`;
      if (this.deps.clock.now() - started >= timeout) return `replacement ${name} not ready in time`;
      await this.sleeper.sleep(pollMs);
    }
  }

  private async taint(key: string, on: boolean): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { node } = lookup(this.deps.reader, key);
      // Removing is written even when the cache does not show our taint yet (a stale cache conflicts and retries).
      if (!node || (on && hasDisruptedTaint(node))) return;
      const result = await this.deps.nodes.setTaints(
        node,
        on ? withDisruptedTaint(node) : withoutDisruptedTaint(node),
      );
      if (result.ok || result.error.kind === "not-found") return;
      // Conflict: the cache is behind our last write or someone else's; look again shortly.
      await this.sleeper.sleep(200);
    }
    this.deps.logger.warn({ key, on }, "could not update the disruption taint");
  }
}

/**
 * Timed waits of a background command, counted: a command that only waits for time is at rest, so
 * the controller can say it is idle (tests drive the clock and wait for rest, not for a number of
 * event-loop turns).
 */
export class Sleeper {
  private waiting = 0;

  constructor(private readonly timers: Timers) {}

  /** Waits in progress. */
  get sleeping(): number {
    return this.waiting;
  }

  sleep(ms: number): Promise<void> {
    this.waiting++;
    return new Promise((resolve) =>
      this.timers.setTimeout(() => {
        this.waiting--;
        resolve();
      }, ms),
    );
  }
}
