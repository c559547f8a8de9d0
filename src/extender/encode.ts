// Hand-rolled JSON for the replies that list every candidate: a HostPriorityList, and the failed-node
// maps of a filter reply. Concatenating strings is about twice as fast as JSON.stringify over
// hundreds of small objects (or a dictionary object with hundreds of keys), and these replies are on
// the scheduler's critical path. Node names are DNS subdomains, so the common case needs no escaping;
// anything else goes through JSON.stringify.
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
function encodeFailures(failures: NodeFailures): string {
  let out = "{";
  let previous: string | undefined;
  let previousJson = "";
  for (let i = 0; i < failures.names.length; i++) {
    const message = failures.messages[i] ?? "";
    if (message !== previous) {
      previous = message;
      previousJson = JSON.stringify(message);
    }
    out += (i === 0 ? "" : ",") + quoted(failures.names[i] ?? "") + ":" + previousJson;
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
}

/** An ExtenderFilterResult: Nodes, NodeNames, FailedNodes, FailedAndUnresolvableNodes, Error. */
export function encodeFilterResult(reply: FilterReply): string {
  return (
    '{"Nodes":' +
    JSON.stringify(reply.nodes) +
    ',"NodeNames":' +
    JSON.stringify(reply.nodeNames) +
    ',"FailedNodes":' +
    encodeFailures(reply.failed) +
    ',"FailedAndUnresolvableNodes":' +
    encodeFailures(reply.unresolvable) +
    ',"Error":""}'
  );
}

// ---------------------------------------------------------------------------------------------
// Replies for requests whose candidate names could be located in the request text (locateNames):
// kube-scheduler's own encoding (Go's json.Marshal: no whitespace, NodeNames the last field) of
// names that need no escaping, which is every real node name. The passing names are then copied as
// slices of the request text, runs of consecutive candidates in one piece, and no name is tested or
// escaped again.

/** The request text and, for each candidate, the index of its first character in it. */
export interface LocatedNames {
  readonly text: string;
  readonly starts: readonly number[];
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Where the candidate names (NodeNames, as JSON.parse gave them from `text`) sit in the request text,
 * or undefined when the text is not laid out as `...,"NodeNames":["a","b",...]}` with names that
 * need no escaping. What is accepted is exactly the NodeNames member JSON.parse read, written without
 * escapes or whitespace: there is no backslash from its key to the end, and every quote there sits
 * where the names' lengths put it, so the quotes delimit the strings they seem to; the member then
 * ends just before the final "}", so it is the top-level object's last member, the one JSON.parse
 * keeps. Native string searches only (indexOf per name): a character loop over 15 kB costs more
 * than the JSON.stringify this saves.
 */
export function locateNames(text: string, names: readonly string[]): LocatedNames | undefined {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  if (text.charCodeAt(end - 1) !== 0x7d || text.charCodeAt(end - 2) !== 0x5d) return undefined; // ]}
  const count = names.length;
  let length = count === 0 ? 2 : 1; // [ and ], commas between names
  for (let k = 0; k < count; k++) length += (names[k] ?? "").length + 3;
  const open = end - 1 - length;
  const key = open - 12; // "NodeNames":
  if (key < 1) return undefined;
  const before = text.charCodeAt(key - 1);
  if ((before !== 0x2c && before !== 0x7b) || !text.startsWith('"NodeNames":[', key)) return undefined;
  if (text.includes("\\", key)) return undefined;
  const starts = new Array<number>(count);
  let pos = open + 1;
  for (let k = 0; k < count; k++) {
    const first = pos + 1;
    const after = first + (names[k] ?? "").length;
    if (
      text.charCodeAt(pos) !== 0x22 ||
      text.indexOf('"', first) !== after ||
      text.charCodeAt(after + 1) !== (k === count - 1 ? 0x5d : 0x2c)
    )
      return undefined;
    starts[k] = first;
    pos = after + 2;
  }
  return { text, starts };
}

/** A FailedNodesMap of names known to need no escaping. */
function encodePlainFailures(failures: NodeFailures): string {
  let out = "{";
  let previous: string | undefined;
  let previousJson = "";
  for (let i = 0; i < failures.names.length; i++) {
    const message = failures.messages[i] ?? "";
    if (message !== previous) {
      previous = message;
      previousJson = JSON.stringify(message);
    }
    out += (i === 0 ? '"' : ',"') + (failures.names[i] ?? "") + '":' + previousJson;
  }
  return out + "}";
}

/**
 * An ExtenderFilterResult in nodeCacheCapable form for located candidates: NodeNames are the
 * passing candidates (indexes in request order), copied from the request text run by run.
 */
export function encodeLocatedFilterResult(
  names: readonly string[],
  located: LocatedNames,
  passed: readonly number[],
  failed: NodeFailures,
  unresolvable: NodeFailures,
): string {
  const { text, starts } = located;
  let out = '{"Nodes":null,"NodeNames":[';
  for (let k = 0; k < passed.length;) {
    let r = k;
    while (r + 1 < passed.length && passed[r + 1] === (passed[r] ?? 0) + 1) r++;
    const first = passed[k] ?? 0;
    const last = passed[r] ?? 0;
    // From the opening quote of the first name to the closing quote of the last.
    const slice = text.slice((starts[first] ?? 0) - 1, (starts[last] ?? 0) + (names[last] ?? "").length + 1);
    out += k === 0 ? slice : "," + slice;
    k = r + 1;
  }
  return (
    out +
    '],"FailedNodes":' +
    encodePlainFailures(failed) +
    ',"FailedAndUnresolvableNodes":' +
    encodePlainFailures(unresolvable) +
    ',"Error":""}'
  );
}

const scoreSuffixes = Array.from({ length: 11 }, (_, score) => `","Score":${score}}`);

/** A HostPriorityList for names known to need no escaping (located in the request). */
export function encodePlainHostPriorityList(hosts: readonly string[], scores: readonly number[]): string {
  let out = "[";
  for (let i = 0; i < hosts.length; i++) {
    const score = scores[i] ?? 0;
    out +=
      (i === 0 ? '{"Host":"' : ',{"Host":"') +
      (hosts[i] ?? "") +
      (scoreSuffixes[score] ?? `","Score":${String(score)}}`);
  }
  return out + "]";
}
