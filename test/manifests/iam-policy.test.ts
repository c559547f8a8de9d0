// manifests/iam/policy.json cannot drift from the code: every AWS SDK command class src/ imports from an
// @aws-sdk/client-* package needs its IAM action (plus the actions AWS checks on its behalf), and the
// policy grants nothing else. Mutations are scoped by the cluster tag rafter puts on what it creates.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { tagKeys } from "../../src/cloud/provider.js";
import { createFleetInput } from "../../src/cloud/aws/fleet.js";

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const root = new URL("../../", import.meta.url).pathname;
const policy = JSON.parse(readFileSync(join(root, "manifests/iam/policy.json"), "utf8")) as {
  Version: string;
  Statement: Statement[];
};
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/**
 * Actions AWS authorizes for a call besides the call's own action. CreateFleet launches through
 * RunInstances with the caller's permissions, tags what it creates (CreateTags with ec2:CreateAction)
 * and passes the node role of the launch template's instance profile; CreateLaunchTemplate tags the
 * template. A command missing from this table needs only its own action.
 */
const impliedActions: Readonly<Record<string, readonly string[]>> = {
  "ec2:CreateFleet": ["ec2:RunInstances", "ec2:CreateTags", "iam:PassRole"],
  "ec2:CreateLaunchTemplate": ["ec2:CreateTags"],
  // Putting a role in an instance profile passes the role (to EC2, when the profile is used).
  "iam:AddRoleToInstanceProfile": ["iam:PassRole"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return entry.endsWith(".ts") ? [path] : [];
  });
}

/** `service:Action` for every SDK command class imported as a value in src/ (type-only imports call nothing). */
function commandsUsedBySource(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const importPattern = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g;
  for (const file of sourceFiles(join(root, "src"))) {
    for (const match of readFileSync(file, "utf8").matchAll(importPattern)) {
      if (match[1] !== undefined) continue;
      const service = match[3]!;
      for (const raw of match[2]!.split(",")) {
        const name = raw.trim();
        if (name.startsWith("type ") || !/^[A-Z]\w*Command$/.test(name)) continue;
        const action = `${service}:${name.slice(0, -"Command".length)}`;
        used.set(action, [...(used.get(action) ?? []), file.slice(root.length)]);
      }
    }
  }
  return used;
}

const granted = new Set(policy.Statement.flatMap((s) => list(s.Action)));
const used = commandsUsedBySource();
const required = new Set([...used.keys()].flatMap((action) => [action, ...(impliedActions[action] ?? [])]));

