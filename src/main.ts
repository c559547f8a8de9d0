// Composition root: config → logger → clients → controllers + extender server → shutdown.
import type { Config } from "./config.js";
import { createLogger } from "./logging.js";

export async function runRafter(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  logger.info({ clusterName: config.clusterName, region: config.region }, "rafter starting");
  await Promise.resolve();
}
