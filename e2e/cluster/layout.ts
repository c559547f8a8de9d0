// Where one cluster keeps its files: <root>/{logs,pki,data,config}. The logs folder is what the
// runner prints on failure; kubeconfig files live in config/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export interface Layout {
  readonly root: string;
  readonly logs: string;
  readonly pki: string;
  readonly data: string;
  readonly config: string;
  log(component: string): string;
}

export function createLayout(root: string): Layout {
  const layout: Layout = {
    root,
    logs: join(root, "logs"),
    pki: join(root, "pki"),
    data: join(root, "data"),
    config: join(root, "config"),
    log: (component) => join(layout.logs, `${component}.log`),
  };
  for (const dir of [layout.logs, layout.pki, layout.data, layout.config])
    mkdirSync(dir, { recursive: true });
  return layout;
}
