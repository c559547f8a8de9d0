// On-demand prices for the region rafter runs in, and which source they come from. At start: the
// shipped table for the region, or — for a region it does not cover — us-east-1's prices as a
// labelled estimate (prices elsewhere differ by a few to ~30 %, but an on-demand NodePool with no
// price launches nothing). A refresh from the AWS Pricing API (aws/pricing.ts) replaces them when it
// answers; a failed refresh keeps what was there.
import type { TimerHandle, Timers } from "../clock.js";
import type { Logger } from "../logging.js";
import { loadEmbeddedOnDemandPrices } from "./embedded.js";

/** "pricing-api": fetched for this region; "embedded": the shipped table for this region; "us-east-1-estimate": another region's. */
export type PriceSource = "pricing-api" | "embedded" | "us-east-1-estimate";
export const priceSources: readonly PriceSource[] = ["pricing-api", "embedded", "us-east-1-estimate"];

export type PriceFetcher = (region: string) => Promise<ReadonlyMap<string, number>>;

export class OnDemandPriceBook {
  private prices: ReadonlyMap<string, number>;
  private current: PriceSource;

  constructor(
    readonly region: string,
    embedded: (region: string) => ReadonlyMap<string, number> = loadEmbeddedOnDemandPrices,
  ) {
    const own = embedded(region);
    if (own.size > 0) {
      this.prices = own;
      this.current = "embedded";
    } else {
      this.prices = embedded("us-east-1");
      this.current = "us-east-1-estimate";
    }
  }

  get(instanceType: string): number | undefined {
    return this.prices.get(instanceType);
  }

  source(): PriceSource {
    return this.current;
  }

  /** Replaces the prices with the Pricing API's; false (prices kept) when it fails or answers nothing. */
  async refresh(fetch: PriceFetcher): Promise<{ ok: true; count: number } | { ok: false; message: string }> {
    try {
      const fetched = await fetch(this.region);
      if (fetched.size === 0) return { ok: false, message: "the Pricing API returned no prices" };
      this.prices = fetched;
      this.current = "pricing-api";
      return { ok: true, count: fetched.size };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
}

export interface PriceRefreshDeps {
  readonly timers: Timers;
  readonly logger: Logger;
  readonly intervalMs: number;
  /** After each attempt, with the source now in use (the metric). */
  readonly onSource: (source: PriceSource) => void;
}

/** Refreshes the book now and every `intervalMs`; a failure is logged and retried at the next turn. */
export function startPriceRefresh(
  book: OnDemandPriceBook,
  fetch: PriceFetcher,
  deps: PriceRefreshDeps,
): () => void {
  let handle: TimerHandle | undefined;
  let stopped = false;
  const turn = async (): Promise<void> => {
    const result = await book.refresh(fetch);
    if (result.ok)
      deps.logger.info({ region: book.region, prices: result.count }, "on-demand prices refreshed");
    else
      deps.logger.warn(
        { region: book.region, source: book.source(), err: result.message },
        "on-demand price refresh failed; keeping the current prices",
      );
    deps.onSource(book.source());
    if (!stopped) handle = deps.timers.setTimeout(() => void turn(), deps.intervalMs);
  };
  deps.onSource(book.source());
  void turn();
  return () => {
    stopped = true;
    deps.timers.clearTimeout(handle);
  };
}
