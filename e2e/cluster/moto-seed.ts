// What a real account would already have for the examples to work: subnets and a security group tagged
// for discovery (manifests/examples select `rafter.dev/discovery: my-cluster`). moto's default VPC has
// one default subnet per zone; a reset wipes the tags, so this runs after every reset.
import {
  CreateTagsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";

export const DISCOVERY_TAG = { key: "rafter.dev/discovery", value: "my-cluster" } as const;

export interface SeededNetwork {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export async function seedMoto(endpoint: string, region: string): Promise<SeededNetwork> {
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
    return { subnetIds, securityGroupIds };
  } finally {
    ec2.destroy();
  }
}
