// rafter's runtime configuration: one table of settings, each with its flag, its RAFTER_* variable,
// its default and its validation. Flags win over the environment, which wins over defaults. The
// result is frozen; a bad value is a ConfigError naming the setting, which the CLI turns into exit 2.
import { formatDuration, parseDuration } from "./domain/duration.js";
import { UsageError } from "./usage-error.js";

export class ConfigError extends UsageError {}

type Parser<T> = (raw: string, name: string) => T;

interface Setting<T> {
  readonly flag: string;
  readonly description: string;
  readonly default: T;
  readonly parse: Parser<T>;
}

const durationMs: Parser<number> = (raw, name) => {
  const ms = parseDuration(raw);
  if (ms === undefined || ms < 0)
    throw new ConfigError(`--${name}: "${raw}" is not a duration (e.g. 500ms, 10s, 5m)`);
  return ms;
};
const durationOrNeverMs: Parser<number> = (raw, name) => (raw === "Never" ? Infinity : durationMs(raw, name));
const port: Parser<number> = (raw, name) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new ConfigError(`--${name}: "${raw}" is not a port number (0-65535)`);
  return value;
};
const text: Parser<string> = (raw) => raw;
const boolean: Parser<boolean> = (raw, name) => {
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(`--${name}: "${raw}" is not a boolean (true or false)`);
};
const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, name) => {
    if ((values as string[]).includes(raw)) return raw as T;
    throw new ConfigError(`--${name}: "${raw}" must be one of ${values.join(", ")}`);
  };
const nonEmpty: Parser<string> = (raw, name) => {
  if (raw.trim() === "") throw new ConfigError(`--${name} must not be empty`);
  return raw;
};

const httpsUrl: Parser<string> = (raw, name) => {
  if (raw === "") return raw;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:") throw new ConfigError(`--${name}: "${raw}" is not an https:// URL`);
  return raw;
};
const base64: Parser<string> = (raw, name) => {
  if (raw !== "" && !/^[A-Za-z0-9+/\s]+={0,2}$/.test(raw))
    throw new ConfigError(`--${name}: not base64 (give the PEM bundle base64-encoded, as EKS shows it)`);
  return raw.replace(/\s+/g, "");
};
const cidr: Parser<string> = (raw, name) => {
  const ipv4 = /^(\d{1,3})(\.\d{1,3}){3}\/(\d|[12]\d|3[0-2])$/;
  const ipv6 = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(\d{1,3})$/;
  if (raw !== "" && !ipv4.test(raw) && !ipv6.test(raw))
    throw new ConfigError(`--${name}: "${raw}" is not a CIDR (e.g. 10.100.0.0/16 or fd00::/108)`);
  return raw;
};

const setting = <T>(flag: string, description: string, defaultValue: T, parse: Parser<T>): Setting<T> => ({
  flag,
  description,
  default: defaultValue,
  parse,
});

