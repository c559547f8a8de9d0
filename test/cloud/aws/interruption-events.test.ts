// EventBridge events as SQS delivers them, read into the cloud port's typed interruption events.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseInterruption } from "../../../src/cloud/aws/interruption-events.js";

const spotWarning = (instanceId: string) =>
  JSON.stringify({
    version: "0",
    "detail-type": "EC2 Spot Instance Interruption Warning",
    source: "aws.ec2",
    detail: { "instance-id": instanceId, "instance-action": "terminate" },
  });

describe("interruption events", () => {
  it("parses EventBridge events", () => {
    assert.deepEqual(parseInterruption(spotWarning("i-1")), {
      kind: "spot-interruption",
      instanceIds: ["i-1"],
    });
    assert.deepEqual(
      parseInterruption(
        JSON.stringify({
          "detail-type": "EC2 Instance State-change Notification",
          detail: { "instance-id": "i-2", state: "stopping" },
        }),
      ),
      { kind: "state-change", instanceIds: ["i-2"], state: "stopping" },
    );
    assert.equal(parseInterruption("not json").kind, "unknown");
  });
});
