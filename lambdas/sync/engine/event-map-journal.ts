import type { EventMapRow, EventMapStore } from '../../shared/ports/sync-stores.ts';

/** Rows are flushed as soon as this many changes wait (one DynamoDB batch). */
const FLUSH_AT = 25;

/**
 * The event map's journal of one run: intents before Google calls, and what the calls did after them. Every
 * write that changes the calendar is preceded by an intent row (putIntent), stored before the call, so a crash, a
 * lost answer or a failing store never leaves an event in Google without a row, nor a row claiming content
 * Google may not have: the rerun meets the intent and writes again (an insert: 409, it is there, and is
 * overwritten) or, when the feed dropped it meanwhile, deletes it. The rows of calls that succeeded (put) and of rows gone (remove) are stored in batches.
 */
export class EventMapJournal {
  private puts = new Map<string, EventMapRow>();
  private removals = new Set<string>();
  /** The rows this run wrote (or is about to), by key: what a refused write keeps its back-off on. */
  private readonly written = new Map<string, EventMapRow>();
  private flushing: Promise<void> = Promise.resolve();
  /** A flush the intents recorded in this turn of the event loop share. */
  private soon: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<EventMapStore, 'put' | 'remove'>,
    private readonly subscriberId: string,
  ) {}

  put(row: EventMapRow): Promise<void> {
    this.written.set(row.eventKey, row);
    this.removals.delete(row.eventKey);
    this.puts.set(row.eventKey, row);
    return this.maybeFlush();
  }

  /**
   * Stores an intent row now, before the Google call it stands for, so that no event the call creates is ever
   * without a row. Intents recorded in the same turn (the operations starting together) share one batch.
   */
  putIntent(row: EventMapRow): Promise<void> {
    this.written.set(row.eventKey, row);
    this.removals.delete(row.eventKey);
    this.puts.set(row.eventKey, row);
    this.soon ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.soon = undefined;
      return this.flush();
    });
    return this.soon;
  }

  remove(eventKey: string): Promise<void> {
    this.written.delete(eventKey);
    this.puts.delete(eventKey);
    this.removals.add(eventKey);
    return this.maybeFlush();
  }

  /** The row this run last wrote (or queued) under the key, if it wrote one. */
  rowOf(eventKey: string): EventMapRow | undefined {
    return this.written.get(eventKey);
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