/** Every setting of `rafter run`. The README's configuration reference is this table. */
export const settings = {
  clusterName: setting("cluster-name", "cluster name, used in instance tags", "rafter", nonEmpty),
  region: setting("region", "AWS region", "us-east-1", nonEmpty),
  cloud: setting("cloud", "cloud provider: aws or simulated", "aws", oneOf("aws", "simulated")),
  ec2Endpoint: setting("ec2-endpoint", "EC2 endpoint URL override (e.g. a moto server)", "", text),
  clusterEndpoint: setting(
    "cluster-endpoint",
    "API server URL nodes join (default: from eks:DescribeCluster)",
    "",
    httpsUrl,
  ),
  clusterCaBundle: setting(
    "cluster-ca-bundle",
    "cluster CA, base64 PEM (default: from eks:DescribeCluster, else the kubeconfig)",
    "",
    base64,
  ),
  serviceCidr: setting("service-cidr", "Service CIDR (default: from eks:DescribeCluster)", "", cidr),
  interruptionQueue: setting("interruption-queue", "SQS queue name for spot interruption events", "", text),
  kubeconfig: setting("kubeconfig", "kubeconfig path; in-cluster config when empty", "", text),
  batchIdle: setting("batch-idle", "provisioning batch idle window", 1000, durationMs),
  batchMax: setting("batch-max", "provisioning batch maximum window", 10_000, durationMs),
  extenderPort: setting("extender-port", "scheduler extender HTTP(S) port", 8443, port),
  extenderBind: setting("extender-bind", "address the extender listens on", "0.0.0.0", nonEmpty),
  tlsCertFile: setting("tls-cert-file", "extender TLS certificate (HTTPS when set)", "", text),
  tlsKeyFile: setting("tls-key-file", "extender TLS private key", "", text),
  tlsClientCaFile: setting(
    "tls-client-ca-file",
    "CA that client certificates must chain to (optional)",
    "",
    text,
  ),
  metricsPort: setting("metrics-port", "port of /metrics and health probes", 8080, port),
  leaderElect: setting("leader-elect", "run leader election on a Lease", true, boolean),
  leaderElectionNamespace: setting(
    "leader-election-namespace",
    "namespace of the leader Lease",
    "kube-system",
    nonEmpty,
  ),
  leaseDuration: setting("lease-duration", "leader lease duration", 15_000, durationMs),
  renewDeadline: setting("renew-deadline", "leader renew deadline", 10_000, durationMs),
  retryPeriod: setting("retry-period", "leader election retry period", 2_000, durationMs),
  launchTimeout: setting(
    "launch-timeout",
    "time a launch may take before it is abandoned",
    300_000,
    durationMs,
  ),
  registrationTimeout: setting(
    "registration-timeout",
    "time a node may take to register",
    900_000,
    durationMs,
  ),
  failedRetention: setting(
    "failed-retention",
    "how long a Failed VirtualNode stays visible (with its reason) after its instance is gone",
    300_000,
    durationMs,
  ),
  nodeRepairAfter: setting(
    "node-repair-after",
    "how long a node's Ready condition may be False or Unknown before it is replaced (Never: no repair)",
    1_800_000,
    durationOrNeverMs,
  ),
  gcGracePeriod: setting(
    "gc-grace-period",
    "age of an untracked instance before it is terminated",
    120_000,
    durationMs,
  ),
  logLevel: setting("log-level", "log level", "info", oneOf("trace", "debug", "info", "warn", "error")),
  logFormat: setting("log-format", "log format", "auto", oneOf("json", "pretty", "auto")),
} as const;

type Settings = typeof settings;
export type Config = { readonly [K in keyof Settings]: Settings[K]["default"] };

/** A setting's default as documented: durations as flags take them ("30m"), empty strings as (empty). */
export function describeDefault(flag: string, value: unknown): string {
  if (value === Infinity) return "Never";
  if (typeof value === "number" && !flag.endsWith("port")) return formatDuration(value);
  return value === "" ? "(empty)" : String(value);
}

/** The environment variable of a setting: --batch-idle → RAFTER_BATCH_IDLE. */
export function envName(flag: string): string {
  return `RAFTER_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/**
 * Resolves the configuration. `flags` holds raw strings keyed by flag name, as given on the
 * command line; `env` is the process environment.
 */
export function resolveConfig(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(settings) as [keyof Settings, Setting<unknown>][]) {
    const raw = flags[spec.flag] ?? env[envName(spec.flag)];
    out[key] = raw === undefined ? spec.default : spec.parse(raw, spec.flag);
  }
  const config = out as Config;
  if (config.batchIdle > config.batchMax)
    throw new ConfigError(
      `--batch-idle (${config.batchIdle}ms) must not exceed --batch-max (${config.batchMax}ms)`,
    );
  if ((config.tlsCertFile === "") !== (config.tlsKeyFile === ""))
    throw new ConfigError("--tls-cert-file and --tls-key-file must be given together");
  if (config.renewDeadline >= config.leaseDuration)
    throw new ConfigError("--renew-deadline must be shorter than --lease-duration");
  return Object.freeze(config);
}
