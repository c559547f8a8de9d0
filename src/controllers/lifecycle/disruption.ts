// The voluntary (and expiry) disruption loop, one round every few seconds:
// 1. expiry — nodes past the NodePool's expireAfter are deleted, budgets notwithstanding;
// 2. emptiness — nodes with no workload pods for consolidateAfter are deleted, within "Empty" budgets;
// 3. drift — one drifted node per round is replaced, within "Drifted" budgets;
// 4. consolidation — the planner-as-simulator decision (consolidation.ts), within "Underutilized"
//    budgets, re-validated after a short delay before it is executed.
// Commands that launch replacements run in the background, one at a time; while one runs, drift and
// consolidation wait (their simulations would otherwise count the same capacity twice).
import type { DisruptionReason } from "../../api/nodepool.js";
import { nodePoolDefaults } from "../../api/nodepool.js";
import type { Catalog } from "../../catalog/types.js";
import { parseDurationOrNever } from "../../domain/duration.js";
import type { EventType } from "../../kube/events.js";
import { allowedDisruptions, disruptionReasons, type AllowedDisruptions } from "./budgets.js";
import { buildCandidates, consolidateAfter, type Candidate } from "./candidates.js";
import { CommandExecutor, Sleeper, type DisruptionCommand } from "./command.js";
import {
  decideConsolidation,
  replacementSavingsFraction,
  simulateRemoval,
  type ConsolidationCandidate,
  type ConsolidationOptions,
} from "./consolidation.js";
import type { LifecycleDeps } from "./deps.js";
import { disruptionSnapshot } from "./destinations.js";
import { ConsolidationMarks } from "./consolidation-marks.js";
import { DriftDetector } from "./drift-detector.js";
import { PodEventClock } from "./pod-event-clock.js";
import { decideRepairs, defaultRepairAfterMs, poolHealth, takeBudget } from "./repair.js";
import { allManaged, isDeleting, type ManagedNode } from "./managed-nodes.js";
import type { LifecycleMetrics } from "./metrics.js";
import { podsByNode } from "./pods.js";
import { indexPdbs } from "./pdb-blockers.js";
import { hasDisruptedTaint } from "./taint.js";
import { nodeTarget } from "./targets.js";
import { errorMessage } from "../../domain/error-message.js";

export class Disruption {
  private readonly executor: CommandExecutor;
  private readonly sleeper: Sleeper;
  private running: Promise<unknown> | undefined;
  private readonly podEvents: PodEventClock;
  private readonly reported = new Map<string, string>();
  private readonly driftDetector: DriftDetector;
  private readonly marks: ConsolidationMarks;
  private runningKeys: ReadonlySet<string> = new Set();

  constructor(
    private readonly deps: LifecycleDeps,
    private readonly metrics: LifecycleMetrics,
  ) {
    this.sleeper = new Sleeper(deps.timers);
    this.executor = new CommandExecutor(deps, metrics, this.sleeper);
    this.driftDetector = new DriftDetector(deps);
    this.marks = new ConsolidationMarks(deps);
    this.podEvents = new PodEventClock(deps);
  }

  /** True while a command runs in the background and is not just waiting for time to pass. */
  get busy(): boolean {
    return this.running !== undefined && this.sleeper.sleeping === 0;
  }

  /** One round; returns when the next should run. */
  async round(): Promise<number> {
    const interval = this.deps.config.disruptionIntervalMs ?? 10_000;
    const now = this.deps.clock.now();
    const units = allManaged(this.deps.reader);
    const byNode = podsByNode(this.deps.reader.pods());
    const catalog = await this.deps.catalog().catch(() => undefined);
    const pdbs = indexPdbs(this.deps.reader.podDisruptionBudgets());
    const candidates = buildCandidates(
      units,
      byNode,
      catalog,
      (key, pods) => this.podEvents.changedAt(key, pods, now),
      now,
      pdbs,
    );
    this.podEvents.retain(new Set(units.map((u) => u.key)));
    await this.podEvents.save();
    const allowed = this.budgets(units, now);

    await this.marks.clearExcept(this.runningKeys);
    await this.expire(candidates, now);
    await this.repair(candidates, units, allowed, now);
    await this.emptiness(candidates, allowed, now);
    if (this.running) return interval;
    if (await this.drift(candidates, allowed)) return interval;
    if (catalog) this.consolidate(candidates, allowed, catalog, now);
    return interval;
  }

