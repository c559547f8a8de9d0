// Bottlerocket user data: TOML settings. rafter's `settings.kubernetes` keys (cluster, kubelet
// settings, labels, taints) are merged over the user's TOML — theirs kept where rafter says
// nothing, rafter's winning where both speak — and the result is rendered by the TOML library.
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { clusterDnsIp } from "./cluster-dns.js";
import { kubeletSettableLabels } from "./kubelet-labels.js";
import type { NodeUserDataInput } from "./input.js";

export type BottlerocketResult =
  { readonly ok: true; readonly userData: string } | { readonly ok: false; readonly message: string };

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** Deep merge of TOML tables; `over` wins on every key it sets (arrays and values replace). */
export function mergeTables(base: Table, over: Table): Table {
  const out: Table = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTable(current) && isTable(value) ? mergeTables(current, value) : value;
  }
  return out;
}

/** Bottlerocket node-taints: key → ["value:Effect", …]. */
function nodeTaints(input: NodeUserDataInput): Table {
  const taints: Record<string, string[]> = {};
  for (const taint of input.taints) (taints[taint.key] ??= []).push(`${taint.value ?? ""}:${taint.effect}`);
  return taints;
}

/** rafter's settings for a Bottlerocket node. */
export function bottlerocketSettings(input: NodeUserDataInput, clusterDns: string): Table {
  const kubernetes: Table = {
    "cluster-name": input.bootstrap.clusterName,
    "api-server": input.bootstrap.apiServerEndpoint,
    "cluster-certificate": input.bootstrap.certificateAuthority,
    "cluster-dns-ip": clusterDns,
    "max-pods": input.kubelet.maxPods,
    "node-labels": kubeletSettableLabels(input.labels),
    "node-taints": nodeTaints(input),
    "system-reserved": { ...input.kubelet.systemReserved },
    "kube-reserved": { ...input.kubelet.kubeReserved },
    "eviction-hard": { ...input.kubelet.evictionHard },
  };
  return { settings: { kubernetes } };
}

export function renderBottlerocketUserData(input: NodeUserDataInput): BottlerocketResult {
  const dns = clusterDnsIp(input.bootstrap.serviceCidr);
  if (!dns.ok) return dns;
  let user: Table = {};
  if (input.custom !== undefined && input.custom.trim() !== "") {
    try {
      user = parseToml(input.custom);
    } catch (error) {
      return {
        ok: false,
        message: `userData is not TOML, as Bottlerocket needs: ${(error as Error).message}`,
      };
    }
  }
  const merged = mergeTables(user, bottlerocketSettings(input, dns.ip));
  return { ok: true, userData: stringifyToml(merged) };
}
