// Improvement passes on the chosen packing (bounded by a deterministic work budget).
import type { Model } from "./model.js";
import type { RunResult } from "./planner.js";
import type { PodInfo } from "./pods.js";

export function improve(
  _model: Model,
  best: RunResult,
  _order: readonly PodInfo[],
  _budget: number,
): RunResult {
  return best;
}
