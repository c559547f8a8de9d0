// `rafter version`: the package version and the runtime it runs on.
import type { Command } from "commander";
import { rafterVersion } from "../version.js";

export function registerVersionCommand(program: Command): void {
  program.version(rafterVersion, "--version", "print the version");
  program
    .command("version")
    .description("print rafter's version")
    .action(() => {
      process.stdout.write(
        `rafter ${rafterVersion} (node ${process.version}, ${process.platform}/${process.arch})\n`,
      );
    });
}
