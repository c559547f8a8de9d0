// The NodePool CRD schema: what may be launched, limits, and disruption policy.
import { durationSchemaPattern } from "../../domain/duration.js";
import { schedulePattern } from "../budget-schedule.js";
import {
  array,
  conditions,
  integer,
  object,
  requirement,
  resourceList,
  string,
  stringMap,
  taint,
} from "../schema.js";
import { customResourceDefinition } from "./definition.js";

const durationOrNever = `^(${durationSchemaPattern.slice(1, -1)}|Never)$`;

const budget = object(
  "A limit on how many nodes may be voluntarily disrupted at once",
  {
    nodes: string("A node count ('3') or a percentage of the NodePool's nodes ('10%')", {
      pattern: "^((100|[0-9]{1,2})%|[0-9]+)$",
      default: "10%",
    }),
    schedule: string("Cron schedule at which the budget becomes active (requires duration)", {
      pattern: schedulePattern,
    }),
    duration: string("How long the budget is active after each schedule tick", {
      pattern: "^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$",
    }),
    reasons: array(
      "Disruption reasons the budget applies to (all when absent)",
      string("A reason", { enum: ["Empty", "Underutilized", "Drifted"] }),
      { "x-kubernetes-list-type": "set" },
    ),
  },
  ["nodes"],
  {
    "x-kubernetes-validations": [
      { rule: "has(self.schedule) == has(self.duration)", message: "'schedule' must be set with 'duration'" },
    ],
  },
);

const spec = object(
  "What may be launched and how it may be disrupted",
  {
    template: object(
      "Template of the nodes this NodePool launches",
      {
        metadata: object("Labels and annotations of the nodes", {
          labels: stringMap("Labels every node carries", {
            "x-kubernetes-validations": [
              {
                rule: "self.all(k, k != 'rafter.dev/nodepool')",
                message: "label 'rafter.dev/nodepool' is set by rafter",
              },
            ],
          }),
          annotations: stringMap("Annotations every node carries"),
        }),
        spec: object(
          "Node spec template",
          {
            requirements: array("Node-selector requirements every node satisfies", requirement(), {
              maxItems: 100,
            }),
            taints: array("Taints every node carries", taint()),
            startupTaints: array(
              "Taints present at start that something else removes; pods need not tolerate them",
              taint(),
            ),
            nodeClassRef: object(
              "The cloud-specific node class",
              {
                group: string("API group", { minLength: 1 }),
                kind: string("Kind", { minLength: 1 }),
                name: string("Name", { minLength: 1 }),
              },
              ["group", "kind", "name"],
              {
                "x-kubernetes-validations": [
                  { rule: "self.group == oldSelf.group", message: "nodeClassRef.group is immutable" },
                  { rule: "self.kind == oldSelf.kind", message: "nodeClassRef.kind is immutable" },
                ],
              },
            ),
            expireAfter: string("Age after which a node is replaced, or 'Never'", {
              pattern: durationOrNever,
              default: "720h",
            }),
            terminationGracePeriod: string("Longest a drain may wait before remaining pods are deleted", {
              pattern: `^${durationSchemaPattern.slice(1, -1)}$`,
            }),
          },
          ["nodeClassRef"],
        ),
      },
      ["spec"],
    ),
    disruption: object(
      "How nodes may be disrupted",
      {
        consolidationPolicy: string("Which nodes consolidation may remove", {
          enum: ["WhenEmpty", "WhenEmptyOrUnderutilized"],
          default: "WhenEmptyOrUnderutilized",
        }),
        consolidateAfter: string("How long a node must be consolidatable before it is acted on, or 'Never'", {
          pattern: durationOrNever,
          default: "0s",
        }),
        replacementSavings: string(
          "How much cheaper (percent of the price of the nodes replaced) a consolidation replacement must be; deleting a node always qualifies. Default 15% (measured: npm run bench:churn)",
          { pattern: "^(100|[0-9]{1,2})%$" },
        ),
        budgets: array("Disruption budgets; the most restrictive active budget wins", budget, {
          maxItems: 50,
          default: [{ nodes: "10%" }],
        }),
      },
      [],
      { default: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "0s" } },
    ),
    limits: resourceList("Resource limits over all the NodePool's nodes; 'nodes' limits the count"),
    weight: integer("Priority among NodePools; higher is tried first", { minimum: 1, maximum: 100 }),
  },
  ["template"],
);

const status = object("Observed state", {
  resources: resourceList("Resources of the NodePool's nodes"),
  nodes: integer("Number of nodes", { minimum: 0 }),
  conditions: conditions(),
});

export const nodePoolCrd = customResourceDefinition({
  kind: "NodePool",
  plural: "nodepools",
  singular: "nodepool",
  description: "NodePool defines what nodes rafter may launch, their limits and how they may be disrupted",
  spec,
  status,
  columns: [
    { name: "NodeClass", type: "string", jsonPath: ".spec.template.spec.nodeClassRef.name" },
    { name: "Nodes", type: "integer", jsonPath: ".status.nodes" },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "Weight", type: "integer", jsonPath: ".spec.weight", priority: 1 },
    { name: "CPU", type: "string", jsonPath: ".status.resources.cpu", priority: 1 },
    { name: "Memory", type: "string", jsonPath: ".status.resources.memory", priority: 1 },
  ],
});
