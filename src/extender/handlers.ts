// The four extender verbs as functions from a parsed body to a reply. HTTP, metrics and timing are
// the app's business (app.ts); these only validate, decide, and log the decision at debug level.
import type { Clock } from "../clock.js";
import type { Logger } from "../logging.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { ReservationLedger } from "../state/reservation-ledger.js";
import { isBoundTo } from "../state/scheduling-state.js";
import type { Binder } from "./binder.js";
import {
  encodeFilterResult,
  encodeHostPriorityList,
  encodeLocatedFilterResult,
  encodePlainHostPriorityList,
  locateNames,
} from "./encode.js";
import { decideFilter, type FilterDecision, type FilterReason } from "./filter.js";
import { podFacts, type PodFacts } from "./pod-facts.js";
import { decidePreemption } from "./preempt.js";
import { decideScores } from "./prioritize.js";
import type { RecentPods } from "./recent-pods.js";
import type { SlotIndex } from "./slot-index.js";
import { checkBindingArgs, checkExtenderArgs, checkPreemptionArgs } from "./validate.js";
import type { ExtenderBindingResult, WireNodeList } from "./wire.js";
import type { ExtenderMetrics } from "../metrics/extender.js";

export interface Reply {
  status: number;
  /** Serialised with JSON.stringify, unless `raw` carries the JSON text already. */
  body: unknown;
  raw?: string;
}

/** What the bind verb reports to the event hook after a successful binding. */
export interface BoundEvent {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  /** The node the pod held a reservation on, if any (may differ from nodeName). */
  reservedNodeName: string | undefined;
  /** Clock time (ms) of the binding. */
  boundAt: number;
}

export interface HandlerContext {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
  readonly binder: Binder;
  readonly logger: Logger;
  readonly metrics: ExtenderMetrics;
  readonly recent: RecentPods;
  readonly onBound: ((event: BoundEvent) => void) | undefined;
  readonly clock: Clock;
  /** Packed slot figures for prioritize (see slot-index.ts); optional, the state is the fallback. */
  readonly slotIndex?: SlotIndex | undefined;
}

/** The candidate names, from NodeNames (nodeCacheCapable) or from the NodeList's items. */
function candidateNames(
  nodeNames: string[] | null | undefined,
  nodeList: WireNodeList | null | undefined,
): readonly string[] {
  if (nodeNames) return nodeNames;
  return (nodeList?.items ?? []).map((n) => n.metadata?.name ?? "");
}

const badRequest = (message: string): Reply => ({ status: 400, body: { Error: message } });

/** Children of rafter_extender_filtered_nodes_total by reason: labels hashed once, not per call. */
const filteredCounters = new WeakMap<ExtenderMetrics, Map<FilterReason, { inc(value: number): void }>>();

function filteredBy(metrics: ExtenderMetrics, reason: FilterReason): { inc(value: number): void } {
  let byReason = filteredCounters.get(metrics);
  if (!byReason) {
    byReason = new Map();
    filteredCounters.set(metrics, byReason);
  }
  let child = byReason.get(reason);
  if (!child) {
    child = metrics.filteredNodes.labels(reason);
    byReason.set(reason, child);
  }
  return child;
}

/** The filter decision for a pod, with its metrics and debug log. */
function filterDecision(
  ctx: HandlerContext,
  pod: PodFacts,
  names: readonly string[],
  requestId: string,
): FilterDecision {
  ctx.ledger.expireAssumed();
  ctx.recent.remember(pod.uid, pod.requests);
  const decision = decideFilter(ctx, pod, names);
  for (const reason in decision.removedBy) {
    const count = decision.removedBy[reason as FilterReason];
    if (count > 0) filteredBy(ctx.metrics, reason as FilterReason).inc(count);
  }
  if (ctx.logger.isLevelEnabled("debug")) {
    ctx.logger.debug(
      {
        requestId,
        verb: "filter",
        pod: `${pod.namespace}/${pod.name}`,
        candidates: names.length,
        passed: decision.passed.length,
        steeredTo: decision.steeredTo,
        removedBy: decision.removedBy,
      },
      "filter decision",
    );
  }
  return decision;
}

/**
 * `text` is the request body the value was parsed from, when there is one: replies then copy the
 * candidate names from it instead of encoding them again (see locateNames).
 */
export function filterVerb(ctx: HandlerContext, body: unknown, requestId: string, text?: string): Reply {
  const args = checkExtenderArgs(body);
  if (!args.ok) return badRequest(args.message);
  const pod = podFacts(args.value.Pod);
  if (!pod.ok) return badRequest(pod.message);
  const nodeNames = args.value.NodeNames;
  const nodeList = args.value.Nodes;
  const decision = filterDecision(ctx, pod.value, candidateNames(nodeNames, nodeList), requestId);

  const located = nodeNames && text !== undefined ? locateNames(text, nodeNames) : undefined;
  if (nodeNames && located) {
    const raw = encodeLocatedFilterResult(
      nodeNames,
      located,
      decision.passed,
      decision.failed,
      decision.unresolvable,
    );
    return { status: 200, body: null, raw };
  }
  let passedNames: string[] | null = null;
  let passedNodes: WireNodeList | null = null;
  if (nodeNames) {
    passedNames = decision.passed.map((i) => nodeNames[i] ?? "");
  } else if (nodeList) {
    const items = [];
    for (const i of decision.passed) {
      const item = nodeList.items[i];
      if (item) items.push(item);
    }
    passedNodes = { metadata: nodeList.metadata ?? {}, items };
  }
  const raw = encodeFilterResult({
    nodeNames: passedNames,
    nodes: passedNodes,
    failed: decision.failed,
    unresolvable: decision.unresolvable,
  });
  return { status: 200, body: null, raw };
}

