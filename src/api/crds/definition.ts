// Builds a CustomResourceDefinition object for one of rafter's cluster-scoped kinds.
import { apiGroup } from "../common.js";
import type { Schema } from "../schema.js";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface CrdOptions {
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  spec: Schema;
  status: Schema;
  columns: PrinterColumn[];
  description: string;
}

export function customResourceDefinition(options: CrdOptions): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${options.plural}.${apiGroup}` },
    spec: {
      group: apiGroup,
      names: {
        kind: options.kind,
        listKind: `${options.kind}List`,
        plural: options.plural,
        singular: options.singular,
        ...(options.shortNames ? { shortNames: options.shortNames } : {}),
        categories: options.categories ?? ["rafter"],
      },
      scope: "Cluster",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: options.columns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: options.description,
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: options.spec,
                status: options.status,
              },
              required: ["spec"],
            },
          },
        },
      ],
    },
  };
}
