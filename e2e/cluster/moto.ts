// moto's standalone server as EC2 on loopback. `reset` wipes every resource (POST /moto-api/reset);
// the default VPC, subnets and AMIs come back with the next request.
import { motoPythonPath } from "../../test/support/moto.js";
import type { Layout } from "./layout.js";
import { freePort, httpGet, waitFor } from "./net.js";
import type { ManagedProcess, Supervisor } from "./process.js";

export interface Moto {
  readonly process: ManagedProcess;
  readonly endpoint: string;
  reset(): Promise<void>;
}

export async function startMoto(supervisor: Supervisor, binary: string, layout: Layout): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const process = supervisor.start({
    name: "moto",
    command: binary,
    args: ["-H", "127.0.0.1", "-p", String(port)],
    env: {
      ...globalThis.process.env,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_DEFAULT_REGION: "us-east-1",
      PYTHONUNBUFFERED: "1",
      // lets the seed put the EKS image parameters AWS publishes (moto refuses /aws/ names otherwise)
      PYTHONPATH: motoPythonPath,
    },
    logFile: layout.log("moto"),
  });
  await waitFor(
    "moto server",
    async () => (await httpGet(`${endpoint}/moto-api/data.json`, { timeoutMs: 2_000 })).status === 200,
    { timeoutMs: 60_000, process },
  );
  return {
    process,
    endpoint,
    reset: async () => {
      // Wiping thousands of resources (13 leaves 1 000 instances behind) takes moto seconds, more on
      // a busy machine; 5 s was not always enough
      const result = await httpGet(`${endpoint}/moto-api/reset`, {
        method: "POST",
        body: "",
        timeoutMs: 60_000,
      });
      if (result.status !== 200) throw new Error(`moto reset: HTTP ${result.status} ${result.body}`);
    },
  };
}
