// NodeRegistrationHealthy: the rules that turn launch outcomes into the NodePool condition, and the
// planning reader that applies them before the status write comes back through the informer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Condition } from "../../src/api/common.js";
import type { NodePool } from "../../src/api/nodepool.js";
import { ManualClock } from "../../src/clock.js";
import type { ClusterReader } from "../../src/controllers/cluster-reader.js";
import { RegistrationHealth, withRegistrationHealth } from "../../src/controllers/registration-health.js";
import { registrationUnhealthy } from "../../src/planner/pools.js";
import { testPool } from "../support/lifecycle-fakes.js";

const minute = 60_000;

function setup(retryAfterMs = 30 * minute) {
  const clock = new ManualClock(Date.parse("2026-11-28T08:00:00Z"));
  const pool: NodePool = { ...testPool("dead"), metadata: { name: "dead", generation: 1 } };
  const pools = [pool];
  let changes = 0;
  const health = new RegistrationHealth({
    clock,
    nodePools: () => pools,
    onChange: () => changes++,
    retryAfterMs,
  });
  /** What the status reconciler would write, as the informer would then return it. */
  const publish = () => {
    const condition = health.condition(pools[0]!);
    pools[0] = { ...pools[0]!, status: { conditions: [condition] } };
    return condition;
  };
  return { clock, pools, health, publish, changes: () => changes };
}

const brief = (c: Condition) => `${c.status} ${c.reason ?? ""}`;

describe("NodeRegistrationHealthy", () => {
  it("is Unknown for a pool that never launched", () => {
    const { health, pools } = setup();
    assert.equal(brief(health.condition(pools[0]!)), "Unknown NoLaunches");
  });

  it("goes False on a failure, with the reason and a count of failures in a row", () => {
    const { health, pools, publish, changes, clock } = setup();
    health.failed("dead", "RegistrationTimeout", "node x did not register within 20s");
    assert.equal(changes(), 1, "the status reconciler is asked to publish");
    const first = publish();
    assert.equal(brief(first), "False RegistrationTimeout");
    assert.match(first.message ?? "", /did not register within 20s/);
    assert.equal(first.observedGeneration, 1);
    clock.advance(minute);
    health.failed("dead", "RegistrationTimeout", "node y did not register within 20s");
    const second = publish();
    assert.match(second.message ?? "", /2 in a row/);
    assert.equal(second.lastTransitionTime, first.lastTransitionTime, "no transition while it stays False");
    assert.ok(registrationUnhealthy(pools[0]!));
  });

  it("goes True when a node of the pool registers", () => {
    const { health, publish, clock } = setup();
    health.failed("dead", "LaunchTimeout", "no instance after 300s");
    publish();
    clock.advance(minute);
    health.registered("dead");
    assert.equal(brief(publish()), "True NodeRegistered");
  });

  it("tries the pool again once its spec changes", () => {
    const { health, pools, publish } = setup();
    health.failed("dead", "RegistrationTimeout", "…");
    publish();
    pools[0] = { ...pools[0]!, metadata: { name: "dead", generation: 2 } };
    const next = publish();
    assert.equal(brief(next), "Unknown NodePoolChanged");
    assert.equal(next.observedGeneration, 2);
    assert.equal(brief(publish()), "Unknown NodePoolChanged", "stable once published");
  });

  it("tries the pool again after the retry period without failures", () => {
    const { health, publish, clock } = setup(30 * minute);
    health.failed("dead", "RegistrationTimeout", "…");
    publish();
    clock.advance(29 * minute);
    assert.equal(brief(publish()), "False RegistrationTimeout");
    clock.advance(minute);
    assert.equal(brief(publish()), "Unknown RetryAfterFailure");
    clock.advance(minute);
    assert.equal(brief(publish()), "Unknown RetryAfterFailure", "the old failure does not come back");
    health.failed("dead", "RegistrationTimeout", "again");
    assert.equal(brief(publish()), "False RegistrationTimeout");
  });

  it("shows a failure to the planner before the status write lands", () => {
    const { health, pools } = setup();
    const reader = { nodePools: () => pools } as unknown as ClusterReader;
    const planning = withRegistrationHealth(reader, health);
    assert.ok(!registrationUnhealthy(planning.nodePools()[0]!));
    health.failed("dead", "RegistrationTimeout", "…");
    assert.ok(registrationUnhealthy(planning.nodePools()[0]!));
    assert.equal(pools[0]!.status, undefined, "the informer's object is not modified");
  });
});
