import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import { defaultHorizon } from '../../../lambdas/shared/domain/ics/index.ts';
import type { CalendarGateway } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import type {
  EventMapRow,
  EventMapStore,
  SyncLeaseStore,
  SyncStateStore,
} from '../../../lambdas/shared/ports/sync-stores.ts';
import { wrapMethods } from '../../support/stubs.ts';
import { type IcsEvent, icsFeed, singles } from './ics.ts';
import { World } from './world.ts';

/**
 * The minimal histories a model-based test of convergence found (see convergence.property.test.ts): after them,
 * the calendar must show exactly what the last feed says, with one live copy per event.
 */

/** An event map that takes the first `keep` puts and refuses every later one (removals still pass). */
class MapFailingAfter implements EventMapStore {
  private puts = 0;
  constructor(
    private readonly store: EventMapStore,
    private readonly keep: number,
  ) {}
  list(subscriberId: string) {
    return this.store.list(subscriberId);
  }
  async put(subscriberId: string, rows: EventMapRow[]) {
    if (++this.puts > this.keep) throw new Error('DynamoDB unavailable');
    await this.store.put(subscriberId, rows);
  }
  remove(subscriberId: string, keys: string[]) {
    return this.store.remove(subscriberId, keys);
  }
  removeAll(subscriberId: string) {
    return this.store.removeAll(subscriberId);
  }
}

/**
 * A function killed after its `calls`-th Google call: every later call never gets an answer, and nothing more
 * reaches the event map (what it had not flushed is lost with the process).
 */
function killedAfter(
  calls: number,
  gateway: CalendarGateway,
  store: EventMapStore,
  syncState?: DynamoSyncStateStore,
): { gateway: CalendarGateway; eventMap: EventMapStore; syncState?: SyncStateStore; lease?: SyncLeaseStore } {
  let made = 0;
  const killed = () => made >= calls;
  const dead = () => Promise.reject(new Error('function killed'));
  const call =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (killed()) return dead();
      made++;
      return method(...args);
    };
  return {
    gateway: wrapMethods(gateway, (method) => call(method as (...args: unknown[]) => Promise<unknown>)),
    eventMap: {
      list: (id) => store.list(id),
      put: (id, rows) => (killed() ? dead() : store.put(id, rows)),
      remove: (id, keys) => (killed() ? dead() : store.remove(id, keys)),
      removeAll: (id) => store.removeAll(id),
    },
    ...(syncState
      ? {
          // Nothing is saved after the kill, and the lease is not given back (it expires on its own).
          syncState: {
            get: (id) => syncState.get(id),
            put: (state) => (killed() ? dead() : syncState.put(state)),
            remove: (id) => syncState.remove(id),
          },
          lease: {
            acquireLease: (...args) => syncState.acquireLease(...args),
            releaseLease: (...args) => (killed() ? dead() : syncState.releaseLease(...args)),
          },
        }
      : {}),
  };
}

