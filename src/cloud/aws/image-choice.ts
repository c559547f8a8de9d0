// Which resolved image a node of an instance type boots: the image of its architecture built for its
// accelerators (NVIDIA GPUs → nvidia, Neuron devices → neuron), else an image selected by id, name
// or tags (those serve every type). Bottlerocket publishes no Neuron build: its standard image is
// the one for Neuron types. A GPU type gets no image rather than one without its drivers.
import { labelKeys } from "../../api/labels.js";
import type { InstanceType } from "../../catalog/types.js";
import type { ImageVariant, ResolvedImage } from "./resolved-image.js";

export function variantOf(instanceType: Pick<InstanceType, "capacity">): ImageVariant {
  if ((instanceType.capacity["nvidia.com/gpu"] ?? 0) > 0) return "nvidia";
  if ((instanceType.capacity["aws.amazon.com/neuron"] ?? 0) > 0) return "neuron";
  return "standard";
}

export function chooseImage(
  images: readonly ResolvedImage[],
  instanceType: Pick<InstanceType, "capacity" | "labels">,
): ResolvedImage | undefined {
  const arch = instanceType.labels[labelKeys.arch];
  const variant = variantOf(instanceType);
  const ofArch = images.filter((image) => image.architecture === arch);
  return (
    ofArch.find((image) => image.variant === variant) ??
    ofArch.find(
      (image) => image.variant === "standard" && image.family === "bottlerocket" && variant === "neuron",
    ) ??
    ofArch.find((image) => image.variant === undefined)
  );
}
