// Logging: pino, JSON by default (what log pipelines want), pretty when a person watches a TTY.
// Components receive a child logger; nothing reaches for a global one.
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export type LogFormat = "json" | "pretty" | "auto";

export interface LoggingOptions {
  level: LevelWithSilent;
  format: LogFormat;
  /** Where JSON logs go; standard error by default so that command output stays clean. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggingOptions): Logger {
  const pretty = options.format === "pretty" || (options.format === "auto" && process.stderr.isTTY);
  const base = {
    level: options.level,
    base: { app: "rafter" },
    // Credentials must never reach the logs, whatever object a caller passes.
    redact: {
      paths: ["*.token", "*.password", "*.secretAccessKey", "*.authorization", "*.headers.authorization"],
      censor: "[redacted]",
    },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { destination: 2, colorize: true } },
    });
  }
  return pino(base, options.destination ?? pino.destination(2));
}
