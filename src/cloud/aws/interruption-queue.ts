// The InterruptionSource port's SQS implementation. EventBridge rules (set up with the cluster's
// infrastructure) route EC2 Spot Interruption Warnings, Rebalance Recommendations, Instance
// State-change Notifications and AWS Health scheduled changes to one SQS queue, named in the config;
// each message body is one event, parsed here (interruption-events.ts) into the port's typed events.
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { InterruptionMessage, InterruptionSource } from "../interruptions.js";
import { parseInterruption } from "./interruption-events.js";

export interface SqsQueueOptions {
  readonly queueName: string;
  readonly region: string;
  /** Endpoint override, e.g. a moto server. */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly waitSeconds?: number;
}

export class SqsInterruptionQueue implements InterruptionSource {
  private readonly client: SQSClient;
  private url: string | undefined;

  constructor(private readonly options: SqsQueueOptions) {
    this.client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  async receive(): Promise<InterruptionMessage[]> {
    const url = await this.queueUrl();
    const response = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: this.options.waitSeconds ?? 20,
        VisibilityTimeout: 60,
      }),
    );
    return (response.Messages ?? []).flatMap((m) =>
      m.Body !== undefined && m.ReceiptHandle !== undefined
        ? [{ id: m.MessageId ?? "", event: parseInterruption(m.Body), receipt: m.ReceiptHandle }]
        : [],
    );
  }

  async acknowledge(message: InterruptionMessage): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: await this.queueUrl(), ReceiptHandle: message.receipt }),
    );
  }

  close(): void {
    this.client.destroy();
  }

  private async queueUrl(): Promise<string> {
    if (this.url) return this.url;
    const response = await this.client.send(new GetQueueUrlCommand({ QueueName: this.options.queueName }));
    if (!response.QueueUrl) throw new Error(`queue ${this.options.queueName} has no URL`);
    this.url = response.QueueUrl;
    return this.url;
  }
}
