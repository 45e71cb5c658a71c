/**
 * The fault matrix: the sync worker against fauxqs (with a dead-letter queue, maxReceiveCount 3), dynalite, the
 * Google emulator and the local cipher, each row injecting one kind of fault, then recovering (faults cleared,
 * time passing, the queue drained by running the worker on what fauxqs delivers). After recovery the calendar
 * must equal the feed with one copy of each event, nothing may have been deleted because of the fault, the stored
 * status must tell the truth, and only poison messages may reach the dead-letter queue. The table of outcomes is
 * printed at the end.
 */
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../../emulator/google/index.ts';
import { LocalAesGcmCipher } from '../../../lambdas/shared/adapters/crypto/local-cipher.ts';
import type { CalendarGateway } from '../../../lambdas/shared/ports/calendar-gateway.ts';
import type { Cipher } from '../../../lambdas/shared/ports/cipher.ts';
import type { SyncWorkerDependencies } from '../../../lambdas/sync/dependencies.ts';
import { MIN_TIME_BUDGET_MS } from '../../../lambdas/sync/worker/use-cases/run-sync-request.ts';
import type { FeedFault } from '../../support/feed-server.ts';
import { wrapMethods } from '../../support/stubs.ts';
import { feedOf, type TestSubscriber, TIME_MARGIN_MS, WorkerHarness } from '../worker/harness.ts';

/** Longer than the engine's lease (16 minutes): a dead run's lease has expired, and a new interval began. */
const TIME_PASSES_MS = 17 * 60_000;
/**
 * Into the last minute of an access token's hour (`expires_in` 3599): inside the service's refresh margin (five
 * minutes), so its next call refreshes, while Google still takes the token for calls already under way.
 */
const NEAR_TOKEN_EXPIRY_MS = 3_599_000 - 60_000;

interface DynamoFault {
  /** `UpdateItemCommand`, ... or `*`. */
  command: string;
  error: 'conditional' | 'throttle';
  /** Only calls whose input has a ConditionExpression (a conditional write). */
  conditionalOnly?: boolean;
  /** Matching attempts let through before the rule starts. */
  after?: number;
  /** Every n-th matching attempt fails (1: each one). */
  every?: number;
  /** How many failures in all. */
  count: number;
}

/**
 * Fault injection into the real dynalite client: a middleware inside the SDK's retry loop (as a real DynamoDB
 * answer would be) answers ConditionalCheckFailed or ProvisionedThroughputExceeded for the calls a rule matches.
 */
class DynamoFaults {
  private rules: (DynamoFault & { seen: number })[] = [];
  injected = 0;

  constructor(client: WorkerHarness['dynamo']['client']) {
    // Low priority in the finalizeRequest step: inside the SDK's retry loop (priority high in the same step).
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ConditionExpression?: string };
        for (const rule of this.rules) {
          if (rule.count <= 0) continue;
          if (rule.command !== '*' && rule.command !== context.commandName) continue;
          if (rule.conditionalOnly && !input.ConditionExpression) continue;
          if (++rule.seen <= (rule.after ?? 0) || (rule.seen - (rule.after ?? 0)) % (rule.every ?? 1) !== 0)
            continue;
          rule.count--;
          this.injected++;
          const $metadata = { httpStatusCode: 400, attempts: 1 };
          throw rule.error === 'conditional'
            ? new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata })
            : new ProvisionedThroughputExceededException({
                message: 'The level of configured provisioned throughput for the table was exceeded.',
                $metadata,
              });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'fault-matrix-dynamo-faults' },
    );
  }

  inject(...rules: DynamoFault[]): void {
    this.rules.push(...rules.map((rule) => ({ ...rule, seen: 0 })));
  }

  clear(): void {
    this.rules = [];
  }
}

interface MatrixRow {
  row: string;
  injected: string;
  afterFault: string;
  afterRecovery: string;
}