  private budgets(units: readonly ManagedNode[], now: number): Map<string, Record<DisruptionReason, number>> {
    const out = new Map<string, Record<DisruptionReason, number>>();
    for (const pool of this.deps.reader.nodePools()) {
      const name = pool.metadata.name ?? "";
      const mine = units.filter(
        (u) => u.nodePool?.metadata.name === name && (u.node ?? u.virtualNode?.status?.instanceID),
      );
      const disrupting = mine.filter(
        (u) => isDeleting(u) || (u.node !== undefined && hasDisruptedTaint(u.node)),
      ).length;
      const allowed: AllowedDisruptions = allowedDisruptions(pool, { total: mine.length, disrupting }, now);
      for (const reason of disruptionReasons)
        this.metrics.allowedDisruptions.set({ nodepool: name, reason }, allowed[reason]);
      out.set(name, { ...allowed });
    }
    return out;
  }

  private async expire(candidates: readonly Candidate[], now: number): Promise<void> {
    for (const candidate of candidates) {
      const expireAfter = parseDurationOrNever(
        candidate.nodePool.spec.template.spec.expireAfter,
        nodePoolDefaults.expireAfter,
      );
      if (candidate.launchedAt + expireAfter > now) continue;
      // Expiry is forceful: no budget, no do-not-disrupt; the drain still honours PDBs.
      await this.deleteNow(
        candidate,
        "Expired",
        `Expired: older than expireAfter ${candidate.nodePool.spec.template.spec.expireAfter ?? nodePoolDefaults.expireAfter}`,
      );
    }
  }

  private async repair(
    candidates: readonly Candidate[],
    units: readonly ManagedNode[],
    allowed: Map<string, Record<DisruptionReason, number>>,
    now: number,
  ): Promise<void> {
    const repairAfter = this.deps.config.nodeRepairAfterMs ?? defaultRepairAfterMs;
    const due = decideRepairs(candidates, poolHealth(units), now, repairAfter);
    for (const [pool, { unhealthy, total }] of due.held)
      this.deps.logger.warn({ nodepool: pool, unhealthy, total }, "too many unhealthy nodes to repair");
    for (const candidate of due.repair) {
      if (!takeBudget(allowed, candidate)) {
        this.report(candidate, "Warning", "RepairBlocked", "unhealthy, waiting for the disruption budget");
        continue;
      }
      const minutes = Math.round(repairAfter / 60_000);
      await this.deleteNow(candidate, "Unhealthy", `Unhealthy: Ready has not been True for ${minutes}m`);
    }
  }

  private async emptiness(
    candidates: readonly Candidate[],
    allowed: Map<string, Record<DisruptionReason, number>>,
    now: number,
  ): Promise<void> {
    for (const candidate of candidates) {
      if (candidate.pods.length > 0) continue;
      const after = consolidateAfter(candidate.nodePool);
      if (settledAt(candidate) + after > now) continue;
      if (candidate.blocker) {
        this.report(candidate, "Warning", "DisruptionBlocked", candidate.blocker);
        continue;
      }
      const budget = allowed.get(candidate.nodePool.metadata.name ?? "");
      if (!budget || budget.Empty < 1) {
        this.report(
          candidate,
          "Normal",
          "DisruptionBlocked",
          "empty, but the disruption budget allows no more nodes now",
        );
        continue;
      }
      budget.Empty--;
      budget.Underutilized--;
      budget.Drifted--;
      await this.deleteNow(candidate, "Empty", "Empty: no workload pods");
    }
  }

