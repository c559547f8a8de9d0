// Shared setup of the EC2 integration tests: one moto server and one fault proxy per test file,
// a reset + seeded account per test (VPC, three tagged subnets, a tagged security group, tagged
// amd64/arm64 images), and providers built on the real @aws-sdk/client-ec2 pointed at the proxy.
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { pino } from "pino";
import type { Clock } from "../../../src/clock.js";
import type { ClusterBootstrap } from "../../../src/cloud/cluster-bootstrap.js";
import { AwsCloudProvider, type AwsCloudProviderOptions } from "../../../src/cloud/aws/provider.js";
import { createEc2Client } from "../../../src/cloud/aws/ec2-client.js";
import { discoverTypes, type DiscoveredTypes } from "../../../src/cloud/aws/discovery.js";
import { Ec2Caller } from "../../../src/cloud/aws/ec2-caller.js";
import { defaultRetryPolicy } from "../../../src/cloud/aws/retry.js";
import { startFaultProxy, type FaultProxy } from "../../support/fault-proxy.js";
import { startMoto, type MotoServer } from "../../support/moto.js";

export const region = "us-east-1";
export const discoveryTag = { Key: "rafter.dev/discovery", Value: "test" };
export const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];

export interface Seeded {
  vpcId: string;
  subnets: Map<string, string>; // zone → subnet id
  securityGroupId: string;
  images: { amd64: string; arm64: string; spareAmd64: string };
}

export interface Harness {
  moto: MotoServer;
  /** Instance types discovered once per file (moto's answer does not change across resets). */
  types: DiscoveredTypes;
  proxy: FaultProxy;
  /** A client straight to moto (seeding, inspection), not through the proxy. */
  direct: EC2Client;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

/** The images moto preloads; "spare" is newer and untagged until a test wants drift. */
export const images = {
  amd64: "ami-0a1b2c3d4e5f60001",
  arm64: "ami-0a1b2c3d4e5f60002",
  spareAmd64: "ami-0a1b2c3d4e5f60003",
};

export async function startHarness(options: { discover?: boolean } = {}): Promise<Harness> {
  const moto = await startMoto({
    images: [
      {
        ami_id: images.amd64,
        name: "node-amd64-2026-01",
        architecture: "x86_64",
        creation_date: "2026-01-01T00:00:00.000Z",
      },
      {
        ami_id: images.arm64,
        name: "node-arm64-2026-01",
        architecture: "arm64",
        creation_date: "2026-01-01T00:00:00.000Z",
      },
      {
        ami_id: images.spareAmd64,
        name: "node-amd64-2026-06",
        architecture: "x86_64",
        creation_date: "2026-06-01T00:00:00.000Z",
      },
    ],
  });
  const proxy = await startFaultProxy(moto.endpoint);
  const direct = createEc2Client({ region, endpoint: moto.endpoint, credentials });
  const types =
    options.discover === false
      ? { infos: [], zonesByType: new Map<string, string[]>() }
      : await discoverTypes(direct, new Ec2Caller(defaultRetryPolicy, pino({ level: "silent" })));
  return {
    moto,
    types,
    proxy,
    direct,
    async stop() {
      direct.destroy();
      await proxy.close();
      await moto.stop();
    },
  };
}

export async function seed(ec2: EC2Client): Promise<Seeded> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
  const vpcId = vpc.Vpc?.VpcId ?? "";
  const subnets = new Map<string, string>();
  for (const [i, zone] of zones.entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.0.${i * 16}.0/20`,
        AvailabilityZone: zone,
        TagSpecifications: [{ ResourceType: "subnet", Tags: [discoveryTag] }],
      }),
    );
    subnets.set(zone, subnet.Subnet?.SubnetId ?? "");
  }
  // An untagged subnet that must not be selected.
  await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.128.0/20", AvailabilityZone: "us-east-1d" }),
  );
  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: "nodes",
      Description: "rafter nodes",
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: "security-group", Tags: [discoveryTag] }],
    }),
  );
  await ec2.send(new CreateTagsCommand({ Resources: [images.amd64, images.arm64], Tags: [discoveryTag] }));
  return { vpcId, subnets, securityGroupId: group.GroupId ?? "", images };
}

export const testBootstrap: ClusterBootstrap = {
  clusterName: "test-cluster",
  apiServerEndpoint: "https://test-cluster.example.com",
  certificateAuthority: Buffer.from("test CA").toString("base64"),
  serviceCidr: "10.100.0.0/16",
  kubernetesVersion: "1.36",
};

export interface ProviderFixture {
  provider: AwsCloudProvider;
  client: EC2Client;
  /** Backoff delays the provider asked for (nothing really sleeps). */
  sleeps: number[];
}

export function awsProvider(
  harness: Harness,
  clock: Clock,
  overrides: Partial<AwsCloudProviderOptions> = {},
): ProviderFixture {
  const client = createEc2Client({ region, endpoint: harness.proxy.endpoint, credentials });
  const sleeps: number[] = [];
  const provider = new AwsCloudProvider({
    ec2: client,
    logger: pino({ level: "silent" }),
    clock,
    clusterName: "test-cluster",
    bootstrap: testBootstrap,
    region,
    spotPrices: "estimate",
    retry: {
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    },
    terminate: { windowMs: 20 },
    initialTypes: harness.types,
    ...overrides,
  });
  return { provider, client, sleeps };
}
