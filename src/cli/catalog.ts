// `rafter catalog`: placeholder registration; the EC2/catalogue issue implements it.
import type { Command } from "commander";

export function registerCatalogCommand(program: Command): void {
  program.command("catalog").description("list the instance catalogue with prices");
}