describe('histories that once left the calendar unlike the feed', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => world.close());

  it('A: a series whose first instance is overridden becomes a single event: one copy', async () => {
    const sub = world.subscriber();
    const weekly: IcsEvent = {
      uid: 'a@example.com',
      summary: 'Weekly',
      start: '20260310T090000',
      end: '20260310T100000',
      rrule: 'FREQ=WEEKLY;COUNT=3',
    };
    const firstMoved: IcsEvent = { ...weekly, rrule: undefined, recurrenceId: '20260310T090000' };
    const f1 = icsFeed([weekly, { ...firstMoved, start: '20260310T110000', end: '20260310T120000' }]);
    sub.feed.set(f1);
    await sub.sync();
    await sub.expectConverged(f1);
    const f2 = icsFeed([{ ...weekly, rrule: undefined }]);
    sub.feed.set(f2);
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
    await sub.expectConverged(f2);
  });

  it('B: an all-day series with an override turns timed: the old override goes', async () => {
    const sub = world.subscriber();
    const series: IcsEvent = {
      uid: 'b@example.com',
      summary: 'Bins',
      start: '20260309',
      end: '20260310',
      rrule: 'FREQ=WEEKLY;COUNT=4',
    };
    const f1 = icsFeed([
      series,
      { ...series, rrule: undefined, recurrenceId: '20260316', start: '20260317', end: '20260318' },
    ]);
    sub.feed.set(f1);
    await sub.sync();
    await sub.expectConverged(f1);
    const f2 = icsFeed([{ ...series, start: '20260309T090000', end: '20260309T100000' }]);
    sub.feed.set(f2);
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', errors: [] });
    expect(result.warnings ?? []).toEqual([]);
    await sub.expectConverged(f2);
  });

  describe('C: a write Google made whose map row was lost', () => {
    const events = singles(30, 'c');
    const kept = events.slice(0, 20);

    it('the event map failing after the insert', async () => {
      const sub = world.subscriber();
      sub.feed.set(icsFeed(events));
      const failed = await sub.sync({ concurrency: 1 }, { eventMap: new MapFailingAfter(sub.eventMap, 1) });
      expect(failed.outcome).toBe('partial');
      const dropped = icsFeed(kept);
      sub.feed.set(dropped);
      expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
      await sub.expectConverged(dropped);
    });

    it('every answer to an insert lost although Google applied it', async () => {
      const sub = world.subscriber();
      const lost = events.slice(25);
      sub.feed.set(icsFeed(lost));
      // Every call takes effect, and no answer comes back.
      world.google.control.injectFault({
        method: '*',
        user: sub.email,
        status: 503,
        afterEffect: true,
        count: 1_000,
      });
      const failed = await sub.sync({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
      world.google.control.clearFaults();
      expect(failed.outcome).toBe('partial');
      const dropped = icsFeed(lost.slice(0, 1));
      sub.feed.set(dropped);
      expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
      await sub.expectConverged(dropped);
    });

    it('a new exception whose row was lost', async () => {
      const sub = world.subscriber();
      const weekly: IcsEvent = {
        uid: 'c-weekly@example.com',
        summary: 'Weekly',
        start: '20260303T090000',
        end: '20260303T100000',
        rrule: 'FREQ=WEEKLY;COUNT=4',
      };
      const moved: IcsEvent = {
        ...weekly,
        rrule: undefined,
        summary: 'Moved',
        recurrenceId: '20260310T090000',
        start: '20260311T090000',
        end: '20260311T100000',
      };
      sub.feed.set(icsFeed([weekly]));
      await sub.sync();
      sub.feed.set(icsFeed([weekly, moved]));
      const failed = await sub.sync({}, { eventMap: new MapFailingAfter(sub.eventMap, 0) });
      expect(failed.outcome).toBe('partial');
      const back = icsFeed([weekly]);
      sub.feed.set(back);
      expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
      await sub.expectConverged(back);
    });

    it('a run killed after 27 inserts, with 25 rows flushed', async () => {
      const sub = world.subscriber();
      sub.feed.set(icsFeed(events));
      const killed = killedAfter(27, sub.gateway, sub.eventMap);
      const result = await sub.sync({ concurrency: 1 }, killed).catch(() => undefined);
      expect(result?.outcome ?? 'killed').not.toBe('synced');
      const dropped = icsFeed(kept);
      sub.feed.set(dropped);
      expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
      await sub.expectConverged(dropped);
    });
  });

  it('D: a series whose override is still ahead is not forgotten as past', async () => {
    const sub = world.subscriber();
    const daily: IcsEvent = {
      uid: 'd@example.com',
      summary: 'Daily',
      start: '20260302T090000',
      end: '20260302T100000',
      rrule: 'FREQ=DAILY;COUNT=3',
    };
    const march = { horizon: () => defaultHorizon(new Date('2026-03-01T00:00:00Z')) };
    const other: IcsEvent = {
      uid: 'd-other@example.com',
      summary: 'Other',
      start: '20260505T090000',
      end: '20260505T100000',
    };
    sub.feed.set(icsFeed([daily, other]));
    await sub.sync(march);
    // The series unchanged, one of its instances moved to April.
    const override: IcsEvent = {
      ...daily,
      rrule: undefined,
      summary: 'Daily (moved to April)',
      recurrenceId: '20260303T090000',
      start: '20260420T090000',
      end: '20260420T100000',
    };
    sub.feed.set(icsFeed([daily, override, other]));
    await sub.sync(march);
    expect((await sub.occurrencesInGoogle()).map((o) => o.summary)).toContain('Daily (moved to April)');
    // Six weeks on, early March is behind the horizon; the feed drops the UID.
    sub.feed.set(icsFeed([other]));
    const result = await sub.sync({ horizon: () => defaultHorizon(new Date('2026-04-15T00:00:00Z')) });
    expect(result).toMatchObject({ outcome: 'synced', errors: [] });
    expect((await sub.occurrencesInGoogle()).map((o) => o.summary)).not.toContain('Daily (moved to April)');
  });

  it('F: a series at midnight UTC whose first instance is overridden turns all-day, override and all', async () => {
    const sub = world.subscriber();
    const series: IcsEvent = {
      uid: 'f@example.com',
      summary: 'Alpha',
      zone: 'UTC',
      start: '20260302T000000',
      end: '20260302T003000',
      rrule: 'FREQ=DAILY;COUNT=2',
    };
    const moved: IcsEvent = {
      ...series,
      rrule: undefined,
      summary: 'Moved',
      recurrenceId: '20260302T000000',
    };
    const f1 = icsFeed([series, moved]);
    sub.feed.set(f1);
    await sub.sync();
    await sub.expectConverged(f1);
    // The same instant as a date: the old timed override must neither hide nor take the new all-day one's place.
    const allDay = { start: '20260302', end: '20260303' };
    const f2 = icsFeed([
      { ...series, ...allDay },
      { ...moved, ...allDay, recurrenceId: '20260302' },
    ]);
    sub.feed.set(f2);
    const result = await sub.sync();
    expect(result).toMatchObject({ outcome: 'synced', errors: [] });
    expect(result.warnings ?? []).toEqual([]);
    await sub.expectConverged(f2);
  });

  it('G: a run killed right after an insert, then the feed goes back to the last applied text', async () => {
    const sub = world.subscriber();
    const base = singles(3, 'g');
    const f1 = icsFeed(base);
    sub.feed.set(f1);
    await sub.sync();
    sub.feed.set(
      icsFeed([
        ...base,
        { uid: 'g-new@example.com', summary: 'New', start: '20260307T090000', end: '20260307T100000' },
      ]),
    );
    const killed = killedAfter(1, sub.gateway, sub.eventMap, sub.syncState);
    await sub.sync({ concurrency: 1 }, killed).catch(() => undefined);
    // Back to exactly the text the last complete run applied; the dead run's lease has expired.
    sub.feed.set(f1);
    sub.clock.advance(20 * 60_000);
    expect((await sub.sync()).outcome).toBe('synced');
    await sub.expectConverged(f1);
  });

  describe('E: a UID that comes back', () => {
    const weekly: IcsEvent = {
      uid: 'e@example.com',
      summary: 'Weekly',
      start: '20260303T090000',
      end: '20260303T100000',
      rrule: 'FREQ=WEEKLY;COUNT=4',
    };
    const cancelled: IcsEvent = {
      ...weekly,
      rrule: undefined,
      recurrenceId: '20260317T090000',
      start: '20260317T090000',
      end: '20260317T100000',
      status: 'CANCELLED',
    };
    const moved: IcsEvent = {
      ...weekly,
      rrule: undefined,
      summary: 'Moved',
      recurrenceId: '20260317T090000',
      start: '20260318T090000',
      end: '20260318T100000',
    };
    const other = singles(1, 'e-other');

    for (const [name, exception, gone] of [
      ['a cancelled instance, the UID removed', cancelled, icsFeed(other)],
      ['a moved instance, the UID removed', moved, icsFeed(other)],
      [
        'a cancelled instance, the series cancelled',
        cancelled,
        icsFeed([...other, { ...weekly, status: 'CANCELLED' }]),
      ],
    ] as const) {
      it(`finds its old instances shown again: ${name}`, async () => {
        const sub = world.subscriber();
        sub.feed.set(icsFeed([...other, weekly, exception]));
        await sub.sync();
        sub.feed.set(gone);
        expect(await sub.sync()).toMatchObject({ outcome: 'synced', deleted: 1 });
        const back = icsFeed([...other, weekly]);
        sub.feed.set(back);
        expect(await sub.sync()).toMatchObject({ outcome: 'synced', errors: [] });
        await sub.expectConverged(back);
      });
    }
  });
});
