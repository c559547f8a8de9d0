// Builders for objects scenarios create often: Nodes that kwok manages (Ready within a second or
// two, pods bound to them run) and plain pods.
import { KWOK_NODE_ANNOTATION } from "../cluster/kwok.js";
import type { KubeObject } from "../cluster/kubectl.js";

export interface KwokNodeOptions {
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly { key: string; value?: string; effect: string }[];
}

/** A Node managed by kwok (annotation kwok.x-k8s.io/node=fake). */
export function kwokNode(name: string, options: KwokNodeOptions = {}): KubeObject {
  const resources = {
    cpu: options.cpu ?? "4",
    memory: options.memory ?? "16Gi",
    pods: options.pods ?? "110",
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: {
        [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value,
        "node.alpha.kubernetes.io/ttl": "0",
      },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
        ...options.labels,
      },
    },
    spec: { taints: options.taints ?? [] },
    status: { allocatable: resources, capacity: resources },
  };
}

export interface PodOptions {
  readonly cpu?: string;
  readonly memory?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Record<string, string>[];
}

/** A pause pod with requests, left to the scheduler. */
export function pod(name: string, options: PodOptions = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name, ...options.labels } },
    spec: {
      containers: [
        {
          name: "main",
          image: "registry.k8s.io/pause:3.10",
          resources: { requests: { cpu: options.cpu ?? "100m", memory: options.memory ?? "128Mi" } },
        },
      ],
      nodeSelector: options.nodeSelector,
      tolerations: options.tolerations,
      terminationGracePeriodSeconds: 0,
    },
  };
}
