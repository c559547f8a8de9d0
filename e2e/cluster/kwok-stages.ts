// The node stages kwok runs in the e2e cluster: kwok's own defaults, plus two that make a chosen
// node NotReady on demand (node repair, e2e 38).
//
// Given node stages in --config, kwok uses those instead of its defaults. Its defaults (with
// --node-lease-duration-seconds > 0) are kustomize/stage/node/fast/node-initialize.yaml and
// kustomize/stage/node/heartbeat/node-heartbeat.yaml of its module; e2e/toolchain.sh copies them
// from the module of the kwok version it installs, and they run here with one selector term added
// to each: a node labelled e2e.rafter.test/not-ready is skipped. Pod stages are not given, so kwok's
// default pod stages run as before.
//
// Labelling a node e2e.rafter.test/not-ready=true (breakKwokNode) lets "node-not-ready" set its Ready
// condition False, lastTransitionTime now, as a kubelet that is up but not ready reports it; kwok
// still renews the node's Lease, so kube-controller-manager leaves the condition False (no Unknown)
// and kwok keeps running the node's pods, so a drain finishes. Removing the label (healKwokNode) hands
// the node back to node-initialize, which sets Ready True again.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { Kubectl } from "./kubectl.js";

export const KWOK_NOT_READY_LABEL = "e2e.rafter.test/not-ready";
/** When the node was broken (RFC 3339), its Ready condition's lastTransitionTime. */
export const KWOK_NOT_READY_SINCE = "e2e.rafter.test/not-ready-since";

interface MatchExpression {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  readonly values?: readonly string[];
}

/** The parts of kwok's Stage (kwok.x-k8s.io/v1alpha1) these stages touch. */
interface Stage {
  apiVersion: "kwok.x-k8s.io/v1alpha1";
  kind: "Stage";
  metadata: { name: string };
  spec: {
    resourceRef: { apiGroup: string; kind: string };
    selector: { matchExpressions: MatchExpression[] };
    delay?: { durationMilliseconds: number };
    next: { statusTemplate: string };
  };
}

const readyIs = (operator: "In" | "NotIn"): MatchExpression => ({
  key: '.status.conditions.[] | select( .type == "Ready" ) | .status',
  operator,
  values: ["True"],
});
const brokenLabel = `.metadata.labels["${KWOK_NOT_READY_LABEL}"]`;

// Like kwok's chaos stage kustomize/stage/node/chaos/node-not-ready.yaml, but the Ready condition's
// lastTransitionTime is when the node was broken (the annotation breakKwokNode sets; the chaos stage
// uses the node's creation time), which is what node repair measures its window from. A Go template
// kwok renders into the Node's status.
const notReadyStatus = `{{ $now := Now }}
{{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
{{ $since := or (index (or .metadata.annotations dict) "${KWOK_NOT_READY_SINCE}") $now }}
conditions:
{{ range NodeConditions }}
{{ if eq .type "Ready" }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
  message: "e2e: the kubelet reports NotReady"
  reason: "KubeletNotReady"
  status: "False"
  type: "Ready"
{{ else }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $lastTransitionTime | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}
{{ end }}
`;

function brokenNodeStage(name: string, ready: MatchExpression, delayMs?: number): Stage {
  return {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: "v1", kind: "Node" },
      selector: { matchExpressions: [{ key: brokenLabel, operator: "In", values: ["true"] }, ready] },
      ...(delayMs !== undefined ? { delay: { durationMilliseconds: delayMs } } : {}),
      next: { statusTemplate: notReadyStatus },
    },
  };
}

/** kwok's default stage from `file`, skipping broken nodes. */
function skippingBroken(file: string): Stage {
  const stage = parse(readFileSync(file, "utf8")) as Stage;
  stage.spec.selector.matchExpressions.push({ key: brokenLabel, operator: "DoesNotExist" });
  return stage;
}

/**
 * Writes the node stages into `dir` and returns the file, for kwok's --config: kwok's defaults (read
 * from `defaultStages`, see e2e/toolchain.sh) and the broken node's.
 */
export function writeKwokStages(defaultStages: string, dir: string): string {
  const stages = [
    skippingBroken(join(defaultStages, "node-initialize.yaml")),
    skippingBroken(join(defaultStages, "node-heartbeat.yaml")),
    brokenNodeStage("node-not-ready", readyIs("In")),
    // The heartbeat of a broken node, as a kubelet that is up but not ready posts it, every 5 s: each
    // play changes the Node, so kwok schedules it again, and any other job kwok still had for the node
    // (a heartbeat scheduled before the node was broken) is replaced by it.
    brokenNodeStage("node-not-ready-heartbeat", readyIs("NotIn"), 5_000),
  ];
  const file = join(dir, "kwok-stages.yaml");
  writeFileSync(file, stages.map((stage) => stringify(stage)).join("---\n"));
  return file;
}

/** Makes a kwok node NotReady (Ready=False since now) within a second or so, until healKwokNode. */
export async function breakKwokNode(kubectl: Kubectl, node: string): Promise<void> {
  const since = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const patch = {
    metadata: { labels: { [KWOK_NOT_READY_LABEL]: "true" }, annotations: { [KWOK_NOT_READY_SINCE]: since } },
  };
  await kubectl.run(["patch", "node", node, "--type=merge", `--patch=${JSON.stringify(patch)}`]);
}

/** Lets kwok report the node Ready again. */
export async function healKwokNode(kubectl: Kubectl, node: string): Promise<void> {
  const patch = {
    metadata: { labels: { [KWOK_NOT_READY_LABEL]: null }, annotations: { [KWOK_NOT_READY_SINCE]: null } },
  };
  await kubectl.run(["patch", "node", node, "--type=merge", `--patch=${JSON.stringify(patch)}`]);
}
