// The kubelet exits at start when --node-labels holds a kubernetes.io / k8s.io label outside its
// allowed set (k8s.io/kubelet pkg/apis/well_known_labels.go: KubeletLabels, KubeletLabelNamespaces,
// IsKubeletLabel; enforced by ValidateKubeletFlags in k8s.io/kubernetes cmd/kubelet/app/options).
// Each case: the label reaches the Node rafter creates, and is absent from the kubelet's flags.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import type { VirtualNode } from "../../../src/api/virtualnode.js";
import { isKubeletLabel, kubeletMaySet } from "../../../src/cloud/userdata/kubelet-labels.js";
import { nodeUserDataInput } from "../../../src/cloud/userdata/input.js";
import { renderAl2023UserData } from "../../../src/cloud/userdata/al2023.js";
import { renderBottlerocketUserData } from "../../../src/cloud/userdata/bottlerocket.js";
import { readMultipart } from "../../../src/cloud/userdata/mime.js";
import { buildNodeObject } from "../../../src/controllers/node-object.js";
import { bootstrap, instanceType, nodeClass, nodePool } from "./fixtures.js";

function nodeLabelsFlag(userData: string): Record<string, string> {
  const part = readMultipart(userData)?.at(-1);
  const doc = parseYaml(part?.body ?? "") as { spec: { kubelet: { flags?: string[] } } };
  const flag = (doc.spec.kubelet.flags ?? []).find((f) => f.startsWith("--node-labels="));
  const pairs = flag ? flag.slice("--node-labels=".length).split(",") : [];
  return Object.fromEntries(pairs.map((pair) => pair.split("=") as [string, string]));
}

function bottlerocketLabels(userData: string): Record<string, string> {
  const doc = parseToml(userData) as { settings: { kubernetes: { "node-labels": Record<string, string> } } };
  return doc.settings.kubernetes["node-labels"];
}

const virtualNode: VirtualNode = {
  apiVersion: "rafter.dev/v1",
  kind: "VirtualNode",
  metadata: { name: "vn-1" },
  spec: { nodePool: "general", requirements: [], instanceTypes: ["m5.large"], resources: {}, pods: [] },
};

function check(label: string, value: string, allowed: boolean): void {
  const pool = nodePool({ [label]: value, team: "infra" });
  const type = instanceType("m5.large");
  const input = nodeUserDataInput(bootstrap, nodeClass(), pool, type);
  const flags = nodeLabelsFlag(renderAl2023UserData(input));
  const bottlerocket = renderBottlerocketUserData(input);
  assert.ok(bottlerocket.ok);
  const node = buildNodeObject(
    virtualNode,
    {
      instanceId: "i-1",
      providerId: "aws:///us-east-1a/i-1",
      instanceType: "m5.large",
      zone: "us-east-1a",
      capacityType: "on-demand",
      nodeName: "ip-10-0-0-1.ec2.internal",
    },
    pool,
    type,
    "us-east-1",
  );
  assert.equal(node.metadata?.labels?.[label], value, "the Node rafter creates carries the label");
  assert.equal(flags.team, "infra");
  assert.equal(flags["rafter.dev/nodepool"], "general");
  assert.equal(label in flags, allowed, `--node-labels ${allowed ? "has" : "lacks"} ${label}`);
  assert.equal(label in bottlerocketLabels(bottlerocket.userData), allowed);
}

describe("labels the kubelet may not set itself", () => {
  it("kubernetes.io/role (kubernetes.io, not in KubeletLabels)", () => {
    check("kubernetes.io/role", "worker", false);
  });
  it("node-role.kubernetes.io/worker (a *.kubernetes.io namespace outside the allowed ones)", () => {
    check("node-role.kubernetes.io/worker", "", false);
  });
  it("example.k8s.io/tier (a *.k8s.io namespace)", () => {
    check("example.k8s.io/tier", "gold", false);
  });
  it("k8s.io/owner (k8s.io itself)", () => {
    check("k8s.io/owner", "me", false);
  });
  it("kubernetes.io/custom (kubernetes.io itself)", () => {
    check("kubernetes.io/custom", "x", false);
  });
  it("topology.kubernetes.io/rack (topology.kubernetes.io beyond zone and region)", () => {
    check("topology.kubernetes.io/rack", "r1", false);
  });
  it("beta.kubernetes.io/fluentd-ds-ready (beta.kubernetes.io beyond os/arch/instance-type)", () => {
    check("beta.kubernetes.io/fluentd-ds-ready", "true", false);
  });
});

describe("labels the kubelet may set", () => {
  it("node.kubernetes.io/… (an allowed namespace)", () => {
    check("node.kubernetes.io/lifecycle", "normal", true);
  });
  it("sub.kubelet.kubernetes.io/… (a subdomain of an allowed namespace)", () => {
    check("a.kubelet.kubernetes.io/x", "y", true);
  });
  it("topology.kubernetes.io/zone (in KubeletLabels)", () => {
    check("topology.kubernetes.io/zone", "us-east-1a", true);
  });
  it("labels outside the restricted domains", () => {
    check("example.com/team", "infra", true);
  });

  it("agree with the kubelet's rules on every KubeletLabels entry", () => {
    for (const key of [
      "kubernetes.io/hostname",
      "failure-domain.beta.kubernetes.io/region",
      "beta.kubernetes.io/instance-type",
      "node.kubernetes.io/instance-type",
      "kubernetes.io/os",
      "kubernetes.io/arch",
      "beta.kubernetes.io/os",
      "beta.kubernetes.io/arch",
    ]) {
      assert.ok(isKubeletLabel(key), key);
      assert.ok(kubeletMaySet(key), key);
    }
    assert.ok(!kubeletMaySet("notnode.kubernetes.io/x"), "a namespace merely ending in the allowed text");
  });
});
