import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignedHostEvents } from '../../../lambdas/shared/adapters/http/host-events.ts';
import { StaticHostKeyRing } from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import { TOKEN_CHECK_INTERVAL_MS } from '../../../lambdas/shared/domain/token-health.ts';
import type { FeedSource } from '../../../lambdas/shared/ports/feed-source.ts';
import type { SyncState } from '../../../lambdas/shared/ports/sync-stores.ts';
import { CLOCK_START } from '../../support/clock.ts';
import { feedOf, type TestSubscriber, WorkerHarness } from './harness.ts';

const HOUR_MS = 3_600_000;

/**
 * The Google access token only when there is something to write: an unchanged feed on the write path asks
 * Google's token endpoint nothing, unless the grant is due its daily check; a revoked grant is still found,
 * within the run that checks it, and the host is told once.
 */
describe('sync worker: the access token only when writing, and the daily grant check', () => {
  const h = new WorkerHarness();
  beforeAll(() => h.open());
  afterAll(() => h.close());
  afterEach(async () => {
    h.clock.set(CLOCK_START);
    await h.sqs.drain(h.queueUrl);
    await h.sqs.drain(h.deadLetterQueueUrl);
  });

  /** Calls to Google's token endpoint so far (every subscriber's: tests compare before and after). */
  const tokenCalls = () => h.google.control.counters().byMethod['oauth2.token'] ?? 0;

  /**
   * A subscriber after its first sync, the clock then moved on two hours: the worker's cached access token has
   * expired (an hour's life), but the grant's check of the first sync is still fresh.
   */
  async function syncedTwoHoursAgo(events = 3): Promise<TestSubscriber> {
    const subscriber = await h.connect(feedOf(events));
    const from = h.clock.now();
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    await h.deliverAll();
    expectCheckedSince(await h.syncState.get(subscriber.id), from);
    h.clock.advance(2 * HOUR_MS);
    return subscriber;
  }

  /** Moves the stored grant check back to `ageMs` before now. */
  async function grantCheckedAgo(subscriber: TestSubscriber, ageMs: number): Promise<string> {
    const state = await h.syncState.get(subscriber.id);
    if (!state) throw new Error('no sync state');
    const checkedAt = new Date(h.clock.now() - ageMs).toISOString();
    await h.syncState.put({ ...state, tokenCheckedAt: checkedAt });
    return checkedAt;
  }

  /** Runs `run` with the host's event endpoint listening; returns the events the host was told. */
  async function hostToldDuring(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
    const bodies: Record<string, unknown>[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const keys = StaticHostKeyRing.fromText(`events:${randomBytes(32).toString('hex')}`);
    h.deps.hostEvents = new SignedHostEvents({ url, keyId: 'events', keys, logger: h.deps.logger });
    try {
      await run();
      return bodies;
    } finally {
      delete h.deps.hostEvents;
      await new Promise((resolve) => server.close(resolve));
    }
  }

  /** The state records a grant check made while the run since `from` ran (the clock moves with the engine's pacing). */
  function expectCheckedSince(state: SyncState | undefined, from: number): void {
    const checkedAt = Date.parse(state?.tokenCheckedAt ?? '');
    expect(checkedAt).toBeGreaterThanOrEqual(Math.floor(from));
    expect(checkedAt).toBeLessThanOrEqual(h.clock.now());
  }

  const digest = (token: string) => createHash('sha256').update(token).digest('hex');

  it('an unchanged feed whose grant was checked within the day: no token call and no Calendar call', async () => {
    const subscriber = await syncedTwoHoursAgo();
    const checkedAt = (await h.syncState.get(subscriber.id))?.tokenCheckedAt;
    const [tokensBefore, calendarBefore] = [tokenCalls(), h.googleCalls(subscriber)];

    await h.send(h.syncRequest(subscriber.id, 'checked'));
    await h.deliverAll();

    const state = await h.syncState.get(subscriber.id);
    expect(state?.lastResult?.outcome).toBe('unchanged');
    expect(tokenCalls() - tokensBefore).toBe(0);
    expect(h.googleCalls(subscriber) - calendarBefore).toBe(0);
    expect(state?.tokenCheckedAt).toBe(checkedAt);
  });

  it('an unchanged feed whose grant was last checked a day ago: one token call, and the check is recorded', async () => {
    const subscriber = await syncedTwoHoursAgo();
    await grantCheckedAgo(subscriber, TOKEN_CHECK_INTERVAL_MS + HOUR_MS);
    const [tokensBefore, calendarBefore] = [tokenCalls(), h.googleCalls(subscriber)];
    const from = h.clock.now();

    await h.send(h.syncRequest(subscriber.id, 'checked'));
    await h.deliverAll();

    const state = await h.syncState.get(subscriber.id);
    expect(state?.lastResult?.outcome).toBe('unchanged');
    expect(tokenCalls() - tokensBefore).toBe(1);
    expect(h.googleCalls(subscriber) - calendarBefore).toBe(0);
    expectCheckedSince(state, from);
  });

  it('an unchanged feed, its grant revoked and due its check: needs_reauth in that run, the host told once', async () => {
    const subscriber = await syncedTwoHoursAgo();
    await grantCheckedAgo(subscriber, TOKEN_CHECK_INTERVAL_MS + HOUR_MS);
    h.google.control.revokeUserTokens({ user: subscriber.email });
    const calendarBefore = h.googleCalls(subscriber);

    const told = await hostToldDuring(async () => {
      await h.send(h.syncRequest(subscriber.id, 'checked'));
      await h.deliverAll();
      expect(await h.connections.get(subscriber.id)).toMatchObject({
        status: 'needs_reauth',
        scheduled: false,
      });
      await h.send(h.syncRequest(subscriber.id, 'checked')); // already known: not told again
      await h.deliverAll();
    });

    expect(told).toEqual([
      { event: 'needs_reauth', feed: digest(subscriber.feedToken), at: expect.any(String) },
    ]);
    expect(h.googleCalls(subscriber) - calendarBefore).toBe(0);
  });

  it('a changed feed whose grant was checked within the day: the token is asked after the feed, events written', async () => {
    const subscriber = await syncedTwoHoursAgo(3);
    h.feeds.feeds.set(subscriber.feedToken, feedOf(5));
    const tokensBefore = tokenCalls();
    const from = h.clock.now();
    // Watches the worker's own feed source: how many token calls were made when the feed was fetched.
    const feeds = h.deps.feeds;
    const tokenCallsAtFetch: number[] = [];
    h.deps.feeds = {
      fetch: (...args: Parameters<FeedSource['fetch']>) => {
        tokenCallsAtFetch.push(tokenCalls() - tokensBefore);
        return feeds.fetch(...args);
      },
    };
    try {
      await h.send(h.syncRequest(subscriber.id, 'checked'));
      await h.deliverAll();
    } finally {
      h.deps.feeds = feeds;
    }

    expect(tokenCallsAtFetch).toEqual([0]);
    expect(tokenCalls() - tokensBefore).toBe(1);
    expect(h.summariesInGoogle(subscriber)).toEqual(Array.from({ length: 5 }, (_, i) => `Event ${i}`).sort());
    const state = await h.syncState.get(subscriber.id);
    expect(state?.lastResult).toMatchObject({ outcome: 'synced', created: 2 });
    expectCheckedSince(state, from);
  });

  it('a changed feed whose grant was revoked: the refusal met mid-run ends as needs_reauth, the host told once', async () => {
    const subscriber = await syncedTwoHoursAgo(3);
    h.feeds.feeds.set(subscriber.feedToken, feedOf(5));
    h.google.control.revokeUserTokens({ user: subscriber.email });
    const calendarBefore = h.googleCalls(subscriber);

    const told = await hostToldDuring(async () => {
      await h.send(h.syncRequest(subscriber.id, 'checked'));
      await h.deliverAll();
      expect((await h.syncState.get(subscriber.id))?.lastResult?.outcome).toBe('needs_reauth');
      expect(await h.connections.get(subscriber.id)).toMatchObject({
        status: 'needs_reauth',
        scheduled: false,
      });
      await h.send(h.syncRequest(subscriber.id, 'notified')); // already known: not told again
      await h.deliverAll();
    });

    expect(told).toEqual([
      { event: 'needs_reauth', feed: digest(subscriber.feedToken), at: expect.any(String) },
    ]);
    expect(h.googleCalls(subscriber) - calendarBefore).toBe(0);
    expect(h.summariesInGoogle(subscriber)).toEqual(['Event 0', 'Event 1', 'Event 2']);
  });

  it('a changed feed that asks nothing of Google keeps the recorded check', async () => {
    const subscriber = await syncedTwoHoursAgo(3);
    const checkedAt = (await h.syncState.get(subscriber.id))?.tokenCheckedAt;
    // Another text, the same events: planned, nothing to write.
    h.feeds.feeds.set(subscriber.feedToken, feedOf(3).replace('PRODID:-//test//EN', 'PRODID:-//test//EN v2'));
    const [tokensBefore, calendarBefore] = [tokenCalls(), h.googleCalls(subscriber)];

    await h.send(h.syncRequest(subscriber.id, 'notified'));
    await h.deliverAll();

    const state = await h.syncState.get(subscriber.id);
    expect(state?.lastResult?.outcome).toBe('synced');
    expect([tokenCalls() - tokensBefore, h.googleCalls(subscriber) - calendarBefore]).toEqual([0, 0]);
    expect(state?.tokenCheckedAt).toBe(checkedAt);
  });

  it('a run that stores no state (another run holds the lease) still records the check, unless an hour old at most', async () => {
    const subscriber = await syncedTwoHoursAgo();
    await grantCheckedAgo(subscriber, TOKEN_CHECK_INTERVAL_MS + HOUR_MS);
    const now = h.clock.date();
    await h.syncState.acquireLease(subscriber.id, 'other-run', now, new Date(now.getTime() + HOUR_MS));
    try {
      await h.invoke([
        { MessageId: 'due', Body: JSON.stringify(h.syncRequest(subscriber.id, 'checked')), Attributes: {} },
      ]);
      expect((await h.syncState.get(subscriber.id))?.tokenCheckedAt).toBe(now.toISOString());

      // "Sync now" asks for the token whatever its check's age: a check 30 minutes old is not written again.
      h.clock.advance(HOUR_MS / 2);
      await h.invoke([
        { MessageId: 'fresh', Body: JSON.stringify(h.syncRequest(subscriber.id, 'manual')), Attributes: {} },
      ]);
      expect((await h.syncState.get(subscriber.id))?.tokenCheckedAt).toBe(now.toISOString());
    } finally {
      await h.syncState.releaseLease(subscriber.id, 'other-run');
    }
  });

  it('the narrow record of a check never creates the state of a subscriber who has none', async () => {
    await h.syncState.noteTokenChecked('sub-never-synced', h.clock.date());
    expect(await h.syncState.get('sub-never-synced')).toBeUndefined();
  });
});
