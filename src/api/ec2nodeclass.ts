// EC2NodeClass (ec2nodeclasses.rafter.dev): how nodes are launched on EC2.
import type { Condition, KubeObject } from "./common.js";

export interface SelectorTerm {
  tags?: Record<string, string>;
  id?: string;
  name?: string;
}

export interface AmiSelectorTerm extends SelectorTerm {
  owner?: string;
  /** "al2023@latest|@vYYYYMMDD" or "bottlerocket@latest|@v1.x.y": EKS-optimized images via SSM. */
  alias?: string;
  /** An SSM parameter whose value is an image id. */
  ssmParameter?: string;
}

export interface BlockDeviceMapping {
  deviceName: string;
  ebs?: {
    volumeSize?: string;
    volumeType?: "gp2" | "gp3" | "io1" | "io2" | "st1" | "sc1" | "standard";
    iops?: number;
    throughput?: number;
    encrypted?: boolean;
    kmsKeyID?: string;
    deleteOnTermination?: boolean;
    snapshotID?: string;
  };
  rootVolume?: boolean;
}

export interface MetadataOptions {
  httpEndpoint?: "enabled" | "disabled";
  httpProtocolIPv6?: "enabled" | "disabled";
  httpPutResponseHopLimit?: number;
  httpTokens?: "required" | "optional";
}

export interface KubeletConfiguration {
  maxPods?: number;
  systemReserved?: Record<string, string>;
  kubeReserved?: Record<string, string>;
  evictionHard?: Record<string, string>;
}

export interface EC2NodeClassSpec {
  subnetSelectorTerms: SelectorTerm[];
  securityGroupSelectorTerms: SelectorTerm[];
  amiSelectorTerms: AmiSelectorTerm[];
  role?: string;
  instanceProfile?: string;
  userData?: string;
  blockDeviceMappings?: BlockDeviceMapping[];
  metadataOptions?: MetadataOptions;
  tags?: Record<string, string>;
  kubelet?: KubeletConfiguration;
}

export interface EC2NodeClassStatus {
  subnets?: { id: string; zone: string; zoneID?: string }[];
  securityGroups?: { id: string; name?: string }[];
  amis?: { id: string; name?: string; architecture?: string }[];
  instanceProfile?: string;
  conditions?: Condition[];
}

export type EC2NodeClass = KubeObject<EC2NodeClassSpec, EC2NodeClassStatus> & { kind: "EC2NodeClass" };

export const metadataOptionsDefaults: Required<MetadataOptions> = {
  httpEndpoint: "enabled",
  httpProtocolIPv6: "disabled",
  httpPutResponseHopLimit: 1,
  httpTokens: "required",
};
