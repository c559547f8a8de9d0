// Resolved node classes, kept for a short TTL per node class generation: launches, catalogue reads,
// drift checks and status updates all need a node class's subnets, security groups and images, and
// resolving them costs several EC2 calls. A node class with `role` also gets the instance profile
// rafter keeps for that role.
import type { EC2Client } from "@aws-sdk/client-ec2";
import { LRUCache } from "lru-cache";
import type { EC2NodeClass } from "../../api/ec2nodeclass.js";
import type { Clock } from "../../clock.js";
import { errorMessage } from "../../domain/error-message.js";
import * as errors from "../errors.js";
import type { ParameterReader } from "./ami-aliases.js";
import type { Ec2Caller } from "./ec2-caller.js";
import type { InstanceProfiles } from "./instance-profiles.js";
import { resolveNodeClassOnEc2, type ResolvedNodeClass } from "./nodeclass-resolver.js";

type Resolution = errors.Result<ResolvedNodeClass, errors.InvalidNodeClass>;
const { ok, fail } = errors;

export interface NodeClassResolutionsDeps {
  readonly ec2: EC2Client;
  readonly caller: Ec2Caller;
  readonly clock: Clock;
  readonly ttlMs: number;
  /** The cluster's Kubernetes version, which picks the images of AMI aliases. */
  readonly kubernetesVersion: string;
  /** Creates and reuses the instance profile of a node class's `role`; such node classes are invalid without it. */
  readonly instanceProfiles?: Pick<InstanceProfiles, "ensure"> | undefined;
  /** Reads SSM parameters for AMI aliases; aliases are reported unsupported without it. */
  readonly readParameter?: ParameterReader | undefined;
}

export class NodeClassResolutions {
  private readonly cache: LRUCache<string, Resolution>;

  constructor(private readonly deps: NodeClassResolutionsDeps) {
    this.cache = new LRUCache({ max: 256, ttl: deps.ttlMs, perf: deps.clock, ttlResolution: 0 });
  }

  async resolve(nodeClass: EC2NodeClass): Promise<Resolution> {
    const key = `${nodeClass.metadata.uid ?? nodeClass.metadata.name ?? ""}/${nodeClass.metadata.generation ?? 0}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const resolved = await this.withInstanceProfile(
      nodeClass,
      await resolveNodeClassOnEc2(
        this.deps.ec2,
        this.deps.caller,
        nodeClass,
        this.deps.kubernetesVersion,
        this.deps.readParameter,
      ),
    );
    this.cache.set(key, resolved);
    return resolved;
  }

  /** Forgets every resolution (something resolved was deleted behind this process's back). */
  clear(): void {
    this.cache.clear();
  }

  /** A node class with `role` launches with the instance profile rafter keeps for it. */
  private async withInstanceProfile(nodeClass: EC2NodeClass, resolved: Resolution): Promise<Resolution> {
    const role = nodeClass.spec.role;
    if (!resolved.ok || role === undefined || nodeClass.spec.instanceProfile !== undefined) return resolved;
    if (!this.deps.instanceProfiles)
      return fail(errors.invalidNodeClass("InstanceProfileUnsupported", "no IAM client to create a profile"));
    try {
      const instanceProfile = await this.deps.instanceProfiles.ensure(nodeClass.metadata.name ?? "", role);
      return ok({ ...resolved.value, instanceProfile });
    } catch (error) {
      return fail(
        errors.invalidNodeClass(
          "InstanceProfileFailed",
          `instance profile for role ${role}: ${errorMessage(error)}`,
        ),
      );
    }
  }
}
