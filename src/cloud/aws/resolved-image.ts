// An image an EC2NodeClass resolved to. Shared by the alias resolver and the selector-term resolver
// (its own file so neither imports the other).

import type { ImageFamily } from "../../api/image-alias.js";

export type { ImageFamily };
/** Accelerator builds of an EKS-optimized image. */
export type ImageVariant = "standard" | "nvidia" | "neuron";

export interface ResolvedImage {
  readonly id: string;
  readonly name?: string;
  /** Kubernetes arch: amd64 | arm64. */
  readonly architecture: string;
  readonly creationDate: string;
  /** Set for alias images; an image selected by id, name or tags is taken to be AL2023 (nodeadm). */
  readonly family?: ImageFamily;
  /** Set for alias images: which instance types it is for. Selected images serve every type. */
  readonly variant?: ImageVariant;
  /** The SSM parameter an alias image was read from. */
  readonly parameter?: string;
}
