// AMI aliases resolve through the SSM parameters AWS publishes for its EKS-optimized images, per
// Kubernetes minor version, architecture and accelerator variant, so a node class follows the
// newest image built for the cluster's version without anyone editing ids:
//   al2023@latest | al2023@vYYYYMMDD
//     /aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/<arch>/<variant>/recommended/image_id
//     /aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/<arch>/<variant>/
//       amazon-eks-node-al2023-<arch>-<variant>-<k8s>-vYYYYMMDD/image_id
//     variants: x86_64 standard, nvidia, neuron; arm64 standard, nvidia
//   bottlerocket@latest | bottlerocket@v1.x.y (the parameter path drops the "v")
//     /aws/service/bottlerocket/aws-k8s-<k8s>[-nvidia]/<arch>/<latest|1.x.y>/image_id
//     variants: standard (also for Neuron types), nvidia
// The alias grammar (api/image-alias.ts) admits exactly these; AL2 (no nodeadm, end of life) and Windows
// (no rafter bootstrap) are rejected there with a message.
import { parseAlias, type ImageAlias, type ImageFamily } from "../../api/image-alias.js";
import type { ImageVariant, ResolvedImage } from "./resolved-image.js";

export { parseAlias };

/** Reads one SSM parameter's value; undefined when it does not exist. */
export type ParameterReader = (name: string) => Promise<string | undefined>;

const ssmArchitectures = [
  { ssm: "x86_64", kubernetes: "amd64" },
  { ssm: "arm64", kubernetes: "arm64" },
] as const;
type SsmArch = (typeof ssmArchitectures)[number]["ssm"];

/** The variants published for a family and architecture. */
export function publishedVariants(family: ImageFamily, arch: SsmArch): readonly ImageVariant[] {
  if (family === "bottlerocket") return ["standard", "nvidia"];
  return arch === "x86_64" ? ["standard", "nvidia", "neuron"] : ["standard", "nvidia"];
}

/** The SSM parameter holding the image id of one (alias, Kubernetes version, arch, variant). */
export function aliasParameterPath(
  alias: ImageAlias,
  kubernetesVersion: string,
  arch: SsmArch,
  variant: ImageVariant,
): string {
  if (alias.family === "bottlerocket") {
    const flavour = variant === "nvidia" ? "-nvidia" : "";
    return `/aws/service/bottlerocket/aws-k8s-${kubernetesVersion}${flavour}/${arch}/${alias.version}/image_id`;
  }
  const release =
    alias.version === "latest"
      ? "recommended"
      : `amazon-eks-node-al2023-${arch}-${variant}-${kubernetesVersion}-${alias.version}`;
  return `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${arch}/${variant}/${release}/image_id`;
}

export type AliasResult =
  { readonly ok: true; readonly images: ResolvedImage[] } | { readonly ok: false; readonly message: string };

export async function resolveAlias(
  text: string,
  kubernetesVersion: string,
  read: ParameterReader,
): Promise<AliasResult> {
  const parsed = parseAlias(text);
  if (!parsed.ok) return parsed;
  const images: ResolvedImage[] = [];
  for (const arch of ssmArchitectures) {
    for (const variant of publishedVariants(parsed.alias.family, arch.ssm)) {
      const parameter = aliasParameterPath(parsed.alias, kubernetesVersion, arch.ssm, variant);
      const id = await read(parameter);
      if (id)
        images.push({
          id,
          name: text,
          architecture: arch.kubernetes,
          creationDate: "",
          family: parsed.alias.family,
          variant,
          parameter,
        });
    }
  }
  return images.length > 0
    ? { ok: true, images }
    : {
        ok: false,
        message: `alias ${text}: no image parameter found for Kubernetes ${kubernetesVersion} (e.g. ${aliasParameterPath(parsed.alias, kubernetesVersion, "x86_64", "standard")})`,
      };
}
