// `rafter userdata` run as a real process: prints what the launcher's launch templates carry.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runRafter, type CliRun } from "../support/cli.js";
import { parseAllDocuments } from "yaml";
import { readFileSync } from "node:fs";
import type { EC2NodeClass } from "../../src/api/ec2nodeclass.js";
import type { NodePool } from "../../src/api/nodepool.js";
import { loadEmbeddedCatalogWith } from "../../src/catalog/embedded.js";
import { nodeClassCatalogSettings } from "../../src/cloud/aws/catalog-source.js";
import { launchTemplateData } from "../../src/cloud/aws/launch-templates.js";

const rafter = (...args: string[]): CliRun => runRafter(["userdata", ...args]);

const cluster = {
  clusterName: "prod",
  apiServerEndpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com",
  certificateAuthority: Buffer.from("CA").toString("base64"),
  serviceCidr: "172.20.0.0/16",
  kubernetesVersion: "1.35",
};
const clusterFlags = [
  "--cluster-name",
  cluster.clusterName,
  "--cluster-endpoint",
  cluster.apiServerEndpoint,
  "--cluster-ca-bundle",
  cluster.certificateAuthority,
  "--service-cidr",
  cluster.serviceCidr,
  "--kubernetes-version",
  cluster.kubernetesVersion,
];

function example(file: string, name: string): unknown {
  const docs = parseAllDocuments(readFileSync(`manifests/examples/${file}`, "utf8")).map(
    (d) => d.toJS() as { metadata: { name: string } },
  );
  const found = docs.find((d) => d.metadata.name === name);
  assert.ok(found);
  return found;
}

describe("rafter userdata", () => {
  it("prints the user data the launch template of that instance type carries, and the image parameter", () => {
    const r = rafter(
      "-f",
      "manifests/examples",
      "--nodepool",
      "gpu",
      "--instance-type",
      "g5.xlarge",
      ...clusterFlags,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr.trim(),
      "image: al2023@latest → /aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/nvidia/recommended/image_id",
    );
    const nodeClass = example("ec2nodeclass.yaml", "default") as EC2NodeClass;
    const nodePool = example("nodepool-gpu.yaml", "gpu") as NodePool;
    const type = loadEmbeddedCatalogWith(nodeClassCatalogSettings(nodeClass)).instanceTypes.find(
      (t) => t.name === "g5.xlarge",
    );
    assert.ok(type);
    const data = launchTemplateData(
      { clusterName: "prod", bootstrap: cluster },
      nodeClass,
      nodePool,
      { subnets: [], securityGroups: [], images: [] },
      { id: "ami-1", architecture: "amd64", creationDate: "", family: "al2023", variant: "nvidia" },
      type,
    );
    assert.ok(data.ok);
    assert.equal(r.stdout, Buffer.from(data.data.UserData ?? "", "base64").toString());
  });

  it("names the Bottlerocket parameter for a Bottlerocket node class", () => {
    const dir = mkdtempSync(join(tmpdir(), "rafter-userdata-"));
    const nodeClass = readFileSync("manifests/examples/ec2nodeclass.yaml", "utf8").replace(
      "alias: al2023@latest",
      "alias: bottlerocket@v1.30.0",
    );
    writeFileSync(join(dir, "nodeclass.yaml"), nodeClass);
    const r = rafter(
      "-f",
      dir,
      "-f",
      "manifests/examples/nodepool-general.yaml",
      "--nodepool",
      "default",
      "--instance-type",
      "m7g.large",
      ...clusterFlags,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\/aws\/service\/bottlerocket\/aws-k8s-1\.35\/arm64\/1\.30\.0\/image_id/);
    assert.match(r.stdout, /^\[settings\.kubernetes\]/m);
    assert.match(r.stdout, /cluster-dns-ip = "172\.20\.0\.10"/);
  });

  for (const [what, args, message] of [
    [
      "a missing file",
      ["-f", "nope.yaml", "--nodepool", "x", "--instance-type", "m5.large"],
      /^rafter: cannot read nope\.yaml/,
    ],
    [
      "an unknown NodePool",
      ["-f", "manifests/examples", "--nodepool", "x", "--instance-type", "m5.large"],
      /--nodepool x: no NodePool/,
    ],
    [
      "an unknown instance type",
      ["-f", "manifests/examples", "--nodepool", "gpu", "--instance-type", "q9.huge"],
      /--instance-type q9\.huge/,
    ],
    [
      "an invalid EC2NodeClass",
      [
        "-f",
        "test/fixtures/invalid/ec2nodeclass-al2-alias.yaml",
        "--nodepool",
        "x",
        "--instance-type",
        "m5.large",
      ],
      /ec2nodeclass-al2-alias\.yaml: EC2NodeClass: spec\.amiSelectorTerms\[0\]\.alias: .*AL2 has no nodeadm/,
    ],
    [
      "a bad CA bundle",
      [
        "-f",
        "manifests/examples",
        "--nodepool",
        "gpu",
        "--instance-type",
        "g5.xlarge",
        "--cluster-ca-bundle",
        "not base64!",
      ],
      /--cluster-ca-bundle/,
    ],
  ] as const) {
    it(`exits 2 with one line for ${what}`, () => {
      const r = rafter(...args);
      assert.equal(r.status, 2);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
    });
  }
});
