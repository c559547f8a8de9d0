// `rafter plan`: placeholder registration; the planner issue implements it.
import type { Command } from "commander";

export function registerPlanCommand(program: Command): void {
  program.command("plan").description("plan capacity for pending pods offline");
}
