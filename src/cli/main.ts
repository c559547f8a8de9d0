#!/usr/bin/env node
// The `rafter` command line: run (controller + extender), plan (offline planner), catalog, status, version.
// Usage errors (a bad flag, an invalid configuration or input file: UsageError) print one line and
// exit 2; any other failure prints one line and exits 1 (with its stack at --log-level debug).
import { Command, CommanderError } from "commander";
import { registerCatalogCommand } from "./catalog.js";
import { registerMigrateCommand } from "./migrate.js";
import { registerPlanCommand } from "./plan.js";
import { registerRunCommand } from "./run.js";
import { registerStatusCommand } from "./status.js";
import { registerUserDataCommand } from "./userdata.js";
import { registerVersionCommand } from "./version.js";
import { UsageError } from "../usage-error.js";

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
  registerUserDataCommand(program);
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
    if (error instanceof UsageError) {
      process.stderr.write(`rafter: ${error.message}\n`);
      return 2;
    }
    // A failure rafter did not foresee: one line, with the stack only when debugging.
    process.stderr.write(`rafter: ${describeFailure(error, debugging(argv, process.env))}\n`);
    return 1;
  }
}

function debugging(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const level =
    argv.find((_arg, i) => argv[i - 1] === "--log-level") ??
    argv.find((arg) => arg.startsWith("--log-level="))?.slice("--log-level=".length) ??
    env.RAFTER_LOG_LEVEL;
  return level === "debug" || level === "trace";
}

function describeFailure(error: unknown, withStack: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (withStack && error.stack) return error.stack;
  return error.message.split("\n")[0] ?? error.name;
}

process.exitCode = await main(process.argv);