describe("IAM policy (manifests/iam/policy.json)", () => {
  it("finds the SDK commands of the EC2 provider, the AMI aliases and the interruption queue", () => {
    for (const action of [
      "ec2:CreateFleet",
      "ec2:TerminateInstances",
      "ssm:GetParameter",
      "sqs:ReceiveMessage",
      "eks:DescribeCluster",
      "iam:CreateInstanceProfile",
      "iam:AddRoleToInstanceProfile",
      "pricing:GetProducts",
    ])
      assert.ok(used.has(action), `no ${action} command found in src/: is the import scan broken?`);
  });

  it("grants every action the code needs", () => {
    const missing = [...required].filter((action) => !granted.has(action)).sort();
    assert.deepEqual(missing, [], `add to the policy: ${missing.join(", ")}`);
  });

  it("grants no action the code does not need", () => {
    const unused = [...granted].filter((action) => !required.has(action)).sort();
    assert.deepEqual(unused, [], `not called by src/ (remove from the policy): ${unused.join(", ")}`);
  });

  it("is well formed: Allow statements with unique Sids, no wildcard actions", () => {
    assert.equal(policy.Version, "2012-10-17");
    const sids = policy.Statement.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length, "duplicate Sid");
    for (const statement of policy.Statement) {
      assert.equal(statement.Effect, "Allow", statement.Sid);
      for (const action of list(statement.Action))
        assert.match(action, /^[a-z0-9-]+:[A-Za-z]+$/, `${statement.Sid}: ${action}`);
    }
  });

  it("scopes every mutation of instances and launch templates by rafter's cluster tag", () => {
    const clusterTag = tagKeys.cluster;
    for (const statement of policy.Statement) {
      const mutates = list(statement.Action).some((a) => /^ec2:(Create|Run|Terminate|Delete)/.test(a));
      const ownResources = list(statement.Resource).some((r) =>
        /:(instance|launch-template|volume|network-interface|fleet)\/\*$/.test(r),
      );
      if (!mutates || !ownResources) continue;
      const conditions = JSON.stringify(statement.Condition ?? {});
      assert.ok(
        conditions.includes(`"aws:RequestTag/${clusterTag}":"\${CLUSTER_NAME}"`) ||
          conditions.includes(`"aws:ResourceTag/${clusterTag}":"\${CLUSTER_NAME}"`),
        `${statement.Sid} mutates cluster resources without a ${clusterTag} tag condition`,
      );
    }
  });

  it("scopes every instance-profile mutation by rafter's cluster tag", () => {
    const clusterTag = tagKeys.cluster;
    for (const statement of policy.Statement) {
      const mutating = list(statement.Action).filter((a) => /^iam:(?!GetInstanceProfile|PassRole)/.test(a));
      if (mutating.length === 0) continue;
      assert.ok(
        list(statement.Resource).every((r) => r.endsWith(":instance-profile/*")),
        `${statement.Sid}: instance profiles only`,
      );
      const conditions = JSON.stringify(statement.Condition ?? {});
      assert.ok(
        conditions.includes(`"aws:RequestTag/${clusterTag}":"\${CLUSTER_NAME}"`) ||
          conditions.includes(`"aws:ResourceTag/${clusterTag}":"\${CLUSTER_NAME}"`),
        `${statement.Sid} changes instance profiles without a ${clusterTag} tag condition`,
      );
    }
  });

  it("covers, with the tag condition, every resource type CreateFleet tags", () => {
    const input = createFleetInput("spot", [], "token", [{ Key: tagKeys.cluster, Value: "c" }]);
    const tagged = (input.TagSpecifications ?? []).map((spec) => spec.ResourceType ?? "");
    assert.ok(tagged.includes("instance"));
    for (const sid of ["CreateClusterTaggedResources", "TagOnlyWhileCreating"]) {
      const statement = policy.Statement.find((s) => s.Sid === sid);
      assert.ok(statement, `statement ${sid}`);
      const resources = list(statement.Resource).join(" ");
      for (const type of tagged) assert.ok(resources.includes(`:${type}/*`), `${sid} lacks ${type}`);
    }
  });

  it("lets rafter read the SSM parameters its AMI aliases resolve through, and only those", () => {
    const statement = policy.Statement.find((s) => list(s.Action).includes("ssm:GetParameter"));
    assert.ok(statement);
    const prefixes = list(statement.Resource).map((r) => r.replace(/^arn:aws:ssm:[^:]*::parameter/, ""));
    const aliases = readFileSync(join(root, "src/cloud/aws/ami-aliases.ts"), "utf8");
    const parameters = [...aliases.matchAll(/`(\/aws\/service\/[^`$]+)/g)].map((m) => m[1]!);
    assert.ok(parameters.length > 0, "no /aws/service/ parameter found in ami-aliases.ts");
    for (const parameter of parameters)
      assert.ok(
        prefixes.some((prefix) => prefix.endsWith("*") && parameter.startsWith(prefix.slice(0, -1))),
        `${parameter} is not covered by ${prefixes.join(", ")}`,
      );
  });

  it("uses only the placeholders manifests/iam/README.md documents", () => {
    const text = readFileSync(join(root, "manifests/iam/policy.json"), "utf8");
    const readme = readFileSync(join(root, "manifests/iam/README.md"), "utf8");
    const placeholders = new Set([...text.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]!));
    for (const name of placeholders) assert.ok(readme.includes(`\${${name}}`), `README lacks \${${name}}`);
  });
});
