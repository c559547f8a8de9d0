// A prom-client registry per rafter process (never the library's global default), so that tests and
// several in-process apps never share or collide on metric state.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const metricPrefix = "rafter_";

export interface RegistryOptions {
  /** Process metrics (CPU, memory, event loop lag) under the rafter_ prefix; on in production. */
  defaultMetrics?: boolean;
}

export function createMetricsRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? false) collectDefaultMetrics({ register: registry, prefix: metricPrefix });
  return registry;
}

// Get-or-create helpers: several components may ask for the same metric from one registry (and tests
// build many apps on fresh registries); prom-client throws on a second registration of a name.

export function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

export function gauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge<L>({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Histogram) return existing;
  return new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
}
