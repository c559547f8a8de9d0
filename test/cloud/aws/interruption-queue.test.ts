// The SQS interruption source against moto's SQS: messages EventBridge put on the queue come out as
// the cloud port's typed events, and an acknowledged message leaves the queue for good.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { SqsInterruptionQueue } from "../../../src/cloud/aws/interruption-queue.js";
import { startMoto, type MotoServer } from "../../support/moto.js";

const region = "us-east-1";
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const queueName = "rafter-interruptions";

describe("SQS interruption source against moto", () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let queueUrl: string;

  before(async () => {
    moto = await startMoto({ images: [] });
    sqs = new SQSClient({ region, endpoint: moto.endpoint, credentials });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl ?? "";
  });

  after(async () => {
    sqs.destroy();
    await moto.stop();
  });

  const messagesLeft = async (): Promise<number> => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? "NaN") +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? "NaN")
    );
  };

  it("receives EventBridge events as typed events and deletes the acknowledged ones", async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          version: "0",
          "detail-type": "EC2 Spot Instance Interruption Warning",
          source: "aws.ec2",
          detail: { "instance-id": "i-0123456789abcdef0", "instance-action": "terminate" },
        }),
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "not an event" }));
    const source = new SqsInterruptionQueue({
      queueName,
      region,
      endpoint: moto.endpoint,
      credentials,
      waitSeconds: 0,
    });
    try {
      const received = await source.receive();
      assert.deepEqual(
        received.map((m) => m.event).sort((a, b) => a.kind.localeCompare(b.kind)),
        [
          { kind: "spot-interruption", instanceIds: ["i-0123456789abcdef0"] },
          { kind: "unknown", instanceIds: [] },
        ],
      );
      assert.equal(await messagesLeft(), 2, "received but not yet acknowledged");
      for (const message of received) await source.acknowledge(message);
      assert.equal(await messagesLeft(), 0);
    } finally {
      source.close();
    }
  });
});
