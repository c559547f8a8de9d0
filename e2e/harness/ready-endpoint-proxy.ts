// A Service with endpoint readiness, in miniature: a TCP pass-through proxy (TLS goes through untouched)
// that sends each new connection to whichever backend currently answers GET /readyz with 200, as
// kube-proxy does with a Service's ready endpoints. Readiness is polled every `pollMs` with the kubelet's
// probe defaults (1 s timeout; a ready backend is dropped after 3 failed probes in a row, or at once
// when it refuses connections — its process is gone). With no ready backend a new connection is closed
// at once (a Service without endpoints refuses connections).
// Connections already open stay with their backend until either side closes them.
import { connect, createServer, type Server, type Socket } from "node:net";
import { httpGet } from "../cluster/net.js";

export interface ProxyBackend {
  readonly name: string;
  /** Where the traffic goes (127.0.0.1). */
  readonly port: number;
  /** The backend's readiness probe, e.g. http://127.0.0.1:<metrics port>/readyz. */
  readonly readyUrl: string;
}

export interface ReadyEndpointProxyOptions {
  readonly port: number;
  readonly backends: readonly ProxyBackend[];
  readonly pollMs?: number;
  readonly log?: (message: string) => void;
}

export interface ReadyEndpointProxy {
  /** The backend new connections go to now (undefined: none ready). */
  readonly current: string | undefined;
  /** Connections forwarded per backend name, and refused for want of a ready backend. */
  readonly forwarded: ReadonlyMap<string, number>;
  readonly refused: number;
  close(): Promise<void>;
}

export async function startReadyEndpointProxy(
  options: ReadyEndpointProxyOptions,
): Promise<ReadyEndpointProxy> {
  const log = options.log ?? (() => undefined);
  const pollMs = options.pollMs ?? 250;
  const failureThreshold = 3;
  let current: ProxyBackend | undefined;
  let closed = false;
  let refused = 0;
  const forwarded = new Map<string, number>();
  const open = new Set<Socket>();

  const failures = new Map<ProxyBackend, number>();
  /** Probes once; a backend counts as ready until its third failure in a row (or a refused connection). */
  const probe = async (backend: ProxyBackend): Promise<boolean> => {
    let ok: boolean;
    let gone = false;
    try {
      ok = (await httpGet(backend.readyUrl, { timeoutMs: 1_000 })).status === 200;
    } catch (error) {
      ok = false;
      gone = (error as { code?: string }).code === "ECONNREFUSED";
    }
    failures.set(backend, ok ? 0 : gone ? failureThreshold : (failures.get(backend) ?? 0) + 1);
    return ok;
  };
  const poll = async (): Promise<void> => {
    const ready = await Promise.all(options.backends.map(probe));
    // Stay with the current backend while it is ready; otherwise the first ready one.
    const keep = current !== undefined && (failures.get(current) ?? 0) < failureThreshold;
    const next = keep ? current : options.backends.find((_, i) => ready[i] === true);
    if (next !== current) log(`ready endpoint: ${current?.name ?? "none"} → ${next?.name ?? "none"}`);
    current = next;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    void poll().finally(() => {
      if (!closed) timer = setTimeout(loop, pollMs);
    });
  };
  await poll();
  loop();

  const server: Server = createServer((client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => undefined);
    const backend = current;
    if (backend === undefined) {
      refused += 1;
      client.destroy();
      return;
    }
    forwarded.set(backend.name, (forwarded.get(backend.name) ?? 0) + 1);
    const upstream = connect({ host: "127.0.0.1", port: backend.port });
    open.add(upstream);
    upstream.once("close", () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => undefined);
    client.once("close", () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    get current() {
      return current?.name;
    },
    forwarded,
    get refused() {
      return refused;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const done = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      for (const socket of open) socket.destroy();
      await done;
    },
  };
}
