import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { purgeStaleConnections } from '../../../lambdas/scheduler/use-cases/purge-stale.ts';
import type { CachingAccessTokenProvider } from '../../../lambdas/shared/adapters/google/access-token-provider.ts';
import { SignedHostEvents } from '../../../lambdas/shared/adapters/http/host-events.ts';
import { StaticHostKeyRing } from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import type { Cipher } from '../../../lambdas/shared/ports/cipher.ts';
import { CLOCK_START } from '../../support/clock.ts';
import { feedOf, WorkerHarness } from './harness.ts';

const DAY_MS = 86_400_000;
/** The dedicated calendar deleted in Google: the subscriber is paused until a reconnect makes a new one. */
describe('a deleted dedicated calendar', () => {
  const h = new WorkerHarness();
  beforeAll(() => h.open());
  afterAll(() => h.close());
  afterEach(async () => {
    h.clock.set(CLOCK_START);
    await h.sqs.drain(h.queueUrl);
  });
  const counted = (method: string) => h.google.control.counters().byMethod[method] ?? 0;
  const syncOnce = async (subscriberId: string) => {
    await h.send(h.syncRequest(subscriberId));
    await h.deliverAll();
  };

  /** The worker's own cipher, counting what it is asked to decrypt (the key service's calls, in AWS). */
  function countDecrypts(): { count: () => number; restore: () => void } {
    const real = h.deps.cipher;
    let decrypts = 0;
    const counting: Cipher = {
      encrypt: (plaintext, context) => real.encrypt(plaintext, context),
      decrypt: (ciphertext, context) => {
        decrypts += 1;
        return real.decrypt(ciphertext, context);
      },
    };
    h.deps.cipher = counting;
    return { count: () => decrypts, restore: () => (h.deps.cipher = real) };
  }

  it('pauses the connection: no token refresh, no decrypt, no schedule, on every later tick and sync-now', async () => {
    const subscriber = await h.connect(feedOf(2));
    await syncOnce(subscriber.id);
    expect(h.summariesInGoogle(subscriber)).toHaveLength(2);
    h.google.control.deleteCalendar({ calendarId: subscriber.calendarId });
    h.feeds.feeds.set(subscriber.feedToken, feedOf(3)); // a change: the sync writes, and finds the calendar gone

    const revokesBefore = counted('oauth2.revoke');
    await syncOnce(subscriber.id);
    const missing = await h.connections.get(subscriber.id);
    expect(missing).toMatchObject({ status: 'calendar_missing', scheduled: false });
    expect(missing?.calendarMissingSince).toBeDefined();
    expect(missing?.refreshTokenCiphertext).toBeUndefined();
    expect(counted('oauth2.revoke')).toBe(revokesBefore + 1); // nothing else rests on the grant
    expect((await h.syncState.get(subscriber.id))?.lastResult?.outcome).toBe('calendar_missing');

    // The next ticks and a "sync now" that was already queued: nothing reaches Google or the key service.
    // Nothing warm either: any request that got as far as a token would have to ask Google for one.
    (h.deps.accessTokens as CachingAccessTokenProvider).forget(subscriber.id);
    const decrypts = countDecrypts();
    try {
      const tokensBefore = counted('oauth2.token');
      const callsBefore = h.googleCalls(subscriber);
      for (let tick = 0; tick < 3; tick++) {
        h.clock.advance(DAY_MS);
        expect((await h.tick()).enqueued).toBe(0);
        await syncOnce(subscriber.id);
      }
      expect(counted('oauth2.token')).toBe(tokensBefore);
      expect(decrypts.count()).toBe(0);
      expect(h.googleCalls(subscriber)).toBe(callsBefore);
    } finally {
      decrypts.restore();
    }
  });

  it('leaves a reconnect that landed meanwhile alone', async () => {
    const subscriber = await h.connect(feedOf(1));
    await syncOnce(subscriber.id);
    const before = await h.connections.get(subscriber.id);
    if (!before) throw new Error('not connected');
    const { version: _version, ...fields } = before;
    // A reconnect stored another calendar and token between the run's read and its end.
    await h.connections.save(
      { ...fields, calendarId: 'new@group.calendar.google.com', refreshTokenCiphertext: 'other' },
      before.version,
    );
    const marked = await h.connections.markCalendarMissing(
      subscriber.id,
      before.calendarId,
      before.refreshTokenCiphertext as string,
      new Date(),
    );
    expect(marked).toBe(false);
    expect(await h.connections.get(subscriber.id)).toMatchObject({ status: 'connected', scheduled: true });
  });

  it('is purged after the retention, like needs_reauth and feed_gone', async () => {
    const subscriber = await h.connect(feedOf(1));
    await syncOnce(subscriber.id);
    h.google.control.deleteCalendar({ calendarId: subscriber.calendarId });
    h.feeds.feeds.set(subscriber.feedToken, feedOf(3)); // a change: the sync writes, and finds the calendar gone
    await syncOnce(subscriber.id);
    expect((await h.connections.get(subscriber.id))?.status).toBe('calendar_missing');
    const purge = (days: number) =>
      purgeStaleConnections(
        {
          connections: h.connections,
          eventMap: h.deps.eventMap,
          syncState: h.syncState,
          logger: new Logger({ logLevel: 'SILENT' }),
          now: () => new Date(h.clock.now() + days * DAY_MS),
        },
        { needsReauthDays: 30 },
      );
    expect(await purge(10)).toEqual({ purged: 0 });
    // The other tests' paused subscribers are old enough too.
    expect((await purge(31)).purged).toBeGreaterThanOrEqual(1);
    expect(await h.connections.get(subscriber.id)).toBeUndefined();
    expect(await h.syncState.get(subscriber.id)).toBeUndefined();
  });

  it('tells the host once', async () => {
    const bodies: Record<string, unknown>[] = [];
    const server = createServer((incoming, response) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const keys = StaticHostKeyRing.fromText(`events:${randomBytes(32).toString('hex')}`);
    h.deps.hostEvents = new SignedHostEvents({ url, keyId: 'events', keys, logger: h.deps.logger });
    try {
      const subscriber = await h.connect(feedOf(1));
      await syncOnce(subscriber.id);
      h.google.control.deleteCalendar({ calendarId: subscriber.calendarId });
      h.feeds.feeds.set(subscriber.feedToken, feedOf(3)); // a change: the sync writes, and finds the calendar gone
      await syncOnce(subscriber.id);
      await syncOnce(subscriber.id); // skipped: not told again
      const feed = createHash('sha256').update(subscriber.feedToken).digest('hex');
      expect(bodies).toEqual([{ event: 'calendar_missing', feed, at: expect.any(String) }]);
    } finally {
      delete h.deps.hostEvents;
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