  private async drift(
    candidates: readonly Candidate[],
    allowed: Map<string, Record<DisruptionReason, number>>,
  ): Promise<boolean> {
    const drifted: { candidate: Candidate; reason: string }[] = [];
    for (const candidate of candidates) {
      const reason = await this.driftDetector.reasonFor(candidate);
      if (reason) drifted.push({ candidate, reason });
    }
    for (const { candidate, reason } of drifted) {
      const blocker = candidate.blocker ?? candidate.pdbBlocker;
      if (blocker) {
        this.report(candidate, "Warning", "DisruptionBlocked", `drifted (${reason}), but ${blocker}`);
        continue;
      }
      const budget = allowed.get(candidate.nodePool.metadata.name ?? "");
      if (!budget || budget.Drifted < 1) {
        this.report(
          candidate,
          "Normal",
          "DisruptionBlocked",
          `drifted (${reason}), waiting for the disruption budget`,
        );
        continue;
      }
      const simulation =
        candidate.pods.length === 0 ? undefined : await this.simulate([candidate], { requireSavings: false });
      if (simulation && !simulation.ok) {
        // Drift replaces even when pods would need several nodes: the provisioner places them then.
        this.deps.logger.info(
          { node: candidate.nodeName, reason: simulation.error },
          "drift replacement without pre-launch",
        );
      }
      const replacement = simulation?.ok ? simulation.value.replacement : undefined;
      this.start({
        reason: "Drifted",
        keys: [candidate.key],
        ...(replacement ? { replacement } : {}),
        message: `Drifted: ${reason}`,
      });
      return true;
    }
    return false;
  }

  private consolidate(
    candidates: readonly Candidate[],
    allowed: Map<string, Record<DisruptionReason, number>>,
    catalog: Catalog,
    now: number,
  ): void {
    const eligible: ConsolidationCandidate[] = [];
    for (const candidate of candidates) {
      const policy =
        candidate.nodePool.spec.disruption?.consolidationPolicy ?? nodePoolDefaults.consolidationPolicy;
      if (policy !== "WhenEmptyOrUnderutilized" || candidate.pods.length === 0) continue;
      if (settledAt(candidate) + consolidateAfter(candidate.nodePool) > now) continue;
      if (candidate.blocker) {
        this.report(candidate, "Normal", "Unconsolidatable", candidate.blocker);
        continue;
      }
      if (candidate.pdbBlocker) {
        this.report(candidate, "Normal", "DisruptionBlocked", candidate.pdbBlocker);
        continue;
      }
      eligible.push(toConsolidation(candidate));
    }
    if (eligible.length === 0) return;
    const allowance = new Map([...allowed].map(([pool, budget]) => [pool, budget.Underutilized]));
    const started = performance.now();
    const result = decideConsolidation({
      snapshot: disruptionSnapshot(this.deps, catalog),
      candidates: eligible,
      allowed: allowance,
      plan: this.deps.plan,
      options: { deadline: performance.now() + 10_000, now: () => performance.now() },
    });
    this.metrics.consolidationSeconds.observe((performance.now() - started) / 1000);
    for (const [nodeName, reason] of result.reasons) {
      const candidate = candidates.find((c) => c.nodeName === nodeName);
      if (candidate) this.report(candidate, "Normal", "Unconsolidatable", reason);
    }
    const command = result.command;
    if (command.kind === "none") return;
    const keys = command.nodes.flatMap((name) => candidates.find((c) => c.nodeName === name)?.key ?? []);
    const message =
      command.kind === "delete"
        ? `Underutilized: pods fit on other nodes (saves $${command.savings.toFixed(4)}/h)`
        : `Underutilized: replaced by a cheaper ${command.replacement?.instanceTypes[0] ?? "node"} (saves $${command.savings.toFixed(4)}/h)`;
    this.deps.logger.info(
      { nodes: command.nodes, kind: command.kind, savings: command.savings },
      "consolidation found",
    );
    const chosen = command.nodes.flatMap((name) => candidates.filter((c) => c.nodeName === name));
    this.start(
      {
        reason: "Underutilized",
        keys,
        ...(command.replacement ? { replacement: command.replacement } : {}),
        message,
      },
      async () => {
        // Re-validate after a pause: the cluster may have moved (pods arrived, nodes went).
        await this.sleeper.sleep(this.deps.config.validationDelayMs ?? 15_000);
        const fresh = chosen.map((c) => this.refresh(c));
        if (fresh.some((c) => c === undefined)) return "a node changed during validation";
        const again = await this.simulate(fresh as Candidate[]);
        if (!again.ok) return again.error;
        if (again.value.kind !== command.kind) return "the move changed during validation";
        return undefined;
      },
    );
  }

