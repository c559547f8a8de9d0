// `node --import tsx e2e/up.ts [--no-rafter]`: brings the local cluster up (and rafter, unless
// --no-rafter), prints how to reach it and keeps it running until Ctrl-C, which tears it down.
import { startCluster } from "./cluster/cluster.js";
import { ensureToolchain } from "./cluster/toolchain.js";
import { newRunDir, repoRoot } from "./paths.js";

const withRafter = !process.argv.includes("--no-rafter");
const toolchain = await ensureToolchain(repoRoot);
const cluster = await startCluster({
  repoRoot,
  toolchain,
  dir: newRunDir("up"),
  log: (line) => {
    process.stdout.write(`cluster: ${line}\n`);
  },
});
if (withRafter) {
  try {
    await cluster.rafter.start();
  } catch (error) {
    process.stdout.write(`rafter did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
process.stdout.write(
  [
    `cluster up in ${cluster.timings.total?.toFixed(1) ?? "?"}s`,
    `  export KUBECONFIG=${cluster.kubeconfig}`,
    `  ${cluster.kubectl.commandLine(["get", "nodes,virtualnodes"])}`,
    `  rafter:  ${withRafter ? `${cluster.rafter.metricsUrl}/metrics, extender ${cluster.rafter.extenderUrl}` : "not started"}`,
    `  EC2:     ${cluster.moto.endpoint}`,
    `  logs:    ${cluster.layout.logs}`,
    `  details: ${cluster.layout.root}/cluster.json`,
    "Ctrl-C stops everything.",
    "",
  ].join("\n"),
);
await new Promise<never>(() => undefined);
