// The JSON contract of `rafter plan -o json` (other tools rely on these keys exactly).
import type { Plan } from "./types.js";

export interface PlanDocument {
  placements: { pod: string; node: string }[];
  newNodes: {
    name: string;
    nodePool: string;
    instanceTypes: string[];
    zones: string[];
    capacityTypes: string[];
    pods: string[];
    hourlyPrice: number;
  }[];
  unschedulable: { pod: string; reason: string }[];
  hourlyCost: number;
  lowerBound: number | null;
  efficiency: number | null;
}

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

export function planDocument(plan: Plan): PlanDocument {
  return {
    placements: plan.placements.map((p) => ({ pod: p.pod, node: p.node })),
    newNodes: plan.newNodes.map((n) => ({
      name: n.name,
      nodePool: n.nodePool,
      instanceTypes: [...n.instanceTypes],
      zones: [...n.zones],
      capacityTypes: [...n.capacityTypes],
      pods: [...n.pods],
      hourlyPrice: n.hourlyPrice,
    })),
    unschedulable: plan.unschedulable.map((u) => ({ pod: u.pod, reason: u.reason })),
    hourlyCost: plan.hourlyCost,
    lowerBound: plan.lowerBound === undefined ? null : Math.round(plan.lowerBound * 1e6) / 1e6,
    efficiency:
      plan.efficiency === undefined || !Number.isFinite(plan.efficiency) ? null : round(plan.efficiency),
  };
}
