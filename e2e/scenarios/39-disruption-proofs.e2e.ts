// Disruption trust (issue 18), the proofs still missing, on the real control plane:
// 1. an EC2NodeClass whose subnets are two in the same zone: nodes land in both (the second subnet
//    has more free addresses, so launches after it is added go there and the first node stays in the
//    other), and over three disruption rounds with the changed EC2NodeClass neither node drifts and
//    nothing is replaced;
// 2. termination waits for a VolumeAttachment on the node: the instance keeps running while it
//    exists and goes within seconds once it is deleted; a node whose attachment never goes is
//    terminated once the NodePool's terminationGracePeriod is over. The attachments are made by hand
//    (attacher ebs.csi.aws.com, a PersistentVolume that does not exist): kube-controller-manager's
//    attach/detach controller only looks at VolumeAttachments when it starts (and skips those whose
//    PV it cannot find), so nothing but this test creates or deletes them;
// 3. kube-scheduler puts a new pod on a node that is not about to be emptied: rafter's consolidation
//    marks the node it chose (Consolidatable=True on the VirtualNode) for its validation pause (15 s)
//    before it taints it; pods created in that window go to the other node, which the extender's
//    prioritize scores higher. The mark is the real controller's; nothing here sets it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  CreateSubnetCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import type { Cluster } from "../cluster/cluster.js";
import type { KubeObject } from "../cluster/kubectl.js";
import { DISCOVERY_TAG } from "../cluster/moto-seed.js";
import {
  generalNodePool,
  maxUnavailablePdb,
  nodeClass,
  podsRunning,
  quietDisruption,
  sleep,
  watchDisrupted,
  watchPdb,
} from "../harness/lifecycle.js";
import { pod } from "../harness/nodes.js";
import { scenario } from "../harness/scenario.js";
import {
  cleanupCapacity,
  deployment,
  podsIn,
  virtualNodes,
  type VirtualNodeJson,
} from "../harness/provisioning.js";

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

const conditionTrue = (vn: VirtualNodeJson | undefined, type: string): Condition | undefined =>
  vn?.status?.conditions?.find((c) => c.type === type && c.status === "True");

function ec2Of(cluster: Cluster): EC2Client {
  return new EC2Client({
    endpoint: cluster.moto.endpoint,
    region: cluster.region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
}

interface InstanceView {
  readonly state: string;
  readonly subnetId: string;
}

async function instancesById(ec2: EC2Client, ids: readonly string[]): Promise<Map<string, InstanceView>> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids] }));
  return new Map(
    (out.Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).map((i) => [
        i.InstanceId ?? "",
        { state: i.State?.Name ?? "", subnetId: i.SubnetId ?? "" },
      ]),
    ),
  );
}

const gone = (state: string | undefined): boolean =>
  state === undefined || state === "shutting-down" || state === "terminated";

/** A Deployment whose pods never share a node (one node per replica). */
function onePerNode(name: string, replicas: number): KubeObject {
  return deployment(
    name,
    replicas,
    { cpu: "250m", memory: "256Mi" },
    {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: name } } },
          ],
        },
      },
    },
  );
}

interface PoolJson {
  spec: { template: { spec: { requirements: { key: string; operator: string; values?: string[] }[] } } };
}

function inZone(pool: KubeObject, zone: string): KubeObject {
  const copy = structuredClone(pool) as KubeObject & PoolJson;
  copy.spec.template.spec.requirements.push({
    key: "topology.kubernetes.io/zone",
    operator: "In",
    values: [zone],
  });
  return copy;
}

function withSubnetTerms(classes: KubeObject[], terms: unknown[]): KubeObject[] {
  return classes.map((object) =>
    object.kind === "EC2NodeClass"
      ? { ...object, spec: { ...(object.spec as Record<string, unknown>), subnetSelectorTerms: terms } }
      : object,
  );
}

