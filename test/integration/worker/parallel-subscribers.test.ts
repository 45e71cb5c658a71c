import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedFetch, FeedSource, FeedValidators } from '../../../lambdas/shared/ports/feed-source.ts';
import { reservedForLaterMessages } from '../../../lambdas/sync/worker/handler.ts';
import { feedOf, WorkerHarness } from './harness.ts';

/**
 * Holds every feed download until `expected` are in flight at once, then lets them all go: a worker that synced
 * fewer subscribers at once would never get there (and the test would end on its timeout).
 */
class DownloadGate implements FeedSource {
  inFlight = 0;
  mostAtOnce = 0;
  private readonly held: (() => void)[] = [];

  constructor(
    private readonly inner: FeedSource,
    private readonly expected: number,
  ) {}

  async fetch(location: string, validators?: FeedValidators): Promise<FeedFetch> {
    this.inFlight++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inFlight);
    try {
      if (this.mostAtOnce < this.expected) await new Promise<void>((resolve) => this.held.push(resolve));
      else for (const release of this.held.splice(0)) release();
      return await this.inner.fetch(location, validators);
    } finally {
      this.inFlight--;
    }
  }
}

describe('a worker invocation syncs several subscribers of its batch at once', () => {
  const h = new WorkerHarness();
  beforeAll(() => h.open({ SYNC_PARALLEL_SUBSCRIBERS: '3' }));
  afterAll(() => h.close());

  it('runs three syncs at a time, and a poison message among them fails alone', async () => {
    const subscribers = await Promise.all(Array.from({ length: 5 }, (_, i) => h.connect(feedOf(i + 1))));
    const gate = new DownloadGate(h.deps.feeds, 3);
    h.deps.feeds = gate;
    await h.send(h.syncRequest(subscribers[0]?.id as string, 'connected'));
    await h.sendRaw('{"not":"a sync request"}');
    await h.send(...subscribers.slice(1).map((subscriber) => h.syncRequest(subscriber.id, 'connected')));
    const response = await h.deliverOnce();
    expect(gate.mostAtOnce).toBe(3);
    expect(response?.batchItemFailures).toHaveLength(1);
    for (const [i, subscriber] of subscribers.entries()) {
      expect(h.summariesInGoogle(subscriber)).toHaveLength(i + 1);
      expect((await h.syncState.get(subscriber.id))?.lastResult?.outcome).toBe('synced');
    }
    const left = await h.sqs.inspect(h.queueUrl);
    expect(left.map((message) => message.body)).toEqual(['{"not":"a sync request"}']);
  });

  it('keeps time for the messages that wait for a slot, not for those the other slots take at once', () => {
    const round = reservedForLaterMessages(1, 1);
    // One at a time: a round for every message after it.
    expect(reservedForLaterMessages(9, 1)).toBe(9 * round);
    // Three at a time: the next two start at once beside it; the other seven need ceil(7 / 3) rounds.
    expect(reservedForLaterMessages(9, 3)).toBe(3 * round);
    expect(reservedForLaterMessages(2, 3)).toBe(0);
    expect(reservedForLaterMessages(0, 3)).toBe(0);
  });
});