  /** The candidate as it is now, or undefined when it is gone, disrupted, or its pods changed. */
  private refresh(candidate: Candidate): Candidate | undefined {
    const units = allManaged(this.deps.reader).filter((u) => u.key === candidate.key);
    const byNode = podsByNode(this.deps.reader.pods());
    const pdbs = indexPdbs(this.deps.reader.podDisruptionBudgets());
    const [current] = buildCandidates(units, byNode, undefined, () => 0, this.deps.clock.now(), pdbs);
    if (!current || current.blocker || current.pdbBlocker) return undefined;
    const before = candidate.pods
      .map((p) => p.metadata?.uid)
      .sort()
      .join(",");
    const after = current.pods
      .map((p) => p.metadata?.uid)
      .sort()
      .join(",");
    return before === after ? { ...current, price: candidate.price } : undefined;
  }

  private async simulate(candidates: readonly Candidate[], options?: ConsolidationOptions) {
    const snapshot = disruptionSnapshot(this.deps, await this.deps.catalog());
    return simulateRemoval({ snapshot, plan: this.deps.plan }, candidates.map(toConsolidation), options);
  }

  private async deleteNow(candidate: Candidate, reason: string, message: string): Promise<void> {
    this.deps.logger.info({ node: candidate.nodeName, reason }, "disrupting node");
    this.deps.events.record(nodeTarget(candidate.node), "Normal", "Disrupting", message);
    const result = await this.deps.virtualNodes.delete(candidate.key);
    if (!result.ok && result.error.kind !== "not-found")
      this.deps.logger.warn(
        { key: candidate.key, error: result.error.message },
        "could not delete VirtualNode",
      );
    this.metrics.disruptions.inc({ reason, action: "delete" });
  }

  /** Runs a command in the background; `validate` (if any) may cancel it first with a reason. */
  private start(command: DisruptionCommand, validate?: () => Promise<string | undefined>): void {
    this.runningKeys = new Set(command.keys);
    const run = async () => {
      await this.marks.mark(command.keys, command.message);
      const invalid = validate ? await validate() : undefined;
      if (invalid !== undefined) {
        this.deps.logger.info({ nodes: command.keys, reason: invalid }, "disruption cancelled at validation");
        this.metrics.disruptions.inc({ reason: command.reason, action: "invalidated" });
        return;
      }
      await this.executor.execute(command);
    };
    this.running = run()
      .catch((error: unknown) => {
        this.deps.logger.error({ err: errorMessage(error) }, "disruption command failed");
      })
      .finally(() => {
        this.running = undefined;
        this.runningKeys = new Set();
      });
  }

  /** Events explaining why a node is not disrupted, only when the explanation changes. */
  private report(candidate: Candidate, type: EventType, reason: string, message: string): void {
    if (this.reported.get(candidate.key) === message) return;
    this.reported.set(candidate.key, message);
    this.deps.events.record(nodeTarget(candidate.node), type, reason, message);
  }

  /** Waits for the background command, if any (tests, shutdown). */
  async drained(): Promise<void> {
    await this.running;
  }
}

/**
 * consolidateAfter counts from the later of the last pod change and the node's launch: a node just
 * launched (a replacement among them) is not a candidate again until it has had that long.
 */
function settledAt(candidate: Candidate): number {
  return Math.max(candidate.podsChangedAt, candidate.launchedAt);
}

function toConsolidation(candidate: Candidate): ConsolidationCandidate {
  return {
    nodeName: candidate.nodeName,
    nodePool: candidate.nodePool.metadata.name ?? "",
    price: candidate.price,
    capacityType: candidate.capacityType,
    pods: candidate.pods,
    minSavings: replacementSavingsFraction(candidate.nodePool),
  };
}