scenario(
  "two subnets in one zone: nodes land in both, neither drifts, nothing is replaced",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    const ec2 = ec2Of(cluster);
    defer(() => {
      ec2.destroy();
      return Promise.resolve();
    });
    const seeded = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [{ Name: `tag:${DISCOVERY_TAG.key}`, Values: [DISCOVERY_TAG.value] }],
      }),
    );
    const first = (seeded.Subnets ?? []).sort((a, b) =>
      (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""),
    )[0];
    assert.ok(first?.SubnetId && first.AvailabilityZone && first.VpcId, "a seeded subnet");
    const zone = first.AvailabilityZone;

    const classes = nodeClass(repoRoot);
    await cluster.kubectl.apply([
      ...classes,
      inZone(generalNodePool(repoRoot, { disruption: quietDisruption }), zone),
    ]);
    // Cleanups run newest first: the nodes go before the example's selector is back (which would
    // drift the node in the second subnet and start a replacement in the middle of the cleanup).
    defer(() => cluster.kubectl.apply(classes));
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply(onePerNode("web", 1));
    await podsRunning(t, "web", 1);

    // A second subnet in the zone with more free addresses than the first (a /19 against its /20),
    // matched by a second selector term: from now on launches in the zone go there.
    const created = await ec2.send(
      new CreateSubnetCommand({
        VpcId: first.VpcId,
        CidrBlock: "172.31.128.0/19",
        AvailabilityZone: zone,
        TagSpecifications: [
          { ResourceType: "subnet", Tags: [{ Key: "e2e.rafter.test/subnet", Value: "second" }] },
        ],
      }),
    );
    const secondId = created.Subnet?.SubnetId ?? "";
    assert.ok(secondId, "second subnet created");
    const selector = (
      classes.find((o) => o.kind === "EC2NodeClass")?.spec as { subnetSelectorTerms: unknown[] }
    ).subnetSelectorTerms;
    await cluster.kubectl.apply(
      withSubnetTerms(classes, [...selector, { tags: { "e2e.rafter.test/subnet": "second" } }]),
    );
    await eventually(
      "the EC2NodeClass resolves both subnets of the zone",
      async () => {
        const nc = await cluster.kubectl.getJson<{ status?: { subnets?: { id: string; zone: string }[] } }>(
          "ec2nodeclass",
          "default",
        );
        const inTheZone = (nc.status?.subnets ?? []).filter((s) => s.zone === zone).map((s) => s.id);
        return inTheZone.includes(first.SubnetId ?? "") && inTheZone.includes(secondId);
      },
      60_000,
    );
    await kubectl.apply(onePerNode("web", 2));
    await podsRunning(t, "web", 2);

    const vns = await virtualNodes(cluster);
    assert.equal(vns.length, 2, "two nodes");
    const ids = vns.map((v) => v.status?.instanceID ?? "");
    const where = await instancesById(ec2, ids);
    const subnets = ids.map((id) => where.get(id)?.subnetId ?? "");
    assert.deepEqual(
      [...subnets].sort(),
      [first.SubnetId, secondId].sort(),
      `one node in each subnet of ${zone}: ${subnets.join(", ")}`,
    );

    // Three disruption rounds (10 s apart) with the changed EC2NodeClass: each node is judged against
    // it afresh (the cloud's verdict is cached per version of the EC2NodeClass), the first one sits
    // in the subnet launches no longer choose — and neither has drifted.
    const disrupted = watchDisrupted(cluster);
    const names = vns.map((v) => v.metadata.name).sort();
    await sleep(32_000);
    const seen = await disrupted.stop();
    const after = await virtualNodes(cluster);
    assert.deepEqual(after.map((v) => v.metadata.name).sort(), names, "no node replaced, none launched");
    for (const vn of after)
      assert.equal(conditionTrue(vn, "Drifted")?.reason, undefined, `${vn.metadata.name} not Drifted`);
    assert.equal(seen.seen.size, 0, `no node tainted: ${[...seen.seen].join(",")}`);
    t.log(`nodes in ${subnets.join(" and ")} (${zone}); no drift over ${seen.samples} samples in 32s`);
  },
);

