// Small builders for the objects the cloud port takes.
import type { NodeSelectorRequirementWithMinValues } from "../../src/api/common.js";
import type { EC2NodeClass } from "../../src/api/ec2nodeclass.js";
import type { NodePool } from "../../src/api/nodepool.js";
import type { VirtualNode } from "../../src/api/virtualnode.js";
import type { ObjectMeta } from "../../src/api/common.js";

/** client-node's V1ObjectMeta is a class only nominally; API objects are plain JSON. */
const meta = (json: unknown): ObjectMeta => json as ObjectMeta;

export function virtualNode(
  name: string,
  instanceTypes: string[],
  requirements: NodeSelectorRequirementWithMinValues[] = [],
  uid = `uid-${name}`,
): VirtualNode {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "VirtualNode",
    metadata: meta({ name, uid }),
    spec: { nodePool: "default", nodeClass: "default", requirements, instanceTypes, resources: {}, pods: [] },
  };
}

export function nodePool(name = "default"): NodePool {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "NodePool",
    metadata: meta({ name }),
    spec: {
      template: {
        metadata: { labels: { team: "infra" } },
        spec: {
          nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" },
          taints: [{ key: "dedicated", value: "infra", effect: "NoSchedule" }],
          startupTaints: [{ key: "node.rafter.dev/starting", effect: "NoSchedule" }],
        },
      },
    },
  };
}

export function nodeClass(spec: Partial<EC2NodeClass["spec"]> = {}, name = "default"): EC2NodeClass {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "EC2NodeClass",
    metadata: meta({ name, uid: `uid-nodeclass-${name}`, generation: 1 }),
    spec: {
      subnetSelectorTerms: [{ tags: { "rafter.dev/discovery": "test" } }],
      securityGroupSelectorTerms: [{ tags: { "rafter.dev/discovery": "test" } }],
      amiSelectorTerms: [{ tags: { "rafter.dev/discovery": "test" } }],
      instanceProfile: "rafter-node",
      ...spec,
    },
  };
}
