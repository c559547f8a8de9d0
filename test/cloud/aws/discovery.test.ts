// Catalogue discovery and EC2NodeClass resolution against moto's EC2 API.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { ManualClock } from "../../../src/clock.js";
import { Ec2Caller } from "../../../src/cloud/aws/ec2-caller.js";
import {
  describeAllInstanceTypes,
  describeSpotPrices,
  describeZoneOfferings,
} from "../../../src/cloud/aws/discovery.js";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { defaultRetryPolicy } from "../../../src/cloud/aws/retry.js";
import { createSsmClient, ssmParameterReader } from "../../../src/cloud/aws/ssm-parameters.js";
import type { Catalog } from "../../../src/catalog/types.js";
import { nodeClass, nodePool } from "../fixtures.js";
import { awsProvider, seed, startHarness, type Harness, type Seeded } from "./harness.js";

describe("EC2 discovery against moto", () => {
  let harness: Harness;
  let seeded: Seeded;
  before(async () => {
    // Tests here discover for themselves; the shared pre-discovery would only cost time.
    harness = await startHarness({ discover: false });
  });
  after(async () => {
    await harness.stop();
  });
  beforeEach(async () => {
    await harness.moto.reset();
    seeded = await seed(harness.direct);
    harness.proxy.requests.length = 0;
    harness.proxy.clearFaults();
  });

  it("discovers every instance type, all pages, and the zone offerings", async () => {
    const caller = new Ec2Caller(defaultRetryPolicy, pino({ level: "silent" }));
    const started = performance.now();
    const infos = await describeAllInstanceTypes(harness.direct, caller);
    const typesMs = performance.now() - started;
    const offerings = await describeZoneOfferings(harness.direct, caller);
    const totalMs = performance.now() - started;
    process.stdout.write(
      `# discovery: ${infos.length} types in ${Math.round(typesMs)} ms (${caller.stats.get("DescribeInstanceTypes")?.calls} pages), ` +
        `offerings for ${offerings.size} types in ${Math.round(totalMs - typesMs)} ms, total ${Math.round(totalMs)} ms\n`,
    );
    assert.ok(infos.length >= 1373, `${infos.length} instance types`);
    assert.equal(new Set(infos.map((i) => i.InstanceType)).size, infos.length, "no duplicates across pages");
    assert.deepEqual(offerings.get("m5.large")?.slice(0, 3), ["us-east-1a", "us-east-1b", "us-east-1c"]);
  });

  it("reads the latest spot price per type and zone", async () => {
    const caller = new Ec2Caller(defaultRetryPolicy, pino({ level: "silent" }));
    const prices = await describeSpotPrices(harness.direct, caller, new Date());
    assert.ok(prices.size > 1000, `${prices.size} spot prices`);
    assert.ok((prices.get("m5.large/us-east-1a") ?? 0) > 0);
  });

  it("builds the catalogue through the provider, limited to the node class's zones, with kubelet overrides", async () => {
    // No initialTypes: this provider discovers everything itself.
    const { provider } = awsProvider(harness, new ManualClock(Date.now()), { initialTypes: undefined });
    const started = performance.now();
    const result = await provider.instanceTypes(nodePool(), nodeClass({ kubelet: { maxPods: 58 } }));
    const ms = performance.now() - started;
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    process.stdout.write(
      `# provider catalogue (discovery + resolution + build): ${result.value.length} types in ${Math.round(ms)} ms\n`,
    );
    assert.ok(result.value.length > 1200);
    const m5 = result.value.find((t) => t.name === "m5.large");
    assert.ok(m5);
    assert.equal(m5.capacity.pods, 58);
    assert.deepEqual([...new Set(m5.offerings.map((o) => o.zone))].sort(), [...seeded.subnets.keys()].sort());
    assert.ok(m5.offerings.some((o) => o.capacityType === "on-demand" && o.price === 0.096));

    // Cached: a second call makes no EC2 calls.
    const before = harness.proxy.requests.length;
    await provider.instanceTypes(nodePool(), nodeClass({ kubelet: { maxPods: 58 } }));
    assert.equal(harness.proxy.requests.length, before);
  });

  it("resolves subnets, security groups and images by tags into the node class status", async () => {
    const { provider } = awsProvider(harness, new ManualClock(Date.now()));
    const status = await provider.resolveNodeClass(nodeClass());
    assert.ok(status.ok);
    assert.deepEqual(
      status.value.subnets?.map((s) => [s.zone, s.id]),
      [...seeded.subnets.entries()],
    );
    assert.deepEqual(
      status.value.securityGroups?.map((g) => g.id),
      [seeded.securityGroupId],
    );
    assert.deepEqual(
      status.value.amis?.map((a) => [a.architecture, a.id]),
      [
        ["amd64", seeded.images.amd64],
        ["arm64", seeded.images.arm64],
      ],
    );
    assert.equal(status.value.conditions?.[0]?.status, "True");
  });

  it("resolves by id and name, and reports what does not resolve as a status", async () => {
    const { provider } = awsProvider(harness, new ManualClock(Date.now()));
    const byId = await provider.resolveNodeClass(
      nodeClass({
        subnetSelectorTerms: [{ id: seeded.subnets.get("us-east-1b") ?? "" }],
        securityGroupSelectorTerms: [{ name: "nodes" }],
        amiSelectorTerms: [{ id: seeded.images.amd64 }],
      }),
    );
    assert.ok(byId.ok);
    assert.deepEqual(
      byId.value.subnets?.map((s) => s.zone),
      ["us-east-1b"],
    );
    assert.deepEqual(
      byId.value.securityGroups?.map((g) => g.id),
      [seeded.securityGroupId],
    );

    const missing = await provider.resolveNodeClass(
      nodeClass({ subnetSelectorTerms: [{ tags: { "rafter.dev/discovery": "nobody" } }] }, "broken"),
    );
    assert.ok(missing.ok);
    const [condition] = missing.value.conditions ?? [];
    assert.deepEqual([condition?.status, condition?.reason], ["False", "SubnetsNotFound"]);

    const alias = await provider.resolveNodeClass(
      nodeClass({ amiSelectorTerms: [{ alias: "al2023@latest" }] }, "alias"),
    );
    assert.ok(alias.ok);
    assert.equal(alias.value.conditions?.[0]?.reason, "AMIAliasUnsupported");
  });

  it("resolves aliases through the EKS SSM parameters put in moto, per version, arch and variant", async () => {
    const ssm = createSsmClient({
      region: "us-east-1",
      endpoint: harness.moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const eks = (version: string, arch: string, variant: string) =>
      `/aws/service/eks/optimized-ami/${version}/amazon-linux-2023/${arch}/${variant}/recommended/image_id`;
    const put = (name: string, value: string) =>
      ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: "String", Overwrite: true }));
    await put(eks("1.36", "x86_64", "standard"), "ami-0000000000000a136");
    await put(eks("1.36", "x86_64", "nvidia"), "ami-0000000000000b136");
    await put(eks("1.36", "arm64", "standard"), "ami-0000000000000c136");
    await put(eks("1.35", "x86_64", "standard"), "ami-0000000000000a135");
    await put("/aws/service/bottlerocket/aws-k8s-1.36-nvidia/arm64/latest/image_id", "ami-0000000000000d136");
    const { provider } = awsProvider(harness, new ManualClock(0), { readParameter: ssmParameterReader(ssm) });
    const al2023 = await provider.resolveNodeClass(
      nodeClass({ amiSelectorTerms: [{ alias: "al2023@latest" }] }, "al2023"),
    );
    assert.ok(al2023.ok);
    assert.deepEqual(
      al2023.value.amis?.map((ami) => [ami.architecture, ami.id]),
      [
        ["amd64", "ami-0000000000000a136"],
        ["amd64", "ami-0000000000000b136"],
        ["arm64", "ami-0000000000000c136"],
      ],
      "the cluster's version (1.36), not 1.35",
    );
    const bottlerocket = await provider.resolveNodeClass(
      nodeClass({ amiSelectorTerms: [{ alias: "bottlerocket@latest" }] }, "bottlerocket"),
    );
    assert.ok(bottlerocket.ok);
    assert.deepEqual(
      bottlerocket.value.amis?.map((ami) => ami.id),
      ["ami-0000000000000d136"],
    );
    const pinned = await provider.resolveNodeClass(
      nodeClass({ amiSelectorTerms: [{ alias: "al2023@v20200101" }] }, "pinned"),
    );
    assert.ok(pinned.ok);
    assert.equal(pinned.value.conditions?.[0]?.reason, "AMIAliasUnresolved");

    await ssm.send(
      new PutParameterCommand({ Name: "/team/images/node", Value: seeded.images.arm64, Type: "String" }),
    );
    const byParameter = await provider.resolveNodeClass(
      nodeClass({ amiSelectorTerms: [{ ssmParameter: "/team/images/node" }] }, "parameter"),
    );
    assert.ok(byParameter.ok);
    assert.deepEqual(
      byParameter.value.amis?.map((ami) => [ami.architecture, ami.id]),
      [["arm64", seeded.images.arm64]],
    );
    ssm.destroy();
  });

  it("rafter catalog --ec2-endpoint prints the catalogue EC2 reports", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "catalog",
        "--ec2-endpoint",
        harness.moto.endpoint,
        "--spot-prices",
        "estimate",
        "-o",
        "json",
        "-t",
        "m5.large",
      ],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const catalog = JSON.parse(stdout) as Catalog;
    assert.equal(catalog.instanceTypes.length, 1);
    assert.equal(catalog.instanceTypes[0]?.capacity.pods, 29);
  });
});
