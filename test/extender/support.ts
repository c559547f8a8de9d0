// Test support for the extender: kube-scheduler-shaped fixtures, an in-memory Binder, and the app
// served over real HTTP on an ephemeral port.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.js";
import type { VirtualNode, VirtualNodePhase } from "../../src/api/virtualnode.js";
import {
  createExtenderApp,
  createExtenderListener,
  type BoundEvent,
  type ExtenderDeps,
} from "../../src/extender/app.js";
import type { Binder, BindResult } from "../../src/kube/binder.js";
import { ok } from "../../src/domain/result.js";
import { createMetricsRegistry } from "../../src/metrics/registry.js";
import { createSchedulingState } from "../../src/state/scheduling-state.js";

/**
 * Type JSON as client-node models. Objects from the API server (and from kube-scheduler) are plain
 * JSON; client-node's models are classes only nominally, which the lint rule
 * no-unsafe-class-instance-assignment would otherwise flag for every literal fixture.
 */
export function asPod(json: unknown): V1Pod {
  return json as V1Pod;
}

export function asNode(json: unknown): V1Node {
  return json as V1Node;
}

export function asVirtualNode(json: unknown): VirtualNode {
  return json as VirtualNode;
}

export interface TaintJson {
  key: string;
  value?: string;
  effect: string;
}

export function node(
  name: string,
  options: { cpu?: string; memory?: string; ready?: boolean; taints?: TaintJson[] } = {},
): V1Node {
  return asNode({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: options.taints ? { taints: options.taints } : {},
    status: {
      allocatable: { cpu: options.cpu ?? "4", memory: options.memory ?? "16Gi", pods: "110" },
      capacity: { cpu: options.cpu ?? "4", memory: options.memory ?? "16Gi", pods: "110" },
      conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }],
    },
  });
}

export function pod(
  name: string,
  options: {
    uid?: string;
    cpu?: string;
    memory?: string;
    nodeName?: string;
    namespace?: string;
    daemonSet?: boolean;
    phase?: string;
  } = {},
): V1Pod {
  return asPod({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: options.namespace ?? "default",
      uid: options.uid ?? `uid-${name}`,
      ...(options.daemonSet
        ? {
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: "ds-uid", controller: true },
            ],
          }
        : {}),
    },
    spec: {
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
      containers: [
        {
          name: "app",
          image: "registry.k8s.io/pause:3.10",
          resources: { requests: { cpu: options.cpu ?? "1", memory: options.memory ?? "1Gi" } },
        },
      ],
    },
    status: { phase: options.phase ?? (options.nodeName ? "Running" : "Pending") },
  });
}

export function virtualNode(
  name: string,
  nodeName: string,
  phase: VirtualNodePhase,
  pods: { name: string; uid?: string }[],
): VirtualNode {
  return asVirtualNode({
    apiVersion: "rafter.dev/v1",
    kind: "VirtualNode",
    metadata: { name },
    spec: {
      nodePool: "default",
      requirements: [],
      instanceTypes: ["m5.large"],
      resources: { cpu: "2", memory: "8Gi" },
      pods: pods.map((p) => ({ namespace: "default", name: p.name, ...(p.uid ? { uid: p.uid } : {}) })),
    },
    status: { phase, nodeName },
  });
}

/** A Binder that records calls and answers from a script (ok by default). */
export class FakeBinder implements Binder {
  readonly calls: { namespace: string; name: string; uid: string; node: string }[] = [];
  next: BindResult | Error = ok({ joined: false });

  bind(namespace: string, name: string, uid: string, node: string): Promise<BindResult> {
    this.calls.push({ namespace, name, uid, node });
    const next = this.next;
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(next);
  }
}

export interface Harness {
  url: string;
  clock: ManualClock;
  deps: ExtenderDeps;
  binder: FakeBinder;
  bound: BoundEvent[];
  leader: { value: boolean };
  post(path: string, body: unknown): Promise<{ status: number; json: unknown; text: string }>;
  postRaw(path: string, body: string): Promise<{ status: number; text: string }>;
  get(path: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  bodyLimitBytes?: number;
  pathPrefix?: string;
  /** "listener" (the production fast path, default) or the plain express "app". */
  serve?: "listener" | "app";
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock(1_000_000);
  const { state, ledger } = createSchedulingState({ clock, assumedTtlMs: 30_000 });
  const binder = new FakeBinder();
  const bound: BoundEvent[] = [];
  const leader = { value: true };
  const deps: ExtenderDeps = {
    state,
    ledger,
    binder,
    registry: createMetricsRegistry(),
    logger: pino({ level: "silent" }),
    clock,
    isLeader: () => leader.value,
    onBound: (event) => bound.push(event),
    ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.pathPrefix !== undefined ? { pathPrefix: options.pathPrefix } : {}),
  };
  const server: Server = createServer(
    options.serve === "app" ? createExtenderApp(deps) : createExtenderListener(deps),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const postRaw = async (path: string, body: string) => {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: res.status, text: await res.text() };
  };
  return {
    url,
    clock,
    deps,
    binder,
    bound,
    leader,
    postRaw,
    async post(path, body) {
      const res = await postRaw(path, JSON.stringify(body));
      let json: unknown = undefined;
      try {
        json = JSON.parse(res.text);
      } catch {
        // left undefined: the test asserts on text
      }
      return { ...res, json };
    },
    async get(path) {
      const res = await fetch(url + path);
      return { status: res.status, text: await res.text() };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
