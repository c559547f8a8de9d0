// Karpenter's well-known label keys (api/karpenter-labels.ts) read as the rafter.dev/ keys they alias,
// where the planner turns a pod's or NodePool's selectors into requirements: a pod written for
// Karpenter selects the same capacity as one written for rafter. Inputs without such a key pass as
// they are (no copy).
import { canonicalLabelKey } from "../api/karpenter-labels.js";
import { requirementsFrom, type RequirementInput, type Requirements } from "../domain/requirements.js";

export function aliasedRequirementsFrom(
  inputs: readonly RequirementInput[] | undefined | null,
): Requirements {
  if (!inputs?.some((input) => canonicalLabelKey(input.key) !== input.key)) return requirementsFrom(inputs);
  return requirementsFrom(inputs.map((input) => ({ ...input, key: canonicalLabelKey(input.key) })));
}

/** Labels as requirements (key In [value]) with aliased keys; a key given in both spellings intersects. */
export function aliasedRequirementsFromLabels(
  labels: Readonly<Record<string, string>> | undefined | null,
): Requirements {
  return aliasedRequirementsFrom(
    Object.entries(labels ?? {}).map(([key, value]) => ({ key, operator: "In", values: [value] })),
  );
}
