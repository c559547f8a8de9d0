// The state of one packing run (planner.ts runs several, improve.ts and repack.ts rework their
// results): what it packs with, what it has placed so far, and what it comes to.
import type { Compatibility } from "./compatibility.js";
import type { FixedNode, NewNode } from "./node-state.js";
import type { PodInfo } from "./pods.js";
import type { CompiledPool, PoolType } from "./pools.js";
import type { ResourceSpace, Vec } from "./resource-space.js";
import type { TopologyIndex } from "./topology.js";

export interface RunContext {
  readonly space: ResourceSpace;
  readonly pools: readonly CompiledPool[];
  readonly compat: Compatibility;
  readonly namePrefix: string;
  /** Size policy: the instance types a node of `pool` may start with (undefined: all). */
  readonly typePolicy: (pool: CompiledPool) => readonly PoolType[] | undefined;
}

export interface RunState {
  readonly fixed: FixedNode[];
  readonly newNodes: NewNode[];
  readonly topo: TopologyIndex;
  readonly reserved: Vec[];
  readonly opened: number[];
  readonly placements: Map<string, string>;
  readonly failures: Map<string, PodInfo>;
  work: number;
  nextName: number;
  /** Per (pod class, level): new nodes that rejected it for good (counts only grow within a run). */
  readonly dead: Map<number, Uint8Array>;
}

/** One packing run's outcome: its state, its cost once widened, and how many pods it could not place. */
export interface RunResult {
  readonly state: RunState;
  readonly cost: number;
  readonly failed: number;
}
