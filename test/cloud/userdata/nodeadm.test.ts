// nodeadm's own code judges rafter's AL2023 user data: every image variant and every way a user's
// own user data is merged goes through nodeadm's user-data config provider (MIME parsing, NodeConfig
// decoding, merge in order) and ValidateNodeConfig, plus strict decoding of the NodeConfig parts and
// of the merged kubelet config (test/nodeadm/judge/main.go). The merged result must hold the cluster
// facts, the kubelet settings the catalogue's allocatable was computed from, taints and labels.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { stringify } from "yaml";
import type { KubeletConfiguration } from "../../../src/api/ec2nodeclass.js";
import { computeAllocatable } from "../../../src/catalog/allocatable.js";
import { kubeletSettingsOf } from "../../../src/catalog/kubelet-settings.js";
import { loadEmbeddedSnapshot } from "../../../src/catalog/embedded.js";
import type { InstanceType } from "../../../src/catalog/types.js";
import { chooseImage } from "../../../src/cloud/aws/image-choice.js";
import { resolveAlias } from "../../../src/cloud/aws/ami-aliases.js";
import { nodeUserDataInput } from "../../../src/cloud/userdata/input.js";
import { renderUserData } from "../../../src/cloud/userdata/render.js";
import { readMultipart, writeMultipart } from "../../../src/cloud/userdata/mime.js";
import { goAvailable, judge, type NodeadmVerdict } from "../../support/nodeadm-judge.js";
import { bootstrap, instanceType, nodeClass, nodePool } from "./fixtures.js";

const go = goAvailable();
const pool = nodePool(
  { team: "infra", "kubernetes.io/role": "worker" },
  [{ key: "dedicated", value: "infra", effect: "NoSchedule" }],
  [{ key: "example.com/starting", effect: "NoExecute" }],
);
const eks = "/aws/service/eks/optimized-ami/1.36/amazon-linux-2023/x86_64";
const parameters: Record<string, string> = {
  [`${eks}/standard/recommended/image_id`]: "ami-standard",
  [`${eks}/nvidia/recommended/image_id`]: "ami-nvidia",
  [`${eks}/neuron/recommended/image_id`]: "ami-neuron",
};

async function userDataFor(
  type: InstanceType,
  spec: { userData?: string; kubelet?: KubeletConfiguration } = {},
  cluster = bootstrap,
): Promise<{ userData: string; image: string | undefined }> {
  const images = await resolveAlias("al2023@latest", "1.36", (name) => Promise.resolve(parameters[name]));
  assert.ok(images.ok);
  const image = chooseImage(images.images, type);
  const rendered = renderUserData(
    image?.family ?? "al2023",
    nodeUserDataInput(cluster, nodeClass(spec), pool, type),
  );
  assert.ok(rendered.ok);
  return { userData: rendered.userData, image: image?.id };
}

function assertValid(verdict: NodeadmVerdict): NonNullable<NodeadmVerdict["config"]> {
  assert.equal(verdict.error, undefined, `nodeadm: ${verdict.stage}: ${verdict.error}`);
  assert.ok(verdict.valid && verdict.config);
  return verdict.config;
}

/** The merged config holds the cluster facts, taints, labels and exactly the allocatable's kubelet settings. */
function assertRafterValues(
  config: NonNullable<NodeadmVerdict["config"]>,
  type: InstanceType,
  kubelet?: KubeletConfiguration,
): void {
  assert.deepEqual(config.spec.cluster, {
    name: bootstrap.clusterName,
    apiServerEndpoint: bootstrap.apiServerEndpoint,
    certificateAuthority: bootstrap.certificateAuthority,
    cidr: bootstrap.serviceCidr,
  });
  const merged = config.spec.kubelet.config ?? {};
  assert.equal(merged.maxPods, type.capacity.pods);
  // The kubelet's own reserve and thresholds give the very allocatable rafter planned with.
  const info = loadEmbeddedSnapshot().types.find((t) => t.info.InstanceType === type.name)?.info;
  assert.ok(info);
  const asKubelet: KubeletConfiguration = {
    maxPods: merged.maxPods!,
    systemReserved: merged.systemReserved as Record<string, string>,
    kubeReserved: merged.kubeReserved as Record<string, string>,
    evictionHard: merged.evictionHard as Record<string, string>,
  };
  assert.deepEqual(asKubelet, kubeletSettingsOf(kubelet, type.capacity), "every setting, explicitly");
  assert.deepEqual(computeAllocatable(info, type.capacity, { kubelet: asKubelet }), type.allocatable);
  if (kubelet?.systemReserved) assert.deepEqual(merged.systemReserved, kubelet.systemReserved);
  assert.deepEqual(merged.registerWithTaints, [
    { key: "dedicated", value: "infra", effect: "NoSchedule" },
    { key: "example.com/starting", effect: "NoExecute" },
  ]);
  const labelFlags = (config.spec.kubelet.flags ?? []).filter((f) => f.startsWith("--node-labels="));
  assert.equal(labelFlags.at(-1), "--node-labels=rafter.dev/nodepool=general,team=infra");
}

