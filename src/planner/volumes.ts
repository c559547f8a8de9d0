// Volume topology: a bound PV's node affinity and a WaitForFirstConsumer StorageClass's
// allowedTopologies become extra required node-selector terms (each group is ORed terms).
import type {
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from "@kubernetes/client-node";
import { requirementsFrom, type Requirements } from "../domain/requirements.js";
import { namespacedName, podKey } from "../domain/pod-key.js";
import { fail, ok, type Result } from "../domain/result.js";

export interface VolumeIndex {
  readonly claims: ReadonlyMap<string, V1PersistentVolumeClaim>;
  readonly volumes: ReadonlyMap<string, V1PersistentVolume>;
  readonly classes: ReadonlyMap<string, V1StorageClass>;
}

export function volumeIndex(
  claims: readonly V1PersistentVolumeClaim[],
  volumes: readonly V1PersistentVolume[],
  classes: readonly V1StorageClass[],
): VolumeIndex {
  return {
    claims: new Map(claims.map((c) => [podKey(c), c])),
    volumes: new Map(volumes.map((v) => [v.metadata?.name ?? "", v])),
    classes: new Map(classes.map((s) => [s.metadata?.name ?? "", s])),
  };
}

/** Requirement groups from the pod's claims (one group list per claim), or an actionable error. */
export type VolumeResult = Result<Requirements[][], string>;

/** Requirement groups from the pod's PVCs, or an actionable error. */
export function volumeRequirements(pod: V1Pod, index: VolumeIndex): VolumeResult {
  const namespace = pod.metadata?.namespace ?? "default";
  const groups: Requirements[][] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    const claimName = volume.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    const claim = index.claims.get(namespacedName(namespace, claimName));
    if (!claim) return fail(`persistentvolumeclaim "${claimName}" not found`);
    const pvName = claim.spec?.volumeName;
    if (pvName) {
      const pv = index.volumes.get(pvName);
      if (!pv) return fail(`persistentvolume "${pvName}" bound to claim "${claimName}" not found`);
      const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
      if (terms.length > 0) groups.push(terms.map((t) => requirementsFrom(t.matchExpressions)));
      continue;
    }
    const className = claim.spec?.storageClassName;
    const storageClass = className ? index.classes.get(className) : undefined;
    if (className && !storageClass)
      return fail(`storageclass "${className}" of claim "${claimName}" not found`);
    if (storageClass?.volumeBindingMode !== "WaitForFirstConsumer")
      return fail(`persistentvolumeclaim "${claimName}" is not bound and its StorageClass binds immediately`);
    const topologies = storageClass.allowedTopologies ?? [];
    if (topologies.length > 0)
      groups.push(
        topologies.map((t) =>
          requirementsFrom(
            (t.matchLabelExpressions ?? []).map((e) => ({ key: e.key, operator: "In", values: e.values })),
          ),
        ),
      );
  }
  return ok(groups);
}
