// AMI aliases ("al2023@latest") resolve through the public SSM parameters AWS publishes for its images,
// one per architecture, so a node class follows the newest image without anyone editing ids. Only
// "@latest" is published for these families; a pinned version must be selected by id or name.
import type { ResolvedImage } from "./nodeclass-resolver.js";
import { fail, ok, type Result } from "../../domain/result.js";

/** Reads one SSM parameter's value; undefined when it does not exist. */
export type ParameterReader = (name: string) => Promise<string | undefined>;

const families: Readonly<Record<string, (arch: "x86_64" | "arm64") => string>> = {
  al2023: (arch) => `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`,
  al2: (arch) => `/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-${arch}-gp2`,
};

const architectures = [
  { ssm: "x86_64", kubernetes: "amd64" },
  { ssm: "arm64", kubernetes: "arm64" },
] as const;

/** The alias's images (one per architecture published), or why it cannot be resolved. */
export type AliasResult = Result<ResolvedImage[], string>;

export async function resolveAlias(alias: string, read: ParameterReader): Promise<AliasResult> {
  const [family = "", version = ""] = alias.split("@");
  const parameter = families[family];
  if (!parameter)
    return fail(
      `alias ${alias}: family ${family} has no public image parameters; select images by id, name or tags`,
    );
  if (version !== "latest")
    return fail(`alias ${alias}: only @latest is published for ${family}; pin a version by image id or name`);
  const images: ResolvedImage[] = [];
  for (const arch of architectures) {
    const id = await read(parameter(arch.ssm));
    if (id) images.push({ id, name: `${family}@latest`, architecture: arch.kubernetes, creationDate: "" });
  }
  return images.length > 0 ? ok(images) : fail(`alias ${alias}: no image parameter found`);
}
