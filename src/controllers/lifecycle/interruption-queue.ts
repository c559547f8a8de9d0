// The interruption queue port and its SQS implementation. EventBridge rules (set up with the
// cluster's infrastructure) route EC2 Spot Interruption Warnings, Rebalance Recommendations, Instance
// State-change Notifications and AWS Health scheduled changes to one SQS queue, named in the config.
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

export interface QueueMessage {
  readonly id: string;
  readonly body: string;
  readonly receiptHandle: string;
}

export interface InterruptionQueue {
  /** Waits up to the long-poll time for messages (empty when none came). */
  receive(): Promise<QueueMessage[]>;
  delete(message: QueueMessage): Promise<void>;
}

export interface SqsQueueOptions {
  readonly queueName: string;
  readonly region: string;
  /** Endpoint override, e.g. a moto server. */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly waitSeconds?: number;
}

export class SqsInterruptionQueue implements InterruptionQueue {
  private readonly client: SQSClient;
  private url: string | undefined;

  constructor(private readonly options: SqsQueueOptions) {
    this.client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  async receive(): Promise<QueueMessage[]> {
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
        ? [{ id: m.MessageId ?? "", body: m.Body, receiptHandle: m.ReceiptHandle }]
        : [],
    );
  }

  async delete(message: QueueMessage): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: await this.queueUrl(), ReceiptHandle: message.receiptHandle }),
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
