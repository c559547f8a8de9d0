// Resolves an EC2NodeClass's selector terms against EC2: subnets (every match, so that drift can
// judge a node in any of them; launches take per zone the one with the most free addresses), security groups, and images (newest per architecture). Terms are ORed; within a
// term, tags/id/name are ANDed, as in Karpenter. Failures are InvalidNodeClass values that end up
// in the EC2NodeClass status, never exceptions thrown at the planner. Images: aliases and
// ssmParameter terms through SSM; name and tag terms owned by `self,amazon` unless the term names an
// owner (a public image of any account would otherwise match a name); DescribeImages paginated.
import {
  DescribeImagesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Filter,
} from "@aws-sdk/client-ec2";
import type {
  AmiSelectorTerm,
  EC2NodeClass,
  EC2NodeClassStatus,
  SelectorTerm,
} from "../../api/ec2nodeclass.js";
import { fail, invalidNodeClass, ok, type Result, type InvalidNodeClass } from "../errors.js";
import { resolveAlias, type ParameterReader } from "./ami-aliases.js";
import type { Ec2Caller } from "./ec2-caller.js";
import type { ResolvedImage } from "./resolved-image.js";

export type { ResolvedImage } from "./resolved-image.js";

export interface ResolvedSubnet {
  readonly id: string;
  readonly zone: string;
  readonly zoneId?: string;
  readonly availableIps: number;
}
export interface ResolvedNodeClass {
  /** Every subnet the selector terms match, by zone, most free addresses first within a zone. */
  readonly subnets: readonly ResolvedSubnet[];
  readonly securityGroups: readonly { id: string; name?: string }[];
  /** Alias images per architecture and variant, then the newest selected image per architecture. */
  readonly images: readonly ResolvedImage[];
  readonly instanceProfile?: string;
}

function tagFilters(tags: Readonly<Record<string, string>> | undefined): Filter[] {
  return Object.entries(tags ?? {}).map(([key, value]) =>
    value === "*" ? { Name: "tag-key", Values: [key] } : { Name: `tag:${key}`, Values: [value] },
  );
}

function termFilters(term: SelectorTerm, idFilter: string, nameFilter?: string): Filter[] {
  const filters = tagFilters(term.tags);
  if (term.id) filters.push({ Name: idFilter, Values: [term.id] });
  if (term.name && nameFilter) filters.push({ Name: nameFilter, Values: [term.name] });
  return filters;
}

const ec2Arch = (arch: string | undefined): string | undefined =>
  arch === "x86_64" ? "amd64" : arch === "arm64" ? "arm64" : undefined;

async function resolveSubnets(
  ec2: EC2Client,
  caller: Ec2Caller,
  terms: SelectorTerm[],
): Promise<ResolvedSubnet[]> {
  const byId = new Map<string, ResolvedSubnet>();
  for (const term of terms) {
    const filters = termFilters(term, "subnet-id");
    if (filters.length === 0) continue; // an empty term would select every subnet of the account
    let token: string | undefined;
    do {
      const page = await caller.call("DescribeSubnets", () =>
        ec2.send(new DescribeSubnetsCommand({ Filters: filters, NextToken: token })),
      );
      for (const subnet of page.Subnets ?? []) {
        if (!subnet.SubnetId || !subnet.AvailabilityZone) continue;
        byId.set(subnet.SubnetId, {
          id: subnet.SubnetId,
          zone: subnet.AvailabilityZone,
          ...(subnet.AvailabilityZoneId ? { zoneId: subnet.AvailabilityZoneId } : {}),
          availableIps: subnet.AvailableIpAddressCount ?? 0,
        });
      }
      token = page.NextToken;
    } while (token);
  }
  return [...byId.values()].sort(
    (a, b) => a.zone.localeCompare(b.zone) || b.availableIps - a.availableIps || a.id.localeCompare(b.id),
  );
}

/** Where launches go: per zone the subnet with the most free addresses (ties by id, for stable templates). */
export function launchSubnets(subnets: readonly ResolvedSubnet[]): ResolvedSubnet[] {
  const best = new Map<string, ResolvedSubnet>();
  for (const subnet of subnets) if (!best.has(subnet.zone)) best.set(subnet.zone, subnet);
  return [...best.values()];
}

async function resolveSecurityGroups(
  ec2: EC2Client,
  caller: Ec2Caller,
  terms: SelectorTerm[],
): Promise<{ id: string; name?: string }[]> {
  const byId = new Map<string, { id: string; name?: string }>();
  for (const term of terms) {
    const filters = termFilters(term, "group-id", "group-name");
    if (filters.length === 0) continue;
    const page = await caller.call("DescribeSecurityGroups", () =>
      ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters })),
    );
    for (const group of page.SecurityGroups ?? []) {
      if (group.GroupId)
        byId.set(group.GroupId, { id: group.GroupId, ...(group.GroupName ? { name: group.GroupName } : {}) });
    }
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** Owners a name or tag term searches when it names none: the account's own images and AWS's. */
export const defaultImageOwners = ["self", "amazon"];

