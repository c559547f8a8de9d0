// The taint on nodes being drained (the extender filters them out too) and helpers to add/remove it.
import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { disruptedTaintKey } from "../../api/labels.js";

export const disruptedTaint: V1Taint = { key: disruptedTaintKey, effect: "NoSchedule" };

export function hasDisruptedTaint(node: V1Node): boolean {
  return node.spec?.taints?.some((t) => t.key === disruptedTaintKey && t.effect === "NoSchedule") ?? false;
}

export function withDisruptedTaint(node: V1Node): V1Taint[] {
  return [...(node.spec?.taints ?? []).filter((t) => t.key !== disruptedTaintKey), disruptedTaint];
}

export function withoutDisruptedTaint(node: V1Node): V1Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.key !== disruptedTaintKey);
}
