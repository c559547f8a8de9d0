// The planner's public surface.
export { plan, defaultPlanOptions } from "./planner.js";
export { loadLpSolver, lowerBoundProblem } from "./lower-bound.js";
export {
  snapshotFromObjects,
  catalogFromJson,
  flattenObjects,
  SnapshotInputError,
} from "./snapshot-input.js";
export { planDocument, type PlanDocument } from "./document.js";
export type * from "./types.js";
