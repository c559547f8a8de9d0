// Go-style durations ("1h30m", "500ms", "720h") as used by Kubernetes and NodePools, in milliseconds.
const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const durationPattern = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const partPattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** Milliseconds of a Go duration string, or undefined when it is not one. "0" is zero. */
export function parseDuration(input: string): number | undefined {
  const text = input.trim();
  if (text === "0") return 0;
  if (!durationPattern.test(text)) return undefined;
  let total = 0;
  for (const [, amount = "0", unit = "ms"] of text.matchAll(partPattern))
    total += Number(amount) * (unitMs[unit] ?? 0);
  return total;
}

/** A duration that may be "Never" (NodePool expireAfter, consolidateAfter): Infinity for Never. */
export function parseDurationOrNever(input: string | undefined, fallback: string): number {
  const text = input ?? fallback;
  if (text === "Never") return Number.POSITIVE_INFINITY;
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`invalid duration "${text}"`);
  return ms;
}

/** A whole number of milliseconds in its largest exact unit, as a person writes it: 1800000 → "30m". */
export function formatDuration(ms: number): string {
  for (const unit of ["h", "m", "s"] as const) {
    const size = unitMs[unit] ?? 1;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The Go duration pattern as a regular expression source, for CRD schemas. */
export const durationSchemaPattern = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
