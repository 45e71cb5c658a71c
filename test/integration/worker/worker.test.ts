import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRequest } from '../../../lambdas/shared/ports/sync-queue.ts';
import { MIN_TIME_BUDGET_MS } from '../../../lambdas/sync/worker/use-cases/run-sync-request.ts';
import { feedOf, TIME_MARGIN_MS, WorkerHarness } from './harness.ts';

describe('sync worker: SQS batches against fauxqs, dynalite, the Google emulator and the local cipher', () => {
  const h = new WorkerHarness();
  /** The EMF lines Powertools Metrics wrote while `run` ran. */
  const emfDuring = async (run: () => Promise<unknown>) => {
    const from = h.emf.length;
    await run();
    return h.emf.slice(from);
  };
  beforeAll(() => h.open());
  afterAll(() => h.close());
  afterEach(async () => {
    await h.sqs.drain(h.queueUrl);
    await h.sqs.drain(h.deadLetterQueueUrl);
  });

  it("makes a connected subscriber's calendar equal to its feed, and reports runs in metrics", async () => {
    const subscriber = await h.connect(feedOf(12));
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    const emf = await emfDuring(() => h.deliverAll());
    expect(h.summariesInGoogle(subscriber)).toEqual(
      Array.from({ length: 12 }, (_, i) => `Event ${i}`).sort(),
    );
    const state = await h.syncState.get(subscriber.id);
    expect(state?.lastResult).toMatchObject({ outcome: 'synced', created: 12 });

    const runs = emf.find((line) => 'SyncRuns' in line);
    expect(runs).toMatchObject({ outcome: 'synced', SyncRuns: 1 });
    const amounts = emf.find((line) => 'EventsCreated' in line);
    expect(amounts).toMatchObject({ EventsCreated: 12, EventsDeleted: 0, GoogleCalls: 12, QuotaUnits: 12 });
    expect(amounts?.FeedBytes).toBeGreaterThan(500);
    expect(typeof amounts?.SyncDuration).toBe('number');
    const everything = JSON.stringify(emf);
    expect(everything).not.toContain(subscriber.feedToken);
    expect(everything).not.toContain(subscriber.id);
  });

  it('"Sync now" audits the calendar: an event the user retitled in Google gets the feed\'s title back', async () => {
    const subscriber = await h.connect(feedOf(3));
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    await h.deliverAll();
    const calendar = h.google.control.state().calendars.find((c) => c.id === subscriber.calendarId);
    const victim = calendar?.events.find((event) => event.summary === 'Event 1');
    if (!victim) throw new Error('no event to retitle');
    h.google.control.userPatchEvent({
      calendarId: subscriber.calendarId,
      eventId: victim.id,
      patch: { summary: 'Retitled in Google' },
    });
    // A notification of an unchanged feed does not look at Google: only "Sync now" (or the audit's cadence) does.
    await h.send(h.syncRequest(subscriber.id, 'notified'));
    await h.deliverAll();
    expect(h.summariesInGoogle(subscriber)).toContain('Retitled in Google');
    await h.send(h.syncRequest(subscriber.id, 'manual'));
    await h.deliverAll();
    expect(h.summariesInGoogle(subscriber)).toEqual(['Event 0', 'Event 1', 'Event 2']);
    expect((await h.syncState.get(subscriber.id))?.lastResult).toMatchObject({ auditRepaired: 1 });
  });

  it('retries a subscriber whose sync is running later, never in parallel, and loses nothing', async () => {
    const subscriber = await h.connect(feedOf(3));
    // Another run holds the lease.
    const now = new Date(h.clock.now());
    expect(
      await h.syncState.acquireLease(subscriber.id, 'other-run', now, new Date(now.getTime() + 60_000)),
    ).toBe(true);
    await h.send(h.syncRequest(subscriber.id));
    const first = await h.deliverOnce();
    expect(first?.batchItemFailures).toEqual([]);
    expect(h.googleCalls(subscriber)).toBe(0);
    const waiting = await h.sqs.inspect(h.queueUrl);
    expect(waiting.map((m) => JSON.parse(m.body))).toEqual([
      expect.objectContaining({ subscriberId: subscriber.id, reason: 'manual', requeued: 1 }),
    ]);

    await h.syncState.releaseLease(subscriber.id, 'other-run');
    await h.deliverAll();
    expect(h.summariesInGoogle(subscriber)).toEqual(['Event 0', 'Event 1', 'Event 2']);
  });

  it('continues a sync its time budget cut short, over several invocations, until it converges', async () => {
    const subscriber = await h.connect(feedOf(300, { summary: 'Long' }));
    await h.send(h.syncRequest(subscriber.id, 'connected'));
    // Each invocation leaves the engine a budget of 10 s of (virtual) time: about 90 calls at Google's pace.
    const remainingMs = TIME_MARGIN_MS + MIN_TIME_BUDGET_MS + 500;
    const outcomes: string[] = [];
    for (let invocation = 0; invocation < 20; invocation++) {
      if (!(await h.deliverOnce(remainingMs))) break;
      outcomes.push((await h.syncState.get(subscriber.id))?.lastResult?.outcome ?? 'none');
    }
    expect(outcomes.length).toBeGreaterThanOrEqual(3);
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'partial')).toBe(true);
    expect(outcomes.at(-1)).toBe('synced');
    expect(h.summariesInGoogle(subscriber)).toEqual(
      Array.from({ length: 300 }, (_, i) => `Long ${i}`).sort(),
    );
    // Nothing was written twice: every event took one insert.
    expect(h.google.control.counters().byUser[subscriber.email]?.byMethod?.['events.insert']).toBe(300);
  });

  it('puts a request back untouched when the invocation has too little time left', async () => {
    const subscriber = await h.connect(feedOf(2));
    await h.send(h.syncRequest(subscriber.id));
    await h.deliverOnce(TIME_MARGIN_MS + 1_000);
    expect(h.googleCalls(subscriber)).toBe(0);
    expect((await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body).subscriberId)).toEqual([
      subscriber.id,
    ]);
    await h.deliverAll();
    expect(h.summariesInGoogle(subscriber)).toEqual(['Event 0', 'Event 1']);
  });

  it('sends a poison message to the dead-letter queue after a few receives, never retrying it forever', async () => {
    const good = await h.connect(feedOf(1));
    await h.sendRaw('{not json');
    await h.sendRaw(JSON.stringify({ subscriberId: good.id, reason: 'whenever', requestedAt: 'yesterday' }));
    await h.send(h.syncRequest(good.id));
    const emf = await emfDuring(() => h.deliverAll());
    const dead = await h.sqs.drain(h.deadLetterQueueUrl);
    expect(dead.map((m) => m.Body).sort()).toEqual(
      [
        '{not json',
        JSON.stringify({ subscriberId: good.id, reason: 'whenever', requestedAt: 'yesterday' }),
      ].sort(),
    );
    expect(h.summariesInGoogle(good)).toEqual(['Event 0']);
    expect(emf.filter((line) => line.kind === 'poison').length).toBeGreaterThanOrEqual(2);
  });

  it('drops a poison message itself when the queue has no redrive policy', async () => {
    const response = await h.invoke([
      { MessageId: 'm1', Body: '[]', Attributes: { ApproximateReceiveCount: '5' } },
    ]);
    expect(response.batchItemFailures).toEqual([]);
    const early = await h.invoke([
      { MessageId: 'm2', Body: '[]', Attributes: { ApproximateReceiveCount: '1' } },
    ]);
    expect(early.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
  });

  it('needs_reauth: a refused refresh token stops syncing, scrubs the token, and the schedule leaves it out', async () => {
    const subscriber = await h.connect(feedOf(2));
    h.google.control.revokeUserTokens({ user: subscriber.email });
    await h.send(h.syncRequest(subscriber.id));
    const emf = await emfDuring(() => h.deliverAll());
    expect(emf.find((line) => 'SyncSkipped' in line)).toMatchObject({ reason: 'needs_reauth' });
    const connection = await h.connections.get(subscriber.id);
    expect(connection).toMatchObject({ status: 'needs_reauth', scheduled: false });
    expect(connection?.refreshTokenCiphertext).toBeUndefined();
    expect(h.googleCalls(subscriber)).toBe(0);

    // The tick does not enqueue it; a request already queued is skipped without any call.
    const ticked = await h.tick();
    const queued = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body).subscriberId);
    expect(queued).not.toContain(subscriber.id);
    expect(ticked.enqueued).toBe(queued.length);
    await h.sqs.drain(h.queueUrl);
    await h.send(h.syncRequest(subscriber.id, 'scheduled'));
    await h.deliverAll();
    expect(h.googleCalls(subscriber)).toBe(0);
  });

  it('a grant revoked while its access token is cached: the 401 drops the token, the next run finds needs_reauth', async () => {
    const subscriber = await h.connect(feedOf(3));
    await h.send(h.syncRequest(subscriber.id));
    await h.deliverAll(); // the worker now holds a cached access token for this subscriber
    h.google.control.revokeUserTokens({ user: subscriber.email });

    await h.send(h.syncRequest(subscriber.id));
    await h.deliverAll(); // Google answers 401 to the cached token
    expect((await h.connections.get(subscriber.id))?.status).toBe('connected');

    // Kept, the revoked token would be presented again until it expired (up to an hour of failed runs).
    await h.send(h.syncRequest(subscriber.id));
    const emf = await emfDuring(() => h.deliverAll());
    expect(emf.find((line) => 'SyncSkipped' in line)).toMatchObject({ reason: 'needs_reauth' });
    expect(await h.connections.get(subscriber.id)).toMatchObject({
      status: 'needs_reauth',
      scheduled: false,
    });
  });

  it('a repeated tick costs no second write, and a tick after the sync sends nothing', async () => {
    const subscriber = await h.connect(feedOf(4));
    await h.sqs.drain(h.queueUrl);
    // Never synced: the check of each tick asks for a write without fetching.
    expect(await h.tick()).toEqual({ enqueued: 1 });
    expect(await h.tick()).toEqual({ enqueued: 1 });
    const mine = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body) as SyncRequest);
    expect(mine.map((request) => [request.subscriberId, request.reason])).toEqual([
      [subscriber.id, 'checked'],
      [subscriber.id, 'checked'],
    ]);
    const emf = await emfDuring(() => h.deliverAll());
    expect(h.summariesInGoogle(subscriber)).toHaveLength(4);
    // The second job (or its retry, when it met the first run's lease) finds a run that started after its check
    // and is skipped: one sync in all.
    const outcomes = emf.filter((line) => 'SyncRuns' in line).map((line) => line.outcome);
    expect(outcomes.filter((outcome) => outcome !== 'busy')).toEqual(['synced']);
    const skips = emf.filter((line) => 'SyncSkipped' in line).map((line) => line.reason);
    expect(skips).toEqual(['recently_synced']);
    const calls = h.googleCalls(subscriber);

    // The next interval's tick: the check finds the feed unchanged, so nothing reaches the write path.
    h.clock.advance(15 * 60_000);
    expect(await h.tick()).toEqual({ enqueued: 0 });
    expect(h.googleCalls(subscriber)).toBe(calls);
  });

  it('stores the state of a feed whose UIDs are 25 KB long, and every later run works', async () => {
    const longUid = (i: number) => `${'u'.repeat(25_000)}-${i}`;
    // Components the mapping cannot read (no DTSTART) give warnings that quote their UIDs.
    const broken = Array.from({ length: 30 }, (_, i) =>
      [
        'BEGIN:VEVENT',
        `UID:${longUid(i)}`,
        'DTSTAMP:20260101T000000Z',
        `SUMMARY:Broken ${i}`,
        'END:VEVENT',
      ].join('\r\n'),
    );
    const readable = feedOf(2).replace('END:VCALENDAR', `${broken.join('\r\n')}\r\nEND:VCALENDAR`);
    const subscriber = await h.connect(readable);
    await h.send(h.syncRequest(subscriber.id));
    await h.deliverAll();
    const state = await h.syncState.get(subscriber.id);
    expect(state?.lastResult?.outcome).toBe('synced');
    const warnings = state?.lastResult?.warnings ?? [];
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(21);
    for (const warning of warnings) expect(warning.length).toBeLessThanOrEqual(500);
    expect(JSON.stringify(state).length).toBeLessThan(40_000);

    // A later run (the feed changed) stores its state too.
    h.feeds.feeds.set(subscriber.feedToken, readable.replace('SUMMARY:Event 0', 'SUMMARY:Event zero'));
    await h.send(h.syncRequest(subscriber.id));
    await h.deliverAll();
    expect((await h.syncState.get(subscriber.id))?.lastResult?.outcome).toBe('synced');
    expect(h.summariesInGoogle(subscriber)).toEqual(['Event 1', 'Event zero']);
  });
});
