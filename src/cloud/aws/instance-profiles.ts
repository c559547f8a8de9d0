// Instance profiles for EC2NodeClasses that name a `role`: rafter creates one profile per
// (cluster, EC2NodeClass), tagged as the cluster's, holding that role, and reuses it afterwards (also
// after restarts and from other replicas: the name is derived, not stored). When the node class's
// role changes, the profile's role is swapped. Profiles are not deleted with their node class: an
// instance still running with the profile would lose its credentials, and a profile costs nothing;
// `aws iam list-instance-profiles` + the rafter.dev/cluster tag finds them (README, Installing on EKS).
import { createHash } from "node:crypto";
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  GetInstanceProfileCommand,
  IAMClient,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  type InstanceProfile,
} from "@aws-sdk/client-iam";
import { kubernetesClusterTags, tagKeys } from "../provider.js";
import { awsClientConfig, type Ec2ClientOptions } from "./ec2-client.js";
import { errorCode } from "./error-codes.js";

export function createIamClient(options: Ec2ClientOptions): IAMClient {
  return new IAMClient(awsClientConfig(options));
}

/** "<cluster>_<hash>": IAM names are ≤ 128 characters of [\w+=,.@-]; the hash keeps any cluster name valid. */
export function instanceProfileName(clusterName: string, nodeClassName: string): string {
  const digest = createHash("sha256").update(`${clusterName}/${nodeClassName}`).digest("hex").slice(0, 20);
  const prefix = clusterName.replace(/[^\w+=,.@-]/g, "-").slice(0, 100);
  return `${prefix}_${digest}`;
}

/** A role given as a name or as an ARN (arn:aws:iam::123:role/path/name) → its name. */
export function roleName(role: string): string {
  return role.startsWith("arn:") ? (role.split("/").pop() ?? role) : role;
}

export class InstanceProfiles {
  /** Profile name → role name it is known to hold (this process checked or made it so). */
  private readonly known = new Map<string, string>();

  constructor(
    private readonly iam: IAMClient,
    private readonly clusterName: string,
  ) {}

  /** The profile for this node class holding `role`, created or fixed up as needed; its name. */
  async ensure(nodeClassName: string, role: string): Promise<string> {
    const name = instanceProfileName(this.clusterName, nodeClassName);
    const wanted = roleName(role);
    if (this.known.get(name) === wanted) return name;
    const tags = Object.entries({
      ...kubernetesClusterTags(this.clusterName),
      [tagKeys.cluster]: this.clusterName,
      [tagKeys.nodeClass]: nodeClassName,
    }).map(([Key, Value]) => ({ Key, Value }));
    let profile = await this.get(name);
    if (!profile) {
      try {
        await this.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: tags }));
      } catch (error) {
        if (errorCode(error) !== "EntityAlreadyExists") throw error; // another replica made it
      }
      profile = await this.get(name);
    } else if (!(profile.Tags ?? []).some((t) => t.Key === tagKeys.cluster)) {
      await this.iam.send(new TagInstanceProfileCommand({ InstanceProfileName: name, Tags: tags }));
    }
    const roles = (profile?.Roles ?? []).flatMap((r) => (r.RoleName ? [r.RoleName] : []));
    if (!roles.includes(wanted)) {
      // A profile holds at most one role: the node class's role changed.
      for (const old of roles)
        await this.iam.send(
          new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: old }),
        );
      await this.iam.send(
        new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: wanted }),
      );
    }
    this.known.set(name, wanted);
    return name;
  }

  private async get(name: string): Promise<InstanceProfile | undefined> {
    try {
      return (await this.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })))
        .InstanceProfile;
    } catch (error) {
      if (errorCode(error) === "NoSuchEntity" || errorCode(error) === "NoSuchEntityException")
        return undefined;
      throw error;
    }
  }
}
