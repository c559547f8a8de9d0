// A fault-injecting HTTP proxy in front of moto's EC2 server. moto never runs out of capacity and
// never throttles, so this proxy makes those answers happen over the wire, in EC2's own formats:
// - throttling: HTTP 503 with an EC2 XML <Response><Errors> body, code RequestLimitExceeded;
// - insufficient capacity in CreateFleet: the failing overrides are removed from the request before
//   moto sees it, and reported back inside the 200 answer's errorSet, as EC2 does for instant
//   fleets (when nothing is left, the answer holds only errors and no instance).
// Every request is recorded (action, form parameters, status, latency) for assertions.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface CapturedRequest {
  readonly action: string;
  readonly params: URLSearchParams;
  readonly status: number;
  readonly durationMs: number;
  readonly injected?: "throttle" | "capacity" | "lost";
  /** The X-Amz-Target header of JSON-protocol requests (e.g. SSM sent to the same endpoint), which have no Action. */
  readonly target?: string;
}

export interface CapacityRule {
  readonly instanceType: string;
  /** Only this subnet (i.e. zone); every subnet when absent. */
  readonly subnetId?: string;
  readonly code?: string;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly requests: CapturedRequest[];
  /** The next `count` requests (of `action`, or any) answer 503 RequestLimitExceeded. */
  throttle(count: number, action?: string): void;
  /**
   * The next `count` requests of `action` reach moto, but their answers are lost (the connection
   * is cut): the caller cannot know whether it worked — a crash between request and answer.
   */
  loseAnswers(count: number, action: string): void;
  /** CreateFleet overrides matching the rule fail until cleared. */
  failCapacity(rule: CapacityRule): void;
  clearFaults(): void;
  /** Captured requests of one action. */
  calls(action: string): CapturedRequest[];
  close(): Promise<void>;
}

const throttleBody =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>';

const escapeXml = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

interface Override {
  fields: Map<string, string>;
}
interface LaunchConfig {
  fields: Map<string, string>;
  overrides: Override[];
}

/** Splits the LaunchTemplateConfigs.N.* parameters of a CreateFleet request into a structure. */
function parseConfigs(params: URLSearchParams): { configs: LaunchConfig[]; rest: [string, string][] } {
  const byIndex = new Map<
    number,
    { fields: Map<string, string>; overrides: Map<number, Map<string, string>> }
  >();
  const rest: [string, string][] = [];
  for (const [key, value] of params) {
    const config = /^LaunchTemplateConfigs\.(\d+)\.(.+)$/.exec(key);
    if (!config) {
      rest.push([key, value]);
      continue;
    }
    const index = Number(config[1]);
    const entry = byIndex.get(index) ?? {
      fields: new Map<string, string>(),
      overrides: new Map<number, Map<string, string>>(),
    };
    byIndex.set(index, entry);
    const inner = config[2] ?? "";
    const override = /^Overrides\.(\d+)\.(.+)$/.exec(inner);
    if (override) {
      const o = Number(override[1]);
      const fields = entry.overrides.get(o) ?? new Map<string, string>();
      fields.set(override[2] ?? "", value);
      entry.overrides.set(o, fields);
    } else {
      entry.fields.set(inner, value);
    }
  }
  const configs = [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, entry]) => ({
      fields: entry.fields,
      overrides: [...entry.overrides.entries()].sort(([a], [b]) => a - b).map(([, fields]) => ({ fields })),
    }));
  return { configs, rest };
}

function serializeConfigs(configs: LaunchConfig[], rest: [string, string][]): URLSearchParams {
  const out = new URLSearchParams(rest);
  configs.forEach((config, i) => {
    for (const [key, value] of config.fields) out.append(`LaunchTemplateConfigs.${i + 1}.${key}`, value);
    config.overrides.forEach((override, j) => {
      for (const [key, value] of override.fields) {
        out.append(`LaunchTemplateConfigs.${i + 1}.Overrides.${j + 1}.${key}`, value);
      }
    });
  });
  return out;
}

