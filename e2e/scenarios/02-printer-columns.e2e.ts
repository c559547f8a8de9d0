// `kubectl get nodepools,ec2nodeclasses,virtualnodes` prints the printer columns declared by the CRDs
// (read from manifests/crds, so the test follows the CRDs), with values taken from spec and status.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { scenario } from "../harness/scenario.js";

interface Crd {
  spec: {
    names: { plural: string };
    versions: { additionalPrinterColumns?: { name: string; priority?: number }[] }[];
  };
}

function columns(repoRoot: string, file: string, wide: boolean): string[] {
  const crd = parse(readFileSync(join(repoRoot, "manifests", "crds", file), "utf8")) as Crd;
  const declared = crd.spec.versions[0]?.additionalPrinterColumns ?? [];
  return [
    "NAME",
    ...declared.filter((c) => wide || (c.priority ?? 0) === 0).map((c) => c.name.toUpperCase()),
  ];
}

scenario("kubectl get prints the printer columns", async ({ cluster, repoRoot, defer }) => {
  const kubectl = cluster.kubectl;
  const suffix = Math.random().toString(36).slice(2, 7);
  const names = {
    pool: `e2e-columns-${suffix}`,
    nodeClass: `e2e-columns-${suffix}`,
    vn: `e2e-columns-${suffix}`,
  };
  defer(() => kubectl.run(["delete", "virtualnode", names.vn, "--ignore-not-found", "--wait=false"]));
  defer(() => kubectl.run(["delete", "nodepool", names.pool, "--ignore-not-found", "--wait=false"]));
  defer(() => kubectl.run(["delete", "ec2nodeclass", names.nodeClass, "--ignore-not-found", "--wait=false"]));

  const example = (file: string, name: string): string =>
    readFileSync(join(repoRoot, "manifests", "examples", file), "utf8").replace(
      /^ {2}name: .*$/m,
      `  name: ${name}`,
    );
  await kubectl.apply(example("ec2nodeclass.yaml", names.nodeClass));
  await kubectl.apply(
    example("nodepool-general.yaml", names.pool).replace(
      /(kind: EC2NodeClass\s+name: )\S+/,
      `$1${names.nodeClass}`,
    ),
  );
  await kubectl.apply({
    apiVersion: "rafter.dev/v1",
    kind: "VirtualNode",
    metadata: { name: names.vn },
    spec: {
      nodePool: names.pool,
      requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }],
      instanceTypes: ["m6i.large"],
    },
  });
  await kubectl.run([
    "patch",
    "virtualnode",
    names.vn,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({
      status: { phase: "Failed", instanceType: "m6i.large", capacityType: "on-demand", zone: "us-east-1a" },
    }),
  ]);

  const output = (await kubectl.run(["get", "nodepools,ec2nodeclasses,virtualnodes"])).stdout;
  const wide = (await kubectl.run(["get", "nodepools,ec2nodeclasses,virtualnodes", "-o", "wide"])).stdout;
  const headers = (text: string): string[][] =>
    text
      .split("\n")
      .filter((line) => line.startsWith("NAME"))
      .map((line) => line.trim().split(/ {2,}/));
  const expected = [
    columns(repoRoot, "nodepools.yaml", false),
    columns(repoRoot, "ec2nodeclasses.yaml", false),
    columns(repoRoot, "virtualnodes.yaml", false),
  ];
  assert.deepEqual(headers(output), expected, `kubectl get printed:\n${output}`);
  assert.deepEqual(
    headers(wide),
    [
      columns(repoRoot, "nodepools.yaml", true),
      columns(repoRoot, "ec2nodeclasses.yaml", true),
      columns(repoRoot, "virtualnodes.yaml", true),
    ],
    `kubectl get -o wide printed:\n${wide}`,
  );
  const vnLine = output.split("\n").find((line) => line.includes(`virtualnode.rafter.dev/${names.vn}`));
  assert.ok(vnLine !== undefined, `no row for the VirtualNode:\n${output}`);
  for (const value of [names.pool, "m6i.large", "on-demand", "us-east-1a", "Failed"])
    assert.ok(vnLine.includes(value), `VirtualNode row lacks ${value}: ${vnLine}`);
  assert.ok(output.includes(`nodepool.rafter.dev/${names.pool}`), output);
  assert.ok(output.includes(`ec2nodeclass.rafter.dev/${names.nodeClass}`), output);
});
