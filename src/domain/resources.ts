// Resource lists in canonical units (see quantity.ts) and the arithmetic the planner and the
// controllers share. Values are plain objects so that snapshots stay serialisable and comparable.
import { formatResourceQuantity, parseResourceQuantity } from "./quantity.js";

export type Resources = Readonly<Record<string, number>>;

/** Parses a Kubernetes ResourceList ({cpu: "500m", memory: "1Gi"}) into canonical units. */
export function parseResourceList(list: Readonly<Record<string, string | number>> | undefined): Resources {
  const out: Record<string, number> = {};
  if (!list) return out;
  for (const [name, quantity] of Object.entries(list)) out[name] = parseResourceQuantity(name, quantity);
  return out;
}

export function formatResourceList(resources: Resources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(resources)) out[name] = formatResourceQuantity(name, value);
  return out;
}

export function addResources(a: Resources, b: Resources): Resources {
  const out: Record<string, number> = { ...a };
  for (const [name, value] of Object.entries(b)) out[name] = (out[name] ?? 0) + value;
  return out;
}

/** Element-wise maximum, used for init containers (each init container runs alone). */
export function maxResources(a: Resources, b: Resources): Resources {
  const out: Record<string, number> = { ...a };
  for (const [name, value] of Object.entries(b)) out[name] = Math.max(out[name] ?? 0, value);
  return out;
}
