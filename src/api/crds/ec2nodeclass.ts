// The EC2NodeClass CRD schema: subnets, security groups, AMIs and instance settings for EC2 launches.
import { array, boolean, conditions, integer, object, resourceList, string, stringMap } from "../schema.js";
import { aliasPattern, aliasRule } from "../image-alias.js";
import { customResourceDefinition } from "./definition.js";

const selectorTerm = (
  what: string,
  withName: boolean,
  extra: Record<string, ReturnType<typeof string>> = {},
  rules: { rule: string; message: string }[] = [],
) =>
  object(
    `Selects ${what} by tags, id${withName ? " or name" : ""}`,
    {
      tags: stringMap("Tags that must all match ('*' matches any value)", {
        maxProperties: 20,
        minProperties: 1,
      }),
      id: string("Exact id"),
      ...(withName ? { name: string("Exact name") } : {}),
      ...extra,
    },
    [],
    {
      minProperties: 1,
      "x-kubernetes-validations": [
        {
          rule: "!has(self.id) || (!has(self.tags)" + (withName ? " && !has(self.name)" : "") + ")",
          message: "'id' is mutually exclusive with the other selectors",
        },
        ...rules,
      ],
    },
  );

const amiTerm = selectorTerm(
  "AMIs",
  true,
  {
    owner: string("Owners of name and tag terms, comma-separated (default self,amazon)"),
    alias: string(
      "EKS-optimized image family and version: al2023@latest|@vYYYYMMDD or bottlerocket@latest|@v1.x.y",
      { maxLength: 64 },
    ),
    ssmParameter: string("SSM parameter whose value is an image id", { maxLength: 2048 }),
  },
  [
    {
      rule: `!has(self.alias) || self.alias.matches('${aliasPattern.replaceAll("\\", "\\\\")}')`,
      message: aliasRule,
    },
    {
      rule: "!(has(self.alias) || has(self.ssmParameter)) || !(has(self.tags) || has(self.id) || has(self.name) || has(self.owner) || (has(self.alias) && has(self.ssmParameter)))",
      message: "'alias' and 'ssmParameter' are each a term of their own",
    },
  ],
);

const spec = object(
  "How rafter launches nodes on EC2",
  {
    subnetSelectorTerms: array("Subnets to launch into (terms ORed)", selectorTerm("subnets", false), {
      minItems: 1,
      maxItems: 30,
    }),
    securityGroupSelectorTerms: array(
      "Security groups to attach (terms ORed)",
      selectorTerm("security groups", true),
      {
        minItems: 1,
        maxItems: 30,
      },
    ),
    amiSelectorTerms: array("AMIs to launch (terms ORed; the newest per architecture wins)", amiTerm, {
      minItems: 1,
      maxItems: 30,
    }),
    role: string("IAM role; rafter creates an instance profile for it", { minLength: 1 }),
    instanceProfile: string("Existing IAM instance profile name", { minLength: 1 }),
    userData: string("User data merged with the bootstrap rafter generates"),
    blockDeviceMappings: array(
      "Block devices",
      object(
        "A block device",
        {
          deviceName: string("Device name, e.g. /dev/xvda"),
          rootVolume: boolean("Whether this is the root volume"),
          ebs: object("EBS volume", {
            volumeSize: string("Size, e.g. 20Gi", {
              pattern:
                "^((?:[1-9][0-9]{0,3}|[1-4][0-9]{4}|[5][0-8][0-9]{3}|59000)Gi|(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|[6][0-3][0-9]{3}|64000)G|([1-9]||[1-5][0-7]|58)Ti|([1-9]||[1-5][0-9]|6[0-3]|64)T)$",
            }),
            volumeType: string("Volume type", {
              enum: ["gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"],
            }),
            iops: integer("Provisioned IOPS", { minimum: 0 }),
            throughput: integer("Throughput in MiB/s", { minimum: 0 }),
            encrypted: boolean("Encrypt the volume"),
            kmsKeyID: string("KMS key for encryption"),
            deleteOnTermination: boolean("Delete the volume with the instance"),
            snapshotID: string("Snapshot to create the volume from"),
          }),
        },
        ["deviceName"],
      ),
      { maxItems: 50 },
    ),
    metadataOptions: object(
      "Instance metadata service options (IMDSv2 required by default)",
      {
        httpEndpoint: string("IMDS endpoint", { enum: ["enabled", "disabled"], default: "enabled" }),
        httpProtocolIPv6: string("IMDS over IPv6", { enum: ["enabled", "disabled"], default: "disabled" }),
        httpPutResponseHopLimit: integer("Hop limit", { minimum: 1, maximum: 64, default: 1 }),
        httpTokens: string("IMDSv2 tokens", { enum: ["required", "optional"], default: "required" }),
      },
      [],
      {
        default: {
          httpEndpoint: "enabled",
          httpProtocolIPv6: "disabled",
          httpPutResponseHopLimit: 1,
          httpTokens: "required",
        },
      },
    ),
    tags: stringMap("Tags on instances, volumes and launch templates", {
      "x-kubernetes-validations": [
        {
          rule: "self.all(k, !k.startsWith('rafter.dev/') && k != 'Name')",
          message: "tags under rafter.dev/ and 'Name' are set by rafter",
        },
      ],
    }),
    kubelet: object("Kubelet settings that affect allocatable capacity", {
      maxPods: integer("Maximum pods per node (overrides the ENI-based default)", {
        minimum: 1,
        maximum: 1000,
      }),
      systemReserved: resourceList("system-reserved"),
      kubeReserved: resourceList("kube-reserved"),
      evictionHard: stringMap("Hard eviction thresholds, e.g. memory.available: 100Mi"),
    }),
  },
  ["subnetSelectorTerms", "securityGroupSelectorTerms", "amiSelectorTerms"],
  {
    "x-kubernetes-validations": [
      {
        rule: "has(self.role) != has(self.instanceProfile)",
        message: "exactly one of 'role' or 'instanceProfile' must be set",
      },
    ],
  },
);

const status = object("What the selectors resolved to", {
  subnets: array(
    "Resolved subnets",
    object(
      "A subnet",
      { id: string("Subnet id"), zone: string("Availability zone"), zoneID: string("Zone id") },
      ["id", "zone"],
    ),
  ),
  securityGroups: array(
    "Resolved security groups",
    object("A security group", { id: string("Id"), name: string("Name") }, ["id"]),
  ),
  amis: array(
    "Resolved AMIs",
    object("An AMI", { id: string("Id"), name: string("Name"), architecture: string("Architecture") }, [
      "id",
    ]),
  ),
  instanceProfile: string("Instance profile in use"),
  conditions: conditions(),
});

export const ec2NodeClassCrd = customResourceDefinition({
  kind: "EC2NodeClass",
  plural: "ec2nodeclasses",
  singular: "ec2nodeclass",
  shortNames: ["ec2nc"],
  description: "EC2NodeClass defines how rafter launches nodes on EC2",
  spec,
  status,
  columns: [
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});
