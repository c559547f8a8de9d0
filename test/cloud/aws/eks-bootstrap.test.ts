// What makes a launched instance an EKS node, against moto's EKS, IAM and EC2: start-up discovery
// through eks:DescribeCluster, the instance profile rafter makes for a node class's role, and a
// CreateFleet whose launch template carries that profile, the ENI tags and user data with the
// discovered endpoint and CA.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
} from "@aws-sdk/client-ec2";
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { CreateRoleCommand, GetInstanceProfileCommand, IAMClient } from "@aws-sdk/client-iam";
import { ManualClock } from "../../../src/clock.js";
import { eksClusterDescriber } from "../../../src/cloud/aws/eks-cluster.js";
import { instanceProfileName, InstanceProfiles } from "../../../src/cloud/aws/instance-profiles.js";
import { discoverClusterBootstrap } from "../../../src/cloud/cluster-bootstrap.js";
import { nodeClass, nodePool, virtualNode } from "../fixtures.js";
import { awsProvider, region, seed, startHarness, type Harness } from "./harness.js";

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
/** Tags as a record (keys and values that are missing are skipped). */
function tagRecord(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? "";
  return out;
}

const onDemand = [{ key: "rafter.dev/capacity-type", operator: "In" as const, values: ["on-demand"] }];
const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

describe("EKS bootstrap against moto (EKS, IAM, EC2)", () => {
  let harness: Harness;
  let eks: EKSClient;
  let iam: IAMClient;
  before(async () => {
    harness = await startHarness();
    eks = new EKSClient({ region, endpoint: harness.moto.endpoint, credentials });
    iam = new IAMClient({ region, endpoint: harness.moto.endpoint, credentials });
  });
  after(async () => {
    eks.destroy();
    iam.destroy();
    await harness.stop();
  });
  beforeEach(async () => {
    await harness.moto.reset();
  });

  async function createCluster(name: string): Promise<void> {
    await eks.send(
      new CreateClusterCommand({
        name,
        roleArn: "arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig: { subnetIds: [] },
        kubernetesNetworkConfig: { serviceIpv4Cidr: "10.100.0.0/16" },
      }),
    );
  }

  it("discovers endpoint, CA and Service CIDR through DescribeCluster", async () => {
    await createCluster("prod");
    const bootstrap = await discoverClusterBootstrap({
      clusterName: "prod",
      flags: {},
      describeCluster: eksClusterDescriber(eks),
      kubeconfigCaBundle: () => undefined,
      serverVersion: () => Promise.resolve("v1.36.3"),
    });
    assert.match(bootstrap.apiServerEndpoint, /^https:\/\/.+eks\.amazonaws\.com\/?$/);
    assert.ok(bootstrap.certificateAuthority.length > 100, "moto's CA data");
    assert.equal(bootstrap.serviceCidr, "10.100.0.0/16");
    assert.equal(bootstrap.kubernetesVersion, "1.36");
  });

  it("reports a cluster EKS does not know as a startup error naming the flags", async () => {
    await assert.rejects(
      discoverClusterBootstrap({
        clusterName: "nope",
        flags: {},
        describeCluster: eksClusterDescriber(eks),
        kubeconfigCaBundle: () => "Q0E=",
        serverVersion: () => Promise.resolve("v1.36.3"),
      }),
      /set --cluster-endpoint, --service-cidr \(eks:DescribeCluster nope failed: ResourceNotFoundException/,
    );
  });

  it("creates a tagged instance profile for the role, reuses it after a restart, swaps a changed role", async () => {
    for (const RoleName of ["node-a", "node-b"])
      await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
    const name = await new InstanceProfiles(iam, "prod").ensure("default", "node-a");
    assert.equal(name, instanceProfileName("prod", "default"));
    const made = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })))
      .InstanceProfile;
    assert.deepEqual(
      made?.Roles?.map((r) => r.RoleName),
      ["node-a"],
    );
    const tags = tagRecord(made.Tags);
    assert.deepEqual(tags, {
      "rafter.dev/cluster": "prod",
      "rafter.dev/ec2nodeclass": "default",
      "kubernetes.io/cluster/prod": "owned",
      "eks:eks-cluster-name": "prod",
    });
    // A new process (restart) finds the same profile: no EntityAlreadyExists, same name.
    assert.equal(await new InstanceProfiles(iam, "prod").ensure("default", "node-a"), name);
    await new InstanceProfiles(iam, "prod").ensure("default", "arn:aws:iam::123456789012:role/node-b");
    const swapped = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })))
      .InstanceProfile;
    assert.deepEqual(
      swapped?.Roles?.map((r) => r.RoleName),
      ["node-b"],
    );
  });

  it("launches with the role's profile, ENI tags in the launch template and the bootstrap in user data", async () => {
    await seed(harness.direct);
    await iam.send(new CreateRoleCommand({ RoleName: "node-role", AssumeRolePolicyDocument: trust }));
    const bootstrap = {
      clusterName: "test-cluster",
      apiServerEndpoint: "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
      certificateAuthority: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
      serviceCidr: "10.100.0.0/16",
      kubernetesVersion: "1.36",
    };
    const { provider, client } = awsProvider(harness, new ManualClock(Date.now()), {
      instanceProfiles: new InstanceProfiles(iam, "test-cluster"),
      bootstrap,
    });
    const withProfile = nodeClass();
    const { instanceProfile: _named, ...spec } = withProfile.spec;
    const result = await provider.create(virtualNode("vn-1", ["m5.large"], onDemand), {
      nodePool: nodePool(),
      nodeClass: { ...withProfile, spec: { ...spec, role: "node-role" } },
    });
    assert.ok(result.ok, JSON.stringify(result));
    const instance = (
      await client.send(new DescribeInstancesCommand({ InstanceIds: [result.value.instanceId] }))
    ).Reservations?.[0]?.Instances?.[0];
    const instanceTags = tagRecord(instance?.Tags);
    assert.equal(instanceTags["kubernetes.io/cluster/test-cluster"], "owned");
    assert.equal(instanceTags["eks:eks-cluster-name"], "test-cluster");
    // The one template this launch made (moto does not tag instances with their template).
    const templates = await client.send(
      new DescribeLaunchTemplatesCommand({
        Filters: [{ Name: "tag:rafter.dev/cluster", Values: ["test-cluster"] }],
      }),
    );
    assert.equal(templates.LaunchTemplates?.length, 1);
    const versions = await client.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateName: templates.LaunchTemplates[0]?.LaunchTemplateName ?? "",
        Versions: ["$Latest"],
      }),
    );
    const data = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    assert.equal(data?.IamInstanceProfile?.Name, instanceProfileName("test-cluster", "default"));
    const eni = data.TagSpecifications?.find((t) => t.ResourceType === "network-interface");
    assert.ok(eni?.Tags?.some((t) => t.Key === "rafter.dev/cluster" && t.Value === "test-cluster"));
    const userData = Buffer.from(data.UserData ?? "", "base64").toString("utf8");
    assert.match(
      userData,
      new RegExp(`apiServerEndpoint: "?${bootstrap.apiServerEndpoint.replaceAll(".", "\\.")}`),
    );
    assert.match(userData, new RegExp(`certificateAuthority: "?${bootstrap.certificateAuthority}`));
  });
});
