// Validation of rafter's objects outside the API server: the CRD's OpenAPI schema (via ajv) plus
// the rules the CRD states in CEL, re-stated here so that `rafter plan` rejects the same input the
// API server would, and the NodePool controller can report problems in status. The e2e tests check
// that the real API server and these rules agree on test/fixtures/invalid.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { aliasRule, parseAlias } from "./image-alias.js";
import { parseDuration } from "../domain/duration.js";
import { crdManifests } from "./crds/index.js";
import { labelKeys } from "./labels.js";
import type { NodeSelectorRequirementWithMinValues } from "./common.js";
import type { NodePool } from "./nodepool.js";
import type { EC2NodeClass } from "./ec2nodeclass.js";

type Kind = "NodePool" | "EC2NodeClass" | "VirtualNode";

const validators = new Map<Kind, ValidateFunction>();

function schemaOf(kind: Kind): unknown {
  for (const manifest of Object.values(crdManifests)) {
    const spec = manifest.spec as {
      names: { kind: string };
      versions: { schema: { openAPIV3Schema: unknown } }[];
    };
    if (spec.names.kind === kind) return spec.versions[0]?.schema.openAPIV3Schema;
  }
  throw new Error(`no CRD for ${kind}`);
}

function validatorFor(kind: Kind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    // strict: false lets ajv ignore the x-kubernetes-* keywords; the CEL rules are checked below.
    validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
      schemaOf(kind) as object,
    );
    validators.set(kind, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === "" ? "object" : error.instancePath.slice(1).replaceAll("/", ".");
  return `${where}: ${error.message ?? "is invalid"}`;
}

/** Problems with an object of one of rafter's kinds; empty when the API server would accept it. */
export function validateObject(kind: Kind, object: unknown): string[] {
  const validate = validatorFor(kind);
  const problems = validate(object) ? [] : (validate.errors ?? []).map(describe);
  if (problems.length > 0) return problems;
  if (kind === "NodePool") return nodePoolRuleProblems(object as NodePool);
  if (kind === "EC2NodeClass") return ec2NodeClassRuleProblems(object as EC2NodeClass);
  return [];
}

function requirementProblems(path: string, requirement: NodeSelectorRequirementWithMinValues): string[] {
  const values = requirement.values ?? [];
  const problems: string[] = [];
  if (requirement.operator === "In" && values.length === 0)
    problems.push(`${path}: requirements with operator 'In' must have a value defined`);
  if (
    (requirement.operator === "Gt" || requirement.operator === "Lt") &&
    !(values.length === 1 && /^-?\d+$/.test(values[0] ?? ""))
  )
    problems.push(
      `${path}: requirements with operator '${requirement.operator}' must have a single integer value`,
    );
  if (
    requirement.minValues !== undefined &&
    requirement.operator === "In" &&
    values.length < requirement.minValues
  )
    problems.push(`${path}: minValues ${requirement.minValues} exceeds the ${values.length} values given`);
  if ((requirement.operator === "Exists" || requirement.operator === "DoesNotExist") && values.length > 0)
    problems.push(`${path}: requirements with operator '${requirement.operator}' must not have values`);
  return problems;
}

function nodePoolRuleProblems(nodePool: NodePool): string[] {
  const problems: string[] = [];
  nodePool.spec.template.spec.requirements?.forEach((requirement, i) => {
    problems.push(...requirementProblems(`spec.template.spec.requirements[${i}]`, requirement));
  });
  nodePool.spec.disruption?.budgets?.forEach((budget, i) => {
    if ((budget.schedule === undefined) !== (budget.duration === undefined))
      problems.push(`spec.disruption.budgets[${i}]: 'schedule' must be set with 'duration'`);
    if (budget.duration !== undefined && parseDuration(budget.duration) === undefined)
      problems.push(`spec.disruption.budgets[${i}].duration: invalid duration`);
  });
  if (nodePool.spec.template.metadata?.labels?.[labelKeys.nodePool] !== undefined)
    problems.push(`spec.template.metadata.labels: label '${labelKeys.nodePool}' is set by rafter`);
  return problems;
}

function ec2NodeClassRuleProblems(nodeClass: EC2NodeClass): string[] {
  const problems: string[] = [];
  if ((nodeClass.spec.role === undefined) === (nodeClass.spec.instanceProfile === undefined))
    problems.push("spec: exactly one of 'role' or 'instanceProfile' must be set");
  nodeClass.spec.amiSelectorTerms.forEach((term, i) => {
    if (term.alias !== undefined && !parseAlias(term.alias).ok)
      problems.push(`spec.amiSelectorTerms[${i}].alias: ${aliasRule}`);
    if ((term.alias !== undefined || term.ssmParameter !== undefined) && Object.keys(term).length !== 1)
      problems.push(`spec.amiSelectorTerms[${i}]: 'alias' and 'ssmParameter' are each a term of their own`);
  });
  for (const key of Object.keys(nodeClass.spec.tags ?? {}))
    if (key.startsWith("rafter.dev/") || key === "Name")
      problems.push(`spec.tags: tag '${key}' is set by rafter`);
  return problems;
}
