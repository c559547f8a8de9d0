// A throw-away PKI made with openssl: one CA (also kube-controller-manager's cluster-signing pair),
// serving certificates signed by it, and the service-account key pair. Everything lives in `dir`
// and dies with the cluster.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly dir: string;
  readonly ca: CertPair;
  /** Service-account token signing key (private) and verification key (public). */
  readonly serviceAccount: { readonly privateKey: string; readonly publicKey: string };
  /** Issues a serving certificate for 127.0.0.1/localhost plus the extra SANs. */
  serving(name: string, sans?: readonly string[]): Promise<CertPair>;
  /**
   * Issues a client certificate: the API server reads CN as the user and each O as a group (a node
   * is CN=system:node:<name>, O=system:nodes).
   */
  client(name: string, commonName: string, organizations?: readonly string[]): Promise<CertPair>;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  try {
    await run("openssl", args, { cwd: dir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0] ?? ""} failed: ${stderr.trim()}`, { cause: error });
  }
}

export async function createPki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  const ca: CertPair = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  await openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca.key);
  await openssl(
    dir,
    "req",
    "-x509",
    "-new",
    "-key",
    ca.key,
    "-sha256",
    "-days",
    "7",
    "-subj",
    "/CN=rafter-e2e-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    "-out",
    ca.cert,
  );
  const serviceAccount = { privateKey: join(dir, "sa.key"), publicKey: join(dir, "sa.pub") };
  await openssl(dir, "genrsa", "-out", serviceAccount.privateKey, "2048");
  await openssl(dir, "rsa", "-in", serviceAccount.privateKey, "-pubout", "-out", serviceAccount.publicKey);

  const issue = async (name: string, subject: string, extensions: readonly string[]): Promise<CertPair> => {
    const pair: CertPair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, [...extensions, ""].join("\n"));
    await openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pair.key);
    await openssl(dir, "req", "-new", "-key", pair.key, "-subj", subject, "-out", csr);
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-set_serial",
      `0x${randomBytes(8).toString("hex")}`,
      "-days",
      "7",
      "-sha256",
      "-extfile",
      ext,
      "-out",
      pair.cert,
    );
    return pair;
  };
  const serving = (name: string, sans: readonly string[] = []): Promise<CertPair> =>
    issue(name, `/CN=${name}`, [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=${["IP:127.0.0.1", "DNS:localhost", ...sans].join(",")}`,
    ]);
  const client = (
    name: string,
    commonName: string,
    organizations: readonly string[] = [],
  ): Promise<CertPair> =>
    issue(name, [...organizations.map((o) => `/O=${o}`), `/CN=${commonName}`].join(""), [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=clientAuth",
    ]);

  return { dir, ca, serviceAccount, serving, client };
}
