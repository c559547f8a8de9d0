// New nodes indexed by spare cpu on the type they launch as today, so the improvement passes find
// destinations for a pod without scanning every node: candidates come in best-fit order (least
// spare cpu that still has room for the pod's cpu first), and a caller examines a bounded number.
// Buckets are quarter-octaves of spare millicores; within a bucket, insertion order (deterministic,
// since every update follows the plan's own sequence of moves).
import type { NewNode } from "./node-state.js";

function bucketOf(millicores: number): number {
  return millicores < 1 ? 0 : 1 + Math.floor(4 * Math.log2(millicores));
}

export class SlackIndex {
  private readonly buckets: Set<NewNode>[] = [];
  private readonly where = new Map<NewNode, number>();

  /** Records the node's spare cpu (re-files it when its bucket changed). */
  update(node: NewNode, spareCpu: number): void {
    const b = bucketOf(spareCpu);
    const old = this.where.get(node);
    if (old === b) return;
    if (old !== undefined) this.buckets[old]?.delete(node);
    for (let i = this.buckets.length; i <= b; i++) this.buckets.push(new Set());
    this.buckets[b]?.add(node);
    this.where.set(node, b);
  }

  remove(node: NewNode): void {
    const old = this.where.get(node);
    if (old !== undefined) this.buckets[old]?.delete(node);
    this.where.delete(node);
  }

  /** Nodes whose spare cpu may hold `cpu` millicores, tightest first. */
  *from(cpu: number): Generator<NewNode> {
    for (let b = bucketOf(cpu); b < this.buckets.length; b++) {
      const bucket = this.buckets[b];
      if (bucket) yield* [...bucket];
    }
  }
}
