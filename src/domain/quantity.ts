// Kubernetes resource quantities ("250m", "1.5Gi", "2e3") as plain numbers in canonical units:
// cpu in millicores, everything else (memory, storage, pods, extended resources) in base units.

const binarySuffixes: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimalSuffixes: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const quantityPattern =
  /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

export class InvalidQuantityError extends Error {
  constructor(readonly input: string) {
    super(`invalid quantity "${input}"`);
  }
}

/** Parses a quantity into its value in base units (e.g. "250m" → 0.25, "1Ki" → 1024). */
export function parseQuantity(input: string | number): number {
  if (typeof input === "number") return input;
  const match = quantityPattern.exec(input.trim());
  if (!match) throw new InvalidQuantityError(input);
  const [, digits = "", exponent, suffix = ""] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent.slice(1));
  const multiplier = binarySuffixes[suffix] ?? decimalSuffixes[suffix] ?? 1;
  return base * multiplier;
}

/** A resource's quantity in canonical units: millicores for cpu, base units for everything else. */
export function parseResourceQuantity(resource: string, input: string | number): number {
  const value = parseQuantity(input);
  // Round to whole canonical units, as the API server does; cpu gets millicore precision.
  return resource === "cpu" ? Math.ceil(value * 1000 - 1e-9) : Math.ceil(value - 1e-9);
}

/** Formats a canonical value back to a quantity string ("1500m" → "1500m", bytes → "Mi"/"Gi" when exact). */
export function formatResourceQuantity(resource: string, value: number): string {
  if (resource === "cpu") return value % 1000 === 0 ? String(value / 1000) : `${value}m`;
  if (resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-")) {
    for (const [suffix, size] of [
      ["Gi", 2 ** 30],
      ["Mi", 2 ** 20],
      ["Ki", 2 ** 10],
    ] as const) {
      if (value !== 0 && value % size === 0) return `${value / size}${suffix}`;
    }
  }
  return String(value);
}
