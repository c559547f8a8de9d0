// Shared by the migrate tests: Karpenter's example files read as `rafter migrate` reads them, and
// the example Deployments' pod templates expanded to pending pods (the planner plans pods).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { readDocuments } from "../../src/cli/migrate.js";
import type { InputDocument } from "../../src/migrate/index.js";

export const karpenterExamples = "test/fixtures/karpenter/v1";
export const karpenterWorkloads = "test/fixtures/karpenter/workloads";

export function exampleDocuments(...files: string[]): InputDocument[] {
  const names = files.length > 0 ? files : readdirSync(karpenterExamples).sort();
  return names.flatMap((name) => {
    const path = join(karpenterExamples, name);
    return readDocuments(path, readFileSync(path, "utf8"));
  });
}

export function yamlObjects(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as unknown);
}

interface DeploymentLike {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { metadata?: V1Pod["metadata"]; spec?: V1Pod["spec"] } };
}

/** `replicas` pending pods of each Deployment in Karpenter's workload files. */
export function workloadPods(files: readonly string[], replicas: number): V1Pod[] {
  return files.flatMap((file) =>
    (yamlObjects(join(karpenterWorkloads, file)) as DeploymentLike[])
      .filter((o) => o.kind === "Deployment")
      .flatMap((d) =>
        Array.from({ length: replicas }, (_, i) => ({
          apiVersion: "v1",
          kind: "Pod",
          metadata: {
            ...d.spec?.template?.metadata,
            name: `${d.metadata?.name ?? ""}-${i}`,
            namespace: "default",
          },
          spec: structuredClone(d.spec?.template?.spec ?? { containers: [] }),
        })),
      ),
  );
}
