import type { EventMapRow, EventMapStore } from '../shared/ports/sync-stores.ts';

/** Rows are flushed as soon as this many changes wait (one DynamoDB batch). */
const FLUSH_AT = 25;

/**
 * Records event map changes as Google writes succeed, in batches. Only changes whose Google write succeeded
 * are ever recorded, so a crash loses at most the last batch: the rerun then meets its own events in Google
 * (insert answers 409, then the event is patched) and converges without a duplicate.
 */
export class MapWriter {
  private puts = new Map<string, EventMapRow>();
  private removals = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventMapStore,
    private readonly subscriberId: string,
  ) {}

  put(row: EventMapRow): Promise<void> {
    this.removals.delete(row.eventKey);
    this.puts.set(row.eventKey, row);
    return this.maybeFlush();
  }

  remove(eventKey: string): Promise<void> {
    this.puts.delete(eventKey);
    this.removals.add(eventKey);
    return this.maybeFlush();
  }

  /** Writes everything pending; rejects if the store does. */
  flush(): Promise<void> {
    const puts = [...this.puts.values()];
    const removals = [...this.removals];
    this.puts = new Map();
    this.removals = new Set();
    // Flushes run one after another so a later change of a key never lands before an earlier one.
    this.flushing = this.flushing.then(async () => {
      if (puts.length) await this.store.put(this.subscriberId, puts);
      if (removals.length) await this.store.remove(this.subscriberId, removals);
    });
    return this.flushing;
  }

  private maybeFlush(): Promise<void> {
    return this.puts.size + this.removals.size >= FLUSH_AT ? this.flush() : Promise.resolve();
  }
}
