// A pod's effective resource requests as kube-scheduler computes them (NodeResourcesFit):
// max(sum of app containers + sidecars, each init container + sidecars started before it) + overhead,
// plus one "pods" slot.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { addResources, maxResources, parseResourceList, type Resources } from "./resources.js";

function containerRequests(container: V1Container): Resources {
  // Limits stand in for missing requests, as the API server defaults them.
  const limits = parseResourceList(container.resources?.limits);
  const requests = parseResourceList(container.resources?.requests);
  return { ...limits, ...requests };
}

export function podRequests(pod: V1Pod): Resources {
  const spec = pod.spec;
  let app: Resources = {};
  for (const c of spec?.containers ?? []) app = addResources(app, containerRequests(c));
  let sidecars: Resources = {};
  let init: Resources = {};
  for (const c of spec?.initContainers ?? []) {
    const requests = containerRequests(c);
    if (c.restartPolicy === "Always") {
      // Restartable init containers (sidecars) keep running alongside everything after them.
      sidecars = addResources(sidecars, requests);
      init = maxResources(init, sidecars);
    } else {
      init = maxResources(init, addResources(requests, sidecars));
    }
  }
  let total = maxResources(addResources(app, sidecars), init);
  total = addResources(total, parseResourceList(spec?.overhead));
  return addResources(total, { pods: 1 });
}
