// Watches the demo as it happens: pods pending → bound → running, VirtualNodes by phase, Nodes by
// readiness. Prints a line whenever the picture changes.
import type { Kubectl } from "../cluster/kubectl.js";
import { sleep } from "../cluster/net.js";

interface PodJson {
  spec: { nodeName?: string };
  status: { phase?: string };
}
interface VirtualNodeJson {
  status?: { phase?: string; price?: string };
}
interface NodeJson {
  status?: { conditions?: { type: string; status: string }[] };
}

export interface Snapshot {
  readonly pods: number;
  readonly pending: number;
  readonly bound: number;
  readonly running: number;
  readonly virtualNodes: Readonly<Record<string, number>>;
  readonly nodes: number;
  readonly readyNodes: number;
  readonly hourlyCost: number;
}

export async function snapshot(admin: Kubectl, namespace: string): Promise<Snapshot> {
  const [pods, vns, nodes] = await Promise.all([
    admin.in(namespace).list<PodJson>("pods"),
    admin.list<VirtualNodeJson>("virtualnodes").catch(() => []),
    admin.list<NodeJson>("nodes"),
  ]);
  const virtualNodes: Record<string, number> = {};
  let hourlyCost = 0;
  for (const vn of vns) {
    const phase = vn.status?.phase ?? "New";
    virtualNodes[phase] = (virtualNodes[phase] ?? 0) + 1;
    const price = Number(vn.status?.price ?? "");
    if (Number.isFinite(price) && !["Failed", "Terminating"].includes(phase)) hourlyCost += price;
  }
  const running = pods.filter((p) => p.status.phase === "Running").length;
  const bound = pods.filter((p) => p.spec.nodeName !== undefined).length;
  return {
    pods: pods.length,
    pending: pods.length - bound,
    bound,
    running,
    virtualNodes,
    nodes: nodes.length,
    readyNodes: nodes.filter((n) =>
      n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    ).length,
    hourlyCost,
  };
}

export function describeSnapshot(s: Snapshot): string {
  const phases = Object.entries(s.virtualNodes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([phase, n]) => `${n} ${phase}`)
    .join(", ");
  return (
    `pods ${s.pods}: ${s.pending} pending, ${s.bound} bound, ${s.running} running | ` +
    `virtual nodes: ${phases === "" ? "none" : phases} | nodes: ${s.readyNodes}/${s.nodes} ready`
  );
}

/** Polls until every pod runs (true) or the timeout passes (false), printing each change. */
export async function follow(
  admin: Kubectl,
  namespace: string,
  expectedPods: number,
  timeoutMs: number,
  out: (line: string) => void,
): Promise<{ done: boolean; last: Snapshot | undefined; seconds: number }> {
  const started = Date.now();
  let lastLine = "";
  let last: Snapshot | undefined;
  while (Date.now() - started < timeoutMs) {
    try {
      last = await snapshot(admin, namespace);
      const line = describeSnapshot(last);
      if (line !== lastLine) out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
      lastLine = line;
      if (last.pods >= expectedPods && last.running === expectedPods)
        return { done: true, last, seconds: (Date.now() - started) / 1000 };
    } catch (error) {
      out(`  (progress: ${error instanceof Error ? error.message : String(error)})`);
    }
    await sleep(1_000);
  }
  return { done: false, last, seconds: (Date.now() - started) / 1000 };
}
