// The four extender verbs as functions from a request body to a reply. HTTP, metrics and timing are
// the app's business (app.ts, verb-route.ts); these only read and validate the body (read-args.ts),
// decide, and log the decision at debug level.
import type { Clock } from "../clock.js";
import { millis } from "../domain/timestamps.js";
import type { Logger } from "../logging.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { ReservationLedger } from "../state/reservation-ledger.js";
import { isBoundTo } from "../state/scheduling-state.js";
import { bindResultLabel, type Binder, type BindResult } from "../kube/binder.js";
import type { Candidates } from "./candidates.js";
import { encodeFilterResult, encodeHostPriorityList } from "./encode.js";
import { decideFilter, type FilterDecision, type FilterReason } from "./filter.js";
import { podFacts, type PodFacts } from "./pod-facts.js";
import { decidePreemption } from "./preempt.js";
import { decideScores } from "./prioritize.js";
import { parseJson, readExtenderArgs } from "./read-args.js";
import type { RecentPods } from "./recent-pods.js";
import { filterReplyBytes, priorityListBytes } from "./reply-bytes.js";
import type { SlotIndex } from "./slot-index.js";
import { checkBindingArgs, checkPreemptionArgs } from "./validate.js";
import type { ExtenderBindingResult, WireNodeList } from "./wire.js";
import type { ExtenderMetrics } from "../metrics/extender.js";
import { errorMessage } from "../domain/error-message.js";
import { fail } from "../domain/result.js";

export interface Reply {
  status: number;
  /** Serialised with JSON.stringify, unless `raw` carries the JSON already (text or UTF-8 bytes). */
  body: unknown;
  raw?: string | Buffer;
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
  /** The pod's creation time (ms): from the cluster state, or from the pod's last filter request. */
  podCreatedAt: number | undefined;
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
  candidates: Candidates,
  requestId: string,
): FilterDecision {
  ctx.ledger.expireAssumed();
  ctx.recent.remember(pod.uid, pod);
  const decision = decideFilter(ctx, pod, candidates);
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
        candidates: candidates.count,
        passed: decision.passed.length,
        steeredTo: decision.steeredTo,
        removedBy: decision.removedBy,
      },
      "filter decision",
    );
  }
  return decision;
}

export function filterVerb(ctx: HandlerContext, body: Buffer, requestId: string): Reply {
  const args = readExtenderArgs(body);
  if (!args.ok) return badRequest(args.error);
  const pod = podFacts(args.value.pod);
  if (!pod.ok) return badRequest(pod.error);
  const { candidates, nodeList } = args.value;
  const decision = filterDecision(ctx, pod.value, candidates, requestId);
  if (candidates.source)
    return { status: 200, body: null, raw: filterReplyBytes(candidates.source, decision) };
  let passedNames: string[] | null = null;
  let passedNodes: WireNodeList | null = null;
  if (nodeList) {
    const items = [];
    for (const i of decision.passed) {
      const item = nodeList.items[i];
      if (item) items.push(item);
    }
    passedNodes = { metadata: nodeList.metadata ?? {}, items };
  } else {
    passedNames = decision.passed.map((i) => candidates.name(i));
  }
  const raw = encodeFilterResult({
    nodeNames: passedNames,
    nodes: passedNodes,
    failed: decision.failed,
    unresolvable: decision.unresolvable,
    candidates,
  });
  return { status: 200, body: null, raw };
}

function scores(ctx: HandlerContext, pod: PodFacts, candidates: Candidates, requestId: string): number[] {
  ctx.recent.remember(pod.uid, pod);
  const scores = decideScores(ctx, pod, candidates);
  if (ctx.logger.isLevelEnabled("debug")) {
    let best = 0;
    for (let i = 1; i < scores.length; i++) if ((scores[i] ?? 0) > (scores[best] ?? 0)) best = i;
    ctx.logger.debug(
      {
        requestId,
        verb: "prioritize",
        pod: `${pod.namespace}/${pod.name}`,
        candidates: candidates.count,
        best: candidates.count > 0 ? { Host: candidates.name(best), Score: scores[best] } : undefined,
      },
      "prioritize decision",
    );
  }
  return scores;
}

