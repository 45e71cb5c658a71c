import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFeedSource } from '../../../lambdas/shared/adapters/feed/http-feed-source.ts';
import { systemClock } from '../../../lambdas/shared/wiring/clock.ts';
import { DEFAULT_PACING } from '../../../lambdas/sync/engine/pacer.ts';
import { type FeedServer, startFeedServer } from '../../support/feed-server.ts';
import { icsFeed, singles } from './ics.ts';
import { World } from './world.ts';

/**
 * Google's per-user quota is 600 requests per sliding minute. Here the emulator keeps its default counts but
 * its window is 30 times shorter, and the engine's default pacing is scaled the same way, so the test takes
 * seconds.
 */
const SCALE = 30;
const WINDOW_MS = 60_000 / SCALE;

describe('quota pacing under the default quotas (time scaled 30x)', () => {
  it('the emulator does refuse an unpaced burst (so the next test can fail)', async () => {
    // A window long enough that the burst surely lands inside it, however slow the machine.
    const world = await World.start({ quotas: { windowMs: 30_000 } });
    try {
      const sub = world.subscriber();
      sub.feed.set(icsFeed(singles(700)));
      const result = await sub.sync({
        pacing: { unitsPerWindow: 1_000_000, windowMs: 30_000, burst: 1_000_000 },
        concurrency: 16,
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      expect(result.outcome).toBe('partial');
      expect(result.errors.join()).toContain('userRateLimitExceeded');
    } finally {
      await world.close();
    }
  });

  it('a paced first sync of 900 events meets no rate limit at all', async () => {
    const world = await World.start({ quotas: { windowMs: WINDOW_MS } });
    try {
      const sub = world.subscriber();
      const text = icsFeed(singles(900));
      sub.feed.set(text);
      const result = await sub.sync(
        { pacing: { ...DEFAULT_PACING, windowMs: WINDOW_MS } },
        { clock: systemClock },
      );
      expect(result).toMatchObject({ outcome: 'synced', created: 900, errors: [] });
      // One call per event: not a single retry, so not a single 403/429 was answered.
      expect(result.googleCalls).toBe(900);
      expect(sub.calls()).toBe(900);
      const { google, feed } = await sub.convergence(text);
      expect(google).toEqual(feed);
    } finally {
      await world.close();
    }
  });
});

describe('feeds read over HTTP', () => {
  const TOKEN = 'secret-token';
  let world: World;
  let feeds: FeedServer;

  beforeAll(async () => {
    world = await World.start();
    feeds = await startFeedServer({ etags: true });
  });
  afterAll(async () => {
    await feeds.close();
    await world.close();
  });

  it('syncs, skips a 304 without parsing, and deletes nothing when the server sends a login page or a cut feed', async () => {
    const sub = world.subscriber();
    sub.feedLocation = `${feeds.url}/ics/${TOKEN}.ics`;
    const source = new HttpFeedSource({ timeoutMs: 5_000 });
    const sync = () => sub.sync({}, { feeds: source });

    feeds.feeds.set(TOKEN, icsFeed(singles(30)));
    expect(await sync()).toMatchObject({ outcome: 'synced', created: 30 });
    expect(await sync()).toMatchObject({ outcome: 'unchanged', googleCalls: 0 });
    expect(feeds.answered).toEqual({ full: 1, notModified: 1 });

    const calls = sub.calls();
    feeds.faults.set(TOKEN, 'html');
    const login = await sync();
    expect(login).toMatchObject({ outcome: 'feed_error', deleted: 0, googleCalls: 0 });
    expect(login.errors.join()).not.toContain(TOKEN);

    feeds.faults.set(TOKEN, 'truncated');
    expect(await sync()).toMatchObject({ outcome: 'feed_error', deleted: 0, googleCalls: 0 });
    feeds.faults.delete(TOKEN);

    feeds.feeds.set(TOKEN, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n');
    // An empty but whole calendar is a real answer: the breaker holds the mass deletion first.
    expect(await sync()).toMatchObject({ outcome: 'deletions_held', heldDeletions: 30, googleCalls: 0 });
    expect(sub.calls()).toBe(calls);

    const body = icsFeed(singles(31));
    feeds.feeds.set(TOKEN, body);
    expect(await sync()).toMatchObject({ outcome: 'synced', created: 1, unchanged: 30, googleCalls: 1 });
    const { google, feed } = await sub.convergence(body);
    expect(google).toEqual(feed);
  });
});
