// The VirtualNode CRD schema: one unit of planned capacity, 1:1 with an instance and its Node.
import { virtualNodePhases } from "../virtualnode.js";
import { array, conditions, integer, object, requirement, resourceList, string } from "../schema.js";
import { customResourceDefinition } from "./definition.js";

const podReference = object(
  "A pod",
  {
    namespace: string("Namespace", { minLength: 1 }),
    name: string("Name", { minLength: 1 }),
    uid: string("UID"),
  },
  ["namespace", "name"],
);

const spec = object(
  "The capacity rafter planned",
  {
    nodePool: string("NodePool the node belongs to", { minLength: 1 }),
    nodeClass: string("Node class used to launch it"),
    requirements: array("Requirements the instance must satisfy", requirement(), { maxItems: 100 }),
    instanceTypes: array(
      "Instance types that fit every reserved pod, cheapest first",
      string("Instance type"),
      {
        maxItems: 1000,
      },
    ),
    resources: resourceList("Requests of the reserved pods plus DaemonSet overhead"),
    pods: array("Pods this capacity was planned for", podReference),
  },
  ["nodePool", "requirements", "instanceTypes"],
  {
    "x-kubernetes-validations": [
      { rule: "self.nodePool == oldSelf.nodePool", message: "nodePool is immutable" },
    ],
  },
);

const status = object("Progress of the launch and the node", {
  phase: string("Lifecycle phase", { enum: [...virtualNodePhases] }),
  reservedPods: integer("Pods still reserved (not yet bound)", { minimum: 0 }),
  boundPods: integer("Pods bound to the node", { minimum: 0 }),
  instanceType: string("Chosen instance type"),
  zone: string("Availability zone"),
  capacityType: string("Capacity type", { enum: ["on-demand", "spot"] }),
  price: string("Hourly price in USD"),
  instanceID: string("EC2 instance id"),
  providerID: string("Node providerID"),
  nodeName: string("Name of the Node object"),
  launchedAt: string("When the instance was launched", { format: "date-time" }),
  lastPodEventTime: string("When the node's set of workload pods last changed", { format: "date-time" }),
  privateIP: string("Private IP address of the instance"),
  lastFailure: string("Why the last attempt failed"),
  optionCount: integer("Number of instance-type options", { minimum: 0 }),
  conditions: conditions(),
});

export const virtualNodeCrd = customResourceDefinition({
  kind: "VirtualNode",
  plural: "virtualnodes",
  singular: "virtualnode",
  shortNames: ["vn"],
  description: "VirtualNode is one unit of capacity rafter planned: an instance and its Node",
  spec,
  status,
  columns: [
    { name: "NodePool", type: "string", jsonPath: ".spec.nodePool" },
    { name: "Type", type: "string", jsonPath: ".status.instanceType" },
    { name: "Capacity", type: "string", jsonPath: ".status.capacityType" },
    { name: "Zone", type: "string", jsonPath: ".status.zone" },
    { name: "Node", type: "string", jsonPath: ".status.nodeName" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Pods", type: "integer", jsonPath: ".status.boundPods" },
    { name: "Price/h", type: "string", jsonPath: ".status.price" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "Instance", type: "string", jsonPath: ".status.instanceID", priority: 1 },
    { name: "Options", type: "integer", jsonPath: ".status.optionCount", priority: 1 },
    { name: "Reason", type: "string", jsonPath: ".status.lastFailure", priority: 1 },
    {
      name: "Drifted",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Drifted")].reason',
      priority: 1,
    },
  ],
});