describe(
  "nodeadm's code judges rafter's AL2023 user data",
  { skip: go ? false : "Go is not installed" },
  () => {
    before(() => judge("")); // builds the judge once (minutes the first time, cached afterwards)

    for (const [name, variantImage] of [
      ["m5.xlarge", "ami-standard"],
      ["g5.xlarge", "ami-nvidia"],
      ["inf2.xlarge", "ami-neuron"],
    ] as const) {
      it(`${name}: ${variantImage}, a complete NodeConfig`, async () => {
        const type = instanceType(name);
        const { userData, image } = await userDataFor(type);
        assert.equal(image, variantImage);
        const verdict = judge(userData);
        assertRafterValues(assertValid(verdict), type);
        assert.equal(verdict.clusterDNS, "10.100.0.10");
      });
    }

    it("the EC2NodeClass's kubelet settings reach the kubelet as the catalogue used them", async () => {
      const kubelet: KubeletConfiguration = {
        maxPods: 42,
        systemReserved: { cpu: "250m", memory: "300Mi", "ephemeral-storage": "2Gi" },
        kubeReserved: { memory: "1Gi" },
        evictionHard: { "memory.available": "5%", "nodefs.available": "15%" },
      };
      const type = instanceType("m5.xlarge", kubelet);
      const config = assertValid(judge((await userDataFor(type, { kubelet })).userData));
      assertRafterValues(config, type, kubelet);
      assert.deepEqual(config.spec.kubelet.config?.evictionHard, kubelet.evictionHard);
      assert.equal((config.spec.kubelet.config?.kubeReserved as Record<string, string>).memory, "1Gi");
    });

    const userNodeConfig = stringify({
      apiVersion: "node.eks.aws/v1alpha1",
      kind: "NodeConfig",
      spec: {
        cluster: { name: "not-this-one" },
        kubelet: { config: { shutdownGracePeriod: "30s", maxPods: 7 }, flags: ["--v=4"] },
      },
    });
    const userShell = "#!/bin/bash\necho user-script\n";

    function assertUserValuesKept(config: NonNullable<NodeadmVerdict["config"]>): void {
      assert.equal(config.spec.kubelet.config?.shutdownGracePeriod, "30s", "the user's own kubelet setting");
      assert.equal(config.spec.kubelet.flags?.[0], "--v=4", "the user's flags come first");
    }

    it("a user's MIME archive keeps its parts; rafter's NodeConfig is merged last and wins", async () => {
      const archive = writeMultipart([
        { contentType: 'text/x-shellscript; charset="us-ascii"', body: userShell },
        { contentType: "application/node.eks.aws", body: userNodeConfig },
      ]);
      const type = instanceType("m5.xlarge");
      const { userData } = await userDataFor(type, { userData: archive });
      const parts = readMultipart(userData) ?? [];
      assert.deepEqual(
        parts.map((p) => p.contentType),
        ['text/x-shellscript; charset="us-ascii"', "application/node.eks.aws", "application/node.eks.aws"],
      );
      assert.equal(parts[0]?.body.trimEnd(), userShell.trimEnd());
      const verdict = judge(userData);
      assert.equal(verdict.nodeConfigParts, 2);
      const config = assertValid(verdict);
      assertRafterValues(config, type);
      assertUserValuesKept(config);
    });

    it("a bare NodeConfig becomes its own part, before rafter's", async () => {
      const type = instanceType("m5.xlarge");
      const { userData } = await userDataFor(type, { userData: userNodeConfig });
      const verdict = judge(userData);
      assert.equal(verdict.nodeConfigParts, 2);
      const config = assertValid(verdict);
      assertRafterValues(config, type);
      assertUserValuesKept(config);
    });

    it("a shell script becomes a shell part", async () => {
      const type = instanceType("m5.xlarge");
      const { userData } = await userDataFor(type, { userData: userShell });
      assert.deepEqual(readMultipart(userData)?.[0], {
        contentType: 'text/x-shellscript; charset="us-ascii"',
        body: userShell.trimEnd(),
      });
      assertRafterValues(assertValid(judge(userData)), instanceType("m5.xlarge"));
    });

    it("an IPv6 cluster: nodeadm derives the DNS address rafter gives Bottlerocket", async () => {
      const type = instanceType("m5.xlarge");
      const ipv6 = { ...bootstrap, serviceCidr: "fd00:10:96::/112" };
      const verdict = judge((await userDataFor(type, {}, ipv6)).userData);
      assert.equal(assertValid(verdict).spec.cluster.cidr, "fd00:10:96::/112");
      assert.equal(verdict.clusterDNS, "fd00:10:96::a");
    });

    it("rejects what nodeadm would reject: no CIDR, an unknown field, an unknown kubelet setting", async () => {
      const type = instanceType("m5.xlarge");
      const { userData } = await userDataFor(type);
      const noCidr = judge(userData.replace(/^ {4}cidr: .*\n/m, ""));
      assert.equal(noCidr.stage, "validate");
      assert.match(noCidr.error ?? "", /CIDR is missing/);
      assert.equal(judge(userData.replace("    cidr:", "    cidrs: x\n    cidr:")).stage, "strict");
      assert.equal(judge(userData.replace("      maxPods:", "      maxPod:")).stage, "kubelet-config");
    });
  },
);
