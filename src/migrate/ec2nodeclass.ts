// A Karpenter v1 EC2NodeClass (karpenter.k8s.aws/v1) as a rafter EC2NodeClass: selector terms, AMI
// aliases rafter resolves (al2023, bottlerocket), role or instance profile, user data, block devices,
// metadata options, tags and the kubelet settings that change allocatable capacity.
import { apiVersion } from "../api/common.js";
import type { EC2NodeClass } from "../api/ec2nodeclass.js";
import { asArray, asRecord, asString, FieldReader } from "./fields.js";
import type { FindingSink } from "./findings.js";

export type ConvertedNodeClass =
  { readonly ok: true; readonly nodeClass: EC2NodeClass } | { readonly ok: false; readonly reason: string };

/** The alias versions rafter resolves: al2023 by release date, Bottlerocket by its 1.x.y version. */
const supportedAlias = /^(al2023@(latest|v\d{8})|bottlerocket@(latest|v1\.\d+\.\d+))$/;

function aliasProblem(alias: string): string | undefined {
  if (supportedAlias.test(alias)) return undefined;
  const family = alias.split("@")[0] ?? "";
  if (family === "al2")
    return "Amazon Linux 2 is not supported by rafter (it bootstraps AL2023 and Bottlerocket)";
  if (family.startsWith("windows")) return "rafter launches Linux nodes only";
  if (family === "al2023" || family === "bottlerocket")
    return `rafter resolves ${family}@latest or a release version (al2023@vYYYYMMDD, bottlerocket@v1.x.y)`;
  return `unknown AMI family ${family}`;
}

/** Selector terms keep the fields rafter matches on; any other field is reported. */
function selectorTerms(
  reader: FieldReader,
  path: string,
  fields: readonly string[],
  sink: FindingSink,
): Record<string, unknown>[] {
  return asArray(reader.take(path)).flatMap((raw, i) => {
    const term = asRecord(raw) ?? {};
    const kept = Object.fromEntries(Object.entries(term).filter(([k]) => fields.includes(k)));
    for (const key of Object.keys(term))
      if (!fields.includes(key))
        sink.notCarried(`${path}[${i}].${key}`, `rafter's selector terms match on ${fields.join(", ")}`);
    return Object.keys(kept).length > 0 ? [kept] : [];
  });
}

const kubeletCarried = ["maxPods", "systemReserved", "kubeReserved", "evictionHard"];
const ebsCarried = [
  "volumeSize",
  "volumeType",
  "iops",
  "throughput",
  "encrypted",
  "kmsKeyID",
  "deleteOnTermination",
  "snapshotID",
];
/** Tags rafter writes itself (and the API rejects in spec.tags). */
const reservedTag = (key: string): boolean => key === "Name" || key.startsWith("rafter.dev/");

const notCarriedReasons: Record<string, string> = {
  "spec.instanceStorePolicy":
    "rafter does not set up instance-store volumes; on AL2023 add a nodeadm NodeConfig part with instance.localStorage.strategy to userData",
  "spec.detailedMonitoring": "rafter launches with EC2's default (basic) monitoring",
  "spec.associatePublicIPAddress": "rafter uses the subnet's public IP setting",
  "spec.capacityReservationSelectorTerms": "rafter does not launch into EC2 capacity reservations",
  "spec.context": "rafter does not pass an EC2 Fleet context",
};

