// Launch templates, one per (EC2NodeClass, NodePool template, image, settings) content hash, named
// "rafter/<cluster>/<hash>" so that identical settings always map to the same template: created on
// first use, found by name afterwards (also by other replicas and after restarts), never updated in
// place. Templates whose hash is no longer in use are removed by deleteUnused().
import { createHash } from "node:crypto";
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  type EC2Client,
  type LaunchTemplateBlockDeviceMappingRequest,
  type RequestLaunchTemplateData,
} from "@aws-sdk/client-ec2";
import { metadataOptionsDefaults, type EC2NodeClass } from "../../api/ec2nodeclass.js";
import type { NodePool } from "../../api/nodepool.js";
import type { Logger } from "../../logging.js";
import type { ClusterBootstrap } from "../cluster-bootstrap.js";
import { parseQuantity } from "../../domain/quantity.js";
import type { InstanceType } from "../../catalog/types.js";
import { tagKeys } from "../provider.js";
import { nodeClassTags } from "./node-tags.js";
import { errorCode } from "./error-codes.js";
import type { Ec2Caller } from "./ec2-caller.js";
import { nodeUserDataInput } from "../userdata/input.js";
import { renderUserData } from "../userdata/render.js";
import type { ResolvedNodeClass } from "./nodeclass-resolver.js";
import type { ResolvedImage } from "./resolved-image.js";

export interface LaunchTemplateContext {
  readonly clusterName: string;
  readonly bootstrap: ClusterBootstrap;
}

function blockDevices(nodeClass: EC2NodeClass): LaunchTemplateBlockDeviceMappingRequest[] {
  const mappings = nodeClass.spec.blockDeviceMappings ?? [
    { deviceName: "/dev/xvda", ebs: { volumeSize: "20Gi", volumeType: "gp3" as const } },
  ];
  return mappings.map((mapping) => ({
    DeviceName: mapping.deviceName,
    ...(mapping.ebs
      ? {
          Ebs: {
            ...(mapping.ebs.volumeSize
              ? { VolumeSize: Math.ceil(parseQuantity(mapping.ebs.volumeSize) / 2 ** 30) }
              : {}),
            ...(mapping.ebs.volumeType ? { VolumeType: mapping.ebs.volumeType } : {}),
            ...(mapping.ebs.iops !== undefined ? { Iops: mapping.ebs.iops } : {}),
            ...(mapping.ebs.throughput !== undefined ? { Throughput: mapping.ebs.throughput } : {}),
            Encrypted: mapping.ebs.encrypted ?? true,
            ...(mapping.ebs.kmsKeyID ? { KmsKeyId: mapping.ebs.kmsKeyID } : {}),
            DeleteOnTermination: mapping.ebs.deleteOnTermination ?? true,
            ...(mapping.ebs.snapshotID ? { SnapshotId: mapping.ebs.snapshotID } : {}),
          },
        }
      : {}),
  }));
}

export type LaunchTemplateDataResult =
  | { readonly ok: true; readonly data: RequestLaunchTemplateData }
  | { readonly ok: false; readonly message: string };

/**
 * The template's data; its hash names the template. The user data depends on the instance type
 * (max pods and kube-reserved are per type, as in the catalogue's allocatable), so types with the
 * same settings share a template and CreateFleet gets one launch template config per group.
 */
export function launchTemplateData(
  context: LaunchTemplateContext,
  nodeClass: EC2NodeClass,
  nodePool: NodePool,
  resolved: ResolvedNodeClass,
  image: ResolvedImage,
  instanceType: Pick<InstanceType, "capacity">,
): LaunchTemplateDataResult {
  const metadata = { ...metadataOptionsDefaults, ...nodeClass.spec.metadataOptions };
  const rendered = renderUserData(
    image.family ?? "al2023",
    nodeUserDataInput(context.bootstrap, nodeClass, nodePool, instanceType),
  );
  if (!rendered.ok) return rendered;
  const userData = rendered.userData;
  const data: RequestLaunchTemplateData = {
    ImageId: image.id,
    SecurityGroupIds: resolved.securityGroups.map((group) => group.id),
    ...(resolved.instanceProfile ? { IamInstanceProfile: { Name: resolved.instanceProfile } } : {}),
    UserData: Buffer.from(userData).toString("base64"),
    MetadataOptions: {
      HttpEndpoint: metadata.httpEndpoint,
      HttpProtocolIpv6: metadata.httpProtocolIPv6,
      HttpPutResponseHopLimit: metadata.httpPutResponseHopLimit,
      HttpTokens: metadata.httpTokens,
    },
    BlockDeviceMappings: blockDevices(nodeClass),
    TagSpecifications: [
      { ResourceType: "network-interface", Tags: nodeClassTags(context.clusterName, nodeClass) },
    ],
  };
  return { ok: true, data };
}

