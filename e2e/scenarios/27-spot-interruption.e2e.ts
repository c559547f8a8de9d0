// Spot interruption: an "EC2 Spot Instance Interruption Warning" for a spot node's instance, sent to
// the SQS queue rafter consumes (moto's SQS, --interruption-queue), drains the node while its instance
// is still running, the pods run elsewhere within their PDB, and the instance ends terminated.
import assert from "node:assert/strict";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, motoInstances, podsIn, virtualNodes } from "../harness/provisioning.js";
import {
  generalNodePool,
  maxUnavailablePdb,
  nodeAndVirtualNodeGone,
  nodeClass,
  podsRunning,
  quietDisruption,
  watchPdb,
} from "../harness/lifecycle.js";

const queueName = "rafter-interruptions";

interface NodeJson {
  spec?: { taints?: { key: string }[] };
}

interface Requirement {
  key: string;
  operator: string;
  values: string[];
}

scenario(
  "a spot interruption message drains the node before its instance is terminated",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    const sqs = new SQSClient({
      endpoint: cluster.moto.endpoint,
      region: cluster.region,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    defer(() => {
      sqs.destroy();
      return Promise.resolve();
    });
    const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    assert.ok(queueUrl, "moto created the queue");
    await cluster.rafter.restart([`--interruption-queue=${queueName}`]);
    defer(async () => {
      await cluster.rafter.restart();
    });

    const pool = generalNodePool(repoRoot, {
      disruption: quietDisruption,
    });
    const template = (pool.spec as { template: { spec: { requirements: Requirement[] } } }).template.spec;
    template.requirements = template.requirements.map((r) =>
      r.key === "rafter.dev/capacity-type" ? { ...r, values: ["spot"] } : r,
    );
    await cluster.kubectl.apply([...nodeClass(repoRoot), pool]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([deployment("web", 4, { cpu: "1", memory: "1Gi" }), maxUnavailablePdb("web")]);
    const running = await eventually(
      "4 web pods Running",
      async () => {
        const pods = await podsIn(kubectl, "app=web");
        return pods.filter((p) => p.status.phase === "Running").length === 4 ? pods : undefined;
      },
      180_000,
    );
    const nodeName = running[0]?.spec.nodeName ?? "";
    const vn = (await virtualNodes(cluster)).find((v) => v.status?.nodeName === nodeName);
    assert.ok(vn, `a VirtualNode owns ${nodeName}`);
    const instanceId = vn.status?.instanceID ?? "";
    assert.equal(vn.status?.capacityType, "spot", "the node is spot capacity");

    const pdb = watchPdb(kubectl, "web");
    const sent = Date.now();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          version: "0",
          id: "e2e-interruption",
          "detail-type": "EC2 Spot Instance Interruption Warning",
          source: "aws.ec2",
          account: "123456789012",
          time: new Date().toISOString(),
          region: cluster.region,
          resources: [`arn:aws:ec2:${cluster.region}:123456789012:instance/${instanceId}`],
          detail: { "instance-id": instanceId, "instance-action": "terminate" },
        }),
      }),
    );
    await eventually(
      `${nodeName} tainted rafter.dev/disrupted`,
      async () => {
        const node = await cluster.kubectl.getJson<NodeJson>("node", nodeName);
        return (node.spec?.taints ?? []).some((x) => x.key === "rafter.dev/disrupted");
      },
      60_000,
    );
    const drainingAfter = Math.round((Date.now() - sent) / 1000);
    const whileDraining = (await motoInstances(cluster)).find((i) => i.id === instanceId);
    assert.equal(whileDraining?.state, "running", "the instance still runs when the drain starts");

    await nodeAndVirtualNodeGone(t, nodeName, vn.metadata.name, 240_000);
    await podsRunning(t, "web", 4, { notOn: nodeName });
    const seen = await pdb.stop();
    const instance = (await motoInstances(cluster)).find((i) => i.id === instanceId);
    assert.equal(instance?.state, "terminated", `instance ${instanceId} terminated`);
    t.log(
      `interruption for ${instanceId} (${nodeName}): draining after ${drainingAfter}s with the instance running, ` +
        `node gone and pods elsewhere after ${Math.round((Date.now() - sent) / 1000)}s; PDB samples ${seen.samples}, ` +
        `violations ${seen.violations}, lowest healthy ${seen.lowestHealthy}`,
    );
    assert.equal(seen.violations, 0, "no PDB violation observed");
  },
);
