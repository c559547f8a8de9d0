// Decides, per disruption round, whether a candidate has drifted (drift.ts's template and node class
// checks, then the cloud provider's comparison of what the EC2NodeClass resolves to, cached for a few
// minutes since it costs EC2 calls — but only for one version of the EC2NodeClass: a changed (or
// reverted) EC2NodeClass is judged afresh in the next round), and keeps the VirtualNode's Drifted
// condition saying so.
import type { EC2NodeClass } from "../../api/ec2nodeclass.js";
import { setCondition } from "../virtual-node-status.js";
import type { Candidate } from "./candidates.js";
import type { LifecycleDeps } from "./deps.js";
import { driftMessage, nodeClassDrift, templateDrift } from "./drift.js";

const cloudDriftCheckMs = 5 * 60_000;

export class DriftDetector {
  private readonly cloudDrift = new Map<string, { checkedAt: number; version: string; reason?: string }>();

  constructor(private readonly deps: LifecycleDeps) {}

  /** Why the candidate drifted, or undefined; the VirtualNode's Drifted condition is updated. */
  async reasonFor(candidate: Candidate): Promise<string | undefined> {
    const reason =
      templateDrift(candidate.nodePool, candidate.virtualNode, candidate.node) ??
      nodeClassDrift(this.nodeClassOf(candidate), candidate.virtualNode) ??
      (await this.cloudDrifted(candidate));
    await this.recordDrift(candidate, reason);
    return reason;
  }

  private nodeClassOf(candidate: Candidate): EC2NodeClass | undefined {
    const name = candidate.nodePool.spec.template.spec.nodeClassRef.name;
    return this.deps.reader.nodeClasses().find((nc) => nc.metadata.name === name);
  }

  /** The VirtualNode's Drifted condition says whether and why, as `kubectl get vn -o wide` shows. */
  private async recordDrift(candidate: Candidate, reason: string | undefined): Promise<void> {
    const status = candidate.virtualNode.status ?? {};
    const current = status.conditions?.find((c) => c.type === "Drifted");
    if (reason === undefined && current?.status !== "True") return;
    if (reason !== undefined && current?.status === "True" && current.reason === reason) return;
    const next = setCondition(
      status,
      reason === undefined
        ? { type: "Drifted", status: "False", reason: "NotDrifted" }
        : { type: "Drifted", status: "True", reason, message: driftMessage(reason) },
      this.deps.clock.now(),
    );
    const result = await this.deps.virtualNodes.patchStatus(candidate.key, next);
    if (!result.ok && result.error.kind !== "not-found")
      this.deps.logger.warn({ key: candidate.key, error: result.error.message }, "could not record drift");
  }

  private async cloudDrifted(candidate: Candidate): Promise<string | undefined> {
    const now = this.deps.clock.now();
    const nodeClass = this.nodeClassOf(candidate);
    if (!nodeClass) return undefined;
    const version = nodeClassVersion(nodeClass);
    const cached = this.cloudDrift.get(candidate.key);
    if (cached?.version === version && now - cached.checkedAt < cloudDriftCheckMs) return cached.reason;
    const result = await this.deps.cloud.isDrifted(candidate.virtualNode, nodeClass);
    const reason = result.ok ? result.value : undefined;
    this.cloudDrift.set(candidate.key, { checkedAt: now, version, ...(reason ? { reason } : {}) });
    return reason;
  }
}

/**
 * The version of the EC2NodeClass's spec a verdict was reached for (the AWS provider keys its
 * resolution of the selector terms the same way; status updates do not count).
 */
function nodeClassVersion(nodeClass: EC2NodeClass): string {
  const meta = nodeClass.metadata;
  return `${meta.uid ?? meta.name ?? ""}/${meta.generation ?? 0}`;
}
