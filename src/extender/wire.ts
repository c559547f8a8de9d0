// kube-scheduler's extender protocol, k8s.io/kube-scheduler/extender/v1. The Go structs carry no JSON
// tags, so the keys on the wire are the Go field names; the embedded Pod, Node and NodeList use the
// usual Kubernetes JSON. Pointers and maps may arrive as null.
import type { V1Node, V1Pod } from "@kubernetes/client-node";

/** MaxExtenderPriority in extender/v1. */
export const maxExtenderPriority = 10;

export interface WireNodeList {
  metadata?: Record<string, unknown> | null;
  items: V1Node[];
}

/** ExtenderArgs: Nodes when nodeCacheCapable is false, NodeNames when it is true. */
export interface ExtenderArgs {
  Pod: V1Pod;
  Nodes?: WireNodeList | null;
  NodeNames?: string[] | null;
}

export type FailedNodesMap = Record<string, string>;

export interface ExtenderFilterResult {
  Nodes: WireNodeList | null;
  NodeNames: string[] | null;
  FailedNodes: FailedNodesMap;
  /** Failures preemption cannot resolve; kube-scheduler gives these precedence over FailedNodes. */
  FailedAndUnresolvableNodes: FailedNodesMap;
  Error: string;
}

export interface HostPriority {
  Host: string;
  Score: number;
}

export type HostPriorityList = HostPriority[];

export interface ExtenderBindingArgs {
  PodName: string;
  PodNamespace: string;
  PodUID: string;
  Node: string;
}

export interface ExtenderBindingResult {
  Error: string;
}

export interface MetaPod {
  UID: string;
}

export interface MetaVictims {
  Pods: MetaPod[] | null;
  NumPDBViolations: number;
}

export interface Victims {
  Pods: V1Pod[] | null;
  NumPDBViolations: number;
}

/** NodeNameToMetaVictims when nodeCacheCapable is true, NodeNameToVictims otherwise. */
export interface ExtenderPreemptionArgs {
  Pod: V1Pod;
  NodeNameToVictims?: Record<string, Victims | null> | null;
  NodeNameToMetaVictims?: Record<string, MetaVictims | null> | null;
}

/** The extender always answers with meta victims, whichever mode the request used. */
export interface ExtenderPreemptionResult {
  NodeNameToMetaVictims: Record<string, MetaVictims>;
}
