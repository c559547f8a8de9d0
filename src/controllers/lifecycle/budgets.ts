// Disruption budgets as a pure function: (NodePool, its nodes, now) → how many more nodes each
// voluntary reason may disrupt right now. Every active budget that applies to a reason caps it; a
// percentage is of the pool's nodes, rounded up (as Kubernetes scales IntOrString percentages); nodes
// already being disrupted count against every reason.
import { CronExpressionParser } from "cron-parser";
import type { DisruptionBudget, DisruptionReason, NodePool } from "../../api/nodepool.js";
import { nodePoolDefaults } from "../../api/nodepool.js";
import { cronExpression } from "../../api/budget-schedule.js";
import { parseDuration } from "../../domain/duration.js";

export const disruptionReasons: readonly DisruptionReason[] = ["Empty", "Underutilized", "Drifted"];

export type AllowedDisruptions = Readonly<Record<DisruptionReason, number>>;

export interface PoolNodeCounts {
  /** Nodes of the pool, including those being disrupted. */
  readonly total: number;
  /** Nodes already draining or terminating (deleting, or tainted for disruption). */
  readonly disrupting: number;
}

export function allowedDisruptions(pool: NodePool, counts: PoolNodeCounts, now: number): AllowedDisruptions {
  const budgets = pool.spec.disruption?.budgets ?? nodePoolDefaults.budgets;
  const out: Record<DisruptionReason, number> = {
    Empty: Infinity,
    Underutilized: Infinity,
    Drifted: Infinity,
  };
  for (const budget of budgets) {
    if (!isActive(budget, now)) continue;
    const limit = budgetNodes(budget.nodes, counts.total);
    for (const reason of budget.reasons ?? disruptionReasons) out[reason] = Math.min(out[reason], limit);
  }
  for (const reason of disruptionReasons) {
    const value = out[reason];
    // No budget at all would mean "unlimited"; a pool always has the default 10% budget instead.
    out[reason] = Math.max(0, (Number.isFinite(value) ? value : counts.total) - counts.disrupting);
  }
  return out;
}

/** "3" → 3; "10%" of 25 nodes → 3 (rounded up). An invalid value allows nothing. */
export function budgetNodes(nodes: string, total: number): number {
  const text = nodes.trim();
  if (text.endsWith("%")) {
    const percent = Number(text.slice(0, -1));
    return Number.isFinite(percent) && percent >= 0 ? Math.ceil((percent / 100) * total) : 0;
  }
  const count = Number(text);
  return Number.isInteger(count) && count >= 0 ? count : 0;
}

/** A budget without schedule is always active; a scheduled one for `duration` after each tick (UTC). */
export function isActive(budget: DisruptionBudget, now: number): boolean {
  if (!budget.schedule) return true;
  const duration = budget.duration ? parseDuration(budget.duration) : undefined;
  if (duration === undefined) return false;
  try {
    // +1 ms so that a tick exactly at `now` counts as the previous one.
    const expression = CronExpressionParser.parse(cronExpression(budget.schedule), {
      currentDate: new Date(now + 1),
      tz: "UTC",
    });
    const previous = expression.prev().getTime();
    return now - previous < duration;
  } catch {
    // The CRD accepts only schedules cronExpression makes readable (budget-schedule.test.ts), except
    // days that never come ("0 0 31 2 *"), which cron-parser refuses: such a budget never ticks.
    return false;
  }
}
