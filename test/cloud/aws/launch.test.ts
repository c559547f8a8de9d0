// Launch, look up, list and terminate through the AWS provider against moto, with capacity errors
// and throttling injected by the fault proxy in front of it.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  CreateSubnetCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { parse as parseYaml } from "yaml";
import { readMultipart } from "../../../src/cloud/userdata/mime.js";
import { ManualClock } from "../../../src/clock.js";
import { embeddedDiscoveredTypes } from "../../../src/cloud/aws/discovery.js";
import { loadEmbeddedOnDemandPrices } from "../../../src/catalog/embedded.js";
import { nodeClass, nodePool, virtualNode } from "../fixtures.js";
import {
  awsProvider,
  discoveryTag,
  region,
  seed,
  startHarness,
  testBootstrap,
  zones as harnessZones,
  type Harness,
  type Seeded,
} from "./harness.js";

const zonesInAll = (zones: readonly string[]): boolean => harnessZones.every((z) => zones.includes(z));

const onDemand = [{ key: "rafter.dev/capacity-type", operator: "In" as const, values: ["on-demand"] }];
const spot = [{ key: "rafter.dev/capacity-type", operator: "In" as const, values: ["spot"] }];

describe("AWS provider launches against moto", () => {
  let harness: Harness;
  let seeded: Seeded;
  let clock: ManualClock;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.stop();
  });
  beforeEach(async () => {
    await harness.moto.reset();
    seeded = await seed(harness.direct);
    harness.proxy.requests.length = 0;
    harness.proxy.clearFaults();
    clock = new ManualClock(Date.now());
  });

  it("recovers when cached subnets and launch templates were deleted behind its back", async () => {
    const { provider } = awsProvider(harness, clock);
    const first = await provider.create(virtualNode("vn-a", ["m5.large"], onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(first.ok, JSON.stringify(!first.ok && first.error));
    // Everything the provider cached (subnet ids, the launch template) is gone after a reset.
    await harness.moto.reset();
    seeded = await seed(harness.direct);
    const second = await provider.create(virtualNode("vn-b", ["m5.large"], onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(second.ok, JSON.stringify(!second.ok && second.error));
    assert.ok(seeded.subnets.has(second.value.zone));
    assert.ok(harness.proxy.calls("CreateLaunchTemplate").length >= 2, "the template was created again");
  });

  it("creates one instant fleet with the allowed overrides, then describes the instance", async () => {
    const { provider } = awsProvider(harness, clock);
    await provider.instanceTypes(nodePool(), nodeClass()); // warm the catalogue: time CreateFleet alone
    const started = performance.now();
    const result = await provider.create(virtualNode("vn-1", ["m5.large", "m5.xlarge"], onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    const createMs = performance.now() - started;
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const launched = result.value;
    const [fleet] = harness.proxy.calls("CreateFleet");
    assert.ok(fleet);
    process.stdout.write(
      `# create(): ${Math.round(createMs)} ms in total, CreateFleet round trip ${Math.round(fleet.durationMs)} ms\n`,
    );

    const p = fleet.params;
    assert.equal(p.get("Type"), "instant");
    assert.equal(p.get("TargetCapacitySpecification.TotalTargetCapacity"), "1");
    assert.equal(p.get("TargetCapacitySpecification.DefaultTargetCapacityType"), "on-demand");
    assert.equal(p.get("OnDemandOptions.AllocationStrategy"), "lowest-price");
    assert.match(p.get("ClientToken") ?? "", /^uid-vn-1-[0-9a-f]{16}$/);
    const overrides = [...p.keys()].filter((k) =>
      /^LaunchTemplateConfigs\.\d+\.Overrides\.\d+\.InstanceType$/.test(k),
    );
    assert.equal(overrides.length, 6, "2 types × 3 zones' subnets");
    // m5.large and m5.xlarge differ in max pods and kube-reserved: a template (user data) each.
    const templates = [...p].filter(([k]) =>
      /^LaunchTemplateConfigs\.\d+\.LaunchTemplateSpecification\.LaunchTemplateName$/.test(k),
    );
    assert.equal(templates.length, 2);
    for (const [key, name] of templates) {
      const index = /^LaunchTemplateConfigs\.(\d+)\./.exec(key)?.[1];
      const type = p.get(`LaunchTemplateConfigs.${index}.Overrides.1.InstanceType`);
      const versions = await harness.direct.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: name, Versions: ["$Latest"] }),
      );
      const userData = Buffer.from(
        versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData ?? "",
        "base64",
      ).toString();
      const nodeConfig = parseYaml(readMultipart(userData)?.at(-1)?.body ?? "") as {
        spec: { cluster: Record<string, string>; kubelet: { config: { maxPods: number } } };
      };
      assert.deepEqual(nodeConfig.spec.cluster, {
        name: testBootstrap.clusterName,
        apiServerEndpoint: testBootstrap.apiServerEndpoint,
        certificateAuthority: testBootstrap.certificateAuthority,
        cidr: testBootstrap.serviceCidr,
      });
      assert.equal(
        nodeConfig.spec.kubelet.config.maxPods,
        type === "m5.large" ? 29 : 58,
        `${type}'s max pods`,
      );
    }
    const subnetsUsed = new Set([...p].filter(([k]) => k.endsWith(".SubnetId")).map(([, v]) => v));
    assert.deepEqual([...subnetsUsed].sort(), [...seeded.subnets.values()].sort());
    assert.equal(p.get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version"), "$Latest");
    const tags = new Map<string, string>();
    for (const [key, value] of p) {
      const m = /^TagSpecification\.1\.Tag\.(\d+)\.Key$/.exec(key);
      if (m) tags.set(value, p.get(`TagSpecification.1.Tag.${m[1]}.Value`) ?? "");
    }
    assert.equal(p.get("TagSpecification.1.ResourceType"), "instance");
    assert.equal(tags.get("rafter.dev/cluster"), "test-cluster");
    assert.equal(tags.get("rafter.dev/nodepool"), "default");
    assert.equal(tags.get("rafter.dev/virtualnode"), "vn-1");
    assert.equal(tags.get("Name"), "test-cluster/vn-1");

    assert.equal(launched.instanceType, "m5.large");
    assert.equal(launched.capacityType, "on-demand");
    assert.equal(launched.price, 0.096);
    assert.ok(seeded.subnets.has(launched.zone));
    assert.equal(launched.providerId, `aws:///${launched.zone}/${launched.instanceId}`);
    assert.match(launched.nodeName, /^ip-10-0-\d+-\d+\.ec2\.internal$/);
    assert.match(launched.privateIp ?? "", /^10\.0\./);
    assert.equal(harness.proxy.calls("DescribeInstances").length >= 1, true, "described after the fleet");

    const got = await provider.get(launched.providerId);
    assert.ok(got.ok);
    assert.equal(got.value.state, "running");
    assert.equal(got.value.imageId, seeded.images.amd64);
    assert.equal(got.value.virtualNode, "vn-1");
    assert.equal(got.value.nodeName, launched.nodeName);
  });

  it("starts from the embedded snapshot (moto serves the same data) without DescribeInstanceTypes", async () => {
    const initialTypes = embeddedDiscoveredTypes("us-east-1");
    assert.ok(initialTypes);
    const { provider } = awsProvider(harness, clock, { initialTypes });
    const result = await provider.create(virtualNode("vn-1", ["c7g.large"], onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.equal(result.value.price, 0.0725);
    assert.equal(harness.proxy.calls("DescribeInstanceTypes").length, 0);
    assert.equal(harness.proxy.calls("DescribeInstanceTypeOfferings").length, 0);
  });

  it("launches spot with price-capacity-optimized and arm64 types on the arm64 image", async () => {
    const { provider } = awsProvider(harness, clock);
    const result = await provider.create(virtualNode("vn-arm", ["m6g.large"], spot), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.equal(result.value.capacityType, "spot");
    const [fleet] = harness.proxy.calls("CreateFleet");
    assert.equal(fleet?.params.get("SpotOptions.AllocationStrategy"), "price-capacity-optimized");
    const got = await provider.get(result.value.providerId);
    assert.ok(got.ok);
    assert.equal(got.value.imageId, seeded.images.arm64);
  });

  it("reuses launch templates, within a process and after a restart", async () => {
    const first = awsProvider(harness, clock).provider;
    const options = { nodePool: nodePool(), nodeClass: nodeClass() };
    assert.ok((await first.create(virtualNode("vn-1", ["m5.large"], onDemand), options)).ok);
    assert.ok((await first.create(virtualNode("vn-2", ["m5.large"], onDemand), options)).ok);
    assert.equal(harness.proxy.calls("CreateLaunchTemplate").length, 1);
    const second = awsProvider(harness, clock).provider;
    assert.ok((await second.create(virtualNode("vn-3", ["m5.large"], onDemand), options)).ok);
    assert.equal(harness.proxy.calls("CreateLaunchTemplate").length, 1, "found by name after a restart");
    const fleets = harness.proxy.calls("CreateFleet");
    const names = new Set(
      fleets.map((f) =>
        f.params.get("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName"),
      ),
    );
    assert.equal(names.size, 1);
    assert.match([...names][0] ?? "", /^rafter\/test-cluster\/[0-9a-f]{20}$/);

    // A different NodePool template (other taints) is a different template.
    const other = nodePool("other");
    other.spec.template.spec.taints = [];
    assert.ok(
      (
        await second.create(virtualNode("vn-4", ["m5.large"], onDemand), {
          nodePool: other,
          nodeClass: nodeClass(),
        })
      ).ok,
    );
    assert.equal(harness.proxy.calls("CreateLaunchTemplate").length, 2);
    assert.deepEqual(await second.garbageCollectLaunchTemplates(), [], "both are in use by this process");
  });

  it("is idempotent across a crash: the same virtual node finds its instance instead of launching again", async () => {
    const vn = virtualNode("vn-1", ["m5.large"], onDemand);
    const options = { nodePool: nodePool(), nodeClass: nodeClass() };
    const before = await awsProvider(harness, clock).provider.create(vn, options);
    const after = await awsProvider(harness, clock).provider.create(vn, options); // a new process
    assert.ok(before.ok && after.ok);
    assert.equal(after.value.instanceId, before.value.instanceId);
    assert.equal(after.value.nodeName, before.value.nodeName);
    assert.equal(harness.proxy.calls("CreateFleet").length, 1);
  });

  it("recovers from a launch whose answer was lost: the retry finds the instance by tag", async () => {
    const vn = virtualNode("vn-lost", ["m5.large"], onDemand);
    const options = { nodePool: nodePool(), nodeClass: nodeClass() };
    harness.proxy.loseAnswers(1, "CreateFleet");
    const first = await awsProvider(harness, clock).provider.create(vn, options);
    assert.ok(!first.ok && first.error.kind === "Failed", "the caller cannot tell whether it launched");
    const retried = await awsProvider(harness, clock).provider.create(vn, options); // after a restart
    assert.ok(retried.ok, JSON.stringify(!retried.ok && retried.error));
    assert.equal(harness.proxy.calls("CreateFleet").length, 1, "no second launch");
    const listed = await awsProvider(harness, clock).provider.list();
    assert.ok(listed.ok);
    assert.deepEqual(
      listed.value.map((i) => i.instanceId),
      [retried.value.instanceId],
    );
  });

  it("removes launch templates no longer in use", async () => {
    const old = awsProvider(harness, clock).provider;
    const stale = nodePool("stale");
    assert.ok(
      (
        await old.create(virtualNode("vn-1", ["m5.large"], onDemand), {
          nodePool: stale,
          nodeClass: nodeClass(),
        })
      ).ok,
    );
    const current = awsProvider(harness, clock).provider;
    assert.ok(
      (
        await current.create(virtualNode("vn-2", ["m5.large"], onDemand), {
          nodePool: nodePool(),
          nodeClass: nodeClass(),
        })
      ).ok,
    );
    const deleted = await current.garbageCollectLaunchTemplates();
    assert.equal(deleted.length, 1);
    assert.equal(harness.proxy.calls("DeleteLaunchTemplate").length, 1);
    assert.deepEqual(await current.garbageCollectLaunchTemplates(), []);
  });

  it("lists this cluster's instances by tag and terminates them in one batched call", async () => {
    const { provider } = awsProvider(harness, clock);
    const options = { nodePool: nodePool(), nodeClass: nodeClass() };
    const launched = [];
    for (const name of ["vn-1", "vn-2", "vn-3"]) {
      const r = await provider.create(virtualNode(name, ["t3.medium"], onDemand), options);
      assert.ok(r.ok);
      launched.push(r.value);
    }
    // Someone else's instance in the same account.
    await harness.direct.send(
      new RunInstancesCommand({
        ImageId: seeded.images.amd64,
        MinCount: 1,
        MaxCount: 1,
        InstanceType: "t3.micro",
      }),
    );
    const listed = await provider.list();
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.map((i) => i.virtualNode).sort(), ["vn-1", "vn-2", "vn-3"]);

    const deletes = await Promise.all(launched.map((l) => provider.delete(l.providerId)));
    assert.ok(deletes.every((d) => d.ok));
    assert.equal(
      harness.proxy.calls("TerminateInstances").length,
      1,
      "coalesced into one TerminateInstances",
    );

    const again = await provider.delete(launched[0]?.providerId ?? "");
    assert.ok(!again.ok && again.error.kind === "NotFound", "already gone is a typed outcome");
    const gone = await provider.get(launched[0]?.providerId ?? "");
    assert.ok(!gone.ok && gone.error.kind === "NotFound");
    const unknown = await provider.delete("aws:///us-east-1a/i-0123456789abcdef0");
    assert.ok(!unknown.ok && unknown.error.kind === "NotFound");
    const empty = await provider.list();
    assert.ok(empty.ok);
    assert.equal(empty.value.length, 0, "terminated instances are not listed");
  });

  it("marks offerings without capacity unavailable and launches from what is left", async () => {
    const { provider } = awsProvider(harness, clock);
    harness.proxy.failCapacity({ instanceType: "m5.large" });
    const result = await provider.create(virtualNode("vn-1", ["m5.large", "m5.xlarge"], onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.equal(result.value.instanceType, "m5.xlarge");
    const marked = [...provider.unavailableOfferings.keys()].sort();
    assert.deepEqual(marked, [
      "m5.large/us-east-1a/on-demand",
      "m5.large/us-east-1b/on-demand",
      "m5.large/us-east-1c/on-demand",
    ]);
    // The marks expire after three minutes on the injected clock.
    clock.advance(3 * 60_000 + 1);
    assert.equal(provider.unavailableOfferings.keys().size, 0);
  });

  it("retries with the remaining options when every offering of a fleet fails, then reports what failed", async () => {
    const { provider } = awsProvider(harness, clock);
    // 61 priced types offered in all three zones: the first fleet carries 60 types × 3 zones (180
    // overrides), all of which fail; the second the 61st type.
    const prices = loadEmbeddedOnDemandPrices(region);
    const types = [...harness.types.zonesByType]
      .filter(([name, zones]) => /^[mcr][5-7]i?\./.test(name) && prices.has(name) && zonesInAll(zones))
      .map(([name]) => name)
      .sort()
      .slice(0, 61);
    assert.equal(types.length, 61);
    for (const type of types.slice(0, 60)) harness.proxy.failCapacity({ instanceType: type });
    const result = await provider.create(virtualNode("vn-1", types, onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const last = types[60] ?? "";
    assert.equal(result.value.instanceType, last);
    const fleets = harness.proxy.calls("CreateFleet");
    assert.equal(fleets.length, 2);
    const [first, second] = fleets;
    assert.ok(first && second);
    assert.equal(first.injected, "capacity");
    assert.notEqual(first.params.get("ClientToken"), second.params.get("ClientToken"));

    harness.proxy.failCapacity({ instanceType: last });
    const none = await provider.create(virtualNode("vn-2", [last], onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(!none.ok && none.error.kind === "InsufficientCapacity");
    assert.equal(none.error.offerings.length, 3);
    assert.ok(none.error.offerings.every((o) => o.code === "InsufficientInstanceCapacity"));
  });

  it("backs off with jitter when throttled, and reports Throttled when it persists", async () => {
    const { provider, sleeps } = awsProvider(harness, clock);
    harness.proxy.throttle(2, "CreateFleet");
    const result = await provider.create(virtualNode("vn-1", ["m5.large"], onDemand), {
      nodePool: nodePool(),
      nodeClass: nodeClass(),
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.equal(harness.proxy.calls("CreateFleet").filter((c) => c.injected === "throttle").length, 2);
    assert.deepEqual(sleeps, [100, 200], "full jitter with random()=0.5: base 200 ms · 2^attempt / 2");

    harness.proxy.throttle(10, "DescribeInstances");
    const listed = await provider.list();
    assert.ok(!listed.ok && listed.error.kind === "Throttled");
  });

  it("reports drift when the node class now resolves to a newer image", async () => {
    const { provider } = awsProvider(harness, clock);
    const vn = virtualNode("vn-1", ["m5.large"], onDemand);
    const launched = await provider.create(vn, { nodePool: nodePool(), nodeClass: nodeClass() });
    assert.ok(launched.ok);
    vn.status = { providerID: launched.value.providerId };
    assert.deepEqual(await provider.isDrifted(vn, nodeClass()), { ok: true, value: undefined });
    await harness.direct.send(
      new CreateTagsCommand({ Resources: [seeded.images.spareAmd64], Tags: [discoveryTag] }),
    );
    const changed = nodeClass();
    changed.metadata.generation = 2; // a new generation is resolved afresh
    assert.deepEqual(await provider.isDrifted(vn, changed), { ok: true, value: "ImageDrifted" });
    const described = await harness.direct.send(
      new DescribeInstancesCommand({ InstanceIds: [launched.value.instanceId] }),
    );
    assert.equal(described.Reservations?.[0]?.Instances?.[0]?.ImageId, seeded.images.amd64);
  });

  it("does not call a node in a second matching subnet of its zone drifted", async () => {
    const { provider } = awsProvider(harness, clock);
    const vn = virtualNode("vn-1", ["m5.large"], onDemand);
    const launched = await provider.create(vn, { nodePool: nodePool(), nodeClass: nodeClass() });
    assert.ok(launched.ok);
    vn.status = { providerID: launched.value.providerId };
    // A larger subnet in the same zone, matched by the same selector: launches now prefer it, and the
    // node's own subnet still matches, so the node has not drifted.
    const bigger = await harness.direct.send(
      new CreateSubnetCommand({
        VpcId: seeded.vpcId,
        CidrBlock: "10.0.64.0/18",
        AvailabilityZone: launched.value.zone,
        TagSpecifications: [{ ResourceType: "subnet", Tags: [discoveryTag] }],
      }),
    );
    const changed = nodeClass();
    changed.metadata.generation = 2;
    const status = await provider.resolveNodeClass(changed);
    assert.ok(status.ok);
    const inZone = status.value.subnets?.filter((s) => s.zone === launched.value.zone).map((s) => s.id);
    assert.deepEqual(inZone, [bigger.Subnet?.SubnetId, seeded.subnets.get(launched.value.zone)]);
    assert.deepEqual(await provider.isDrifted(vn, changed), { ok: true, value: undefined });
  });
});
