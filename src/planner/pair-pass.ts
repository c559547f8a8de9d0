// Which node pairs the re-packing move tries. Trying every pair is quadratic and most pairs gain
// nothing, so a pass ranks nodes by waste (price minus the fractional cost of their pods on the
// cheapest type for them, any architecture or family) and pairs each wasteful node with the most
// wasteful nodes that share its pods' topology domains: waste is what a re-pack can recover.
import type { NewNode } from "./node-state.js";
import { sharedPins } from "./repack.js";

export interface PairHost {
  /** The plan's new nodes (live: re-packs replace nodes in it). */
  readonly nodes: readonly NewNode[];
  price(node: NewNode): number;
  waste(node: NewNode): number;
  exhausted(): boolean;
  /** Re-packs a with b (or splits a when b is undefined) under these shared pins; true if kept. */
  repack(a: NewNode, b: NewNode | undefined, pins: ReadonlyMap<string, string>): boolean;
}

/** Partners tried per wasteful node. */
const partners = 2;
/**
 * Plans with more new nodes skip the pass: at that scale its cost shows in throughput (Karpenter
 * shape 5 000: +20% time for -1% cost), while every-pair re-packing pays off on smaller plans.
 */
const maxPairNodes = 256;
/** Nodes wasting less than this share of their price are not worth a re-pack. */
const minWaste = 0.05;

/** Pins of a and b together, or undefined when their pods need different domains. */
function merge(
  a: ReadonlyMap<string, string>,
  b: ReadonlyMap<string, string>,
): Map<string, string> | undefined {
  const out = new Map(a);
  for (const [k, v] of b) {
    const seen = out.get(k);
    if (seen !== undefined && seen !== v) return undefined;
    out.set(k, v);
  }
  return out;
}

export function pairPass(host: PairHost): boolean {
  if (host.nodes.length > maxPairNodes) return false;
  const pins = new Map<NewNode, ReadonlyMap<string, string> | undefined>();
  const pinsOf = (n: NewNode): ReadonlyMap<string, string> | undefined => {
    if (!pins.has(n)) pins.set(n, sharedPins([n]));
    return pins.get(n);
  };
  const ranked = host.nodes
    .map((node) => ({ node, waste: host.waste(node) }))
    .filter((e) => e.waste > minWaste * host.price(e.node))
    .sort((a, b) => b.waste - a.waste)
    .map((e) => e.node);
  const live = new Set(host.nodes);
  let changed = false;
  for (const a of ranked) {
    if (host.exhausted()) break;
    const own = live.has(a) ? pinsOf(a) : undefined;
    if (!own) continue;
    const keep = (): void => {
      changed = true;
      for (const n of host.nodes) live.add(n);
    };
    if (a.pods.length > 1 && host.repack(a, undefined, own)) {
      live.delete(a);
      keep();
      continue;
    }
    let tried = 0;
    for (const b of ranked) {
      if (tried >= partners || host.exhausted()) break;
      if (b === a || !live.has(b)) continue;
      const theirs = pinsOf(b);
      const both = theirs && merge(own, theirs);
      if (!both) continue;
      tried++;
      if (host.repack(a, b, both)) {
        live.delete(a);
        live.delete(b);
        keep();
        break;
      }
    }
  }
  return changed;
}
