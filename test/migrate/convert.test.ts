// rafter migrate's conversion, field by field, on a Karpenter NodePool and EC2NodeClass that use
// every field Karpenter v1 has (and one it might add later).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateObject } from "../../src/api/validation.js";
import { migrateDocuments, type Finding } from "../../src/migrate/index.js";

const source = { file: "in.yaml", line: 1 };

const karpenterNodePool = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "default", uid: "abc", resourceVersion: "7", labels: { team: "a" } },
  spec: {
    template: {
      metadata: { labels: { tier: "web", "karpenter.sh/nodepool": "x" }, annotations: { note: "n" } },
      spec: {
        requirements: [
          { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand", "reserved"] },
          { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m7i", "c7i"], minValues: 2 },
          { key: "karpenter.k8s.aws/instance-cpu", operator: "Lte", values: ["16"] },
          { key: "karpenter.k8s.aws/instance-tenancy", operator: "In", values: ["default"] },
          { key: "topology.kubernetes.io/zone", operator: "In", values: ["us-east-1a"] },
        ],
        taints: [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
        startupTaints: [{ key: "cni.example/not-ready", effect: "NoExecute" }],
        expireAfter: "720h",
        terminationGracePeriod: "48h",
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
      },
    },
    disruption: {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "1m",
      budgets: [
        { nodes: "10%" },
        { nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h", reasons: ["Drifted"] },
      ],
    },
    limits: { cpu: "1000", memory: "1000Gi" },
    weight: 20,
    futureField: { enabled: true },
  },
  status: { resources: { cpu: "4" } },
};

const karpenterNodeClass = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "default" },
  spec: {
    kubelet: {
      maxPods: 58,
      podsPerCore: 4,
      systemReserved: { cpu: "100m" },
      evictionHard: { "memory.available": "5%" },
    },
    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "c" } }, { id: "subnet-1" }],
    securityGroupSelectorTerms: [{ name: "nodes" }, { id: "sg-1" }],
    capacityReservationSelectorTerms: [{ id: "cr-1" }],
    associatePublicIPAddress: false,
    amiSelectorTerms: [{ alias: "al2023@v20250101" }, { ssmParameter: "/my/ami" }],
    amiFamily: "AL2023",
    role: "KarpenterNodeRole",
    tags: { team: "a", Name: "mine" },
    metadataOptions: {
      httpEndpoint: "enabled",
      httpProtocolIPv6: "disabled",
      httpPutResponseHopLimit: 2,
      httpTokens: "required",
    },
    blockDeviceMappings: [
      {
        deviceName: "/dev/xvda",
        rootVolume: true,
        ebs: {
          volumeSize: "100Gi",
          volumeType: "gp3",
          iops: 3000,
          throughput: 125,
          encrypted: true,
          volumeInitializationRate: 200,
        },
      },
    ],
    userData: "echo hi\n",
    detailedMonitoring: true,
    instanceStorePolicy: "RAID0",
    context: "lt-context",
  },
};

function migrate(...objects: unknown[]) {
  const result = migrateDocuments(objects.map((object) => ({ source, object })));
  assert.ok(result.ok, result.ok ? "" : result.problem);
  return result;
}

const lostFields = (findings: Finding[]): string[] =>
  findings.filter((f) => f.kind === "not-carried").map((f) => `${f.object} ${f.field}`);

