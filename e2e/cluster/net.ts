// Loopback networking helpers: free ports, HTTP(S) probes and polling with a deadline.
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import type { ManagedProcess } from "./process.js";

const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago and was not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        const found = typeof address === "object" && address !== null ? address.port : 0;
        server.close(() => {
          resolve(found);
        });
      });
    });
    if (port !== 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => {
      resolve(true);
    });
    server.listen(port, "127.0.0.1", () => {
      server.close(() => {
        resolve(false);
      });
    });
  });
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

export interface HttpOptions {
  readonly method?: string;
  readonly ca?: string | Buffer;
  /** Accept any server certificate (the components' self-signed health endpoints). */
  readonly insecure?: boolean;
  readonly token?: string;
  readonly body?: string;
  readonly timeoutMs?: number;
}

/** A small HTTP(S) client: resolves with status and body, rejects on connection errors. */
export async function httpGet(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? "GET",
        headers,
        ca: options.ca,
        rejectUnauthorized: options.insecure !== true,
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => {
      req.destroy(new Error(`timeout after ${options.timeoutMs ?? 5_000}ms: ${url}`));
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Fail at once, with its log tail, when this process exits while waiting. */
  readonly process?: ManagedProcess;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Polls `check` until it returns a value other than undefined/false. Errors thrown by `check` count
 * as "not yet"; the last one is reported on timeout.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const proc = options.process;
    if (proc !== undefined && !proc.running)
      throw new Error(
        `${proc.describeExit()} while waiting for ${what}; log ${proc.spec.logFile}:\n${proc.logTail()}`,
      );
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : "";
      const logs = proc !== undefined ? `; log ${proc.spec.logFile}:\n${proc.logTail()}` : "";
      throw new Error(`timed out after ${options.timeoutMs}ms waiting for ${what}${reason}${logs}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/** Waits until an HTTP(S) endpoint answers 200. */
export async function waitForHttpOk(
  what: string,
  url: string,
  http: HttpOptions,
  wait: WaitOptions,
): Promise<void> {
  await waitFor(
    what,
    async () => {
      const result = await httpGet(url, { ...http, timeoutMs: 2_000 });
      if (result.status !== 200) throw new Error(`HTTP ${result.status}: ${result.body.slice(0, 200)}`);
      return true;
    },
    wait,
  );
}