function launchTemplateName(clusterName: string, data: RequestLaunchTemplateData): string {
  const hash = createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 20);
  return `rafter/${clusterName}/${hash}`;
}

export class LaunchTemplates {
  /** Names known to exist, so a launch costs no Describe call once its template is known. */
  private readonly known = new Set<string>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly ec2: EC2Client,
    private readonly caller: Ec2Caller,
    private readonly context: LaunchTemplateContext,
    private readonly logger: Logger,
  ) {}

  /** Forgets every template this process knew of (one was deleted behind its back); the next launch checks again. */
  forgetAll(): void {
    this.known.clear();
  }

  /** The template's name, creating the template when it does not exist yet. */
  ensure(nodeClass: EC2NodeClass, data: RequestLaunchTemplateData): Promise<string> {
    const name = launchTemplateName(this.context.clusterName, data);
    if (this.known.has(name)) return Promise.resolve(name);
    let pending = this.inFlight.get(name);
    if (!pending) {
      pending = this.findOrCreate(name, nodeClass, data).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, pending);
    }
    return pending;
  }

  private async findOrCreate(
    name: string,
    nodeClass: EC2NodeClass,
    data: RequestLaunchTemplateData,
  ): Promise<string> {
    try {
      const found = await this.caller.call("DescribeLaunchTemplates", () =>
        this.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] })),
      );
      if ((found.LaunchTemplates ?? []).length > 0) {
        this.known.add(name);
        return name;
      }
    } catch (error) {
      if (errorCode(error) !== "InvalidLaunchTemplateName.NotFoundException") throw error;
    }
    try {
      await this.caller.call("CreateLaunchTemplate", () =>
        this.ec2.send(
          new CreateLaunchTemplateCommand({
            LaunchTemplateName: name,
            LaunchTemplateData: data,
            TagSpecifications: [
              {
                ResourceType: "launch-template",
                Tags: [
                  { Key: tagKeys.cluster, Value: this.context.clusterName },
                  { Key: tagKeys.nodeClass, Value: nodeClass.metadata.name ?? "" },
                ],
              },
            ],
          }),
        ),
      );
      this.logger.info(
        { launchTemplate: name, nodeClass: nodeClass.metadata.name },
        "created launch template",
      );
    } catch (error) {
      // Another replica (or an earlier attempt whose answer was lost) created it first: same content.
      if (errorCode(error) !== "InvalidLaunchTemplateName.AlreadyExistsException") throw error;
    }
    this.known.add(name);
    return name;
  }

  /** Deletes this cluster's templates whose names are not in `inUse`; returns the deleted names. */
  async deleteUnused(inUse: ReadonlySet<string>): Promise<string[]> {
    const deleted: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.caller.call("DescribeLaunchTemplates", () =>
        this.ec2.send(
          new DescribeLaunchTemplatesCommand({
            Filters: [{ Name: `tag:${tagKeys.cluster}`, Values: [this.context.clusterName] }],
            NextToken: token,
          }),
        ),
      );
      for (const template of page.LaunchTemplates ?? []) {
        const name = template.LaunchTemplateName;
        if (!name || inUse.has(name)) continue;
        await this.caller.call("DeleteLaunchTemplate", () =>
          this.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: name })),
        );
        this.known.delete(name);
        deleted.push(name);
      }
      token = page.NextToken;
    } while (token);
    return deleted;
  }

  /** Names ensured by this process (what is in use, from its point of view). */
  knownNames(): ReadonlySet<string> {
    return this.known;
  }
}
