// Replies written as bytes for requests whose candidate names were read in place (read-args.ts):
// the names are copied from the request into one Buffer of the exact length, never made into
// strings. Names there are printable ASCII without quotes or backslashes, so they need no escaping;
// the layout is Go's json.Marshal of ExtenderFilterResult and HostPriorityList, which is what the
// general encoders (encode.ts) give for the same values.
import type { NameBytes } from "./candidates.js";
import type { FilterDecision, NodeFailures } from "./filter.js";

const latin1 = (text: string): Buffer => Buffer.from(text, "latin1");
const filterHead = latin1('{"Nodes":null,"NodeNames":[');
const failedHead = latin1('],"FailedNodes":{');
const unresolvableHead = latin1('},"FailedAndUnresolvableNodes":{');
const filterTail = latin1('},"Error":""}');
const hostHead = latin1('{"Host":"');
const scoreSuffixes = Array.from({ length: 11 }, (_, score) => latin1(`","Score":${score}}`));

/** Copies source[start, end) into target at `at`; returns the end. Names are short: a loop beats a call. */
function copy(source: Uint8Array, start: number, end: number, target: Uint8Array, at: number): number {
  for (let k = start; k < end; k++) target[at++] = source[k] ?? 0;
  return at;
}

function put(part: Uint8Array, target: Uint8Array, at: number): number {
  target.set(part, at);
  return at + part.length;
}

/** The runs of consecutive indexes in `passed`, as [first, last] pairs flattened. */
function runs(passed: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < passed.length;) {
    let r = k;
    while (r + 1 < passed.length && passed[r + 1] === (passed[r] ?? 0) + 1) r++;
    out.push(passed[k] ?? 0, passed[r] ?? 0);
    k = r + 1;
  }
  return out;
}

/** Each failure's reason as JSON bytes, repeated reasons encoded once. */
function reasonBytes(failures: NodeFailures): Buffer[] {
  const out = new Array<Buffer>(failures.size);
  let previous: string | undefined;
  let previousBytes = Buffer.alloc(0);
  for (let i = 0; i < failures.size; i++) {
    const message = failures.messages[i] ?? "";
    if (message !== previous) {
      previous = message;
      previousBytes = Buffer.from(JSON.stringify(message), "utf8");
    }
    out[i] = previousBytes;
  }
  return out;
}

function failuresLength(names: NameBytes, failures: NodeFailures, reasons: readonly Buffer[]): number {
  let length = failures.size > 0 ? failures.size - 1 : 0; // commas
  for (let i = 0; i < failures.size; i++) {
    const c = failures.indexes[i] ?? 0;
    length += (names.ends[c] ?? 0) - (names.starts[c] ?? 0) + 3 + (reasons[i]?.length ?? 0); // "name":
  }
  return length;
}

function writeFailures(
  names: NameBytes,
  failures: NodeFailures,
  reasons: readonly Buffer[],
  out: Buffer,
  at: number,
): number {
  const { bytes, starts, ends } = names;
  for (let i = 0; i < failures.size; i++) {
    const c = failures.indexes[i] ?? 0;
    if (i > 0) out[at++] = 0x2c;
    out[at++] = 0x22;
    at = copy(bytes, starts[c] ?? 0, ends[c] ?? 0, out, at);
    out[at++] = 0x22;
    out[at++] = 0x3a;
    at = put(reasons[i] ?? Buffer.alloc(0), out, at);
  }
  return at;
}

/** An ExtenderFilterResult in nodeCacheCapable form: NodeNames copied from the request run by run. */
export function filterReplyBytes(names: NameBytes, decision: FilterDecision): Buffer {
  const { bytes, starts, ends } = names;
  const passedRuns = runs(decision.passed);
  const failedReasons = reasonBytes(decision.failed);
  const unresolvableReasons = reasonBytes(decision.unresolvable);
  let length =
    filterHead.length +
    failedHead.length +
    unresolvableHead.length +
    filterTail.length +
    failuresLength(names, decision.failed, failedReasons) +
    failuresLength(names, decision.unresolvable, unresolvableReasons);
  for (let r = 0; r < passedRuns.length; r += 2) {
    // From the opening quote of the run's first name to the closing quote of its last, and a comma.
    length += (ends[passedRuns[r + 1] ?? 0] ?? 0) - (starts[passedRuns[r] ?? 0] ?? 0) + 2 + (r > 0 ? 1 : 0);
  }
  const out = Buffer.allocUnsafe(length);
  let at = put(filterHead, out, 0);
  for (let r = 0; r < passedRuns.length; r += 2) {
    if (r > 0) out[at++] = 0x2c;
    const from = (starts[passedRuns[r] ?? 0] ?? 0) - 1;
    const to = (ends[passedRuns[r + 1] ?? 0] ?? 0) + 1;
    at += bytes.copy(out, at, from, to);
  }
  at = put(failedHead, out, at);
  at = writeFailures(names, decision.failed, failedReasons, out, at);
  at = put(unresolvableHead, out, at);
  at = writeFailures(names, decision.unresolvable, unresolvableReasons, out, at);
  at = put(filterTail, out, at);
  if (at !== length) throw new Error(`filter reply: wrote ${at} of ${length} bytes`);
  return out;
}

/** A HostPriorityList ([{"Host":name,"Score":n},...]) for the candidates, score for score. */
export function priorityListBytes(names: NameBytes, scores: readonly number[]): Buffer {
  const { bytes, starts, ends } = names;
  const count = starts.length;
  const suffixes = scores.map((score) => scoreSuffixes[score] ?? latin1(`","Score":${String(score)}}`));
  let length = 2 + (count > 0 ? count - 1 : 0);
  for (let i = 0; i < count; i++)
    length += hostHead.length + (ends[i] ?? 0) - (starts[i] ?? 0) + (suffixes[i]?.length ?? 0);
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  out[at++] = 0x5b;
  for (let i = 0; i < count; i++) {
    if (i > 0) out[at++] = 0x2c;
    at = copy(hostHead, 0, hostHead.length, out, at);
    at = copy(bytes, starts[i] ?? 0, ends[i] ?? 0, out, at);
    const suffix = suffixes[i] ?? Buffer.alloc(0);
    at = copy(suffix, 0, suffix.length, out, at);
  }
  out[at++] = 0x5d;
  if (at !== length) throw new Error(`priority list: wrote ${at} of ${length} bytes`);
  return out;
}
