#!/usr/bin/env node
// The `rafter` command line: run (controller + extender), plan (offline planner), catalog, status, version.
// Usage errors (a bad flag, an invalid configuration) print one line and exit 2.
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config.js";
import { registerCatalogCommand } from "./catalog.js";
import { registerMigrateCommand } from "./migrate.js";
import { registerPlanCommand } from "./plan.js";
import { registerRunCommand } from "./run.js";
import { registerStatusCommand } from "./status.js";
import { registerVersionCommand } from "./version.js";
import { UsageError } from "./usage-error.js";

export function buildProgram(): Command {
  const program = new Command("rafter")
    .description("Just-in-time node autoscaler for Kubernetes on AWS, as a kube-scheduler extender")
    .showHelpAfterError(false)
    .exitOverride();
  registerRunCommand(program);
  registerPlanCommand(program);
  registerCatalogCommand(program);
  registerStatusCommand(program);
  registerVersionCommand(program);
  registerMigrateCommand(program);
  // Subcommands inherit the override so that their usage errors also reach the handler below.
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.help" ||
        error.code === "commander.version"
      )
        return 0;
      return 2; // commander already printed its one-line message
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`rafter: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(
      `rafter: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

process.exitCode = await main(process.argv);
