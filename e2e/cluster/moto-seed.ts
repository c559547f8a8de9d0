// What a real account would already have for the examples to work: subnets and a security group tagged
// for discovery (manifests/examples select `rafter.dev/discovery: my-cluster`). moto's default VPC has
// one default subnet per zone; a reset wipes the tags, so this runs after every reset. And the EKS
// cluster itself, which rafter describes at start (eks:DescribeCluster) for the endpoint, CA and Service
// CIDR its nodes' user data carries: every scenario discovers them the production way. And the node
// role the example EC2NodeClass names (README step 1), which rafter puts in the instance profile it makes.
// The EKS image parameters AWS publishes (al2023@latest, bottlerocket@latest resolve through them) are
// put into moto's SSM for the e2e cluster's Kubernetes minor, pointing at moto's own Amazon Linux 2023
// images (moto publishes those under /aws/service/ami-amazon-linux-latest/), so launches find real ids.
import { readFileSync } from "node:fs";
import { CreateClusterCommand, EKSClient, ResourceInUseException } from "@aws-sdk/client-eks";
import { CreateRoleCommand, EntityAlreadyExistsException, IAMClient } from "@aws-sdk/client-iam";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SERVICE_CLUSTER_IP_RANGE } from "./apiserver.js";
import {
  CreateTagsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";

/** The role of manifests/examples/ec2nodeclass.yaml. */
export const NODE_ROLE_NAME = "rafter-node-role";

export const DISCOVERY_TAG = { key: "rafter.dev/discovery", value: "my-cluster" } as const;

export interface SeededNetwork {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** The e2e cluster's Kubernetes minor ("1.36"), from the pinned toolchain versions. */
export function e2eKubernetesMinor(): string {
  const env = readFileSync(new URL("../k8s/versions.env", import.meta.url), "utf8");
  const match = /^K8S_VERSION=v?(\d+\.\d+)\./m.exec(env);
  if (!match?.[1]) throw new Error("e2e/k8s/versions.env has no K8S_VERSION");
  return match[1];
}

/** Every EKS image parameter path rafter's aliases read for a minor, per architecture. */
function eksImageParameters(minor: string): { path: string; arch: "x86_64" | "arm64" }[] {
  const al2023 = (arch: "x86_64" | "arm64", variant: string) => ({
    path: `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2023/${arch}/${variant}/recommended/image_id`,
    arch,
  });
  const bottlerocket = (arch: "x86_64" | "arm64", flavour: string) => ({
    path: `/aws/service/bottlerocket/aws-k8s-${minor}${flavour}/${arch}/latest/image_id`,
    arch,
  });
  return [
    al2023("x86_64", "standard"),
    al2023("x86_64", "nvidia"),
    al2023("x86_64", "neuron"),
    al2023("arm64", "standard"),
    al2023("arm64", "nvidia"),
    ...(["x86_64", "arm64"] as const).flatMap((arch) => [
      bottlerocket(arch, ""),
      bottlerocket(arch, "-nvidia"),
    ]),
  ];
}

async function seedImageParameters(endpoint: string, region: string): Promise<void> {
  const ssm = new SSMClient({
    endpoint,
    region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    const images: Record<string, string> = {};
    for (const arch of ["x86_64", "arm64"] as const) {
      const name = `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
      const found = await ssm.send(new GetParameterCommand({ Name: name }));
      const id = found.Parameter?.Value;
      if (!id) throw new Error(`moto at ${endpoint} has no ${name}`);
      images[arch] = id;
    }
    for (const { path, arch } of eksImageParameters(e2eKubernetesMinor()))
      await ssm.send(
        new PutParameterCommand({ Name: path, Value: images[arch], Type: "String", Overwrite: true }),
      );
  } finally {
    ssm.destroy();
  }
}

export async function seedMoto(
  endpoint: string,
  region: string,
  clusterName: string,
): Promise<SeededNetwork> {
  const ec2 = new EC2Client({
    endpoint,
    region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }),
    );
    const subnetIds = (subnets.Subnets ?? []).flatMap((s) => (s.SubnetId !== undefined ? [s.SubnetId] : []));
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }),
    );
    const securityGroupIds = (groups.SecurityGroups ?? []).flatMap((g) =>
      g.GroupId !== undefined ? [g.GroupId] : [],
    );
    const resources = [...subnetIds, ...securityGroupIds];
    if (subnetIds.length === 0 || securityGroupIds.length === 0)
      throw new Error(`moto at ${endpoint} has no default subnets or security group`);
    await ec2.send(
      new CreateTagsCommand({
        Resources: resources,
        Tags: [{ Key: DISCOVERY_TAG.key, Value: DISCOVERY_TAG.value }],
      }),
    );
    await createEksCluster(endpoint, region, clusterName, subnetIds, securityGroupIds);
    await createNodeRole(endpoint, region);
    await seedImageParameters(endpoint, region);
    return { subnetIds, securityGroupIds };
  } finally {
    ec2.destroy();
  }
}

async function createEksCluster(
  endpoint: string,
  region: string,
  name: string,
  subnetIds: readonly string[],
  securityGroupIds: readonly string[],
): Promise<void> {
  const eks = new EKSClient({
    endpoint,
    region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    await eks.send(
      new CreateClusterCommand({
        name,
        roleArn: "arn:aws:iam::123456789012:role/eks-cluster",
        resourcesVpcConfig: { subnetIds: [...subnetIds], securityGroupIds: [...securityGroupIds] },
        kubernetesNetworkConfig: { serviceIpv4Cidr: SERVICE_CLUSTER_IP_RANGE },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    eks.destroy();
  }
}

async function createNodeRole(endpoint: string, region: string): Promise<void> {
  const iam = new IAMClient({
    endpoint,
    region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: NODE_ROLE_NAME,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
  } catch (error) {
    if (!(error instanceof EntityAlreadyExistsException)) throw error;
  } finally {
    iam.destroy();
  }
}