function scores(ctx: HandlerContext, pod: PodFacts, names: readonly string[], requestId: string): number[] {
  ctx.recent.remember(pod.uid, pod.requests);
  const scores = decideScores(ctx, pod, names);
  if (ctx.logger.isLevelEnabled("debug")) {
    let best = 0;
    for (let i = 1; i < scores.length; i++) if ((scores[i] ?? 0) > (scores[best] ?? 0)) best = i;
    ctx.logger.debug(
      {
        requestId,
        verb: "prioritize",
        pod: `${pod.namespace}/${pod.name}`,
        candidates: names.length,
        best: names.length > 0 ? { Host: names[best], Score: scores[best] } : undefined,
      },
      "prioritize decision",
    );
  }
  return scores;
}

/** `text`: as for filterVerb. */
export function prioritizeVerb(ctx: HandlerContext, body: unknown, requestId: string, text?: string): Reply {
  const args = checkExtenderArgs(body);
  if (!args.ok) return badRequest(args.message);
  const pod = podFacts(args.value.Pod);
  if (!pod.ok) return badRequest(pod.message);
  const nodeNames = args.value.NodeNames;
  const names = candidateNames(nodeNames, args.value.Nodes);
  const scored = scores(ctx, pod.value, names, requestId);
  // Located names need no escaping, so they are written without testing each one.
  const plain = nodeNames && text !== undefined && locateNames(text, nodeNames) !== undefined;
  const raw = plain ? encodePlainHostPriorityList(names, scored) : encodeHostPriorityList(names, scored);
  return { status: 200, body: null, raw };
}

export async function bindVerb(ctx: HandlerContext, body: unknown, requestId: string): Promise<Reply> {
  const args = checkBindingArgs(body);
  if (!args.ok) return badRequest(args.message);
  const { PodNamespace: namespace, PodName: name, PodUID: uid, Node: nodeName } = args.value;
  const reservation = ctx.ledger.get(uid);
  let result;
  try {
    result = await ctx.binder.bind(namespace, name, uid, nodeName);
  } catch (error) {
    // The port promises typed results; a throw is a bug in an adapter, reported rather than crashing.
    result = { kind: "error" as const, message: `binder failed: ${String(error)}` };
  }
  ctx.metrics.bindResults.inc({ result: result.kind === "ok" && result.joined ? "joined" : result.kind });
  const log = {
    requestId,
    verb: "bind",
    pod: `${namespace}/${name}`,
    uid,
    node: nodeName,
    result: result.kind,
  };
  let reply: ExtenderBindingResult;
  switch (result.kind) {
    case "ok": {
      // Hold the capacity at once, so the next filter call does not hand it to another pod before
      // the informer delivers the binding; unless the informer was faster and already counts the pod.
      if (ctx.state.pod(uid)?.nodeName === nodeName) {
        ctx.ledger.release(uid);
      } else {
        const requests = reservation?.requests ?? ctx.state.pod(uid)?.requests ?? ctx.recent.get(uid);
        if (requests) ctx.ledger.assume({ podUID: uid, nodeName, requests, namespace, name });
        else ctx.ledger.release(uid);
      }
      ctx.recent.forget(uid);
      // Joined: rafter's own binding of this pod (admission-time, made or under way) answered it; the
      // provisioner reports it.
      if (!result.joined)
        ctx.onBound?.({
          namespace,
          name,
          uid,
          nodeName,
          reservedNodeName: reservation?.nodeName,
          boundAt: ctx.clock.now(),
        });
      reply = { Error: "" };
      break;
    }
    case "not-found":
      ctx.ledger.release(uid);
      ctx.recent.forget(uid);
      reply = { Error: `pod ${namespace}/${name} not found: ${result.message}` };
      break;
    case "conflict":
      // Already bound where the scheduler wanted it (e.g. by admission-time binding): that is success.
      reply = isBoundTo(ctx, uid, nodeName)
        ? { Error: "" }
        : { Error: `pod ${namespace}/${name} could not be bound to ${nodeName}: ${result.message}` };
      break;
    case "error":
      reply = { Error: `binding pod ${namespace}/${name} to ${nodeName} failed: ${result.message}` };
      break;
  }
  if (result.kind === "ok") ctx.logger.debug(log, "bind decision");
  else ctx.logger.info({ ...log, error: reply.Error }, "bind failed");
  return { status: 200, body: reply };
}

export function preemptVerb(ctx: HandlerContext, body: unknown, requestId: string): Reply {
  const args = checkPreemptionArgs(body);
  if (!args.ok) return badRequest(args.message);
  const pod = podFacts(args.value.Pod);
  if (!pod.ok) return badRequest(pod.message);
  const decision = decidePreemption(ctx, pod.value, args.value);
  ctx.logger.debug(
    {
      requestId,
      verb: "preempt",
      pod: `${pod.value.namespace}/${pod.value.name}`,
      hostedBy: decision.hostedBy?.name,
      candidates: Object.keys(decision.result.NodeNameToMetaVictims).length,
    },
    decision.hostedBy
      ? "preempt decision: victims dropped, capacity is launching"
      : "preempt decision: pass through",
  );
  return { status: 200, body: decision.result };
}
