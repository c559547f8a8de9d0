// Serves an express app over HTTP or HTTPS. With TLS, the certificate and key are reloaded when their
// files change (cert-manager rotates them in place), and client certificates are verified against a
// CA when one is given, matching kube-scheduler's extender tlsConfig.
import { readFileSync, watchFile, unwatchFile } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logging.js";
import { errorMessage } from "../domain/error-message.js";

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile?: string };
  readonly logger: Logger;
  readonly name: string;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

function tlsMaterial(tls: NonNullable<ListenOptions["tls"]>) {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.clientCaFile
      ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true }
      : {}),
  };
}

export async function listen(app: RequestListener, options: ListenOptions): Promise<RunningServer> {
  const { tls, logger } = options;
  let server: Server | HttpsServer;
  const watched: string[] = [];
  if (tls) {
    const https = createHttpsServer(tlsMaterial(tls), app);
    server = https;
    const reload = () => {
      try {
        https.setSecureContext(tlsMaterial(tls));
        logger.info({ server: options.name }, "TLS certificate reloaded");
      } catch (error) {
        // Keep serving with the previous certificate; a half-written file is retried on the next change.
        logger.warn({ server: options.name, err: errorMessage(error) }, "TLS reload failed");
      }
    };
    for (const file of [tls.certFile, tls.keyFile, tls.clientCaFile]) {
      if (!file) continue;
      watchFile(file, { interval: 5_000 }, reload);
      watched.push(file);
    }
  } else {
    server = createHttpServer(app);
  }
  // Keep-alive longer than kube-scheduler's idle connections, so calls are not paid a TCP handshake each.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info(
    { server: options.name, port, tls: tls !== undefined, clientAuth: tls?.clientCaFile !== undefined },
    "listening",
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const file of watched) unwatchFile(file);
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