async function resolveImages(
  ec2: EC2Client,
  caller: Ec2Caller,
  terms: AmiSelectorTerm[],
): Promise<ResolvedImage[]> {
  const all: ResolvedImage[] = [];
  for (const term of terms) {
    const filters = tagFilters(term.tags);
    if (term.name) filters.push({ Name: "name", Values: [term.name] });
    filters.push({ Name: "state", Values: ["available"] });
    const owners = term.owner
      ? term.owner.split(",").map((o) => o.trim())
      : term.id
        ? []
        : defaultImageOwners;
    let token: string | undefined;
    do {
      const page = await caller.call("DescribeImages", () =>
        ec2.send(
          new DescribeImagesCommand({
            Filters: filters,
            ...(term.id ? { ImageIds: [term.id] } : {}),
            ...(owners.length > 0 ? { Owners: owners } : {}),
            ...(term.id ? {} : { MaxResults: 1000 }),
            NextToken: token,
          }),
        ),
      );
      for (const image of page.Images ?? []) {
        const architecture = ec2Arch(image.Architecture);
        if (!image.ImageId || !architecture) continue;
        all.push({
          id: image.ImageId,
          ...(image.Name ? { name: image.Name } : {}),
          architecture,
          creationDate: image.CreationDate ?? "",
          ...(image.Name?.startsWith("bottlerocket-") ? { family: "bottlerocket" as const } : {}),
        });
      }
      token = page.NextToken;
    } while (token);
  }
  const newest = new Map<string, ResolvedImage>();
  for (const image of all.sort(
    (a, b) => b.creationDate.localeCompare(a.creationDate) || a.id.localeCompare(b.id),
  )) {
    if (!newest.has(image.architecture)) newest.set(image.architecture, image);
  }
  return [...newest.values()].sort((a, b) => a.architecture.localeCompare(b.architecture));
}

/** Images named by aliases and ssmParameter terms, read through SSM. */
async function resolveParameterImages(
  ec2: EC2Client,
  caller: Ec2Caller,
  terms: AmiSelectorTerm[],
  kubernetesVersion: string,
  readParameter: ParameterReader | undefined,
): Promise<Result<ResolvedImage[], InvalidNodeClass>> {
  const images: ResolvedImage[] = [];
  for (const term of terms) {
    if (term.alias === undefined && term.ssmParameter === undefined) continue;
    if (!readParameter)
      return fail(
        invalidNodeClass(
          "AMIAliasUnsupported",
          "alias and ssmParameter terms need SSM, which is not configured",
        ),
      );
    if (term.alias !== undefined) {
      const resolved = await resolveAlias(term.alias, kubernetesVersion, readParameter);
      if (!resolved.ok) return fail(invalidNodeClass("AMIAliasUnresolved", resolved.message));
      images.push(...resolved.images);
      continue;
    }
    const parameter = term.ssmParameter ?? "";
    const id = await readParameter(parameter);
    if (!id)
      return fail(invalidNodeClass("AMIParameterUnresolved", `SSM parameter ${parameter} does not exist`));
    const [image] = await resolveImages(ec2, caller, [{ id }]);
    if (!image)
      return fail(
        invalidNodeClass(
          "AMIParameterUnresolved",
          `SSM parameter ${parameter} names ${id}, which is not available`,
        ),
      );
    images.push({ ...image, parameter });
  }
  return ok(images);
}

export async function resolveNodeClassOnEc2(
  ec2: EC2Client,
  caller: Ec2Caller,
  nodeClass: EC2NodeClass,
  kubernetesVersion: string,
  readParameter?: ParameterReader,
): Promise<Result<ResolvedNodeClass, InvalidNodeClass>> {
  const spec = nodeClass.spec;
  const parameterImages = await resolveParameterImages(
    ec2,
    caller,
    spec.amiSelectorTerms,
    kubernetesVersion,
    readParameter,
  );
  if (!parameterImages.ok) return parameterImages;
  const aliasImages = parameterImages.value;
  const otherTerms = spec.amiSelectorTerms.filter(
    (term) => term.alias === undefined && term.ssmParameter === undefined,
  );
  const [subnets, securityGroups, selectedImages] = await Promise.all([
    resolveSubnets(ec2, caller, spec.subnetSelectorTerms),
    resolveSecurityGroups(ec2, caller, spec.securityGroupSelectorTerms),
    otherTerms.length > 0 ? resolveImages(ec2, caller, otherTerms) : Promise.resolve([]),
  ]);
  // One image per architecture: an alias wins over a selected image of the same architecture.
  const images = [
    ...aliasImages,
    ...selectedImages.filter(
      (image) => !aliasImages.some((alias) => alias.architecture === image.architecture),
    ),
  ];
  if (subnets.length === 0)
    return fail(invalidNodeClass("SubnetsNotFound", "no subnet matches subnetSelectorTerms"));
  if (securityGroups.length === 0) {
    return fail(
      invalidNodeClass("SecurityGroupsNotFound", "no security group matches securityGroupSelectorTerms"),
    );
  }
  if (images.length === 0)
    return fail(invalidNodeClass("AMIsNotFound", "no available image matches amiSelectorTerms"));
  // A `role` becomes an instance profile rafter manages (instance-profiles.ts, by the provider).
  const profile = spec.instanceProfile;
  return ok({ subnets, securityGroups, images, ...(profile ? { instanceProfile: profile } : {}) });
}

export function nodeClassStatus(resolved: ResolvedNodeClass, now: Date): EC2NodeClassStatus {
  return {
    subnets: resolved.subnets.map((s) => ({
      id: s.id,
      zone: s.zone,
      ...(s.zoneId ? { zoneID: s.zoneId } : {}),
    })),
    securityGroups: resolved.securityGroups.map((g) => ({ ...g })),
    amis: resolved.images.map((i) => ({
      id: i.id,
      architecture: i.architecture,
      ...(i.name ? { name: i.name } : {}),
    })),
    ...(resolved.instanceProfile ? { instanceProfile: resolved.instanceProfile } : {}),
    conditions: [
      { type: "Ready", status: "True", reason: "Resolved", lastTransitionTime: now.toISOString() },
    ],
  };
}

export function invalidNodeClassStatus(error: InvalidNodeClass, now: Date): EC2NodeClassStatus {
  return {
    conditions: [
      {
        type: "Ready",
        status: "False",
        reason: error.reason,
        message: error.message,
        lastTransitionTime: now.toISOString(),
      },
    ],
  };
}
