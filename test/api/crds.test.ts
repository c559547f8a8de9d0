import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { crdManifests } from "../../src/api/crds/index.js";
import { validateObject } from "../../src/api/validation.js";
import { renderCrd } from "../../scripts/gen-crds.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

interface CrdShape {
  spec: {
    names: { kind: string; shortNames?: string[] };
    scope: string;
    versions: {
      subresources?: { status?: object };
      additionalPrinterColumns: { name: string; priority?: number }[];
      schema: { openAPIV3Schema: SchemaNode };
    }[];
  };
}
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

function hasPath(schema: SchemaNode, path: string): boolean {
  let node: SchemaNode = schema;
  for (const part of path.split(".")) {
    const container: SchemaNode = node.items ?? node;
    const next = container.properties?.[part];
    if (!next) return false;
    node = next;
  }
  return true;
}

const crd = (file: string) => parse(read(`manifests/crds/${file}`)) as CrdShape;

describe("CRD manifests", () => {
  it("are exactly what scripts/gen-crds.ts generates from src/api/crds", () => {
    for (const [file, manifest] of Object.entries(crdManifests)) {
      assert.equal(read(`manifests/crds/${file}`), renderCrd(manifest), `manifests/crds/${file} is stale`);
    }
  });

  it("are cluster-scoped with a status subresource", () => {
    for (const file of Object.keys(crdManifests)) {
      const { spec } = crd(file);
      assert.equal(spec.scope, "Cluster");
      assert.ok(spec.versions[0]?.subresources?.status, `${file} has a status subresource`);
    }
  });

  const documented: Record<string, string[]> = {
    "nodepools.yaml": [
      "spec.template.metadata.labels",
      "spec.template.metadata.annotations",
      "spec.template.spec.requirements.key",
      "spec.template.spec.requirements.operator",
      "spec.template.spec.requirements.values",
      "spec.template.spec.requirements.minValues",
      "spec.template.spec.taints.effect",
      "spec.template.spec.startupTaints.key",
      "spec.template.spec.nodeClassRef.group",
      "spec.template.spec.nodeClassRef.kind",
      "spec.template.spec.nodeClassRef.name",
      "spec.template.spec.expireAfter",
      "spec.template.spec.terminationGracePeriod",
      "spec.disruption.consolidationPolicy",
      "spec.disruption.consolidateAfter",
      "spec.disruption.budgets.nodes",
      "spec.disruption.budgets.schedule",
      "spec.disruption.budgets.duration",
      "spec.disruption.budgets.reasons",
      "spec.limits",
      "spec.weight",
      "status.resources",
      "status.nodes",
      "status.conditions.type",
    ],
    "ec2nodeclasses.yaml": [
      "spec.subnetSelectorTerms.tags",
      "spec.subnetSelectorTerms.id",
      "spec.securityGroupSelectorTerms.name",
      "spec.amiSelectorTerms.owner",
      "spec.amiSelectorTerms.alias",
      "spec.role",
      "spec.instanceProfile",
      "spec.userData",
      "spec.blockDeviceMappings.ebs.volumeSize",
      "spec.metadataOptions.httpTokens",
      "spec.tags",
      "spec.kubelet.maxPods",
      "spec.kubelet.systemReserved",
      "spec.kubelet.kubeReserved",
      "spec.kubelet.evictionHard",
      "status.subnets.zone",
      "status.securityGroups.id",
      "status.amis.id",
      "status.conditions.status",
    ],
    "virtualnodes.yaml": [
      "spec.nodePool",
      "spec.requirements.key",
      "spec.instanceTypes",
      "spec.resources",
      "spec.pods.name",
      "status.phase",
      "status.reservedPods",
      "status.boundPods",
      "status.instanceType",
      "status.zone",
      "status.capacityType",
      "status.price",
      "status.instanceID",
      "status.providerID",
      "status.nodeName",
      "status.lastFailure",
      "status.conditions.reason",
    ],
  };
  for (const [file, paths] of Object.entries(documented)) {
    it(`${file} has every documented field`, () => {
      const schema = crd(file).spec.versions[0]!.schema.openAPIV3Schema;
      for (const path of paths) assert.ok(hasPath(schema, path), `${file}: ${path} missing`);
    });
  }

  it("have the documented printer columns", () => {
    const columns = (file: string) =>
      crd(file).spec.versions[0]!.additionalPrinterColumns.map((c) => `${c.name}${c.priority ? "*" : ""}`);
    assert.deepEqual(columns("nodepools.yaml"), [
      "NodeClass",
      "Nodes",
      "Ready",
      "Age",
      "Weight*",
      "CPU*",
      "Memory*",
    ]);
    assert.deepEqual(columns("virtualnodes.yaml"), [
      "NodePool",
      "Type",
      "Capacity",
      "Zone",
      "Node",
      "Phase",
      "Pods",
      "Price/h",
      "Age",
      "Instance*",
      "Options*",
      "Reason*",
      "Drifted*",
    ]);
    assert.deepEqual(columns("ec2nodeclasses.yaml"), ["Ready", "Age"]);
    assert.deepEqual(crd("virtualnodes.yaml").spec.names.shortNames, ["vn"]);
  });
});

function documentsIn(dir: string): { file: string; object: { kind: string } }[] {
  return readdirSync(new URL(dir, root))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((file) =>
      parseAllDocuments(read(`${dir}/${file}`)).map((doc) => ({
        file,
        object: doc.toJS() as { kind: string },
      })),
    );
}

describe("object validation", () => {
  it("accepts every example in manifests/examples", () => {
    const examples = documentsIn("manifests/examples");
    assert.ok(examples.length >= 4);
    for (const { file, object } of examples) {
      assert.deepEqual(validateObject(object.kind as "NodePool", object), [], file);
    }
  });

  it("rejects every invalid example in test/fixtures/invalid, naming the problem", () => {
    const invalid = documentsIn("test/fixtures/invalid");
    assert.ok(invalid.length >= 10);
    for (const { file, object } of invalid) {
      const problems = validateObject(object.kind as "NodePool", object);
      assert.ok(problems.length > 0, `${file} should be rejected`);
      for (const problem of problems) assert.match(problem, /\S+: \S/, `${file}: "${problem}" names where`);
    }
  });
});
