// After a restart (or a leader change), VirtualNodes that were planned or launching are resumed before
// anything new is planned, and their pods' reservations are restored from their specs, so the
// extender keeps honouring them and no pod is planned twice.
import type { ReservationLedger } from "../state/reservation-ledger.js";
import { podRequests } from "../domain/pod-requests.js";
import type { ClusterReader } from "./cluster-reader.js";
import type { Launcher } from "./launcher.js";
import { namespacedName, podKey } from "../domain/pod-key.js";

const resumablePhases = new Set(["Planned", "Launching", "Launched", "Registered", "Ready"]);

export function resumeInFlight(
  reader: ClusterReader,
  launcher: Pick<Launcher, "launch">,
  ledger: ReservationLedger,
): void {
  const pods = new Map(reader.pods().map((pod) => [podKey(pod), pod]));
  for (const virtualNode of reader.virtualNodes()) {
    const phase = virtualNode.status?.phase ?? "Planned";
    if (virtualNode.metadata.deletionTimestamp || !resumablePhases.has(phase)) continue;
    const target = virtualNode.status?.nodeName ?? virtualNode.metadata.name ?? "";
    let waiting = 0;
    for (const ref of virtualNode.spec.pods) {
      const pod = pods.get(namespacedName(ref.namespace, ref.name));
      if (!pod || pod.spec?.nodeName || (ref.uid && pod.metadata?.uid !== ref.uid)) continue;
      waiting++;
      ledger.reserve({
        podUID: pod.metadata?.uid ?? "",
        nodeName: target,
        requests: podRequests(pod),
        namespace: ref.namespace,
        name: ref.name,
      });
    }
    // Launched nodes with nothing left to bind need no launcher work.
    if (phase === "Planned" || phase === "Launching" || waiting > 0) launcher.launch(virtualNode);
  }
}
