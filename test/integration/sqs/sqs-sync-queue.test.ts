import type {
  Message,
  SendMessageBatchCommandInput,
  SendMessageBatchCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsSyncQueue, SyncQueueError } from '../../../lambdas/shared/adapters/sqs/sqs-sync-queue.ts';
import type { SyncReason, SyncRequest } from '../../../lambdas/shared/ports/sync-queue.ts';
import { startSqs, type TestSqs } from '../../support/fauxqs.ts';
import { motoNote, motoSqs, skipWithoutMoto, useMoto } from '../../support/moto.ts';

const requestFor = (
  subscriberId: string,
  reason: SyncReason = 'scheduled',
  requestedAt = '2026-11-26T01:00:00.000Z',
) => ({ subscriberId, reason, requestedAt }) satisfies SyncRequest;

const requests = (count: number, prefix = 'sub') =>
  Array.from({ length: count }, (_, i) => requestFor(`${prefix}-${String(i).padStart(4, '0')}`));

const bodies = (messages: Message[]) =>
  messages.map((message) => JSON.parse(message.Body ?? '') as SyncRequest);

/** Every request received exactly once, and nothing else. */
function expectReceivedOnce(messages: Message[], sent: SyncRequest[]): void {
  const received = bodies(messages);
  expect(received).toHaveLength(sent.length);
  const byKey = (r: SyncRequest) => `${r.subscriberId}|${r.reason}|${r.requestedAt}`;
  expect(new Set(received.map(byKey)).size).toBe(sent.length);
  expect([...received].sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(
    [...sent].sort((a, b) => byKey(a).localeCompare(byKey(b))),
  );
}

/**
 * Watches the SendMessageBatch calls a client makes (in-flight count, entries per call) and, when asked, makes
 * SQS "fail" chosen entries the way it reports transient trouble: the entry is withheld from the real server and
 * reported in `Failed[]` with SenderFault false. The server stays real; only the failure is staged, because
 * the emulator never produces a transient failure of its own.
 */
function observeBatches(client: SQSClient, failTransiently: (subscriberId: string) => boolean = () => false) {
  const observed = { calls: 0, inFlight: 0, maxInFlight: 0, entriesPerCall: [] as number[], withheld: 0 };
  const name = `observe-batches-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const input = args.input as SendMessageBatchCommandInput;
      const entries = input.Entries ?? [];
      const subscriberOf = (body = '') => (JSON.parse(body) as SyncRequest).subscriberId;
      const withheld = entries.filter((entry) => failTransiently(subscriberOf(entry.MessageBody)));
      const sent = entries.filter((entry) => !withheld.includes(entry));
      observed.calls++;
      observed.entriesPerCall.push(entries.length);
      observed.withheld += withheld.length;
      observed.inFlight++;
      observed.maxInFlight = Math.max(observed.maxInFlight, observed.inFlight);
      try {
        const result =
          sent.length > 0
            ? await next({ ...args, input: { ...input, Entries: sent } })
            : { output: { Successful: [], Failed: [], $metadata: {} }, response: {} };
        const output = result.output as SendMessageBatchCommandOutput;
        output.Failed = [
          ...(output.Failed ?? []),
          ...withheld.map((entry) => ({
            Id: entry.Id,
            SenderFault: false,
            Code: 'InternalError',
            Message: 'staged transient failure',
          })),
        ];
        return result;
      } finally {
        observed.inFlight--;
      }
    },
    { step: 'initialize', name },
  );
  return { observed, stop: () => client.middlewareStack.remove(name) };
}

/** What these tests need of an SQS server: fauxqs in-process, or moto (test/support/moto.ts). */
type SqsBackend = Pick<TestSqs, 'client' | 'createQueue' | 'drain' | 'close'>;

describe('SqsSyncQueue on fauxqs', () => {
  sqsSyncQueueSuite('fauxqs', startSqs, { bulk: 1000, bounded: 200 });
});

describe.skipIf(skipWithoutMoto)(`SqsSyncQueue on moto${motoNote}`, () => {
  const moto = useMoto();
  // moto's receive slows down with every message in the queue (a drain of 1,000 takes over a minute): fewer
  // requests, still more batches than the 25 allowed in flight.
  sqsSyncQueueSuite('moto', async () => motoSqs(moto.server), { bulk: 260, bounded: 60 });
});

/** `bulk`: requests of the bounded-concurrency delivery test; `bounded`: of the configured-bound test. */
function sqsSyncQueueSuite(
  backend: 'fauxqs' | 'moto',
  start: () => Promise<SqsBackend>,
  counts: { bulk: number; bounded: number },
): void {
  let sqs: SqsBackend;
  beforeAll(async () => {
    sqs = await start();
  });
  afterAll(async () => sqs?.close());

  const fastRetries = { baseDelayMs: 1, maxDelayMs: 5 };

  it('enqueues one request as a JSON SyncRequest', async () => {
    const queueUrl = await sqs.createQueue('one');
    const request = requestFor('sub-one', 'connected');
    await new SqsSyncQueue(sqs.client, queueUrl).enqueue([request]);
    const messages = await sqs.drain(queueUrl);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]?.Body ?? '')).toEqual(request);
  });

  it('does nothing for no requests', async () => {
    const queueUrl = await sqs.createQueue('none');
    const watch = observeBatches(sqs.client);
    try {
      await new SqsSyncQueue(sqs.client, queueUrl).enqueue([]);
      expect(watch.observed.calls).toBe(0);
    } finally {
      watch.stop();
    }
  });

  it('sends 25 requests in 3 batches (10, 10, 5)', async () => {
    const queueUrl = await sqs.createQueue('twenty-five');
    const sent = requests(25);
    const watch = observeBatches(sqs.client);
    try {
      await new SqsSyncQueue(sqs.client, queueUrl).enqueue(sent);
      expect(watch.observed.entriesPerCall.sort((a, b) => b - a)).toEqual([10, 10, 5]);
    } finally {
      watch.stop();
    }
    expectReceivedOnce(await sqs.drain(queueUrl), sent);
  });

  it(`delivers ${counts.bulk} requests exactly once with at most 25 batches in flight`, async () => {
    const queueUrl = await sqs.createQueue('thousand');
    const sent = requests(counts.bulk);
    const watch = observeBatches(sqs.client);
    try {
      await new SqsSyncQueue(sqs.client, queueUrl).enqueue(sent);
      expect(watch.observed.calls).toBe(counts.bulk / 10);
      expect(watch.observed.maxInFlight).toBeLessThanOrEqual(25);
      expect(watch.observed.maxInFlight).toBeGreaterThan(1);
    } finally {
      watch.stop();
    }
    expectReceivedOnce(await sqs.drain(queueUrl), sent);
  });

  it('keeps no more batches in flight than configured', async () => {
    const queueUrl = await sqs.createQueue('bounded');
    const watch = observeBatches(sqs.client);
    try {
      await new SqsSyncQueue(sqs.client, queueUrl, { maxConcurrentBatches: 3 }).enqueue(
        requests(counts.bounded),
      );
      expect(watch.observed.maxInFlight).toBe(3);
    } finally {
      watch.stop();
    }
    expect(await sqs.drain(queueUrl)).toHaveLength(counts.bounded);
  });

  it('splits batches that would exceed 1 MiB (the server refuses a batch over it as a whole)', async () => {
    const queueUrl = await sqs.createQueue('large');
    // ~200 kB bodies: 5 fit under 1 MiB, 10 do not.
    const sent = Array.from({ length: 10 }, (_, i) => requestFor(`${i}-${'x'.repeat(200_000)}`));
    const watch = observeBatches(sqs.client);
    try {
      await new SqsSyncQueue(sqs.client, queueUrl).enqueue(sent);
      expect(watch.observed.entriesPerCall).toEqual([5, 5]);
    } finally {
      watch.stop();
    }
    expectReceivedOnce(await sqs.drain(queueUrl), sent);
  });

  it('retries entries SQS reports as transiently failed, and delivers each once', async () => {
    const queueUrl = await sqs.createQueue('transient');
    const sent = requests(25);
    const failingOnce = new Set(['sub-0003', 'sub-0012', 'sub-0024']);
    const watch = observeBatches(sqs.client, (subscriberId) => failingOnce.delete(subscriberId));
    try {
      await new SqsSyncQueue(sqs.client, queueUrl, fastRetries).enqueue(sent);
      expect(watch.observed.withheld).toBe(3);
      expect(watch.observed.calls).toBe(3 + 3); // each of the three batches retried its one failed entry
    } finally {
      watch.stop();
    }
    expectReceivedOnce(await sqs.drain(queueUrl), sent);
  });

  it('gives up after the allowed attempts and names how many failed; the rest is delivered', async () => {
    const queueUrl = await sqs.createQueue('exhausted');
    const sent = requests(12);
    const watch = observeBatches(sqs.client, (subscriberId) => subscriberId === 'sub-0007');
    let error: unknown;
    try {
      error = await new SqsSyncQueue(sqs.client, queueUrl, { ...fastRetries, maxAttempts: 4 })
        .enqueue(sent)
        .catch((e: unknown) => e);
      expect(watch.observed.withheld).toBe(4);
    } finally {
      watch.stop();
    }
    expect(error).toBeInstanceOf(SyncQueueError);
    expect(error).toMatchObject({
      failedCount: 1,
      totalCount: 12,
      failures: [{ subscriberId: 'sub-0007', code: 'InternalError', senderFault: false }],
    });
    expect((error as Error).message).toBe('1 of 12 sync requests were not enqueued (InternalError x1)');
    expectReceivedOnce(
      await sqs.drain(queueUrl),
      sent.filter((r) => r.subscriberId !== 'sub-0007'),
    );
  });

  it('does not retry a message SQS refuses as too large: typed error, the others delivered', async () => {
    const queueUrl = await sqs.createQueue('small', { attributes: { MaximumMessageSize: '1024' } });
    const oversized = requestFor(`big-${'y'.repeat(2000)}`);
    const sent = [...requests(11), oversized];
    const watch = observeBatches(sqs.client);
    let error: unknown;
    try {
      error = await new SqsSyncQueue(sqs.client, queueUrl, fastRetries)
        .enqueue(sent)
        .catch((e: unknown) => e);
      expect(watch.observed.calls).toBe(2);
    } finally {
      watch.stop();
    }
    // SQS fails the oversized entry alone (Failed[], SenderFault); moto refuses the whole batch it is in, the
    // second batch here: either way nothing refused is retried, and each refused request is named.
    const delivered = requests(11);
    const refused = backend === 'moto' ? [...delivered.splice(10), oversized] : [oversized];
    expect(error).toBeInstanceOf(SyncQueueError);
    expect(error).toMatchObject({ failedCount: refused.length, totalCount: 12 });
    expect((error as SyncQueueError).failures).toEqual(
      refused.map(({ subscriberId }) => ({ subscriberId, code: 'InvalidParameterValue', senderFault: true })),
    );
    expectReceivedOnce(await sqs.drain(queueUrl), delivered);
  });

  it('reports every request as failed when the queue does not exist', async () => {
    const missing = `${await sqs.createQueue('exists')}-missing`;
    const error = await new SqsSyncQueue(sqs.client, missing, fastRetries)
      .enqueue(requests(15))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncQueueError);
    expect(error).toMatchObject({ failedCount: 15, totalCount: 15 });
    expect((error as SyncQueueError).failures.every((f) => f.senderFault)).toBe(true);
  });

  describe('FIFO queue', () => {
    it('groups by subscriber and delivers 25 requests once', async () => {
      const queueUrl = await sqs.createQueue('sync', { fifo: true });
      const sent = requests(25);
      await new SqsSyncQueue(sqs.client, queueUrl).enqueue(sent);
      const messages = await sqs.drain(queueUrl);
      expectReceivedOnce(messages, sent);
      for (const message of messages) {
        const { subscriberId } = JSON.parse(message.Body ?? '') as SyncRequest;
        expect(message.Attributes?.MessageGroupId).toBe(subscriberId);
        expect(message.Attributes?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
      }
    });

    it('keeps one request per subscriber and reason within the deduplication window', async () => {
      const queueUrl = await sqs.createQueue('dedupe', { fifo: true });
      const queue = new SqsSyncQueue(sqs.client, queueUrl, { deduplicationWindowSeconds: 300 });
      const first = requestFor('sub-a', 'scheduled', '2026-11-26T01:00:10.000Z');
      const sameWindow = requestFor('sub-a', 'scheduled', '2026-11-26T01:04:50.000Z');
      const otherReason = requestFor('sub-a', 'manual', '2026-11-26T01:00:20.000Z');
      const nextWindow = requestFor('sub-a', 'scheduled', '2026-11-26T01:05:00.000Z');
      const otherSubscriber = requestFor('sub-b', 'scheduled', '2026-11-26T01:00:10.000Z');
      await queue.enqueue([first, otherReason]);
      await queue.enqueue([sameWindow, nextWindow, otherSubscriber]);
      const received = bodies(await sqs.drain(queueUrl));
      expect(received).toHaveLength(4);
      expect(received).toEqual(expect.arrayContaining([first, otherReason, nextWindow, otherSubscriber]));
      expect(received).not.toContainEqual(sameWindow);
    });

    it('refuses a request whose requestedAt is not a date, and still sends the others', async () => {
      const queueUrl = await sqs.createQueue('bad-date', { fifo: true });
      const bad = requestFor('sub-bad', 'manual', 'yesterday');
      const error = await new SqsSyncQueue(sqs.client, queueUrl)
        .enqueue([bad, ...requests(3)])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'SyncQueueError',
        failures: [{ subscriberId: 'sub-bad', code: 'InvalidRequestedAt', senderFault: true }],
      });
      expectReceivedOnce(await sqs.drain(queueUrl), requests(3));
    });
  });
}
