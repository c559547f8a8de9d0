// `rafter run`: resolves the configuration from flags and RAFTER_* variables, then starts the
// controllers and the extender server (src/main.ts) until SIGTERM or SIGINT aborts its signal, and
// exits with the code it returns (1 after lost leadership).
import type { Command } from "commander";
import { describeDefault, envName, resolveConfig, settings } from "../config.js";

export function registerRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description("run the provisioner, the lifecycle controllers and the scheduler extender");
  for (const spec of Object.values(settings)) {
    command.option(
      `--${spec.flag} <value>`,
      `${spec.description} (env ${envName(spec.flag)}, default ${describeDefault(spec.flag, spec.default)})`,
    );
  }
  command.action(async (options: Record<string, string | undefined>) => {
    const flags: Record<string, string | undefined> = {};
    for (const spec of Object.values(settings)) flags[spec.flag] = options[camel(spec.flag)];
    const config = resolveConfig(flags, process.env);
    const { runRafter } = await import("../main.js");
    const stop = new AbortController();
    for (const signal of ["SIGTERM", "SIGINT"] as const)
      process.once(signal, () => {
        stop.abort(signal);
      });
    const code = await runRafter(config, { signal: stop.signal, env: process.env });
    // Stopped in order (lease released, servers closed, watches ended). Work still in flight, such as
    // a launch's retry timer or an SQS long poll, is abandoned rather than waited for: the next
    // leader resumes it from the VirtualNodes.
    process.exit(code);
  });
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
