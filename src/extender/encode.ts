// Hand-rolled JSON for the replies that list every candidate: a HostPriorityList, and the failed-node
// maps of a filter reply, for requests whose names were parsed (see read-args.ts; kube-scheduler's
// compact requests get reply-bytes.ts). Concatenating strings is about twice as fast as
// JSON.stringify over hundreds of small objects (or a dictionary object with hundreds of keys). Node
// names are DNS subdomains, so the common case needs no escaping; anything else goes through
// JSON.stringify.
import type { Candidates } from "./candidates.js";
import type { NodeFailures } from "./filter.js";
import type { WireNodeList } from "./wire.js";

const plainName = /^[A-Za-z0-9._:-]*$/;

function quoted(name: string): string {
  return plainName.test(name) ? `"${name}"` : JSON.stringify(name);
}

/** A HostPriorityList ([{"Host": name, "Score": n}, ...]) from candidate names and their scores. */
export function encodeHostPriorityList(hosts: readonly string[], scores: readonly number[]): string {
  let out = "[";
  for (let i = 0; i < hosts.length; i++) {
    out +=
      (i === 0 ? '{"Host":' : ',{"Host":') +
      quoted(hosts[i] ?? "") +
      ',"Score":' +
      String(scores[i] ?? 0) +
      "}";
  }
  return out + "]";
}

/** A FailedNodesMap ({"name": "reason", ...}); repeated reasons are escaped once. */
function encodeFailures(failures: NodeFailures, candidates: Candidates): string {
  let out = "{";
  let previous: string | undefined;
  let previousJson = "";
  for (let i = 0; i < failures.size; i++) {
    const message = failures.messages[i] ?? "";
    if (message !== previous) {
      previous = message;
      previousJson = JSON.stringify(message);
    }
    out += (i === 0 ? "" : ",") + quoted(candidates.name(failures.indexes[i] ?? 0)) + ":" + previousJson;
  }
  return out + "}";
}

export interface FilterReply {
  /** Passing names (nodeCacheCapable), or null. */
  nodeNames: readonly string[] | null;
  /** Passing nodes (not nodeCacheCapable), or null. */
  nodes: WireNodeList | null;
  failed: NodeFailures;
  unresolvable: NodeFailures;
  /** The candidates the failures' indexes refer to. */
  candidates: Candidates;
}

/** An ExtenderFilterResult: Nodes, NodeNames, FailedNodes, FailedAndUnresolvableNodes, Error. */
export function encodeFilterResult(reply: FilterReply): string {
  return (
    '{"Nodes":' +
    JSON.stringify(reply.nodes) +
    ',"NodeNames":' +
    JSON.stringify(reply.nodeNames) +
    ',"FailedNodes":' +
    encodeFailures(reply.failed, reply.candidates) +
    ',"FailedAndUnresolvableNodes":' +
    encodeFailures(reply.unresolvable, reply.candidates) +
    ',"Error":""}'
  );
}
