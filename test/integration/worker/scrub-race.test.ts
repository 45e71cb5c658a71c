import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarGateway } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import { SyncRunningError, scrubSubscriber } from '../../../lambdas/shared/use-cases/scrub-subscriber.ts';
import { withMethod } from '../../support/stubs.ts';
import { feedOf, WorkerHarness } from './harness.ts';

/** A gate a test opens: `reached` resolves when the code under test arrives at it, `open` lets it through. */
function gate() {
  let arrive: () => void = () => undefined;
  let open: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    reached,
    open,
    pass: async () => {
      arrive();
      await opened;
    },
  };
}

/**
 * A disconnect (the scrub it runs, as the retention purge does) racing a sync of the same subscriber, with the
 * real stores (dynalite), the emulator and fauxqs: afterwards no event-map row and no sync-state item may exist,
 * since neither table expires anything.
 */
describe('scrub and sync are exclusive', () => {
  const h = new WorkerHarness();
  beforeAll(() => h.open());
  afterAll(() => h.close());
  afterEach(async () => {
    await h.sqs.drain(h.queueUrl);
  });
  const scrubDeps = (syncState = h.syncState) => ({
    eventMap: h.deps.eventMap,
    syncState,
    connections: h.connections,
    now: h.clock.date,
  });
  /** The sync-state store, with a signal when a scrub's attempts to take the lease have been refused `times`. */
  const leaseRefused = (times: number) => {
    let refusals = 0;
    let signal: () => void = () => undefined;
    const refused = new Promise<void>((resolve) => {
      signal = resolve;
    });
    const syncState = withMethod(
      h.syncState,
      'acquireLease',
      async (...args: Parameters<typeof h.syncState.acquireLease>) => {
        const taken = await h.syncState.acquireLease(...args);
        if (!taken && ++refusals === times) signal();
        return taken;
      },
    );
    return { syncState, refused };
  };

  it('a scrub while a sync is paused mid-run waits for it: nothing of the subscriber is left', async () => {
    const subscriber = await h.connect(feedOf(6));
    const paused = gate();
    const realCalendarFor = h.deps.calendarFor;
    let blocked = false;
    h.deps.calendarFor = (accessToken) => {
      const real = realCalendarFor(accessToken);
      return withMethod(real, 'insert', async (...args: Parameters<CalendarGateway['insert']>) => {
        await real.insert(...args);
        if (!blocked) {
          blocked = true;
          await paused.pass(); // the sync stops here, one event written, until the test lets it go on
        }
      });
    };
    try {
      await h.send(h.syncRequest(subscriber.id));
      const delivered = h.deliverOnce();
      await paused.reached;
      // Refused at once when told not to wait: a sync holds the lease.
      await expect(scrubSubscriber(scrubDeps(), subscriber.id)).rejects.toBeInstanceOf(SyncRunningError);
      // Told to wait, it asks again after its first refusal instead of giving up, and removes nothing meanwhile.
      const watched = leaseRefused(2);
      const scrub = scrubSubscriber(scrubDeps(watched.syncState), subscriber.id, { waitMs: 30_000 });
      await watched.refused;
      expect(await h.connections.get(subscriber.id)).toBeDefined(); // still waiting
      paused.open();
      await delivered;
      await scrub;
    } finally {
      h.deps.calendarFor = realCalendarFor;
    }
    expect(await h.deps.eventMap.list(subscriber.id)).toEqual([]);
    expect(await h.syncState.get(subscriber.id)).toBeUndefined();
    expect(await h.connections.get(subscriber.id)).toBeUndefined();
  });

  it('a sync that read the connection before the scrub and takes the lease after it writes nothing', async () => {
    const subscriber = await h.connect(feedOf(4));
    const beforeLease = gate();
    const realSyncState = h.deps.syncState;
    h.deps.syncState = withMethod(
      realSyncState,
      'acquireLease',
      async (...args: Parameters<typeof realSyncState.acquireLease>) => {
        await beforeLease.pass();
        return realSyncState.acquireLease(...args);
      },
    );
    try {
      await h.send(h.syncRequest(subscriber.id));
      const delivered = h.deliverOnce();
      await beforeLease.reached; // the worker has read the connection and is about to take the lease
      await scrubSubscriber(scrubDeps(), subscriber.id);
      beforeLease.open();
      await delivered;
    } finally {
      h.deps.syncState = realSyncState;
    }
    expect(h.googleCalls(subscriber)).toBeLessThanOrEqual(1); // at most the access-token check, no event write
    expect(h.summariesInGoogle(subscriber)).toEqual([]);
    expect(await h.deps.eventMap.list(subscriber.id)).toEqual([]);
    expect(await h.syncState.get(subscriber.id)).toBeUndefined();
    // The busy retry it put back finds nobody and leaves nothing either.
    await h.deliverAll();
    expect(await h.syncState.get(subscriber.id)).toBeUndefined();
    expect(await h.deps.eventMap.list(subscriber.id)).toEqual([]);
  });
});
