import type { SyncRequest } from '../../lambdas/shared/ports/sync-queue.ts';
import { WORKER_BATCH_SIZE, WORKER_TIMEOUT } from '../../lib/stacks/ics-google-sync-stack.ts';
import { feedOf, WorkerHarness } from '../../test/integration/worker/harness.ts';
import { manyObservancesFeed, neverMatchingRulesFeed } from '../../test/support/hostile-feeds.ts';
import type { Benchmark } from '../benchmark.ts';

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The hostile shapes an outside review used, at 1 MB. */
const HOSTILE_FEEDS = [() => manyObservancesFeed(3000, 1_000_000), () => neverMatchingRulesFeed(1_000_000)];

/**
 * One SQS batch as the event source hands it to the worker, once per hostile shape: ten messages, the first a
 * hostile feed (1 MB: a custom VTIMEZONE with 3,000 observances; never-matching rules from year 0001), the nine
 * others ordinary feeds of 20 events. The invocation has the deployed function's timeout and the default time
 * margin. Goal: the nine synced, no message failed, the batch well within the timeout. Figures: the worst batch.
 */
async function batchSurvivors(): Promise<Record<string, number>> {
  const batches = [];
  for (const hostileFeed of HOSTILE_FEEDS) batches.push(await batchWithHostileFeed(hostileFeed()));
  return {
    synced: Math.min(...batches.map((batch) => batch.synced)),
    goal_synced: WORKER_BATCH_SIZE - 1,
    seconds: Math.max(...batches.map((batch) => batch.seconds)),
    timeout_seconds: WORKER_TIMEOUT.toSeconds(),
    failed_messages: Math.max(...batches.map((batch) => batch.failed_messages)),
    batches: batches.length,
    // A hostile feed the mapping can read cheaply (rules starting before 1900 are not walked) is synced instead.
    hostile_feed_errors: batches.filter((batch) => batch.hostile_feed_error).length,
    dead_letters: Math.max(...batches.map((batch) => batch.dead_letters)),
  };
}

async function batchWithHostileFeed(hostileFeed: string) {
  const h = await new WorkerHarness().open({ SYNC_TIME_MARGIN_SECONDS: '60' });
  try {
    const hostile = await h.connect(hostileFeed);
    const normal = await Promise.all(
      Array.from({ length: WORKER_BATCH_SIZE - 1 }, (_, i) => h.connect(feedOf(20, { prefix: `n${i}` }))),
    );
    const requestedAt = new Date().toISOString();
    await h.send(
      ...[hostile, ...normal].map(
        (subscriber): SyncRequest => ({ subscriberId: subscriber.id, reason: 'connected', requestedAt }),
      ),
    );
    const started = process.hrtime.bigint();
    const response = await h.deliverOnce(WORKER_TIMEOUT.toMilliseconds());
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const outcomes = await Promise.all(
      normal.map(async (subscriber) => (await h.syncState.get(subscriber.id))?.lastResult?.outcome),
    );
    const hostileResult = (await h.syncState.get(hostile.id))?.lastResult;
    return {
      synced: outcomes.filter((outcome) => outcome === 'synced').length,
      seconds: round(seconds),
      failed_messages: response?.batchItemFailures.length ?? WORKER_BATCH_SIZE,
      hostile_feed_error: hostileResult?.outcome === 'feed_error',
      dead_letters: (await h.sqs.inspect(h.deadLetterQueueUrl)).length,
    };
  } finally {
    await h.close();
  }
}

const benchmarks: Benchmark[] = [{ name: 'batch_survivors', run: batchSurvivors }];
export default benchmarks;
