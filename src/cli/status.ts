// `rafter status`: one look at the cluster from rafter's side — NodePools, in-flight and failed
// capacity, spend per hour and how close that spend is to the planner's lower bound. Lists each kind
// once (no watches), builds the report with status-report.ts and prints it with status-render.ts.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { apiGroup } from "../api/common.js";
import type { EC2NodeClass } from "../api/ec2nodeclass.js";
import type { NodePool } from "../api/nodepool.js";
import type { VirtualNode } from "../api/virtualnode.js";
import { loadEmbeddedCatalog } from "../catalog/embedded.js";
import { createKubeClients, loadKubeConfig, type KubeClients } from "../kube/clients.js";
import { loadLpSolver } from "../planner/index.js";
import { renderStatusJson, renderStatusTable } from "./status-render.js";
import {
  buildStatusReport,
  computeLowerBound,
  type LowerBoundResult,
  type StatusObjects,
} from "./status-report.js";
import { UsageError } from "./usage-error.js";
import { errorMessage } from "../domain/error-message.js";

interface StatusFlags {
  kubeconfig?: string;
  output: string;
}

/** An API request that failed: reported on one line, exit 1. */
class ListError extends Error {}

async function listed<T>(what: string, request: () => Promise<{ items: unknown[] }>): Promise<T[]> {
  try {
    return (await request()).items as T[];
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    const detail =
      typeof body === "string" && body.includes('"message"')
        ? String((JSON.parse(body) as { message?: unknown }).message)
        : errorMessage(error).split("\n")[0];
    throw new ListError(`cannot list ${what}: ${detail}`);
  }
}

function custom(clients: KubeClients, plural: string): () => Promise<{ items: unknown[] }> {
  return async () =>
    (await clients.custom.listClusterCustomObject({ group: apiGroup, version: "v1", plural })) as {
      items: unknown[];
    };
}

async function listStatusObjects(clients: KubeClients): Promise<StatusObjects> {
  const [nodePools, nodeClasses, virtualNodes, nodes, pods] = await Promise.all([
    listed<NodePool>("nodepools", custom(clients, "nodepools")),
    listed<EC2NodeClass>("ec2nodeclasses", custom(clients, "ec2nodeclasses")),
    listed<VirtualNode>("virtualnodes", custom(clients, "virtualnodes")),
    listed<V1Node>("nodes", () => clients.core.listNode()),
    listed<V1Pod>("pods", () => clients.core.listPodForAllNamespaces()),
  ]);
  return { nodePools, nodeClasses, virtualNodes, nodes, pods };
}

async function lowerBound(objects: StatusObjects): Promise<LowerBoundResult | undefined> {
  try {
    return computeLowerBound(objects, loadEmbeddedCatalog(), await loadLpSolver());
  } catch (error) {
    process.stderr.write(`rafter: efficiency not computed: ${errorMessage(error)}\n`);
    return undefined;
  }
}

async function run(flags: StatusFlags): Promise<void> {
  if (flags.output !== "table" && flags.output !== "json")
    throw new UsageError(`-o must be table or json (got "${flags.output}")`);
  const path = flags.kubeconfig ?? "";
  if (path !== "" && !existsSync(path)) throw new UsageError(`--kubeconfig ${path}: no such file`);
  let clients: KubeClients;
  try {
    clients = createKubeClients(loadKubeConfig(path));
  } catch (error) {
    throw new UsageError(`kubeconfig: ${errorMessage(error).split("\n")[0] ?? ""}`);
  }
  let objects: StatusObjects;
  try {
    objects = await listStatusObjects(clients);
  } catch (error) {
    if (!(error instanceof ListError)) throw error;
    process.stderr.write(`rafter: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const report = buildStatusReport(objects, Date.now(), await lowerBound(objects));
  process.stdout.write(flags.output === "json" ? renderStatusJson(report) : renderStatusTable(report));
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("summarise NodePools, in-flight capacity, spend per hour and the plan's efficiency")
    .option("--kubeconfig <path>", "kubeconfig (default: $KUBECONFIG, ~/.kube/config or in-cluster)")
    .option("-o, --output <format>", "table or json", "table")
    .action(async (flags: StatusFlags) => {
      await run(flags);
    });
}