scenario(
  "termination waits for the node's VolumeAttachment; terminationGracePeriod bounds the wait",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    const graceS = 30;
    const ec2 = ec2Of(cluster);
    defer(() => {
      ec2.destroy();
      return Promise.resolve();
    });
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, { disruption: quietDisruption, terminationGracePeriod: `${graceS}s` }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply(onePerNode("web", 2));
    await podsRunning(t, "web", 2);
    // Empty nodes (WhenEmpty after an hour): nothing to drain, only the attachments to wait for.
    await kubectl.run(["delete", "deployment", "web", "--wait=true", "--timeout=60s"]);
    await eventually("web pods gone", async () => (await podsIn(kubectl, "app=web")).length === 0, 60_000);

    const vns = await virtualNodes(cluster);
    assert.equal(vns.length, 2, "two nodes");
    const [released, held] = vns.map((vn) => ({
      vn: vn.metadata.name,
      node: vn.status?.nodeName ?? "",
      instance: vn.status?.instanceID ?? "",
      attachment: `${t.namespace}-${vn.status?.nodeName ?? ""}`,
    })) as [
      { vn: string; node: string; instance: string; attachment: string },
      { vn: string; node: string; instance: string; attachment: string },
    ];
    for (const n of [released, held]) {
      await cluster.kubectl.apply({
        apiVersion: "storage.k8s.io/v1",
        kind: "VolumeAttachment",
        metadata: { name: n.attachment },
        spec: {
          attacher: "ebs.csi.aws.com",
          nodeName: n.node,
          source: { persistentVolumeName: `pv-${n.attachment}` },
        },
      });
      defer(() => cluster.kubectl.delete("volumeattachment", n.attachment, ["--wait=false"]));
    }
    await sleep(2_000); // rafter's informer has them

    const deletedAt = Date.now();
    await cluster.kubectl.run(["delete", "virtualnode", released.vn, held.vn, "--wait=false"]);
    // Both nodes go into termination; neither instance is terminated while its attachment exists.
    const holdUntil = Date.now() + 10_000;
    let samples = 0;
    while (Date.now() < holdUntil) {
      const states = await instancesById(ec2, [released.instance, held.instance]);
      for (const n of [released, held])
        assert.equal(states.get(n.instance)?.state, "running", `${n.instance} running while attached`);
      samples++;
      await sleep(500);
    }
    for (const n of [released, held])
      assert.ok(
        await cluster.kubectl.find("volumeattachment", n.attachment),
        `${n.attachment} still there (nothing else removes it)`,
      );
    const events = await cluster.kubectl.getJson<{ items: { involvedObject?: { name?: string } }[] }>(
      "events",
      undefined,
      ["--all-namespaces", "--field-selector=reason=AwaitingVolumeDetachment"],
    );
    for (const n of [released, held])
      assert.ok(
        events.items.some((e) => e.involvedObject?.name === n.node),
        `an AwaitingVolumeDetachment event for ${n.node}`,
      );

    // The attachment goes: the instance is terminated within seconds.
    await cluster.kubectl.delete("volumeattachment", released.attachment);
    const detachedAt = Date.now();
    await eventually(
      `${released.instance} terminated once detached`,
      async () => gone((await instancesById(ec2, [released.instance])).get(released.instance)?.state),
      20_000,
    );
    const promptMs = Date.now() - detachedAt;
    assert.ok(promptMs < 8_000, `terminated ${promptMs} ms after the detachment`);

    // The other attachment stays: terminated once terminationGracePeriod (from the deletion) is over.
    await eventually(
      `${held.instance} terminated after terminationGracePeriod`,
      async () => gone((await instancesById(ec2, [held.instance])).get(held.instance)?.state),
      (graceS + 30) * 1000,
    );
    const boundMs = Date.now() - deletedAt;
    // deletionTimestamp has whole seconds: the deadline may be up to 1 s before deletedAt + grace.
    assert.ok(boundMs >= graceS * 1000 - 1_000, `not before the grace period: ${boundMs} ms`);
    assert.ok(boundMs <= graceS * 1000 + 10_000, `soon after the grace period: ${boundMs} ms`);
    await eventually(
      "both VirtualNodes and Nodes gone",
      async () => {
        const left = (await virtualNodes(cluster)).length;
        const nodes = await cluster.kubectl.getJson<{ items: unknown[] }>("nodes", undefined, [
          "-l=rafter.dev/nodepool",
        ]);
        return left === 0 && nodes.items.length === 0;
      },
      60_000,
    );
    t.log(
      `held ${samples} samples (10s) while attached; terminated ${promptMs} ms after the detachment; ` +
        `the still-attached node's instance terminated ${boundMs} ms after deletion (grace ${graceS}s)`,
    );
  },
);

