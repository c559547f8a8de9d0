// What the cluster looked like when a scenario failed, in a few lines: CI keeps only the end of the
// output (not the run directory), so a failure that cannot be reproduced locally must carry enough
// to explain itself. Read before the scenario's cleanups run, so the failing state is still there.
import type { Cluster } from "../cluster/cluster.js";
import { rafterComplaints } from "../cluster/rafter-complaints.js";
import type { VirtualNodeJson } from "./provisioning.js";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface PodState {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: Condition[] };
}

interface EventState {
  involvedObject: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

interface NodeState {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
  status?: { conditions?: Condition[] };
}

const MAX_LINES_PER_KIND = 8;
const MAX_LINE = 360;

function clip(line: string, max = MAX_LINE): string {
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** At most `MAX_LINES_PER_KIND` lines, with a count of what was left out. */
function bounded(title: string, lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, MAX_LINES_PER_KIND).map((l) => `  ${clip(l)}`);
  const rest = lines.length - shown.length;
  return [title, ...shown, ...(rest > 0 ? [`  … and ${rest} more`] : [])];
}

function condition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** The newest event about each pod, by name (rafter's Nominated or FailedProvisioning, the kubelet's). */
function lastEventByPod(events: readonly EventState[]): Map<string, EventState> {
  const at = (e: EventState) => e.lastTimestamp ?? e.eventTime ?? "";
  const last = new Map<string, EventState>();
  for (const event of events) {
    const name = event.involvedObject.name;
    // The PodScheduled condition already says what kube-scheduler found.
    if (event.involvedObject.kind !== "Pod" || name === undefined || event.reason === "FailedScheduling")
      continue;
    const seen = last.get(name);
    if (seen === undefined || at(seen) <= at(event)) last.set(name, event);
  }
  return last;
}

function podLine(pod: PodState, lastEvent: EventState | undefined): string {
  const scheduled = condition(pod.status.conditions, "PodScheduled");
  const deleting = pod.metadata.deletionTimestamp !== undefined ? " deleting" : "";
  // Each part clipped on its own, so the scheduler's long message does not hide the event.
  const event = lastEvent
    ? ` event: ${clip(`${lastEvent.reason ?? ""} ${lastEvent.message ?? ""}`, 140)}`
    : "";
  const why =
    scheduled?.status === "False"
      ? ` unscheduled: ${clip(`${scheduled.reason ?? ""} ${scheduled.message ?? ""}`, 140)}`
      : "";
  return `${pod.metadata.name} node=${pod.spec.nodeName ?? "-"} phase=${pod.status.phase ?? "?"}${deleting}${event}${why}`;
}

function nodeLine(node: NodeState): string {
  const labels = node.metadata.labels ?? {};
  const ready = condition(node.status?.conditions, "Ready")?.status ?? "unknown";
  const taints = (node.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(",");
  return [
    node.metadata.name,
    `ready=${ready}`,
    `pool=${labels["rafter.dev/nodepool"] ?? "-"}`,
    `zone=${labels["topology.kubernetes.io/zone"] ?? "-"}`,
    ...(node.spec.unschedulable === true ? ["cordoned"] : []),
    ...(node.metadata.deletionTimestamp !== undefined ? ["deleting"] : []),
    ...(taints !== "" ? [`taints=${taints}`] : []),
  ].join(" ");
}

function virtualNodeLine(vn: VirtualNodeJson): string {
  const s = vn.status ?? {};
  const failure = s.lastFailure !== undefined ? ` lastFailure=${s.lastFailure}` : "";
  return `${vn.metadata.name} phase=${s.phase ?? "?"} node=${s.nodeName ?? "-"} pods=${vn.spec.pods.length} bound=${s.boundPods ?? 0}${failure}`;
}

async function section(title: string, read: () => Promise<string[]>): Promise<string[]> {
  try {
    return bounded(title, await read());
  } catch (error) {
    return [`${title} unreadable: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`];
  }
}

/**
 * The scenario namespace's pods that are not Running (with their newest event), every Node, every
 * VirtualNode and rafter's warnings in the scenario, one line each (bounded): enough to tell "never planned"
 * from "never bound" from "bound but never started" from "node never Ready".
 */
export async function clusterAtFailure(
  cluster: Cluster,
  namespace: string,
  since: number,
): Promise<string[]> {
  const { kubectl } = cluster;
  const inNamespace = kubectl.in(namespace);
  return [
    ...(await section(`pods in ${namespace} not Running:`, async () => {
      const events = lastEventByPod(await inNamespace.list<EventState>("events"));
      const pods = await inNamespace.list<PodState>("pods");
      return pods
        .filter((pod) => pod.status.phase !== "Running")
        .map((pod) => podLine(pod, events.get(pod.metadata.name)));
    })),
    ...(await section("nodes:", async () => (await kubectl.list<NodeState>("nodes")).map(nodeLine))),
    ...(await section("virtualnodes:", async () =>
      (await kubectl.list<VirtualNodeJson>("virtualnodes")).map(virtualNodeLine),
    )),
    ...(await section("rafter's warnings and errors in this scenario:", () =>
      Promise.resolve(rafterComplaints(cluster.rafter.logFile, MAX_LINES_PER_KIND, since)),
    )),
  ];
}