describe("rafter migrate: fields", () => {
  it("carries every NodePool field rafter has and reports the rest by path", () => {
    const result = migrate(karpenterNodePool);
    const pool = (
      result.objects as {
        apiVersion: string;
        metadata: unknown;
        spec: Record<string, unknown>;
      }[]
    )[0];
    assert.equal(pool?.apiVersion, "rafter.dev/v1");
    assert.deepEqual(pool.metadata, { name: "default", labels: { team: "a" } });
    assert.deepEqual(pool.spec.template, {
      metadata: { labels: { tier: "web" }, annotations: { note: "n" } },
      spec: {
        requirements: [
          { key: "rafter.dev/capacity-type", operator: "In", values: ["spot", "on-demand"] },
          { key: "rafter.dev/instance-family", operator: "In", values: ["m7i", "c7i"], minValues: 2 },
          { key: "rafter.dev/instance-cpu", operator: "Lt", values: ["17"] },
          { key: "topology.kubernetes.io/zone", operator: "In", values: ["us-east-1a"] },
        ],
        nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" },
        taints: karpenterNodePool.spec.template.spec.taints,
        startupTaints: karpenterNodePool.spec.template.spec.startupTaints,
        expireAfter: "720h",
        terminationGracePeriod: "48h",
      },
    });
    assert.deepEqual(pool.spec.disruption, karpenterNodePool.spec.disruption);
    assert.deepEqual(pool.spec.limits, karpenterNodePool.spec.limits);
    assert.equal(pool.spec.weight, 20);
    assert.deepEqual(lostFields(result.findings), [
      "NodePool/default spec.template.spec.requirements[0].values",
      "NodePool/default spec.template.spec.requirements[3]",
      "NodePool/default spec.template.metadata.labels.karpenter.sh/nodepool",
      "NodePool/default spec.futureField.enabled",
    ]);
    assert.deepEqual(validateObject("NodePool", pool), []);
  });

  it("carries every EC2NodeClass field rafter has and reports the rest by path, with a reason", () => {
    const result = migrate(karpenterNodeClass);
    const nodeClass = (result.objects as { spec: Record<string, unknown> }[])[0];
    assert.deepEqual(nodeClass?.spec, {
      subnetSelectorTerms: karpenterNodeClass.spec.subnetSelectorTerms,
      securityGroupSelectorTerms: karpenterNodeClass.spec.securityGroupSelectorTerms,
      amiSelectorTerms: [{ alias: "al2023@v20250101" }],
      role: "KarpenterNodeRole",
      userData: "echo hi\n",
      metadataOptions: karpenterNodeClass.spec.metadataOptions,
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          rootVolume: true,
          ebs: { volumeSize: "100Gi", volumeType: "gp3", iops: 3000, throughput: 125, encrypted: true },
        },
      ],
      tags: { team: "a" },
      kubelet: { maxPods: 58, systemReserved: { cpu: "100m" }, evictionHard: { "memory.available": "5%" } },
    });
    assert.deepEqual(lostFields(result.findings).sort(), [
      "EC2NodeClass/default spec.amiSelectorTerms[1].ssmParameter",
      "EC2NodeClass/default spec.associatePublicIPAddress",
      "EC2NodeClass/default spec.blockDeviceMappings[0].ebs.volumeInitializationRate",
      "EC2NodeClass/default spec.capacityReservationSelectorTerms[0].id",
      "EC2NodeClass/default spec.context",
      "EC2NodeClass/default spec.detailedMonitoring",
      "EC2NodeClass/default spec.instanceStorePolicy",
      "EC2NodeClass/default spec.kubelet.podsPerCore",
      "EC2NodeClass/default spec.tags.Name",
    ]);
    const reasons = new Map(result.findings.map((f) => [f.field, f.reason]));
    assert.match(reasons.get("spec.instanceStorePolicy") ?? "", /instance-store/);
    assert.match(reasons.get("spec.kubelet.podsPerCore") ?? "", /NodeConfig/);
    assert.deepEqual(validateObject("EC2NodeClass", nodeClass), []);
  });

  it("accepts the AMI aliases rafter resolves and rejects AL2 and Windows, with the NodePools using them", () => {
    for (const alias of [
      "al2023@latest",
      "al2023@v20250101",
      "bottlerocket@latest",
      "bottlerocket@v1.26.2",
    ]) {
      const result = migrate({
        ...karpenterNodeClass,
        spec: { ...karpenterNodeClass.spec, amiSelectorTerms: [{ alias }] },
      });
      assert.equal(result.objects.length, 1, alias);
    }
    for (const alias of ["al2@latest", "windows2022@latest", "al2023@2025", "bottlerocket@v2.0"]) {
      const nodeClass = {
        ...karpenterNodeClass,
        spec: { ...karpenterNodeClass.spec, amiSelectorTerms: [{ alias }] },
      };
      const result = migrate(nodeClass, karpenterNodePool);
      assert.deepEqual(result.objects, [], alias);
      assert.ok(
        result.findings.some(
          (f) =>
            f.object === "NodePool/default" && f.reason.includes("EC2NodeClass default was not converted"),
        ),
      );
    }
  });

  it("drops a NodePool that admits only reserved capacity instead of widening it", () => {
    const reservedOnly = structuredClone(karpenterNodePool);
    reservedOnly.spec.template.spec.requirements = [
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["reserved"] },
    ];
    const result = migrate(reservedOnly);
    assert.deepEqual(result.objects, []);
    assert.ok(result.findings.some((f) => f.reason.includes("only reserved capacity")));
  });

  it("passes other kinds through untouched, with a warning", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas: 3 },
    };
    const v1beta1 = {
      apiVersion: "karpenter.sh/v1beta1",
      kind: "NodePool",
      metadata: { name: "old" },
      spec: {},
    };
    const result = migrate(deployment, v1beta1);
    assert.deepEqual(result.objects, [deployment, v1beta1]);
    assert.deepEqual(
      result.findings.map((f) => f.kind),
      ["passed-through", "passed-through"],
    );
    assert.match(result.findings[1]?.reason ?? "", /Karpenter v1 NodePools/);
  });

  it("refuses output rafter's schema rejects, naming the object", () => {
    const heavy = structuredClone(karpenterNodePool);
    heavy.spec.weight = 1000;
    const result = migrateDocuments([{ source, object: heavy }]);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.match(result.problem, /^in\.yaml:1 NodePool\/default: .*weight/);
  });
});
