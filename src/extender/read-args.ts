// Request bodies to checked values. ExtenderArgs (filter, prioritize) have a fast path for what
// kube-scheduler sends in nodeCacheCapable mode, Go's json.Marshal of ExtenderArgs: compact, NodeNames
// the last member, names that need no escaping. JSON.parse then reads only the members before
// NodeNames (the Pod, ~1 kB) and the names (~15 kB for 500) are located in place, one native search
// per name: parsing them into 500 strings was the largest single cost of a filter call.
//
// The fast path accepts exactly the bodies that are valid JSON of that layout, and reads them as
// JSON.parse would; anything else (whitespace, escapes, other orders, invalid JSON) goes through
// JSON.parse of the whole body, with the same answers and the same 400 messages.
import type { V1Pod } from "@kubernetes/client-node";
import { Candidates, type NameBytes } from "./candidates.js";
import { checkExtenderArgs, checkPod, isObject, type Checked } from "./validate.js";
import type { WireNodeList } from "./wire.js";
import { errorMessage } from "../domain/error-message.js";

export interface CandidateArgs {
  readonly pod: V1Pod;
  readonly candidates: Candidates;
  /** The NodeList, when the request carried Nodes (not nodeCacheCapable) instead of NodeNames. */
  readonly nodeList: WireNodeList | null;
}

export function parseJson(bytes: Buffer): Checked<unknown> {
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) as unknown };
  } catch (error) {
    return { ok: false, error: `malformed JSON: ${errorMessage(error)}` };
  }
}

export function readExtenderArgs(bytes: Buffer): Checked<CandidateArgs> {
  const compact = readCompactArgs(bytes);
  if (compact) return compact;
  const parsed = parseJson(bytes);
  if (!parsed.ok) return parsed;
  const args = checkExtenderArgs(parsed.value);
  if (!args.ok) return args;
  const { Pod: pod, NodeNames: nodeNames, Nodes: nodes } = args.value;
  if (nodeNames)
    return { ok: true, value: { pod, candidates: Candidates.fromNames(nodeNames), nodeList: null } };
  const nodeList = nodes ?? { metadata: null, items: [] };
  const names = nodeList.items.map((n) => n.metadata?.name ?? "");
  return { ok: true, value: { pod, candidates: Candidates.fromNames(names), nodeList } };
}

const nodeNamesKey = Buffer.from('"NodeNames":[', "latin1");
const quote = 0x22;
const comma = 0x2c;
const backslash = 0x5c;
const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * `{...,"NodeNames":["a","b",...]}` (trailing whitespace allowed), or undefined for any other body.
 * Why what it accepts is that JSON: the names' region holds printable ASCII without a backslash and
 * is exactly quote-delimited names separated by commas, so it is a valid array of those strings; the
 * text before the comma that precedes the key, closed with "}", is a JSON object (JSON.parse says
 * so), so that comma ends its last member: the key is not inside a string (a quote in a string is
 * escaped) nor nested, and NodeNames is the body's last member, the one JSON.parse would keep.
 */
function readCompactArgs(bytes: Buffer): Checked<CandidateArgs> | undefined {
  let end = bytes.length;
  while (end > 0 && isSpace(bytes[end - 1])) end--;
  const close = end - 2; // the "]" of ]}
  if (bytes[end - 1] !== 0x7d || bytes[close] !== 0x5d) return undefined;
  const key = bytes.lastIndexOf(nodeNamesKey, close);
  if (key < 1 || bytes[key - 1] !== comma) return undefined;
  const open = key + nodeNamesKey.length;
  if (!printableAscii(bytes, open, close) || bytes.indexOf(backslash, open) !== -1) return undefined;
  const names = locateNames(bytes, open, close);
  if (!names) return undefined;
  let last = key - 2;
  while (last > 0 && isSpace(bytes[last])) last--;
  if (bytes[last] === 0x7b) return undefined; // "{," is no object
  let head: unknown;
  try {
    head = JSON.parse(bytes.toString("utf8", 0, key - 1) + "}");
  } catch {
    return undefined; // the general path reports what is wrong
  }
  if (!isObject(head)) return undefined;
  const pod = checkPod(head.Pod, "Pod");
  if (!pod.ok) return pod;
  return { ok: true, value: { pod: pod.value, candidates: Candidates.fromBytes(names), nodeList: null } };
}

/** The quoted names in bytes[open, close), comma-separated, or undefined if it is not only that. */
function locateNames(bytes: Buffer, open: number, close: number): NameBytes | undefined {
  const starts: number[] = [];
  const ends: number[] = [];
  if (open === close) return { bytes, starts, ends };
  for (let at = open; ;) {
    if (bytes[at] !== quote) return undefined;
    const closingQuote = bytes.indexOf(quote, at + 1);
    if (closingQuote < 0 || closingQuote >= close) return undefined;
    starts.push(at + 1);
    ends.push(closingQuote);
    if (closingQuote + 1 === close) return { bytes, starts, ends };
    if (bytes[closingQuote + 1] !== comma) return undefined;
    at = closingQuote + 2;
  }
}

/**
 * Whether bytes[from, to) are all in 0x20–0x7f (no control character, which JSON forbids in strings,
 * and no multi-byte UTF-8, so that a byte is a character). Four bytes at a time: in each byte of
 * x - 0x20202020 the high bit is set, first at the lowest byte under 0x20, unless every byte is at
 * least 0x20 (no borrow then); x's own high bits catch bytes from 0x80.
 */
export function printableAscii(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  for (; i < to && ((bytes.byteOffset + i) & 3) !== 0; i++) if (!printable(bytes[i])) return false;
  const words = (to - i) >> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w++) {
      const x = view[w] ?? 0;
      if ((((x - 0x20202020) | x) & 0x80808080) !== 0) return false;
    }
    i += words * 4;
  }
  for (; i < to; i++) if (!printable(bytes[i])) return false;
  return true;
}

const printable = (b: number | undefined): boolean => b !== undefined && b >= 0x20 && b < 0x80;
