// One node launched through CreateFleet, in rounds: each round asks for every allowed offering still
// available (the image of its instance type, its zone's subnet, the launch template of those
// settings); offerings EC2 reports out of capacity are marked unavailable, so the next round asks
// for the rest. Crash recovery and error mapping stay with the caller (provider.ts).
import { CreateFleetCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { EC2NodeClass } from "../../api/ec2nodeclass.js";
import type { NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";
import { offeringKey, type InstanceType } from "../../catalog/types.js";
import type { Logger } from "../../logging.js";
import * as errors from "../errors.js";
import { launchOptions, type LaunchOption } from "../launch-options.js";
import type { CreateError, LaunchedInstance } from "../provider.js";
import type { UnavailableOfferings } from "../unavailable-offerings.js";
import type { Ec2Caller } from "./ec2-caller.js";
import { capacityErrorCodes } from "./error-codes.js";
import {
  createFleetInput,
  failedOfferings,
  fleetClientToken,
  parseFleetOutput,
  type FleetOverride,
} from "./fleet.js";
import { chooseImage } from "./image-choice.js";
import { launchTags } from "./node-tags.js";
import type { PriceLookup } from "./instances.js";
import { describeLaunched } from "./launched-instance.js";
import { launchTemplateData, type LaunchTemplateContext, type LaunchTemplates } from "./launch-templates.js";
import { launchSubnets, type ResolvedNodeClass } from "./nodeclass-resolver.js";

type Result<T, E = errors.CloudError> = errors.Result<T, E>;
const { ok, fail } = errors;

export interface FleetLaunchDeps {
  readonly ec2: EC2Client;
  readonly caller: Ec2Caller;
  readonly logger: Logger;
  /** The cluster the node joins (its user data and tags). */
  readonly cluster: LaunchTemplateContext;
  readonly region: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly templates: Pick<LaunchTemplates, "ensure">;
  readonly unavailableOfferings: UnavailableOfferings;
  /** The catalogue's price of an offering, for a launched offering the request did not list. */
  readonly price: PriceLookup;
  /** CreateFleet rounds per launch when offerings run out of capacity. */
  readonly maxRounds: number;
}

export interface FleetLaunch {
  readonly virtualNode: VirtualNode;
  readonly nodePool: NodePool;
  readonly nodeClass: EC2NodeClass;
  readonly resolved: ResolvedNodeClass;
  readonly instanceTypes: readonly InstanceType[];
}

export class FleetLauncher {
  constructor(private readonly deps: FleetLaunchDeps) {}

  async launch(request: FleetLaunch): Promise<Result<LaunchedInstance, CreateError>> {
    const { virtualNode } = request;
    const uid = virtualNode.metadata.uid ?? virtualNode.metadata.name ?? "";
    const byName = new Map(request.instanceTypes.map((t) => [t.name, t]));
    const subnets = new Map(launchSubnets(request.resolved.subnets).map((s) => [s.zone, s.id]));
    const failedAll: errors.FailedOffering[] = [];
    for (let round = 0; round < this.deps.maxRounds; round++) {
      const choice = launchOptions(
        virtualNode,
        byName,
        this.deps.unavailableOfferings.keys(),
        new Set(subnets.keys()),
      );
      if (!choice) break;
      const built = await this.overrides(request, choice.options, byName, subnets);
      if (!built.ok) return built;
      const overrides = built.value;
      if (overrides.length === 0) {
        return fail(
          errors.invalidNodeClass(
            "AMIsNotFound",
            "no image matches the architectures of the allowed instance types",
          ),
        );
      }
      const input = createFleetInput(
        choice.capacityType,
        overrides,
        fleetClientToken(uid, overrides),
        launchTags(this.deps.cluster.clusterName, virtualNode, request.nodePool, request.nodeClass),
      );
      const outcome = parseFleetOutput(
        await this.deps.caller.call("CreateFleet", () => this.deps.ec2.send(new CreateFleetCommand(input))),
      );
      const failed = failedOfferings(outcome, overrides, capacityErrorCodes);
      for (const f of failed)
        this.deps.unavailableOfferings.mark(f.instanceType, f.zone, f.capacityType, f.code);
      failedAll.push(...failed);
      if (outcome.instanceId) {
        const launched = await describeLaunched(this.deps.ec2, this.deps.caller, outcome.instanceId, {
          region: this.deps.region,
          sleep: this.deps.sleep,
          price: (t, z, c) =>
            overrides.find(
              (o) => o.option.instanceType === t && o.option.zone === z && o.option.capacityType === c,
            )?.option.price ?? this.deps.price(t, z, c),
        });
        this.deps.logger.info(
          {
            virtualNode: virtualNode.metadata.name,
            instanceId: launched.instanceId,
            instanceType: launched.instanceType,
            zone: launched.zone,
            capacityType: launched.capacityType,
            failedOfferings: failed.length,
          },
          "launched instance",
        );
        return ok(launched);
      }
      const other = outcome.errors.filter((e) => !capacityErrorCodes.has(e.code));
      if (failed.length === 0) {
        const detail = other.map((e) => `${e.code}: ${e.message}`).join("; ") || "no instance and no error";
        return fail(errors.cloudFailure(`CreateFleet launched nothing: ${detail}`, other[0]?.code));
      }
      this.deps.logger.info(
        {
          virtualNode: virtualNode.metadata.name,
          failed: failed.map((f) => offeringKey(f.instanceType, f.zone, f.capacityType)),
        },
        "offerings out of capacity; retrying with the rest",
      );
    }
    return fail({
      kind: "InsufficientCapacity",
      message: `no capacity in any allowed offering (${failedAll.length} failed)`,
      offerings: failedAll,
    });
  }

  /**
   * One override per offering that can launch: its instance type has an image (a GPU type without a
   * GPU image has none) and its zone a subnet. The launch templates are created as needed.
   */
  private async overrides(
    request: FleetLaunch,
    options: readonly LaunchOption[],
    byName: ReadonlyMap<string, InstanceType>,
    subnets: ReadonlyMap<string, string>,
  ): Promise<Result<FleetOverride[], errors.InvalidNodeClass>> {
    const overrides: FleetOverride[] = [];
    for (const option of options) {
      const instanceType = byName.get(option.instanceType);
      const image = instanceType && chooseImage(request.resolved.images, instanceType);
      const subnetId = subnets.get(option.zone);
      if (!instanceType || !image || !subnetId) continue;
      const data = launchTemplateData(
        this.deps.cluster,
        request.nodeClass,
        request.nodePool,
        request.resolved,
        image,
        instanceType,
      );
      if (!data.ok) return fail(errors.invalidNodeClass("UserDataInvalid", data.message));
      overrides.push({
        option,
        subnetId,
        launchTemplateName: await this.deps.templates.ensure(request.nodeClass, data.data),
      });
    }
    return ok(overrides);
  }
}
