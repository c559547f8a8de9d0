import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { aliasParameterPath, parseAlias, resolveAlias } from "../../src/cloud/aws/ami-aliases.js";
import { chooseImage } from "../../src/cloud/aws/image-choice.js";
import { validateObject } from "../../src/api/validation.js";

const eks = "/aws/service/eks/optimized-ami/1.36/amazon-linux-2023";
const parameters: Record<string, string> = {
  [`${eks}/x86_64/standard/recommended/image_id`]: "ami-x86",
  [`${eks}/x86_64/nvidia/recommended/image_id`]: "ami-x86-nvidia",
  [`${eks}/x86_64/neuron/recommended/image_id`]: "ami-x86-neuron",
  [`${eks}/arm64/standard/recommended/image_id`]: "ami-arm",
  [`${eks}/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.36-v20260101/image_id`]: "ami-pinned",
  "/aws/service/bottlerocket/aws-k8s-1.36/x86_64/latest/image_id": "ami-br",
  "/aws/service/bottlerocket/aws-k8s-1.36-nvidia/x86_64/latest/image_id": "ami-br-nvidia",
  "/aws/service/bottlerocket/aws-k8s-1.36/arm64/1.30.0/image_id": "ami-br-pinned",
};
const read = (name: string) => Promise.resolve(parameters[name]);

const type = (arch: string, capacity: Record<string, number> = {}) => ({
  labels: { "kubernetes.io/arch": arch },
  capacity: { cpu: 4000, ...capacity },
});

describe("AMI aliases", () => {
  it("resolve al2023@latest to the EKS images of the cluster's version, per architecture and variant", async () => {
    const result = await resolveAlias("al2023@latest", "1.36", read);
    assert.ok(result.ok);
    assert.deepEqual(
      result.images.map((image) => [image.architecture, image.variant, image.id, image.family]),
      [
        ["amd64", "standard", "ami-x86", "al2023"],
        ["amd64", "nvidia", "ami-x86-nvidia", "al2023"],
        ["amd64", "neuron", "ami-x86-neuron", "al2023"],
        ["arm64", "standard", "ami-arm", "al2023"],
      ],
    );
    assert.equal(result.images[0]?.parameter, `${eks}/x86_64/standard/recommended/image_id`);
  });

  it("resolve pinned versions through their release parameters", async () => {
    const al = await resolveAlias("al2023@v20260101", "1.36", read);
    assert.ok(al.ok);
    assert.deepEqual(
      al.images.map((i) => i.id),
      ["ami-pinned"],
    );
    const br = await resolveAlias("bottlerocket@v1.30.0", "1.36", read);
    assert.ok(br.ok);
    assert.deepEqual(
      br.images.map((i) => [i.id, i.family, i.architecture]),
      [["ami-br-pinned", "bottlerocket", "arm64"]],
    );
  });

  it("names the Bottlerocket parameters, nvidia as its own flavour", () => {
    const alias = { family: "bottlerocket" as const, version: "latest" };
    assert.equal(
      aliasParameterPath(alias, "1.35", "arm64", "nvidia"),
      "/aws/service/bottlerocket/aws-k8s-1.35-nvidia/arm64/latest/image_id",
    );
  });

  it("reject what is not implemented, saying why", async () => {
    for (const alias of ["al2@latest", "windows2022@latest", "al2023@20240807", "bottlerocket@1.2"]) {
      const parsed = parseAlias(alias);
      assert.ok(!parsed.ok && parsed.message.includes("rafter supports al2023@latest"), alias);
    }
    const missing = await resolveAlias("al2023@latest", "1.20", read);
    assert.ok(!missing.ok && missing.message.includes("/aws/service/eks/optimized-ami/1.20/"));
  });

  it("give each instance type the image built for its accelerators", async () => {
    const al = await resolveAlias("al2023@latest", "1.36", read);
    const br = await resolveAlias("bottlerocket@latest", "1.36", read);
    assert.ok(al.ok && br.ok);
    assert.equal(chooseImage(al.images, type("amd64"))?.id, "ami-x86");
    assert.equal(chooseImage(al.images, type("amd64", { "nvidia.com/gpu": 1 }))?.id, "ami-x86-nvidia");
    assert.equal(chooseImage(al.images, type("amd64", { "aws.amazon.com/neuron": 1 }))?.id, "ami-x86-neuron");
    assert.equal(chooseImage(al.images, type("arm64"))?.id, "ami-arm");
    assert.equal(chooseImage(al.images, type("arm64", { "nvidia.com/gpu": 1 })), undefined);
    assert.equal(chooseImage(br.images, type("amd64", { "aws.amazon.com/neuron": 1 }))?.id, "ami-br");
    const selected = [{ id: "ami-mine", architecture: "amd64", creationDate: "" }];
    assert.equal(chooseImage(selected, type("amd64", { "nvidia.com/gpu": 1 }))?.id, "ami-mine");
  });
});

describe("the EC2NodeClass schema's alias rule", () => {
  const nodeClass = (term: Record<string, string>) => ({
    apiVersion: "rafter.dev/v1",
    kind: "EC2NodeClass",
    metadata: { name: "x" },
    spec: {
      role: "r",
      subnetSelectorTerms: [{ id: "subnet-1" }],
      securityGroupSelectorTerms: [{ id: "sg-1" }],
      amiSelectorTerms: [term],
    },
  });

  it("accepts exactly the implemented aliases and rejects the rest, saying why", () => {
    for (const alias of [
      "al2023@latest",
      "al2023@v20260101",
      "bottlerocket@latest",
      "bottlerocket@v1.30.0",
      "bottlerocket@1.30.0",
    ])
      assert.deepEqual(validateObject("EC2NodeClass", nodeClass({ alias })), [], alias);
    for (const alias of [
      "al2@latest",
      "windows2022@latest",
      "windows2019@latest",
      "al2023@v2026",
      "ubuntu@latest",
    ]) {
      const problems = validateObject("EC2NodeClass", nodeClass({ alias }));
      assert.equal(problems.length, 1, alias);
      assert.match(
        problems[0] ?? "",
        /amiSelectorTerms\[0\]\.alias: .*AL2 has no nodeadm and Windows no rafter bootstrap/,
      );
    }
    assert.deepEqual(validateObject("EC2NodeClass", nodeClass({ ssmParameter: "/my/image" })), []);
    assert.equal(
      validateObject("EC2NodeClass", nodeClass({ ssmParameter: "/my/image", owner: "self" })).length,
      1,
    );
  });
});
