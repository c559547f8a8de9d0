import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { extenderMetrics } from "../../src/metrics/extender.js";
import { provisioningMetrics } from "../../src/metrics/provisioning.js";
import { createMetricsRegistry } from "../../src/metrics/registry.js";

describe("metrics", () => {
  it("registers rafter_ metrics on the given registry, once, whoever asks first", async () => {
    const registry = createMetricsRegistry();
    const first = extenderMetrics(registry);
    const second = extenderMetrics(registry);
    assert.equal(first.requests, second.requests);
    provisioningMetrics(registry);
    provisioningMetrics(registry);
    first.requests.inc({ verb: "filter", code: "200" });
    const text = await registry.metrics();
    assert.match(text, /rafter_extender_requests_total\{verb="filter",code="200"\} 1/);
    for (const line of text.split("\n").filter((l) => l.startsWith("# TYPE"))) {
      assert.match(line, /^# TYPE rafter_/);
    }
  });

  it("keeps registries apart and leaves the global default alone", async () => {
    const a = createMetricsRegistry();
    const b = createMetricsRegistry();
    extenderMetrics(a).requests.inc({ verb: "bind", code: "200" });
    extenderMetrics(b);
    assert.doesNotMatch(await b.metrics(), /verb="bind"/);
    const { register } = await import("prom-client");
    assert.equal(register.getSingleMetric("rafter_extender_requests_total"), undefined);
  });

  it("adds process metrics under the rafter_ prefix when asked", async () => {
    const registry = createMetricsRegistry({ defaultMetrics: true });
    assert.match(await registry.metrics(), /rafter_process_cpu_user_seconds_total/);
  });
});
