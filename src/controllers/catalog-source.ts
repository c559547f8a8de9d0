// The catalogue the planner sees: every NodePool's launchable instance types (as the cloud reports
// them for its node class), merged by name. Each planning round asks afresh; the cloud caches.
import { loadEmbeddedCatalog } from "../catalog/embedded.js";
import type { Catalog, InstanceType } from "../catalog/types.js";
import type { CloudProvider } from "../cloud/provider.js";
import type { Logger } from "../logging.js";
import type { ClusterReader } from "./cluster-reader.js";

export class CatalogSource {
  private byName = new Map<string, InstanceType>();
  private fallback: Map<string, InstanceType> | undefined;

  constructor(
    private readonly reader: ClusterReader,
    private readonly cloud: CloudProvider,
    private readonly region: string,
    private readonly logger: Logger,
  ) {}

  async current(): Promise<Catalog> {
    const types = new Map<string, InstanceType>();
    for (const pool of this.reader.nodePools()) {
      const nodeClassName = pool.spec.template.spec.nodeClassRef.name;
      const nodeClass = this.reader.nodeClasses().find((nc) => nc.metadata.name === nodeClassName);
      const result = await this.cloud.instanceTypes(pool, nodeClass);
      if (!result.ok) {
        this.logger.warn(
          { nodePool: pool.metadata.name, error: result.error.message },
          "instance types unavailable",
        );
        continue;
      }
      // Pools sharing a node class see identical entries; with different kubelet settings the first wins.
      for (const type of result.value) if (!types.has(type.name)) types.set(type.name, type);
    }
    this.byName = types;
    return { region: this.region, instanceTypes: [...types.values()] };
  }

  /** A type's catalogue entry (for the Node's capacity), from the last round or the embedded catalogue. */
  instanceType(name: string): InstanceType | undefined {
    const known = this.byName.get(name);
    if (known) return known;
    this.fallback ??= new Map(loadEmbeddedCatalog().instanceTypes.map((type) => [type.name, type]));
    return this.fallback.get(name);
  }
}
