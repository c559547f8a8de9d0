import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EC2NodeClass } from "../../src/api/ec2nodeclass.js";
import type { VirtualNode } from "../../src/api/virtualnode.js";
import { staticReader } from "../../src/controllers/cluster-reader.js";
import { nodeClassHashAnnotation, templateHashAnnotation } from "../../src/controllers/lifecycle/drift.js";
import { recordVirtualNode } from "../../src/controllers/virtual-node-factory.js";
import { ok } from "../../src/domain/result.js";
import { MemoryEventRecorder } from "../../src/kube/events.js";
import { testPool } from "../support/lifecycle-fakes.js";

describe("recording a VirtualNode", () => {
  it("makes its NodePool the owner (deleting the pool deletes it) and stamps what drift compares", async () => {
    const pool = testPool("general");
    pool.metadata.uid = "pool-uid";
    const nodeClass: EC2NodeClass = {
      apiVersion: "rafter.dev/v1",
      kind: "EC2NodeClass",
      metadata: { name: "default" },
      spec: { role: "nodes", subnetSelectorTerms: [], securityGroupSelectorTerms: [], amiSelectorTerms: [] },
    };
    const created: { metadata: VirtualNode["metadata"] }[] = [];
    const result = await recordVirtualNode(
      {
        reader: staticReader({ nodePools: [pool], nodeClasses: [nodeClass] }),
        events: new MemoryEventRecorder(),
        virtualNodes: {
          create: (name, spec, labels, annotations, ownerReferences) => {
            const virtualNode: VirtualNode = {
              apiVersion: "rafter.dev/v1",
              kind: "VirtualNode",
              metadata: { name, labels, annotations, ownerReferences },
              spec,
            };
            created.push(virtualNode);
            return Promise.resolve(ok(virtualNode));
          },
        },
      },
      {
        name: "n",
        nodePool: "general",
        instanceTypes: ["m5.large"],
        zones: ["us-east-1a"],
        capacityTypes: ["on-demand"],
        requirements: [],
        pods: [],
        hourlyPrice: 0.096,
        requests: {},
      },
      [],
      "test",
    );
    assert.ok(result.ok);
    const metadata = created[0]!.metadata;
    assert.deepEqual(metadata.ownerReferences, [
      { apiVersion: "rafter.dev/v1", kind: "NodePool", name: "general", uid: "pool-uid" },
    ]);
    assert.ok(metadata.annotations?.[templateHashAnnotation]);
    assert.ok(metadata.annotations[nodeClassHashAnnotation]);
  });
});
