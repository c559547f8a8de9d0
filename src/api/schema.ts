// A tiny vocabulary for writing CRD OpenAPI v3 schemas in TypeScript. The CRDs in manifests/crds
// are generated from these objects (scripts/gen-crds.ts), so the schema has one source of truth.
export interface Schema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: (string | number)[];
  pattern?: string;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-validations"?: { rule: string; message: string; reason?: string; fieldPath?: string }[];
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
}

type Extra = Omit<Schema, "type" | "properties" | "required" | "items">;

export const string = (description: string, extra: Extra = {}): Schema => ({
  type: "string",
  description,
  ...extra,
});
export const integer = (description: string, extra: Extra = {}): Schema => ({
  type: "integer",
  description,
  ...extra,
});
export const boolean = (description: string, extra: Extra = {}): Schema => ({
  type: "boolean",
  description,
  ...extra,
});

export const object = (
  description: string,
  properties: Record<string, Schema>,
  required: string[] = [],
  extra: Extra = {},
): Schema => ({
  type: "object",
  description,
  properties,
  ...(required.length > 0 ? { required } : {}),
  ...extra,
});

export const array = (description: string, items: Schema, extra: Extra = {}): Schema => ({
  type: "array",
  description,
  items,
  ...extra,
});

export const stringMap = (description: string, extra: Extra = {}): Schema => ({
  type: "object",
  description,
  additionalProperties: { type: "string" },
  ...extra,
});

/** A Kubernetes ResourceList: resource name → quantity (int or string). */
export const resourceList = (description: string): Schema => ({
  type: "object",
  description,
  additionalProperties: {
    "x-kubernetes-int-or-string": true,
    pattern:
      "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
  },
});

export const conditions = (): Schema =>
  array(
    "Conditions of the object's state",
    object(
      "A condition",
      {
        type: string("Type of the condition"),
        status: string("True, False or Unknown", { enum: ["True", "False", "Unknown"] }),
        reason: string("Machine-readable reason"),
        message: string("Human-readable message"),
        lastTransitionTime: string("When the status last changed", { format: "date-time" }),
        observedGeneration: integer("Generation the condition was computed from", { minimum: 0 }),
      },
      ["type", "status"],
    ),
    { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] },
  );

export const taint = (): Schema =>
  object(
    "A node taint",
    {
      key: string("Taint key", {
        minLength: 1,
        pattern:
          "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
      }),
      value: string("Taint value", { maxLength: 63 }),
      effect: string("Taint effect", { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] }),
    },
    ["key", "effect"],
  );

export const requirement = (): Schema =>
  object(
    "A node-selector requirement with an optional minimum number of distinct values",
    {
      key: string("Label key", { minLength: 1, maxLength: 316 }),
      operator: string("Operator", { enum: ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] }),
      values: array("Values", string("A value", { maxLength: 63 }), {
        maxItems: 100,
        "x-kubernetes-list-type": "atomic",
      }),
      minValues: integer("At least this many distinct values must remain among the launch options", {
        minimum: 1,
        maximum: 50,
      }),
    },
    ["key", "operator"],
    {
      "x-kubernetes-validations": [
        {
          rule: "self.operator != 'In' || (has(self.values) && size(self.values) > 0)",
          message: "requirements with operator 'In' must have a value defined",
        },
        {
          rule: "(self.operator != 'Gt' && self.operator != 'Lt') || (has(self.values) && size(self.values) == 1 && self.values[0].matches('^-?[0-9]+$'))",
          message:
            "requirements with operator 'Gt' or 'Lt' must have a single positive or negative integer value",
        },
        {
          rule: "!has(self.minValues) || self.operator != 'In' || size(self.values) >= self.minValues",
          message: "requirements with operator 'In' and 'minValues' must have at least minValues values",
        },
        {
          rule: "(self.operator != 'Exists' && self.operator != 'DoesNotExist') || !has(self.values) || size(self.values) == 0",
          message: "requirements with operator 'Exists' or 'DoesNotExist' must not have values",
        },
      ],
    },
  );