describe('fault matrix: the worker on fauxqs, dynalite, the Google emulator and the local cipher', () => {
  const h = new WorkerHarness();
  let base: SyncWorkerDependencies;
  let dynamoFaults: DynamoFaults;
  const matrix: MatrixRow[] = [];
  const poisonSent: string[] = [];

  beforeAll(async () => {
    await h.open();
    dynamoFaults = new DynamoFaults(h.dynamo.client);
    base = h.deps;
  });

  afterAll(async () => {
    const columns: (keyof MatrixRow)[] = ['row', 'injected', 'afterFault', 'afterRecovery'];
    const width = (column: keyof MatrixRow) =>
      Math.max(column.length, ...matrix.map((row) => row[column].length));
    const line = (cells: Record<keyof MatrixRow, string>) =>
      `| ${columns.map((column) => cells[column].padEnd(width(column))).join(' | ')} |`;
    const header = line({
      row: 'row',
      injected: 'injected',
      afterFault: 'after the fault',
      afterRecovery: 'after recovery',
    });
    console.log(
      [
        'Fault matrix',
        header,
        `|${columns.map((c) => '-'.repeat(width(c) + 2)).join('|')}|`,
        ...matrix.map(line),
      ].join('\n'),
    );
    await h.close();
  });

  /**
   * Receives up to `max` messages as one Lambda poll would, hidden for `visibilitySeconds` (the queue's own
   * timeout is 0 so that failed messages come back at once; 0 here stands for a timeout that already ran out).
   */
  async function receive(max = 10, visibilitySeconds = 60): Promise<Message[]> {
    const { Messages = [] } = await h.sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: h.queueUrl,
        MaxNumberOfMessages: max,
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    return Messages;
  }

  /** What the event source does after an invocation: deletes the messages the handler did not report. */
  async function settle(messages: Message[], response: SQSBatchResponse): Promise<void> {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId as string));
    if (done.length === 0) return;
    await h.sqs.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: h.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }

  const lastOutcome = async (sub: TestSubscriber) => {
    const last = (await h.syncState.get(sub.id))?.lastResult;
    if (!last) return 'no run stored';
    const reason = last.errors[0] ? ` (${last.errors[0].slice(0, 60)})` : '';
    return `${last.outcome}${reason}`;
  };

  const inGoogle = (sub: TestSubscriber) =>
    (
      (h.google.control.state().calendars.find((c) => c.id === sub.calendarId)?.events ?? []) as {
        id: string;
        status?: string;
        summary?: string;
        recurringEventId?: string;
      }[]
    ).filter((event) => event.recurringEventId === undefined);

  const calls = (sub: TestSubscriber, method: string) =>
    h.google.control.counters().byUser[sub.email]?.byMethod?.[method] ?? 0;

  /** Faults cleared; time passes (dead runs' leases expire, a new interval begins) and the schedule asks again. */
  async function recover(sub: TestSubscriber): Promise<number> {
    h.google.control.clearFaults();
    dynamoFaults.clear();
    h.feeds.faults.clear();
    h.deps = base;
    let rounds = 0;
    for (; rounds < 4; rounds++) {
      h.clock.advance(TIME_PASSES_MS);
      if (rounds > 0) await h.send(h.syncRequest(sub.id, 'scheduled'));
      await h.deliverAll();
      const outcome = (await h.syncState.get(sub.id))?.lastResult?.outcome;
      if (outcome === 'synced' || outcome === 'unchanged') break;
    }
    return rounds + 1;
  }

  /**
   * The row's verdict after recovery: Google equals the feed, one copy of each event, nothing deleted (no feed
   * here ever drops an event), the status true, the dead-letter queue holding nothing but poison.
   */
  async function expectRecovered(sub: TestSubscriber, events: number, summary = 'Event'): Promise<string> {
    const expected = Array.from({ length: events }, (_, i) => `${summary} ${i}`).sort();
    const all = inGoogle(sub);
    expect(h.summariesInGoogle(sub)).toEqual(expected);
    expect(all).toHaveLength(events);
    expect(all.filter((event) => event.status === 'cancelled')).toEqual([]);
    expect(calls(sub, 'events.delete')).toBe(0);
    const state = await h.syncState.get(sub.id);
    expect(['synced', 'unchanged']).toContain(state?.lastResult?.outcome);
    expect(state?.lastResult?.errors).toEqual([]);
    expect(state?.eventCount).toBe(events);
    expect((await h.connections.get(sub.id))?.status).toBe('connected');
    const dead = (await h.sqs.drain(h.deadLetterQueueUrl)).map((m) => m.Body ?? '');
    expect(dead.filter((body) => !poisonSent.includes(body))).toEqual([]);
    expect(await h.sqs.inspect(h.queueUrl)).toEqual([]);
    return `equal (${events} events, 0 duplicates, 0 deleted), ${state?.lastResult?.outcome}, DLQ ${dead.length}`;
  }

  function record(row: string, injected: string, afterFault: string, afterRecovery: string): void {
    matrix.push({ row, injected, afterFault, afterRecovery });
  }

  /** A subscriber whose calendar is already in sync with a feed of `events` events. */
  async function synced(events: number): Promise<TestSubscriber> {
    const sub = await h.connect(feedOf(events));
    await h.send(h.syncRequest(sub.id, 'connected'));
    await h.deliverAll();
    expect((await h.syncState.get(sub.id))?.lastResult?.outcome).toBe('synced');
    return sub;
  }

  it('1. the same message delivered twice (at once, and again after the first finished)', async () => {
    const sub = await h.connect(feedOf(30));
    await h.send(h.syncRequest(sub.id, 'connected'));
    const [message] = await receive(1);
    if (!message) throw new Error('no message');
    const responses = await Promise.all([h.invoke([message]), h.invoke([message])]);
    const third = await h.invoke([message]);
    await settle([message], third);
    const afterFault = `${await lastOutcome(sub)}; busy copy requeued: ${(await h.sqs.inspect(h.queueUrl)).length}; failures ${responses.flatMap((r) => r.batchItemFailures).length}`;
    const rounds = await recover(sub);
    expect(calls(sub, 'events.insert')).toBe(30);
    record(
      'duplicate delivery',
      'one SQS message handed to 3 invocations (2 at once)',
      afterFault,
      `${await expectRecovered(sub, 30)}, ${rounds} round(s), 30 inserts`,
    );
  });

  async function killedRun(afterCalls: number): Promise<void> {
    let made = 0;
    const killed = () => made >= afterCalls;
    const dead = () => Promise.reject(new Error('function killed'));
    const guard =
      <A extends unknown[], R>(method: (...args: A) => Promise<R>, count = false) =>
      (...args: A): Promise<R> => {
        if (killed()) return dead();
        if (count) made++;
        return method(...args);
      };
    const gatewayOf = (inner: CalendarGateway): CalendarGateway =>
      wrapMethods(inner, (call) => guard(call as (...args: unknown[]) => Promise<unknown>, true));
    const { eventMap, syncState, syncQueue } = base;
    // After the kill nothing more reaches DynamoDB or SQS: what was not flushed is lost with the process.
    h.deps = {
      ...base,
      calendarFor: (token) => gatewayOf(base.calendarFor(token)),
      eventMap: {
        list: eventMap.list.bind(eventMap),
        put: guard(eventMap.put.bind(eventMap)),
        remove: guard(eventMap.remove.bind(eventMap)),
        removeAll: guard(eventMap.removeAll.bind(eventMap)),
      },
      syncState: {
        get: guard(syncState.get.bind(syncState)),
        put: guard(syncState.put.bind(syncState)),
        remove: guard(syncState.remove.bind(syncState)),
        acquireLease: guard(syncState.acquireLease.bind(syncState)),
        releaseLease: guard(syncState.releaseLease.bind(syncState)),
        noteTokenChecked: guard(syncState.noteTokenChecked.bind(syncState)),
      },
      syncQueue: { enqueue: guard(syncQueue.enqueue.bind(syncQueue)) },
    };
    const messages = await receive(1, 0);
    // The invocation dies: its answer never reaches the event source, so the message is not deleted.
    await h.invoke(messages);
    h.deps = base;
  }

  it('2. the worker killed after some Google writes of a first sync, before the map rows', async () => {
    const sub = await h.connect(feedOf(40));
    await h.send(h.syncRequest(sub.id, 'connected'));
    await killedRun(17);
    const rows = await base.eventMap.list(sub.id);
    // No event in Google without a row: the intents written before the calls cover what the map lost.
    const ids = new Set(rows.map((row) => row.googleId));
    expect(inGoogle(sub).filter((event) => !ids.has(event.id))).toEqual([]);
    const afterFault = `${inGoogle(sub).length} in Google, rows: ${rows.filter((r) => r.hash === 'pending').length} intents, ${rows.filter((r) => r.hash !== 'pending').length} final; ${await lastOutcome(sub)}`;
    const rounds = await recover(sub);
    record(
      'killed mid first sync',
      'killed after 17 Google calls (no answer, no map/state/queue write after)',
      afterFault,
      `${await expectRecovered(sub, 40)}, ${rounds} round(s)`,
    );
  });

  it('3. the worker killed in the middle of updates', async () => {
    const sub = await synced(40);
    h.feeds.feeds.set(sub.feedToken, feedOf(40, { summary: 'Moved' }));
    await h.send(h.syncRequest(sub.id));
    await killedRun(21);
    const moved = inGoogle(sub).filter((e) => e.summary?.startsWith('Moved')).length;
    const afterFault = `${moved} of 40 updated in Google; status still the last finished run's: ${await lastOutcome(sub)}`;
    const rounds = await recover(sub);
    record(
      'killed mid update',
      'killed after 21 Google calls of 40 get+update pairs',
      afterFault,
      `${await expectRecovered(sub, 40, 'Moved')}, ${rounds} round(s)`,
    );
  });

  it('4. two workers on one subscriber at once', async () => {
    const sub = await h.connect(feedOf(30));
    await h.send(h.syncRequest(sub.id, 'connected'), h.syncRequest(sub.id, 'manual'));
    const first = await receive(1);
    const second = await receive(1);
    expect(first.length + second.length).toBe(2);
    const [a, b] = await Promise.all([h.invoke(first), h.invoke(second)]);
    await settle(first, a);
    await settle(second, b);
    const requeued = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body));
    expect(requeued).toEqual([expect.objectContaining({ subscriberId: sub.id, requeued: 1 })]);
    const afterFault = `${await lastOutcome(sub)} + busy (put back, requeued 1)`;
    const rounds = await recover(sub);
    expect(calls(sub, 'events.insert')).toBe(30);
    record(
      'two workers at once',
      'two messages for one subscriber, two concurrent invocations',
      afterFault,
      `${await expectRecovered(sub, 30)}, ${rounds} round(s)`,
    );
  });

  const googleBursts: [string, string, (sub: TestSubscriber) => void][] = [
    [
      'Google 5xx burst',
      '8x 503 on insert, 4x 500 after the write took effect, 3x 502 on any call',
      (sub) => {
        const { control } = h.google;
        control.injectFault({ method: 'events.insert', user: sub.email, status: 503, count: 8 });
        control.injectFault({
          method: 'events.insert',
          user: sub.email,
          status: 500,
          afterEffect: true,
          count: 4,
        });
        control.injectFault({ method: '*', user: sub.email, status: 502, count: 3 });
      },
    ],
    [
      'Google 429 burst',
      '12x 429 with Retry-After 20 on any call',
      (sub) =>
        h.google.control.injectFault({
          method: '*',
          user: sub.email,
          status: 429,
          retryAfterSeconds: 20,
          count: 12,
        }),
    ],
    [
      'Google 403 rate limits',
      '6x 403 rateLimitExceeded + 6x userRateLimitExceeded',
      (sub) => {
        h.google.control.injectFault({
          method: '*',
          user: sub.email,
          status: 403,
          reason: 'rateLimitExceeded',
          count: 6,
        });
        h.google.control.injectFault({
          method: '*',
          user: sub.email,
          status: 403,
          reason: 'userRateLimitExceeded',
          count: 6,
        });
      },
    ],
    [
      'Google slow answers',
      '10 calls answered after 400 ms',
      (sub) => h.google.control.injectFault({ method: '*', user: sub.email, delayMs: 400, count: 10 }),
    ],
    [
      'Google down for a run',
      'every call 503 for the whole run',
      (sub) => h.google.control.injectFault({ method: '*', user: sub.email, status: 503, count: 100_000 }),
    ],
  ];

  for (const [index, [row, injected, inject]] of googleBursts.entries()) {
    it(`${5 + index}. ${row}`, async () => {
      const sub = await h.connect(feedOf(30));
      inject(sub);
      await h.send(h.syncRequest(sub.id, 'connected'));
      await h.deliverAll();
      const afterFault = `${await lastOutcome(sub)}, ${inGoogle(sub).length} in Google`;
      const rounds = await recover(sub);
      record(row, injected, afterFault, `${await expectRecovered(sub, 30)}, ${rounds} round(s)`);
    });
  }

  const feedFaults: [FeedFault, string][] = [
    ['down', 'feed answers 503'],
    ['refused', 'feed drops the connection'],
    ['truncated', 'feed cut off half-way (no END:VCALENDAR)'],
    ['partial', 'feed answers 206 with 100 bytes'],
    ['html', 'feed answers an HTML login page'],
  ];

  for (const [index, [mode, injected]] of feedFaults.entries()) {
    it(`${10 + index}. the feed: ${injected}`, async () => {
      const sub = await synced(30);
      // The subscriber's feed grows meanwhile; its host misbehaves.
      h.feeds.feeds.set(sub.feedToken, feedOf(31));
      h.feeds.faults.set(sub.feedToken, mode);
      h.clock.advance(TIME_PASSES_MS);
      await h.send(h.syncRequest(sub.id, 'scheduled'));
      await h.deliverAll();
      const state = await h.syncState.get(sub.id);
      expect(state?.lastResult?.outcome).toBe('feed_error');
      expect(h.summariesInGoogle(sub)).toHaveLength(30);
      const afterFault = `${await lastOutcome(sub)}, 30 kept in Google`;
      const rounds = await recover(sub);
      record(`feed ${mode}`, injected, afterFault, `${await expectRecovered(sub, 31)}, ${rounds} round(s)`);
    });
  }

  it('15. the cipher failing', async () => {
    const sub = await h.connect(feedOf(20));
    const failing: Cipher = {
      encrypt: () => Promise.reject(new Error('cipher unavailable')),
      decrypt: () => Promise.reject(new Error('cipher unavailable')),
    };
    h.deps = { ...base, cipher: failing };
    await h.send(h.syncRequest(sub.id, 'connected'));
    const failures: number[] = [];
    for (let delivery = 0; delivery < 2; delivery++) {
      failures.push((await h.deliverOnce())?.batchItemFailures.length ?? -1);
    }
    expect(failures).toEqual([1, 1]);
    expect(h.googleCalls(sub)).toBe(0);
    const afterFault = `2 deliveries reported failed, 0 Google calls, ${await lastOutcome(sub)}`;
    const rounds = await recover(sub);
    record(
      'cipher failing',
      'every decrypt throws for 2 deliveries',
      afterFault,
      `${await expectRecovered(sub, 20)}, ${rounds} round(s)`,
    );
  });

  it('16. DynamoDB conditional-write conflicts', async () => {
    const sub = await h.connect(feedOf(20));
    dynamoFaults.inject({
      command: 'UpdateItemCommand',
      conditionalOnly: true,
      error: 'conditional',
      count: 2,
    });
    await h.send(h.syncRequest(sub.id, 'connected'));
    for (let i = 0; i < 2; i++) await h.deliverOnce();
    const queued = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body).requeued);
    expect(h.googleCalls(sub)).toBe(0);
    const afterFault = `lease refused twice: busy, put back (requeued ${queued.join(',')}); ${await lastOutcome(sub)}`;
    const rounds = await recover(sub);
    record(
      'DynamoDB conflicts',
      'ConditionalCheckFailed on 2 conditional writes',
      afterFault,
      `${await expectRecovered(sub, 20)}, ${rounds} round(s)`,
    );
  });

  it('17. DynamoDB throttling', async () => {
    const sub = await h.connect(feedOf(60));
    dynamoFaults.inject(
      // Absorbed by the SDK's retries...
      { command: '*', error: 'throttle', every: 3, count: 12 },
      // ...and a burst that outlasts them: an event map batch write fails after every attempt.
      { command: 'BatchWriteItemCommand', error: 'throttle', after: 2, count: 3 },
    );
    await h.send(h.syncRequest(sub.id, 'connected'));
    const failures: number[] = [];
    for (let delivery = 0; delivery < 2; delivery++) {
      failures.push((await h.deliverOnce())?.batchItemFailures.length ?? 0);
    }
    const injected = dynamoFaults.injected;
    dynamoFaults.clear();
    const afterFault = `${injected} throttles; handler failures ${failures.join(',')}; ${await lastOutcome(sub)}, ${inGoogle(sub).length} in Google`;
    const rounds = await recover(sub);
    record(
      'DynamoDB throttling',
      'ProvisionedThroughputExceeded: 1 in 3 attempts (12) + 3 in a row on the 3rd BatchWriteItem',
      afterFault,
      `${await expectRecovered(sub, 60)}, ${rounds} round(s)`,
    );
  });

  it('18. invalid_grant mid-run, then the subscriber reconnects', async () => {
    const sub = await h.connect(feedOf(40));
    let made = 0;
    h.deps = {
      ...base,
      calendarFor: (token) =>
        wrapMethods(base.calendarFor(token), (call) => (...args) => {
          // After the 12th call the grant ends (its refresh token expires) as the access token nears its end:
          // the next call refreshes, mid-run, and meets invalid_grant. Calls already under way keep their
          // still valid access token, so which call meets it does not depend on their order.
          if (++made === 12) {
            h.google.control.expireTokens({ user: sub.email, kind: 'refresh' });
            h.clock.advance(NEAR_TOKEN_EXPIRY_MS);
          }
          return call(...args);
        }),
    };
    await h.send(h.syncRequest(sub.id, 'connected'));
    await h.deliverAll();
    h.deps = base;
    // A later request of the same warm worker.
    h.clock.advance(TIME_PASSES_MS);
    await h.send(h.syncRequest(sub.id, 'scheduled'));
    await h.deliverAll();
    const connection = await h.connections.get(sub.id);
    const afterFault = `${await lastOutcome(sub)}; connection ${connection?.status}; ${inGoogle(sub).length} in Google`;
    expect(connection?.status).toBe('needs_reauth');
    expect((await h.syncState.get(sub.id))?.lastResult?.outcome).toBe('needs_reauth');
    expect(connection?.refreshTokenCiphertext).toBeUndefined();
    // Reconnect: a new grant, stored as the OAuth callback stores it.
    const tokens = h.google.control.mintTokens({
      user: sub.email,
      clientId: h.google.control.state().clients[0]?.clientId as string,
      scopes: [SCOPES.appCreated],
      offline: true,
    });
    const cipher = new LocalAesGcmCipher(Buffer.alloc(32, 9).toString('base64'));
    const { needsReauthSince: _since, ...rest } = connection as NonNullable<typeof connection>;
    await h.connections.save(
      {
        ...rest,
        status: 'connected',
        scheduled: true,
        refreshTokenCiphertext: await cipher.encrypt(tokens.refresh_token as string, {
          subscriberId: sub.id,
          purpose: 'google_refresh_token',
        }),
      },
      connection?.version,
    );
    await h.send(h.syncRequest(sub.id, 'connected'));
    const rounds = await recover(sub);
    record(
      'invalid_grant mid-run',
      'expireTokens after 12 calls; reconnect afterwards',
      afterFault,
      `${await expectRecovered(sub, 40)}, ${rounds} round(s)`,
    );
  });

  it('19. the time budget running out mid-run', async () => {
    const sub = await h.connect(feedOf(150, { summary: 'Long' }));
    await h.send(h.syncRequest(sub.id, 'connected'));
    await h.deliverOnce(TIME_MARGIN_MS + MIN_TIME_BUDGET_MS + 500);
    const state = await h.syncState.get(sub.id);
    expect(state?.lastResult?.outcome).toBe('partial');
    expect(state?.lastResult?.deferred).toBeGreaterThan(0);
    const continuation = (await h.sqs.inspect(h.queueUrl)).map((m) => JSON.parse(m.body).reason);
    expect(continuation).toEqual(['continuation']);
    const afterFault = `partial, ${state?.lastResult?.created} created, ${state?.lastResult?.deferred} deferred, continuation queued`;
    const rounds = await recover(sub);
    expect(calls(sub, 'events.insert')).toBe(150);
    record(
      'time budget',
      'an invocation with 10.5 s left for the engine',
      afterFault,
      `${await expectRecovered(sub, 150, 'Long')}, ${rounds} round(s), 150 inserts`,
    );
  });

  it('20. a poison message next to good ones', async () => {
    const sub = await h.connect(feedOf(5));
    const poison = JSON.stringify({ subscriberId: sub.id, reason: 'whenever', requestedAt: 'yesterday' });
    poisonSent.push(poison);
    await h.sendRaw(poison);
    await h.send(h.syncRequest(sub.id, 'connected'));
    await h.deliverAll();
    const dead = (await h.sqs.inspect(h.deadLetterQueueUrl)).map((m) => m.body);
    expect(dead).toEqual([poison]);
    const afterFault = `poison in the DLQ after 3 receives; ${await lastOutcome(sub)}`;
    const rounds = await recover(sub);
    record(
      'poison message',
      'a body that is no sync request',
      afterFault,
      `${await expectRecovered(sub, 5)}, ${rounds} round(s)`,
    );
  });
  /** The live events of the subscriber's calendar (series and single events), as Google holds them. */
  const liveInGoogle = (sub: TestSubscriber) =>
    (
      (h.google.control.state().calendars.find((c) => c.id === sub.calendarId)?.events ?? []) as {
        id: string;
        status?: string;
        summary?: string;
        description?: string;
        colorId?: string;
        start?: { dateTime?: string };
        end?: { dateTime?: string };
        recurringEventId?: string;
      }[]
    ).filter((event) => event.recurringEventId === undefined && event.status !== 'cancelled');

  /** No two live events show the same start, end and summary. */
  const copiesOf = (sub: TestSubscriber) => {
    const seen = new Map<string, number>();
    for (const event of liveInGoogle(sub)) {
      const signature = JSON.stringify([event.start, event.end, event.summary]);
      seen.set(signature, (seen.get(signature) ?? 0) + 1);
    }
    return [...seen.values()].filter((count) => count > 1).length;
  };

  /** Time passes by `ms`, the schedule asks again, and the queue is drained. */
  async function laterSync(sub: TestSubscriber, ms: number): Promise<void> {
    h.clock.advance(ms);
    await h.send(h.syncRequest(sub.id, 'scheduled'));
    await h.deliverAll();
  }

  /** Feed `count` with a description added to event `index` (a change that keeps every summary). */
  const withDescription = (count: number, index: number, description = 'changed') =>
    feedOf(count).replace(`UID:event-${index}\r\n`, `UID:event-${index}\r\nDESCRIPTION:${description}\r\n`);

  it('21. one event refused with 403 forbidden among new ones', async () => {
    const sub = await synced(10);
    h.feeds.feeds.set(sub.feedToken, withDescription(60, 0));
    h.google.control.injectFault({
      method: 'events.update',
      user: sub.email,
      status: 403,
      reason: 'forbidden',
      message: 'Forbidden',
      count: 1_000,
    });
    await h.send(h.syncRequest(sub.id));
    await h.deliverAll();
    const state = await h.syncState.get(sub.id);
    // The refusal is the event's: the 50 new events are written, the status names the refused one.
    expect(state?.lastResult).toMatchObject({ outcome: 'synced', created: 50 });
    expect(state?.lastResult?.warnings?.join('\n')).toMatch(/event-0/);
    expect(liveInGoogle(sub)).toHaveLength(60);
    const afterFault = `${state?.lastResult?.outcome}, ${state?.lastResult?.created} created, refused event named in the status`;
    // Within its back-off the refused event costs no call; after it, it is written.
    const updates = calls(sub, 'events.update');
    await laterSync(sub, 30 * 60_000);
    expect(calls(sub, 'events.update')).toBe(updates);
    h.google.control.clearFaults();
    await laterSync(sub, 45 * 60_000);
    expect(liveInGoogle(sub).find((event) => event.summary === 'Event 0')?.description).toBe('changed');
    const rounds = await recover(sub);
    record(
      '403 on one event',
      'every events.update answered 403 forbidden, 50 new events + 1 change',
      afterFault,
      `${await expectRecovered(sub, 60)}, retried after its 1 h back-off, ${rounds} round(s)`,
    );
  });

  it('22. an insert answered 409, then its read answered 404 (a purged tombstone)', async () => {
    const sub = await h.connect(feedOf(5));
    h.google.control.injectFault({
      method: 'events.insert',
      user: sub.email,
      status: 409,
      reason: 'duplicate',
    });
    h.google.control.injectFault({ method: 'events.get', user: sub.email, status: 404, reason: 'notFound' });
    await h.send(h.syncRequest(sub.id, 'connected'));
    await h.deliverAll();
    const afterFault = `${await lastOutcome(sub)}; ${liveInGoogle(sub).length} live, one under a fresh id`;
    const rows = await base.eventMap.list(sub.id);
    expect(rows.filter((row) => row.ownGoogleId)).toHaveLength(1);
    const rounds = await recover(sub);
    record(
      '409 then 404',
      'one insert 409 duplicate, its read 404 notFound',
      afterFault,
      `${await expectRecovered(sub, 5)}, ${rounds} round(s)`,
    );
  });

  it('23. a feed that renames every UID on each of four syncs', async () => {
    const sub = await h.connect(feedOf(30, { prefix: 'gen0' }));
    await h.send(h.syncRequest(sub.id, 'connected'));
    await h.deliverAll();
    const counts: number[] = [];
    for (let generation = 1; generation <= 4; generation++) {
      h.feeds.feeds.set(sub.feedToken, feedOf(30, { prefix: `gen${generation}` }));
      await laterSync(sub, 20 * 60_000);
      counts.push(liveInGoogle(sub).length);
      expect(copiesOf(sub)).toBe(0);
    }
    expect(counts).toEqual([30, 30, 30, 30]);
    expect(calls(sub, 'events.insert')).toBe(30);
    const afterFault = `live events after each sync: ${counts.join(', ')}; 0 copies; ${await lastOutcome(sub)}`;
    const rounds = await recover(sub);
    record(
      'UID churn',
      'all 30 UIDs renamed on each of 4 syncs',
      afterFault,
      `${await expectRecovered(sub, 30)}, 30 inserts in all, ${rounds} round(s)`,
    );
  });

  it("24. Google's daily project quota used up", async () => {
    const sub = await h.connect(feedOf(8));
    const other = await synced(3);
    // The Calendar API's daily quota: Google's token endpoint is not part of it.
    for (const method of ['events.insert', 'events.get', 'events.update', 'events.list', 'events.delete']) {
      h.google.control.injectFault({
        method,
        status: 403,
        reason: 'dailyLimitExceeded',
        message: "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service",
        count: 1_000,
      });
    }
    await h.send(h.syncRequest(sub.id, 'connected'));
    await h.deliverAll();
    const state = await h.syncState.get(sub.id);
    expect(state?.lastResult).toMatchObject({ outcome: 'cooling_down', dailyQuotaUsedUp: true });
    // The project waits: another subscriber's request makes no Google call, nobody is marked.
    const otherCalls = h.googleCalls(other);
    await h.send(h.syncRequest(other.id));
    await h.deliverAll();
    expect(h.googleCalls(other)).toBe(otherCalls);
    expect((await h.connections.get(sub.id))?.status).toBe('connected');
    const afterFault = `${state?.lastResult?.outcome} until ${state?.lastResult?.coolDownUntil}; other subscribers wait without a call`;
    // Past midnight Pacific Time the quota is back.
    h.google.control.clearFaults();
    h.clock.advance(25 * 3_600_000);
    const rounds = await recover(sub);
    record(
      'daily quota',
      "every call 403 dailyLimitExceeded ('Queries per day')",
      afterFault,
      `${await expectRecovered(sub, 8)}, ${rounds} round(s) after the reset`,
    );
  });

  it('25. the user deletes, moves, retitles and colours events in Google, then presses Sync now', async () => {
    const sub = await synced(10);
    const { control } = h.google;
    const [deleted, moved, retitled, coloured] = liveInGoogle(sub)
      .sort((a, b) => (a.summary ?? '').localeCompare(b.summary ?? ''))
      .slice(0, 4)
      .map((event) => event.id) as [string, string, string, string];
    const { calendarId } = sub;
    control.userDeleteEvent({ calendarId, eventId: deleted });
    control.userPatchEvent({
      calendarId,
      eventId: moved,
      patch: { start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } },
    });
    control.userPatchEvent({ calendarId, eventId: retitled, patch: { summary: 'Not mine' } });
    control.userPatchEvent({ calendarId, eventId: coloured, patch: { colorId: '7' } });
    const afterFault = `${liveInGoogle(sub).length} live, 1 moved to 2030, 1 retitled, 1 coloured`;
    await h.send(h.syncRequest(sub.id, 'manual'));
    await h.deliverAll();
    const state = await h.syncState.get(sub.id);
    expect(state?.lastResult).toMatchObject({ outcome: 'synced', auditRepaired: 3 });
    expect(h.summariesInGoogle(sub)).toEqual(Array.from({ length: 10 }, (_, i) => `Event ${i}`).sort());
    expect(liveInGoogle(sub)).toHaveLength(10);
    expect(liveInGoogle(sub).find((event) => event.id === coloured)?.colorId).toBe('7');
    expect(liveInGoogle(sub).find((event) => event.id === moved)?.start?.dateTime).not.toContain('2030');
    expect(copiesOf(sub)).toBe(0);
    record(
      'user edits in Google',
      'delete, move, retitle, colour in the Calendar UI; Sync now',
      afterFault,
      `equal after 1 Sync now (3 repaired, the deleted one back under a fresh id), colour kept, ${state?.lastResult?.googleCalls} calls`,
    );
  });

  it('26. an update whose answer is lost, then the feed goes back to the earlier text', async () => {
    const sub = await synced(10);
    h.feeds.feeds.set(sub.feedToken, withDescription(10, 3));
    // Google applies every try of the update but no answer arrives: the run cannot know it wrote.
    h.google.control.injectFault({
      method: 'events.update',
      user: sub.email,
      status: 503,
      afterEffect: true,
      count: 1_000,
    });
    await h.send(h.syncRequest(sub.id));
    await h.deliverAll();
    expect(liveInGoogle(sub).find((event) => event.summary === 'Event 3')?.description).toBe('changed');
    const afterFault = `${await lastOutcome(sub)}; the change is in Google, no answer came`;
    h.feeds.feeds.set(sub.feedToken, feedOf(10));
    const rounds = await recover(sub);
    expect(liveInGoogle(sub).find((event) => event.summary === 'Event 3')?.description).toBeUndefined();
    record(
      'lost update, feed reverts',
      'events.update applied but every answer lost (503 after effect); then the feed reverts',
      afterFault,
      `${await expectRecovered(sub, 10)}, the change undone, ${rounds} round(s)`,
    );
  });
});
