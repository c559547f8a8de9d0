// Prints the configuration reference (a Markdown table) from the settings table in src/config.ts.
// The README embeds this output between markers; a unit test keeps the two identical.
import { describeDefault, envName, settings } from "../src/config.js";

export function configReference(): string {
  const rows = Object.values(settings).map((spec) => {
    const shown = describeDefault(spec.flag, spec.default);
    return `| \`--${spec.flag}\` | \`${envName(spec.flag)}\` | \`${shown}\` | ${spec.description} |`;
  });
  return ["| flag | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) console.log(configReference());
