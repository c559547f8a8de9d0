// Keeps NodePool and EC2NodeClass status current: how many nodes a pool has and the resources they
// provide (what `kubectl get nodepools` shows and what limits are measured against), whether the
// pool's spec is valid, its node class ready and its nodes joining the cluster; and what each node
// class's selectors resolve to.
// Invalid objects are reported here, in status, rather than failing anything else.
import type { Condition } from "../api/common.js";
import type { NodePool, NodePoolStatus } from "../api/nodepool.js";
import type { EC2NodeClass } from "../api/ec2nodeclass.js";
import { validateObject } from "../api/validation.js";
import type { Clock } from "../clock.js";
import type { CloudProvider } from "../cloud/provider.js";
import { addResources, formatResourceList, parseResourceList, type Resources } from "../domain/resources.js";
import type { StatusWriter } from "../kube/custom-status.js";
import type { Logger } from "../logging.js";
import { labelKeys } from "../api/labels.js";
import type { ClusterReader } from "./cluster-reader.js";
import type { RegistrationHealth } from "./registration-health.js";

export interface StatusDeps {
  readonly reader: ClusterReader;
  readonly cloud: CloudProvider;
  readonly writer: StatusWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Publishes NodeRegistrationHealthy; absent, the condition is left out. */
  readonly registrationHealth?: RegistrationHealth;
}

const leavingPhases = new Set(["Failed", "Terminating"]);
/** How often node classes are resolved again (subnets, security groups and AMIs change in the cloud). */
const resolveEveryMs = 5 * 60_000;

export async function reconcileStatuses(deps: StatusDeps): Promise<number> {
  const readiness = new Map<string, Condition>();
  for (const nodeClass of deps.reader.nodeClasses()) {
    const condition = await reconcileNodeClass(deps, nodeClass);
    readiness.set(nodeClass.metadata.name ?? "", condition);
  }
  for (const pool of deps.reader.nodePools()) await reconcileNodePool(deps, pool, readiness);
  return resolveEveryMs;
}

async function reconcileNodeClass(deps: StatusDeps, nodeClass: EC2NodeClass): Promise<Condition> {
  const name = nodeClass.metadata.name ?? "";
  const problems = validateObject("EC2NodeClass", nodeClass);
  const now = deps.clock.now();
  let status: EC2NodeClass["status"];
  if (problems.length > 0) {
    status = {
      conditions: [
        condition("Ready", false, "ValidationFailed", problems.join("; "), now, nodeClass.status?.conditions),
      ],
    };
  } else {
    const resolved = await deps.cloud.resolveNodeClass(nodeClass);
    if (!resolved.ok) return readyOf(nodeClass.status?.conditions); // a transient cloud error: keep what we had
    status = resolved.value;
  }
  if (!sameStatus(nodeClass.status, status)) {
    const result = await deps.writer.patchStatus("ec2nodeclasses", name, status);
    if (!result.ok)
      deps.logger.warn({ nodeClass: name, error: result.error.message }, "status update failed");
  }
  return readyOf(status.conditions);
}

async function reconcileNodePool(
  deps: StatusDeps,
  pool: NodePool,
  nodeClasses: ReadonlyMap<string, Condition>,
): Promise<void> {
  const name = pool.metadata.name ?? "";
  const now = deps.clock.now();
  const previous = pool.status?.conditions;
  const problems = validateObject("NodePool", pool);
  const classRef = pool.spec.template.spec.nodeClassRef.name;
  const classReady = nodeClasses.get(classRef);
  const validation = condition(
    "ValidationSucceeded",
    problems.length === 0,
    problems.length === 0 ? "Valid" : "Invalid",
    problems.join("; "),
    now,
    previous,
  );
  const nodeClass = classReady
    ? condition(
        "NodeClassReady",
        classReady.status === "True",
        classReady.status === "True" ? "Ready" : "NodeClassNotReady",
        classReady.message ?? "",
        now,
        previous,
      )
    : condition(
        "NodeClassReady",
        false,
        "NodeClassNotFound",
        `EC2NodeClass ${classRef} not found`,
        now,
        previous,
      );
  const ready = condition(
    "Ready",
    validation.status === "True" && nodeClass.status === "True",
    validation.status !== "True" ? "Invalid" : nodeClass.status !== "True" ? "NodeClassNotReady" : "Ready",
    validation.status !== "True" ? (validation.message ?? "") : (nodeClass.message ?? ""),
    now,
    previous,
  );
  const { nodes, resources } = usage(deps.reader, name);
  const status: NodePoolStatus = {
    nodes,
    resources: formatResourceList(resources),
    conditions: [
      ready,
      validation,
      nodeClass,
      ...(deps.registrationHealth ? [deps.registrationHealth.condition(pool)] : []),
    ],
  };
  if (sameStatus(pool.status, status)) return;
  const result = await deps.writer.patchStatus("nodepools", name, status);
  if (!result.ok) deps.logger.warn({ nodePool: name, error: result.error.message }, "status update failed");
}

/** Nodes of the pool (registered or still launching) and the capacity they bring. */
function usage(reader: ClusterReader, pool: string): { nodes: number; resources: Resources } {
  let nodes = 0;
  let resources: Resources = {};
  const counted = new Set<string>();
  for (const node of reader.nodes()) {
    if (node.metadata?.labels?.[labelKeys.nodePool] !== pool) continue;
    nodes++;
    counted.add(node.metadata.name ?? "");
    resources = addResources(resources, parseResourceList(node.status?.capacity));
  }
  for (const vn of reader.virtualNodes()) {
    if (
      vn.spec.nodePool !== pool ||
      leavingPhases.has(vn.status?.phase ?? "") ||
      counted.has(vn.status?.nodeName ?? "")
    )
      continue;
    nodes++;
    resources = addResources(resources, parseResourceList(vn.spec.resources));
  }
  return { nodes, resources };
}

function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  now: number,
  previous: readonly Condition[] | undefined,
): Condition {
  const status = ok ? "True" : "False";
  const before = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime:
      before?.status === status && before.lastTransitionTime
        ? before.lastTransitionTime
        : new Date(now).toISOString(),
  };
}

function readyOf(conditions: readonly Condition[] | undefined): Condition {
  return (
    conditions?.find((c) => c.type === "Ready") ?? {
      type: "Ready",
      status: "Unknown",
      reason: "Unknown",
      message: "not resolved yet",
    }
  );
}

/** Compares statuses ignoring transition times, so unchanged state is never written again. */
function sameStatus(a: object | undefined, b: object): boolean {
  const strip = (value: object | undefined) =>
    JSON.stringify(value ?? {}, (key, v: unknown) => (key === "lastTransitionTime" ? undefined : v));
  return strip(a) === strip(b);
}
