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
// The CRD's pattern (aliasPattern) admits exactly these; AL2 (no nodeadm, end of life) and Windows
// (no rafter bootstrap) are rejected there with a message.
import type { ImageFamily, ImageVariant, ResolvedImage } from "./resolved-image.js";

/** Reads one SSM parameter's value; undefined when it does not exist. */
export type ParameterReader = (name: string) => Promise<string | undefined>;

export const aliasPattern = "^(al2023@(latest|v[0-9]{8})|bottlerocket@(latest|v?[0-9]+\\.[0-9]+\\.[0-9]+))$";
const aliasRegExp = new RegExp(aliasPattern);

export interface ImageAlias {
  readonly family: ImageFamily;
  /** "latest", "v20250101" (AL2023) or "1.2.3" (Bottlerocket, without the "v"). */
  readonly version: string;
}

export type ParsedAlias =
  { readonly ok: true; readonly alias: ImageAlias } | { readonly ok: false; readonly message: string };

export function parseAlias(alias: string): ParsedAlias {
  if (!aliasRegExp.test(alias))
    return {
      ok: false,
      message: `alias ${alias}: rafter supports al2023@latest|@vYYYYMMDD and bottlerocket@latest|@v1.x.y`,
    };
  const [family, version] = alias.split("@") as [ImageFamily, string];
  return {
    ok: true,
    alias: { family, version: family === "bottlerocket" ? version.replace(/^v/, "") : version },
  };
}

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
