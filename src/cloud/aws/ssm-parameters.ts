// Reads public SSM parameters (AMI aliases). A missing parameter is an answer (undefined), not an error.
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import type { ParameterReader } from "./ami-aliases.js";
import { awsClientConfig, type Ec2ClientOptions } from "./ec2-client.js";

export function createSsmClient(options: Ec2ClientOptions): SSMClient {
  return new SSMClient(awsClientConfig(options));
}

export function ssmParameterReader(client: SSMClient): ParameterReader {
  return async (name) => {
    try {
      const answer = await client.send(new GetParameterCommand({ Name: name }));
      return answer.Parameter?.Value;
    } catch (error) {
      if (error instanceof ParameterNotFound) return undefined;
      throw error;
    }
  };
}
