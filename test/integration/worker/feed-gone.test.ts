import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { purgeStaleConnections } from '../../../lambdas/scheduler/use-cases/purge-stale.ts';
import { SignedHostEvents } from '../../../lambdas/shared/adapters/http/host-events.ts';
import { StaticHostKeyRing } from '../../../lambdas/shared/adapters/secrets/host-keys.ts';
import { CLOCK_START } from '../../support/clock.ts';
import { feedOf, WorkerHarness } from './harness.ts';

const HOUR_MS = 3_600_000;
/** A feed whose server answers 404 (the host revoked or forgot the token) on every sync. */
describe('a feed gone for a day', () => {
  const h = new WorkerHarness();
  beforeAll(() => h.open());
  afterAll(() => h.close());
  afterEach(async () => {
    h.clock.set(CLOCK_START);
    await h.sqs.drain(h.queueUrl);
  });
  const revokes = () => h.google.control.counters().byMethod['oauth2.revoke'] ?? 0;
  const syncOnce = async (subscriberId: string) => {
    await h.send(h.syncRequest(subscriberId));
    await h.deliverAll();
  };

  it('stops syncing, drops out of the schedule, releases the grant, and is purged after the retention', async () => {
    const subscriber = await h.connect(feedOf(2));
    await syncOnce(subscriber.id);
    h.feeds.feeds.delete(subscriber.feedToken);

    await syncOnce(subscriber.id);
    const first = await h.connections.get(subscriber.id);
    expect(first).toMatchObject({ status: 'connected', scheduled: true });
    expect(first?.feedGoneSince).toBeDefined();

    h.clock.advance(23 * HOUR_MS);
    await syncOnce(subscriber.id);
    expect((await h.connections.get(subscriber.id))?.status).toBe('connected'); // not yet a day

    const revokesBefore = revokes();
    h.clock.advance(2 * HOUR_MS);
    await syncOnce(subscriber.id);
    const gone = await h.connections.get(subscriber.id);
    expect(gone).toMatchObject({
      status: 'feed_gone',
      scheduled: false,
      feedGoneSince: first?.feedGoneSince,
    });
    expect(gone?.refreshTokenCiphertext).toBeUndefined();
    expect(revokes()).toBe(revokesBefore + 1); // no other connection uses the grant
    expect((await h.tick()).enqueued).toBe(0);
    expect(h.summariesInGoogle(subscriber)).toHaveLength(2); // the calendar keeps what it had

    const purge = (days: number) =>
      purgeStaleConnections(
        {
          connections: h.connections,
          eventMap: h.deps.eventMap,
          syncState: h.syncState,
          logger: new Logger({ logLevel: 'SILENT' }),
          now: () => new Date(h.clock.now() + days * 24 * HOUR_MS),
        },
        { needsReauthDays: 30 },
      );
    expect(await purge(10)).toEqual({ purged: 0 });
    expect(await purge(31)).toEqual({ purged: 1 });
    expect(await h.connections.get(subscriber.id)).toBeUndefined();
    expect(await h.syncState.get(subscriber.id)).toBeUndefined();
    expect(await h.deps.eventMap.list(subscriber.id)).toEqual([]);
  });

  it('a feed that answers again within the day starts counting afresh', async () => {
    const subscriber = await h.connect(feedOf(1));
    const feed = h.feeds.feeds.get(subscriber.feedToken) as string;
    h.feeds.feeds.delete(subscriber.feedToken);
    await syncOnce(subscriber.id);
    expect((await h.connections.get(subscriber.id))?.feedGoneSince).toBeDefined();
    h.feeds.feeds.set(subscriber.feedToken, feed);
    h.clock.advance(12 * HOUR_MS);
    await syncOnce(subscriber.id);
    expect((await h.connections.get(subscriber.id))?.feedGoneSince).toBeUndefined();
    h.feeds.feeds.delete(subscriber.feedToken);
    h.clock.advance(13 * HOUR_MS);
    await syncOnce(subscriber.id);
    expect(await h.connections.get(subscriber.id)).toMatchObject({ status: 'connected', scheduled: true });
  });

  it('tells the host, when configured, that a connection needs re-authorisation or lost its feed', async () => {
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
    const digest = (token: string) => createHash('sha256').update(token).digest('hex');
    try {
      const refused = await h.connect(feedOf(1));
      h.google.control.revokeUserTokens({ user: refused.email });
      await syncOnce(refused.id);
      expect((await h.connections.get(refused.id))?.status).toBe('needs_reauth');
      await syncOnce(refused.id); // already known: not told again

      const gone = await h.connect(feedOf(1));
      h.feeds.feeds.delete(gone.feedToken);
      await syncOnce(gone.id);
      h.clock.advance(25 * HOUR_MS);
      await syncOnce(gone.id);
      expect(bodies).toEqual([
        { event: 'needs_reauth', feed: digest(refused.feedToken), at: expect.any(String) },
        { event: 'feed_gone', feed: digest(gone.feedToken), at: expect.any(String) },
      ]);
    } finally {
      delete h.deps.hostEvents;
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
