// `rafter userdata`: prints the user data a node of an instance type would boot with for a NodePool
// and its EC2NodeClass, offline, through the renderer the launcher's launch templates use; on stderr,
// the image the EC2NodeClass's alias resolves through (its SSM parameter).
import type { Command } from "commander";
import type { EC2NodeClass } from "../api/ec2nodeclass.js";
import type { NodePool } from "../api/nodepool.js";
import { validateObject } from "../api/validation.js";
import { loadEmbeddedCatalogWith } from "../catalog/embedded.js";
import { aliasParameterPath, parseAlias } from "../cloud/aws/ami-aliases.js";
import { nodeClassCatalogSettings } from "../cloud/aws/catalog-source.js";
import { variantOf } from "../cloud/aws/image-choice.js";
import type { ImageFamily } from "../cloud/aws/resolved-image.js";
import type { ClusterBootstrap } from "../cloud/cluster-bootstrap.js";
import { clusterDnsIp } from "../cloud/userdata/cluster-dns.js";
import { nodeUserDataInput } from "../cloud/userdata/input.js";
import { renderUserData } from "../cloud/userdata/render.js";
import { labelKeys } from "../api/labels.js";
import { inputFiles } from "./input-files.js";
import { readDocuments } from "./plan.js";
import { UsageError } from "../usage-error.js";

interface UserDataFlags {
  file: string[];
  nodepool: string;
  instanceType: string;
  clusterName: string;
  clusterEndpoint?: string;
  clusterCaBundle?: string;
  serviceCidr: string;
  kubernetesVersion: string;
}

interface Found<T> {
  readonly object: T;
  readonly file: string;
}

function loadObjects(files: readonly string[]): { pools: Found<NodePool>[]; classes: Found<EC2NodeClass>[] } {
  const pools: Found<NodePool>[] = [];
  const classes: Found<EC2NodeClass>[] = [];
  for (const file of files.flatMap(inputFiles)) {
    for (const doc of readDocuments(file)) {
      const kind = (doc as { kind?: unknown } | null)?.kind;
      if (kind !== "NodePool" && kind !== "EC2NodeClass") continue;
      const problem = validateObject(kind, doc)[0];
      if (problem) throw new UsageError(`${file}: ${kind}: ${problem}`);
      if (kind === "NodePool") pools.push({ object: doc as NodePool, file });
      else classes.push({ object: doc as EC2NodeClass, file });
    }
  }
  return { pools, classes };
}

function bootstrapFrom(flags: UserDataFlags, warn: (line: string) => void): ClusterBootstrap {
  if (!/^[0-9]+\.[0-9]+$/.test(flags.kubernetesVersion))
    throw new UsageError(
      `--kubernetes-version ${flags.kubernetesVersion}: expected a minor version such as 1.36`,
    );
  const dns = clusterDnsIp(flags.serviceCidr);
  if (!dns.ok) throw new UsageError(`--service-cidr: ${dns.message}`);
  if (flags.clusterCaBundle !== undefined && !/^[A-Za-z0-9+/]+=*$/.test(flags.clusterCaBundle))
    throw new UsageError("--cluster-ca-bundle: expected the base64 CA bundle DescribeCluster returns");
  if (flags.clusterEndpoint === undefined)
    warn("--cluster-endpoint not given: the user data shows a placeholder");
  if (flags.clusterCaBundle === undefined)
    warn("--cluster-ca-bundle not given: the user data shows a placeholder");
  return {
    clusterName: flags.clusterName,
    apiServerEndpoint: flags.clusterEndpoint ?? "https://CLUSTER-ENDPOINT.example.com",
    certificateAuthority: flags.clusterCaBundle ?? Buffer.from("CLUSTER CA BUNDLE").toString("base64"),
    serviceCidr: flags.serviceCidr,
    kubernetesVersion: flags.kubernetesVersion,
  };
}

/** The image family and, for an alias, the parameter the launcher would read for this type. */
function imageOf(
  nodeClass: EC2NodeClass,
  arch: string | undefined,
  variant: ReturnType<typeof variantOf>,
  kubernetesVersion: string,
): { family: ImageFamily; note: string } {
  const alias = nodeClass.spec.amiSelectorTerms.find((term) => term.alias !== undefined)?.alias;
  const parsed = alias === undefined ? undefined : parseAlias(alias);
  if (!parsed?.ok)
    return {
      family: "al2023",
      note: "image: selected by amiSelectorTerms (no alias), bootstrapped as AL2023",
    };
  const ssmArch = arch === "arm64" ? "arm64" : "x86_64";
  const built = parsed.alias.family === "bottlerocket" && variant === "neuron" ? "standard" : variant;
  return {
    family: parsed.alias.family,
    note: `image: ${alias} → ${aliasParameterPath(parsed.alias, kubernetesVersion, ssmArch, built)}`,
  };
}

export function userDataCommand(flags: UserDataFlags, warn: (line: string) => void): string {
  if (flags.file.length === 0)
    throw new UsageError("-f: give the files holding the NodePool and its EC2NodeClass");
  const { pools, classes } = loadObjects(flags.file);
  const pool = pools.find((p) => p.object.metadata.name === flags.nodepool);
  if (!pool)
    throw new UsageError(
      `--nodepool ${flags.nodepool}: no NodePool of that name in ${flags.file.join(", ")}`,
    );
  const className = pool.object.spec.template.spec.nodeClassRef.name;
  const nodeClass = classes.find((c) => c.object.metadata.name === className)?.object;
  if (!nodeClass)
    throw new UsageError(
      `${pool.file}: NodePool ${flags.nodepool} refers to EC2NodeClass ${className}, which no file holds`,
    );
  const instanceType = loadEmbeddedCatalogWith(nodeClassCatalogSettings(nodeClass)).instanceTypes.find(
    (t) => t.name === flags.instanceType,
  );
  if (!instanceType)
    throw new UsageError(`--instance-type ${flags.instanceType}: not in the embedded catalogue`);
  const bootstrap = bootstrapFrom(flags, warn);
  const image = imageOf(
    nodeClass,
    instanceType.labels[labelKeys.arch],
    variantOf(instanceType),
    bootstrap.kubernetesVersion,
  );
  warn(image.note);
  const rendered = renderUserData(
    image.family,
    nodeUserDataInput(bootstrap, nodeClass, pool.object, instanceType),
  );
  if (!rendered.ok) throw new UsageError(`EC2NodeClass ${className}: ${rendered.message}`);
  return rendered.userData;
}

export function registerUserDataCommand(program: Command): void {
  program
    .command("userdata")
    .description("print the user data a node of an instance type boots with, offline")
    .option(
      "-f, --file <path>",
      "YAML/JSON file or directory with the NodePool and its EC2NodeClass (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .requiredOption("--nodepool <name>", "the NodePool")
    .requiredOption("--instance-type <type>", "the instance type, e.g. m5.large")
    .option("--cluster-name <name>", "EKS cluster name", "my-cluster")
    .option("--cluster-endpoint <url>", "API server endpoint")
    .option("--cluster-ca-bundle <base64>", "cluster CA bundle, base64 (as DescribeCluster returns it)")
    .option("--service-cidr <cidr>", "Service CIDR, IPv4 or IPv6", "10.100.0.0/16")
    .option("--kubernetes-version <minor>", "Kubernetes minor version, e.g. 1.36", "1.36")
    .action((flags: UserDataFlags) => {
      const userData = userDataCommand(flags, (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(userData);
    });
}
