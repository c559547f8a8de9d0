// Pure parts of the AWS provider: fleet request/answer mapping, client tokens, backoff, user data.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { capacityErrorCodes, errorCode, toCloudError } from "../../src/cloud/aws/error-codes.js";
import {
  createFleetInput,
  failedOfferings,
  fleetClientToken,
  parseFleetOutput,
  type FleetOverride,
} from "../../src/cloud/aws/fleet.js";
import {
  throttleDelay,
  defaultRetryPolicy,
  withThrottleRetry,
  type RetryPolicy,
} from "../../src/cloud/aws/retry.js";
import { isMutatingAction, TokenBucket } from "../../src/cloud/aws/rate-limiter.js";
import { ManualClock } from "../../src/clock.js";
import { allows } from "../../src/cloud/launch-options.js";
import { parseProviderId, providerIdFor } from "../../src/cloud/provider.js";

const override = (instanceType: string, zone: string, subnetId: string): FleetOverride => ({
  option: { instanceType, zone, capacityType: "on-demand", price: 0.1 },
  subnetId,
  launchTemplateName: "rafter/c/abc",
});

describe("CreateFleet mapping", () => {
  const overrides = [
    override("m5.large", "us-east-1a", "subnet-a"),
    override("m5.large", "us-east-1b", "subnet-b"),
    override("c5.large", "us-east-1a", "subnet-a"),
  ];

  it("derives a stable client token from the UID and what is asked", () => {
    const token = fleetClientToken("0b0c2f4e-1111-2222-3333-444455556666", overrides);
    assert.equal(token, fleetClientToken("0b0c2f4e-1111-2222-3333-444455556666", overrides));
    assert.notEqual(token, fleetClientToken("0b0c2f4e-1111-2222-3333-444455556666", overrides.slice(1)));
    assert.ok(token.length <= 64);
    assert.ok(token.startsWith("0b0c2f4e-1111-2222-3333-444455556666-"));
  });

  it("builds an instant fleet of one with lowest-price on-demand", () => {
    const input = createFleetInput("on-demand", overrides, "token", [{ Key: "k", Value: "v" }]);
    assert.equal(input.Type, "instant");
    assert.equal(input.TargetCapacitySpecification?.TotalTargetCapacity, 1);
    assert.equal(input.OnDemandOptions?.AllocationStrategy, "lowest-price");
    assert.equal(input.SpotOptions, undefined);
    assert.equal(input.LaunchTemplateConfigs?.[0]?.Overrides?.length, 3);
    assert.deepEqual(
      input.TagSpecifications?.map((t) => t.ResourceType),
      ["instance", "volume", "fleet"],
    );
    const spot = createFleetInput("spot", overrides, "token", []);
    assert.equal(spot.SpotOptions?.AllocationStrategy, "price-capacity-optimized");
  });

  it("maps per-override errors in a 200 answer to failed offerings", () => {
    const outcome = parseFleetOutput({
      $metadata: {},
      Errors: [
        {
          ErrorCode: "InsufficientInstanceCapacity",
          ErrorMessage: "no",
          LaunchTemplateAndOverrides: { Overrides: { InstanceType: "m5.large", SubnetId: "subnet-a" } },
        },
        {
          ErrorCode: "InvalidParameterValue",
          ErrorMessage: "bad",
          LaunchTemplateAndOverrides: { Overrides: { InstanceType: "c5.large" } },
        },
      ],
      Instances: [
        {
          InstanceIds: ["i-0abc"],
          InstanceType: "m5.large",
          LaunchTemplateAndOverrides: { Overrides: { SubnetId: "subnet-b" } },
        },
      ],
    });
    assert.equal(outcome.instanceId, "i-0abc");
    assert.equal(outcome.subnetId, "subnet-b");
    const failed = failedOfferings(outcome, overrides, capacityErrorCodes);
    assert.deepEqual(failed, [
      {
        instanceType: "m5.large",
        zone: "us-east-1a",
        capacityType: "on-demand",
        code: "InsufficientInstanceCapacity",
      },
    ]);
  });
});

describe("throttling backoff", () => {
  it("grows exponentially with full jitter, capped", () => {
    const policy: RetryPolicy = { ...defaultRetryPolicy, random: () => 0.999 };
    assert.deepEqual(
      [0, 1, 2, 3, 10].map((a) => throttleDelay(policy, a)),
      [199, 399, 799, 1598, 9990],
    );
    assert.equal(throttleDelay({ ...policy, random: () => 0 }, 3), 1);
  });

  it("retries throttles only, and rethrows the last one", async () => {
    const sleeps: number[] = [];
    const policy: RetryPolicy = {
      ...defaultRetryPolicy,
      maxAttempts: 3,
      random: () => 0.5,
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    };
    const throttle = Object.assign(new Error("slow down"), { name: "RequestLimitExceeded" });
    let calls = 0;
    assert.equal(
      await withThrottleRetry(() => (++calls < 3 ? Promise.reject(throttle) : Promise.resolve("ok")), policy),
      "ok",
    );
    assert.deepEqual(sleeps, [100, 200]);
    await assert.rejects(
      withThrottleRetry(() => Promise.reject(throttle), policy),
      /slow down/,
    );
    calls = 0;
    const other = Object.assign(new Error("nope"), { name: "InvalidParameterValue" });
    await assert.rejects(
      withThrottleRetry(() => (calls++, Promise.reject(other)), policy),
      /nope/,
    );
    assert.equal(calls, 1);
    assert.equal(toCloudError(throttle).kind, "Throttled");
    assert.equal(
      toCloudError(Object.assign(new Error("x"), { name: "InvalidInstanceID.NotFound" })).kind,
      "NotFound",
    );
    assert.equal(errorCode({ Code: "Foo" }), "Foo");
  });
});

describe("launch helpers", () => {
  it("evaluates zone and capacity-type requirements", () => {
    const reqs = [
      { key: "topology.kubernetes.io/zone", operator: "In" as const, values: ["us-east-1a", "us-east-1b"] },
      { key: "rafter.dev/capacity-type", operator: "NotIn" as const, values: ["spot"] },
    ];
    assert.equal(allows(reqs, "topology.kubernetes.io/zone", "us-east-1a"), true);
    assert.equal(allows(reqs, "topology.kubernetes.io/zone", "us-east-1c"), false);
    assert.equal(allows(reqs, "rafter.dev/capacity-type", "spot"), false);
    assert.equal(allows(reqs, "other", "x"), true);
  });

  it("round-trips provider ids", () => {
    assert.equal(providerIdFor("us-east-1a", "i-0abc123"), "aws:///us-east-1a/i-0abc123");
    assert.deepEqual(parseProviderId("aws:///us-east-1a/i-0abc123"), {
      zone: "us-east-1a",
      instanceId: "i-0abc123",
    });
    assert.equal(parseProviderId("kwok://node-1"), undefined);
  });
});

describe("mutating-call pacing", () => {
  it("lets a burst through, then spaces calls at the sustained rate on the injected clock", async () => {
    const clock = new ManualClock(0);
    const waits: number[] = [];
    const bucket = new TokenBucket({ perSecond: 5, burst: 2 }, clock, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    });
    assert.deepEqual(
      await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]),
      [0, 0, 200, 400],
    );
    clock.advance(1000); // 5 tokens back, minus the 2 borrowed
    assert.equal(await bucket.take(), 0);
    assert.deepEqual(waits, [200, 400]);
    assert.equal(isMutatingAction("CreateFleet"), true);
    assert.equal(isMutatingAction("DescribeInstances"), false);
  });
});