function errorItem(config: LaunchConfig, override: Override, lifecycle: string, code: string): string {
  const name = config.fields.get("LaunchTemplateSpecification.LaunchTemplateName") ?? "";
  const version = config.fields.get("LaunchTemplateSpecification.Version") ?? "";
  const type = override.fields.get("InstanceType") ?? "";
  const subnet = override.fields.get("SubnetId") ?? "";
  return (
    `<item><launchTemplateAndOverrides><launchTemplateSpecification><launchTemplateName>${escapeXml(name)}</launchTemplateName>` +
    `<version>${escapeXml(version)}</version></launchTemplateSpecification><overrides><instanceType>${escapeXml(type)}</instanceType>` +
    `<subnetId>${escapeXml(subnet)}</subnetId></overrides></launchTemplateAndOverrides><lifecycle>${lifecycle}</lifecycle>` +
    `<errorCode>${escapeXml(code)}</errorCode><errorMessage>We currently do not have sufficient ${escapeXml(type)} capacity in the Availability Zone you requested.</errorMessage></item>`
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const requests: CapturedRequest[] = [];
  let throttles: { count: number; action?: string | undefined }[] = [];
  let capacityRules: CapacityRule[] = [];
  let losses: { count: number; action: string }[] = [];

  const forward = async (
    request: IncomingMessage,
    body: string,
  ): Promise<{ status: number; type: string; text: string }> => {
    const headers = new Headers();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value === undefined || ["host", "content-length", "connection"].includes(key)) continue;
      headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const response = await fetch(`${target}${request.url ?? "/"}`, {
      method: request.method ?? "GET",
      headers,
      ...(request.method === "GET" || request.method === "HEAD" ? {} : { body }),
    });
    return {
      status: response.status,
      type: response.headers.get("content-type") ?? "text/xml",
      text: await response.text(),
    };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const body = await readBody(request);
    const params = new URLSearchParams(body);
    const action = params.get("Action") ?? "";
    const targetHeader = request.headers["x-amz-target"];
    const target = typeof targetHeader === "string" ? { target: targetHeader } : {};
    const reply = (
      status: number,
      type: string,
      text: string,
      injected?: CapturedRequest["injected"],
    ): void => {
      requests.push({
        action,
        params,
        status,
        durationMs: performance.now() - started,
        ...(injected ? { injected } : {}),
        ...target,
      });
      response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
      response.end(text);
    };

    const throttle = throttles.find((t) => t.count > 0 && (t.action === undefined || t.action === action));
    if (throttle) {
      throttle.count--;
      reply(503, "text/xml", throttleBody, "throttle");
      return;
    }
    if (action === "CreateFleet" && capacityRules.length > 0) {
      const { configs, rest } = parseConfigs(params);
      const lifecycle = params.get("TargetCapacitySpecification.DefaultTargetCapacityType") ?? "on-demand";
      const errors: string[] = [];
      const kept: LaunchConfig[] = [];
      for (const config of configs) {
        const overrides = config.overrides.filter((override) => {
          const rule = capacityRules.find(
            (r) =>
              r.instanceType === override.fields.get("InstanceType") &&
              (r.subnetId === undefined || r.subnetId === override.fields.get("SubnetId")),
          );
          if (rule)
            errors.push(errorItem(config, override, lifecycle, rule.code ?? "InsufficientInstanceCapacity"));
          return !rule;
        });
        if (overrides.length > 0) kept.push({ fields: config.fields, overrides });
      }
      if (errors.length > 0) {
        const errorSet = `<errorSet>${errors.join("")}</errorSet>`;
        if (kept.length === 0) {
          reply(
            200,
            "text/xml",
            `<?xml version="1.0" encoding="UTF-8"?>\n<CreateFleetResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>00000000-0000-0000-0000-000000000001</requestId><fleetId>fleet-00000000-0000-0000-0000-000000000000</fleetId>${errorSet}<fleetInstanceSet/></CreateFleetResponse>`,
            "capacity",
          );
          return;
        }
        const upstream = await forward(request, serializeConfigs(kept, rest).toString());
        const text = upstream.text
          .replace(/<errorSet\s*\/>|<errorSet>\s*<\/errorSet>/, "")
          .replace(/(<\/fleetId>)/, `$1${errorSet}`);
        reply(upstream.status, upstream.type, text, "capacity");
        return;
      }
    }
    const upstream = await forward(request, body);
    const loss = losses.find((l) => l.count > 0 && l.action === action);
    if (loss) {
      loss.count--;
      requests.push({
        action,
        params,
        status: upstream.status,
        durationMs: performance.now() - started,
        injected: "lost",
        ...target,
      });
      request.socket.destroy();
      return;
    }
    reply(upstream.status, upstream.type, upstream.text);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests,
    throttle(count, action) {
      throttles.push({ count, action });
    },
    loseAnswers(count, action) {
      losses.push({ count, action });
    },
    failCapacity(rule) {
      capacityRules.push(rule);
    },
    clearFaults() {
      throttles = [];
      capacityRules = [];
      losses = [];
    },
    calls(action) {
      return requests.filter((r) => r.action === action);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