export function prioritizeVerb(ctx: HandlerContext, body: Buffer, requestId: string): Reply {
  const args = readExtenderArgs(body);
  if (!args.ok) return badRequest(args.error);
  const pod = podFacts(args.value.pod);
  if (!pod.ok) return badRequest(pod.error);
  const { candidates } = args.value;
  const scored = scores(ctx, pod.value, candidates, requestId);
  const raw = candidates.source
    ? priorityListBytes(candidates.source, scored)
    : encodeHostPriorityList(candidates.names(), scored);
  return { status: 200, body: null, raw };
}

export async function bindVerb(ctx: HandlerContext, body: Buffer, requestId: string): Promise<Reply> {
  const json = parseJson(body);
  if (!json.ok) return badRequest(json.error);
  const args = checkBindingArgs(json.value);
  if (!args.ok) return badRequest(args.error);
  const { PodNamespace: namespace, PodName: name, PodUID: uid, Node: nodeName } = args.value;
  const reservation = ctx.ledger.get(uid);
  const recent = ctx.recent.get(uid);
  const podCreatedAt = ctx.state.pod(uid)?.createdAt ?? millis(recent?.creationTimestamp);
  let result: BindResult;
  try {
    result = await ctx.binder.bind(namespace, name, uid, nodeName);
  } catch (error) {
    // The port promises typed results; a throw is a bug in an adapter, reported rather than crashing.
    result = fail({ kind: "error", message: `binder failed: ${errorMessage(error)}` });
  }
  ctx.metrics.bindResults.inc({ result: bindResultLabel(result) });
  const log = {
    requestId,
    verb: "bind",
    pod: `${namespace}/${name}`,
    uid,
    node: nodeName,
    result: result.ok ? "ok" : result.error.kind,
  };
  let reply: ExtenderBindingResult;
  if (result.ok) {
    // Hold the capacity at once, so the next filter call does not hand it to another pod before
    // the informer delivers the binding; unless the informer was faster and already counts the pod.
    if (ctx.state.pod(uid)?.nodeName === nodeName) {
      ctx.ledger.release(uid);
    } else {
      const requests = reservation?.requests ?? ctx.state.pod(uid)?.requests ?? recent?.requests;
      if (requests) ctx.ledger.assume({ podUID: uid, nodeName, requests, namespace, name });
      else ctx.ledger.release(uid);
    }
    ctx.recent.forget(uid);
    // Joined: rafter's own binding of this pod (admission-time, made or under way) answered it; the
    // provisioner reports it.
    if (!result.value.joined)
      ctx.onBound?.({
        namespace,
        name,
        uid,
        nodeName,
        reservedNodeName: reservation?.nodeName,
        boundAt: ctx.clock.now(),
        podCreatedAt,
      });
    reply = { Error: "" };
  } else {
    const { kind, message } = result.error;
    switch (kind) {
      case "not-found":
        ctx.ledger.release(uid);
        ctx.recent.forget(uid);
        reply = { Error: `pod ${namespace}/${name} not found: ${message}` };
        break;
      case "conflict":
        // Already bound where the scheduler wanted it (e.g. by admission-time binding): that is success.
        reply = isBoundTo(ctx, uid, nodeName)
          ? { Error: "" }
          : { Error: `pod ${namespace}/${name} could not be bound to ${nodeName}: ${message}` };
        break;
      case "error":
        reply = { Error: `binding pod ${namespace}/${name} to ${nodeName} failed: ${message}` };
        break;
    }
  }
  if (result.ok) ctx.logger.debug(log, "bind decision");
  else ctx.logger.info({ ...log, error: reply.Error }, "bind failed");
  return { status: 200, body: reply };
}

export function preemptVerb(ctx: HandlerContext, body: Buffer, requestId: string): Reply {
  const json = parseJson(body);
  if (!json.ok) return badRequest(json.error);
  const args = checkPreemptionArgs(json.value);
  if (!args.ok) return badRequest(args.error);
  const pod = podFacts(args.value.Pod);
  if (!pod.ok) return badRequest(pod.error);
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
