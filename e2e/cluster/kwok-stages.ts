// The node stages kwok runs in the e2e cluster: kwok's own defaults, plus one that makes a chosen
// node NotReady on demand (node repair, e2e 38).
//
// Given node stages in --config, kwok uses those instead of its defaults. Its defaults (v0.7.0, with
// --node-lease-duration-seconds > 0) are kustomize/stage/node/fast/node-initialize.yaml and
// kustomize/stage/node/heartbeat/node-heartbeat.yaml; they are copied here unchanged but for one
// selector term each: a node labelled e2e.rafter.test/not-ready is skipped. Pod stages are not
// given, so kwok's default pod stages run as before.
//
// Labelling a node e2e.rafter.test/not-ready=true (breakKwokNode) lets "node-not-ready" set its Ready
// condition False, lastTransitionTime now, as a kubelet that is up but not ready reports it; kwok
// still renews the node's Lease, so kube-controller-manager leaves the condition False (no Unknown)
// and kwok keeps running the node's pods, so a drain finishes. Removing the label (healKwokNode) hands
// the node back to node-initialize, which sets Ready True again.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Kubectl } from "./kubectl.js";

export const KWOK_NOT_READY_LABEL = "e2e.rafter.test/not-ready";
/** When the node was broken (RFC 3339), its Ready condition's lastTransitionTime. */
export const KWOK_NOT_READY_SINCE = "e2e.rafter.test/not-ready-since";

const notBroken = `    - key: '.metadata.labels["${KWOK_NOT_READY_LABEL}"]'
      operator: 'DoesNotExist'`;

const nodeInitialize = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-initialize
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'NotIn'
      values:
      - 'True'
${notBroken}
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
      conditions:
      {{ range NodeConditions }}
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $lastTransitionTime | Quote }}
        message: {{ .message | Quote }}
        reason: {{ .reason | Quote }}
        status: {{ .status | Quote }}
        type: {{ .type  | Quote}}
      {{ end }}

      addresses:
      {{ with .status.addresses }}
      {{ YAML . 1 }}
      {{ else }}
      {{ with NodeIP }}
      - address: {{ . | Quote }}
        type: InternalIP
      {{ end }}
      {{ with NodeName }}
      - address: {{ . | Quote }}
        type: Hostname
      {{ end }}
      {{ end }}

      {{ with NodePort }}
      daemonEndpoints:
        kubeletEndpoint:
          Port: {{ . }}
      {{ end }}

      allocatable:
      {{ with .status.allocatable }}
      {{ YAML . 1 }}
      {{ else }}
        cpu: 1k
        memory: 1Ti
        pods: 1M
      {{ end }}
      capacity:
      {{ with .status.capacity }}
      {{ YAML . 1 }}
      {{ else }}
        cpu: 1k
        memory: 1Ti
        pods: 1M
      {{ end }}

      {{ $nodeInfo := .status.nodeInfo }}
      {{ $kwokVersion := printf "kwok-%s" Version }}
      nodeInfo:
        architecture: {{ or $nodeInfo.architecture "amd64" }}
        bootID: {{ or $nodeInfo.bootID \`""\` }}
        containerRuntimeVersion: {{ or $nodeInfo.containerRuntimeVersion $kwokVersion }}
        kernelVersion: {{ or $nodeInfo.kernelVersion $kwokVersion }}
        kubeProxyVersion: {{ or $nodeInfo.kubeProxyVersion $kwokVersion }}
        kubeletVersion: {{ or $nodeInfo.kubeletVersion $kwokVersion }}
        machineID: {{ or $nodeInfo.machineID \`""\` }}
        operatingSystem: {{ or $nodeInfo.operatingSystem "linux" }}
        osImage: {{ or $nodeInfo.osImage \`""\` }}
        systemUUID: {{ or $nodeInfo.systemUUID \`""\` }}
      phase: Running
`;

const nodeHeartbeat = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-heartbeat
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Running'
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'In'
      values:
      - 'True'
${notBroken}
  delay:
    durationMilliseconds: 20000
    jitterDurationMilliseconds: 25000
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
      conditions:
      {{ range NodeConditions }}
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $lastTransitionTime | Quote }}
        message: {{ .message | Quote }}
        reason: {{ .reason | Quote }}
        status: {{ .status | Quote }}
        type: {{ .type | Quote }}
      {{ end }}
  immediateNextStage: true
`;

// Like kwok's chaos stage kustomize/stage/node/chaos/node-not-ready.yaml, but the Ready condition's
// lastTransitionTime is when the node was broken (the annotation breakKwokNode sets; the chaos stage
// uses the node's creation time), which is what node repair measures its window from.
const notReadyStatus = `    statusTemplate: |
      {{ $now := Now }}
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

const isBroken = `    - key: '.metadata.labels["${KWOK_NOT_READY_LABEL}"]'
      operator: 'In'
      values:
      - 'true'`;

const nodeNotReady = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-not-ready
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
${isBroken}
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'In'
      values:
      - 'True'
  next:
${notReadyStatus}`;

// The heartbeat of a broken node, as a kubelet that is up but not ready posts it, every 5 s: each
// play changes the Node, so kwok schedules it again, and any other job kwok still had for the node
// (a heartbeat scheduled before the node was broken) is replaced by it.
const nodeNotReadyHeartbeat = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-not-ready-heartbeat
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
${isBroken}
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'NotIn'
      values:
      - 'True'
  delay:
    durationMilliseconds: 5000
  next:
${notReadyStatus}`;

/** Writes the node stages into `dir` and returns the file, for kwok's --config. */
export function writeKwokStages(dir: string): string {
  const file = join(dir, "kwok-stages.yaml");
  writeFileSync(file, [nodeInitialize, nodeHeartbeat, nodeNotReady, nodeNotReadyHeartbeat].join("---\n"));
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
