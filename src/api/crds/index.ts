// Every CRD rafter installs, keyed by the file name under manifests/crds/.
import { ec2NodeClassCrd } from "./ec2nodeclass.js";
import { nodePoolCrd } from "./nodepool.js";
import { virtualNodeCrd } from "./virtualnode.js";

export const crdManifests: Readonly<Record<string, Record<string, unknown>>> = {
  "nodepools.yaml": nodePoolCrd,
  "ec2nodeclasses.yaml": ec2NodeClassCrd,
  "virtualnodes.yaml": virtualNodeCrd,
};
