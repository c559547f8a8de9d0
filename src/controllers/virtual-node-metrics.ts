// rafter_virtualnodes{phase}: how much capacity is planned, launching, running or leaving, recomputed
// from the informer cache whenever a VirtualNode changes (cheap: one pass over the list).
import { virtualNodePhases } from "../api/virtualnode.js";
import type { ProvisioningMetrics } from "../metrics/provisioning.js";
import type { ClusterReader } from "./cluster-reader.js";

export function recordVirtualNodePhases(reader: ClusterReader, metrics: ProvisioningMetrics): void {
  const counts = new Map<string, number>(virtualNodePhases.map((phase) => [phase, 0]));
  for (const vn of reader.virtualNodes()) {
    const phase = vn.status?.phase ?? "Planned";
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  for (const [phase, count] of counts) metrics.virtualNodes.set({ phase }, count);
}
