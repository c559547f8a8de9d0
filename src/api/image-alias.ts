// The AMI alias grammar an EC2NodeClass accepts: the EKS-optimized image families rafter bootstraps
// (AL2023 with nodeadm, Bottlerocket with its TOML settings) and their version forms. The CRD's CEL
// rule, offline validation and the SSM resolver (cloud/aws/ami-aliases.ts) all read it from here.

/** The image families rafter renders user data for. */
export type ImageFamily = "al2023" | "bottlerocket";

export const aliasPattern = "^(al2023@(latest|v[0-9]{8})|bottlerocket@(latest|v?[0-9]+\\.[0-9]+\\.[0-9]+))$";
const aliasRegExp = new RegExp(aliasPattern);

/** Why anything else is refused, in the words the CRD and `rafter plan` use. */
export const aliasRule =
  "alias must be al2023@latest|@vYYYYMMDD or bottlerocket@latest|@v1.x.y: rafter bootstraps nodes with nodeadm (AL2023) or Bottlerocket settings; AL2 has no nodeadm and Windows no rafter bootstrap";

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