export function convertEC2NodeClass(object: unknown, sink: FindingSink): ConvertedNodeClass {
  const reader = new FieldReader(object);
  reader.take("apiVersion");
  reader.take("kind");
  reader.take("status");
  const name = asString(reader.take("metadata.name")) ?? "";
  const metadata: Record<string, unknown> = { name };
  for (const field of ["labels", "annotations"]) {
    const value = reader.take(`metadata.${field}`);
    if (value !== undefined) metadata[field] = value;
  }
  reader.take("metadata");

  const spec: Record<string, unknown> = {
    subnetSelectorTerms: selectorTerms(reader, "spec.subnetSelectorTerms", ["tags", "id"], sink),
    securityGroupSelectorTerms: selectorTerms(
      reader,
      "spec.securityGroupSelectorTerms",
      ["tags", "id", "name"],
      sink,
    ),
  };

  const amiTerms: Record<string, unknown>[] = [];
  let droppedAlias: string | undefined;
  asArray(reader.take("spec.amiSelectorTerms")).forEach((raw, i) => {
    const term = asRecord(raw) ?? {};
    const alias = asString(term.alias);
    const problem = alias === undefined ? undefined : aliasProblem(alias);
    if (problem !== undefined) {
      sink.notCarried(`spec.amiSelectorTerms[${i}].alias`, `${alias ?? ""}: ${problem}`);
      droppedAlias = `its AMI alias ${alias ?? ""} is not supported: ${problem}`;
      return;
    }
    if (term.ssmParameter !== undefined)
      sink.notCarried(
        `spec.amiSelectorTerms[${i}].ssmParameter`,
        "rafter selects images by alias, id, name, owner or tags",
      );
    const kept = Object.fromEntries(
      Object.entries(term).filter(([k]) => ["alias", "tags", "id", "name", "owner"].includes(k)),
    );
    if (Object.keys(kept).length > 0) amiTerms.push(kept);
  });
  if (amiTerms.length === 0)
    return { ok: false, reason: droppedAlias ?? "no amiSelectorTerms rafter can resolve" };
  spec.amiSelectorTerms = amiTerms;

  // amiFamily only chose the bootstrap format for images selected by id, name or tags.
  const family = asString(reader.take("spec.amiFamily"));
  const byAlias = amiTerms.some((t) => t.alias !== undefined);
  if (family !== undefined && !byAlias) {
    if (family === "AL2" || family.startsWith("Windows"))
      return {
        ok: false,
        reason: `amiFamily ${family} is not supported (rafter bootstraps AL2023 and Bottlerocket)`,
      };
    if (family === "Custom")
      sink.notCarried(
        "spec.amiFamily",
        "Custom: rafter always adds its own nodeadm NodeConfig to the user data; an image that does not run nodeadm ignores it and must join the cluster from the user data alone",
      );
    else if (family !== "AL2023" && family !== "Bottlerocket")
      sink.notCarried(
        "spec.amiFamily",
        `${family}: rafter bootstraps AL2023 (nodeadm) and Bottlerocket images`,
      );
  }

  for (const field of ["role", "instanceProfile", "userData", "metadataOptions"]) {
    const value = reader.take(`spec.${field}`);
    if (value !== undefined) spec[field] = value;
  }

  const devices = asArray(reader.take("spec.blockDeviceMappings")).map((raw, i) => {
    const device = asRecord(raw) ?? {};
    const ebs = asRecord(device.ebs);
    for (const key of Object.keys(ebs ?? {}))
      if (!ebsCarried.includes(key))
        sink.notCarried(
          `spec.blockDeviceMappings[${i}].ebs.${key}`,
          "rafter's EBS settings have no such field",
        );
    return {
      ...(device.deviceName !== undefined ? { deviceName: device.deviceName } : {}),
      ...(device.rootVolume !== undefined ? { rootVolume: device.rootVolume } : {}),
      ...(ebs
        ? { ebs: Object.fromEntries(Object.entries(ebs).filter(([k]) => ebsCarried.includes(k))) }
        : {}),
    };
  });
  if (devices.length > 0) spec.blockDeviceMappings = devices;

  const tags = asRecord(reader.take("spec.tags"));
  if (tags) {
    const kept = Object.fromEntries(Object.entries(tags).filter(([k]) => !reservedTag(k)));
    for (const key of Object.keys(tags))
      if (reservedTag(key)) sink.notCarried(`spec.tags.${key}`, "rafter sets this tag itself");
    if (Object.keys(kept).length > 0) spec.tags = kept;
  }

  const kubelet = asRecord(reader.take("spec.kubelet"));
  if (kubelet) {
    const kept = Object.fromEntries(Object.entries(kubelet).filter(([k]) => kubeletCarried.includes(k)));
    for (const key of Object.keys(kubelet))
      if (!kubeletCarried.includes(key))
        sink.notCarried(
          `spec.kubelet.${key}`,
          "rafter's kubelet settings are the ones that change allocatable (maxPods, systemReserved, kubeReserved, evictionHard); set others in a nodeadm NodeConfig part of userData",
        );
    if (Object.keys(kept).length > 0) spec.kubelet = kept;
  }

  for (const path of reader.unread("spec"))
    sink.notCarried(path, notCarriedReasons[topField(path)] ?? "rafter's EC2NodeClass has no such field");

  return {
    ok: true,
    nodeClass: { apiVersion, kind: "EC2NodeClass", metadata, spec } as unknown as EC2NodeClass,
  };
}

/** "spec.context" for "spec.context" and "spec.capacityReservationSelectorTerms[0].id". */
function topField(path: string): string {
  return /^spec\.[^.[]+/.exec(path)?.[0] ?? path;
}