scenario(
  "a new pod goes to the node consolidation is not about to empty (Consolidatable mark, extender prioritize)",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      // One node at a time: consolidation chooses exactly one of the two nodes.
      generalNodePool(repoRoot, {
        disruption: {
          consolidationPolicy: "WhenEmptyOrUnderutilized",
          consolidateAfter: "10s",
          budgets: [{ nodes: "1" }],
        },
      }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    // Two nodes with one small pod each: the first pod's node is cordoned while the second pod is
    // placed, so it gets a node of its own; then uncordoned, both pods fit on either node.
    await kubectl.apply([
      deployment("keep", 1, { cpu: "250m", memory: "256Mi" }),
      maxUnavailablePdb("keep", 1),
    ]);
    const [firstPod] = await podsRunning(t, "keep", 1);
    const firstNode = firstPod?.spec.nodeName ?? "";
    await cluster.kubectl.run(["cordon", firstNode]);
    await kubectl.run(["scale", "deployment", "keep", "--replicas=2"]);
    await podsRunning(t, "keep", 2);
    await cluster.kubectl.run(["uncordon", firstNode]);
    const vns = await virtualNodes(cluster);
    assert.equal(vns.length, 2, "two nodes");
    const pdb = watchPdb(kubectl, "keep");

    // The controller decides, and marks its choice before the validation pause.
    const marked = await eventually(
      "a VirtualNode marked Consolidatable=True",
      async () => (await virtualNodes(cluster)).find((vn) => conditionTrue(vn, "Consolidatable")),
      120_000,
    );
    const markedAt = Date.now();
    const markedNode = marked.status?.nodeName ?? "";
    const other = vns.find((vn) => vn.metadata.name !== marked.metadata.name)?.status?.nodeName ?? "";
    assert.ok(markedNode && other && markedNode !== other, "the marked node and the other");

    // Three pods that fit on either node (the other one even gets fuller with each, which the in-tree
    // LeastAllocated score holds against it).
    const probes = ["probe-1", "probe-2", "probe-3"];
    await kubectl.apply(probes.map((name) => pod(name, { cpu: "100m", memory: "64Mi" })));
    const placed = await eventually(
      "the probe pods bound",
      async () => {
        const pods = await podsIn(kubectl);
        const mine = pods.filter((p) => probes.includes(p.metadata.name));
        return mine.length === probes.length && mine.every((p) => p.spec.nodeName) ? mine : undefined;
      },
      20_000,
    );
    const boundMs = Date.now() - markedAt;
    // Still marked and not yet tainted: the mark, not the taint, kept them off the node.
    const markedNow = (await virtualNodes(cluster)).find((vn) => vn.metadata.name === marked.metadata.name);
    assert.ok(conditionTrue(markedNow, "Consolidatable"), "still marked when the probes were bound");
    const nodeNow = await cluster.kubectl.getJson<{ spec?: { taints?: { key: string }[] } }>(
      "node",
      markedNode,
    );
    assert.ok(
      !(nodeNow.spec?.taints ?? []).some((taint) => taint.key === "rafter.dev/disrupted"),
      "the marked node not yet tainted",
    );
    for (const p of placed)
      assert.equal(p.spec.nodeName, other, `${p.metadata.name} on the unmarked node, not ${markedNode}`);
    // kube-scheduler asked the extender to score both nodes for each probe.
    const log = readFileSync(cluster.rafter.logFile, "utf8");
    for (const name of probes) {
      const line = log
        .split("\n")
        .find((l) => l.includes('"prioritize decision"') && l.includes(`"${t.namespace}/${name}"`));
      assert.ok(line, `a prioritize decision for ${name}`);
      const decision = JSON.parse(line) as { candidates: number; best?: { Host: string } };
      assert.equal(decision.candidates, 2, `${name} scored on both nodes`);
      assert.equal(decision.best?.Host, other, `${name}: the extender's best node`);
    }

    // The move goes ahead (its pods fit beside the probes) or is dropped; either way the mark lasted
    // until the taint or is cleared, and no PDB is violated.
    const tainted = await eventually(
      "the marked node tainted (the move executed) or unmarked (dropped)",
      async () => {
        const node = await cluster.kubectl.find<{ spec?: { taints?: { key: string }[] } }>(
          "node",
          markedNode,
        );
        if (!node || (node.spec?.taints ?? []).some((taint) => taint.key === "rafter.dev/disrupted"))
          return "tainted";
        const vn = (await virtualNodes(cluster)).find((v) => v.metadata.name === marked.metadata.name);
        return conditionTrue(vn, "Consolidatable") ? undefined : "unmarked";
      },
      60_000,
    );
    const windowMs = Date.now() - markedAt;
    if (tainted === "tainted") await podsRunning(t, "keep", 2, { notOn: markedNode });
    const seen = await pdb.stop();
    assert.equal(seen.violations, 0, "no PDB violation");
    t.log(
      `probes bound ${boundMs} ms after the mark, all on ${other}; the marked ${markedNode} ${tainted} ` +
        `${windowMs} ms after the mark was seen; ${seen.violations} PDB violations (${seen.samples} samples)`,
    );
  },
);
