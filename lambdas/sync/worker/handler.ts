import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../../shared/errors.ts';
import type { SyncWorkerDependencies } from '../dependencies.ts';
import { parseSyncMessage } from './sync-message.ts';
import { MIN_TIME_BUDGET_MS, runSyncRequest } from './use-cases/run-sync-request.ts';

/**
 * Receives after which the queue's redrive policy moves a message that keeps failing to the dead-letter queue
 * (the stack sets it). A poison message (not a sync request) is reported as failed like any other failure,
 * so it lands there after this many tries and an operator sees it; it is not dropped at once, because a message
 * this version cannot read may be one a newer version wrote during a deployment.
 */
export const SYNC_QUEUE_MAX_RECEIVE_COUNT = 3;
/** Without a redrive policy (a misconfigured queue) a poison message is dropped after this many receives. */
const POISON_DROP_AFTER_RECEIVES = SYNC_QUEUE_MAX_RECEIVE_COUNT + 2;
/**
 * The time of the invocation kept for each round of messages after the one starting: the smallest budget a sync
 * starts with, plus room for the call in flight when a budget ends. So one long sync (a first sync of a huge
 * feed) gets at most what the others leave, its time budget cuts it short and a continuation carries it on, and
 * the messages after it still run in this invocation.
 */
const RESERVED_PER_MESSAGE_MS = MIN_TIME_BUDGET_MS + 5_000;

/**
 * Time a message's sync leaves to the messages not started yet when it starts (`waiting`). The other slots take
 * the next `parallel - 1` of them; the rest run `parallel` at a time once slots free up, and since messages that
 * started earlier end their budgets no later than this one, they still have a round of RESERVED_PER_MESSAGE_MS
 * for every `parallel` of them before the timeout, however long the syncs ahead of them are.
 */
export function reservedForLaterMessages(waiting: number, parallel: number): number {
  const slots = Math.max(1, parallel);
  return Math.ceil(Math.max(0, waiting - (slots - 1)) / slots) * RESERVED_PER_MESSAGE_MS;
}

/**
 * The sync worker's Lambda handler (SQS event source with ReportBatchItemFailures): the batch's messages in
 * order, up to `parallelSubscribers` at once, each a different subscriber's sync (the lease keeps two syncs of
 * one subscriber apart); the project's quota budget, not the number of syncs, keeps them within Google's
 * project quota. Each sync's time budget leaves slices for the messages not started yet
 * (reservedForLaterMessages), so a long one cannot take the invocation to its timeout, which would send the whole
 * batch back. A failed message is reported; the others are done.
 */
export function createSyncWorkerHandler(dependencies: () => SyncWorkerDependencies, logger: Logger) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    let deps: SyncWorkerDependencies;
    try {
      deps = dependencies();
    } catch (error) {
      // A broken configuration: every message stays on the queue (and its error names variables, no values).
      logger.error('sync worker cannot start', describeError(error));
      return { batchItemFailures: event.Records.map(({ messageId }) => ({ itemIdentifier: messageId })) };
    }
    const records = event.Records;
    const parallel = Math.max(1, Math.min(deps.settings.parallelSubscribers, records.length));
    const failed = new Set<string>();
    let next = 0;
    // Each slot takes the next message as soon as its own is done.
    const slot = async (): Promise<void> => {
      while (next < records.length) {
        const index = next++;
        const record = records[index] as SQSRecord;
        const reservedMs = reservedForLaterMessages(records.length - index - 1, parallel);
        // Whatever one message throws, the others go on and only it is reported.
        const done = await handleRecord(deps, record, context, reservedMs).catch(() => false);
        if (!done) failed.add(record.messageId);
      }
    };
    try {
      await Promise.all(Array.from({ length: parallel }, slot));
    } finally {
      deps.metrics.flush();
    }
    const batchItemFailures: SQSBatchItemFailure[] = records
      .filter((record) => failed.has(record.messageId))
      .map((record) => ({ itemIdentifier: record.messageId }));
    return { batchItemFailures };
  };
}

/** Whether the message is done with (deleted from the queue). */
async function handleRecord(
  deps: SyncWorkerDependencies,
  record: SQSRecord,
  context: Context,
  /** Time of the invocation this message's sync leaves to the messages after it. */
  reservedMs: number,
): Promise<boolean> {
  const { logger, metrics } = deps;
  const message = parseSyncMessage(record.body);
  if (message.kind === 'poison') {
    const receives = Number(record.attributes.ApproximateReceiveCount) || 1;
    metrics.error('poison');
    const dropped = receives >= POISON_DROP_AFTER_RECEIVES;
    logger.error(dropped ? 'unreadable sync message dropped' : 'unreadable sync message', {
      messageId: record.messageId,
      problem: message.problem,
      receives,
    });
    return dropped;
  }
  const { subscriberId } = message.request;
  try {
    const disposition = await runSyncRequest(deps, message.request, {
      remainingMs: context.getRemainingTimeInMillis() - reservedMs,
    });
    if (disposition.kind === 'skipped') {
      metrics.skipped(disposition.reason);
      logger.info('sync skipped', { subscriberId, reason: disposition.reason });
    } else if (disposition.kind === 'deferred') {
      logger.warn('too little time left in this invocation: sync request put back', { subscriberId });
    } else {
      const { result, followUp } = disposition;
      if (followUp === 'requeue_limit') metrics.error('requeue_limit');
      logger.info('sync finished', {
        subscriberId,
        outcome: result.outcome,
        created: result.created,
        updated: result.updated,
        deleted: result.deleted,
        googleCalls: result.googleCalls,
        ...(followUp ? { followUp } : {}),
      });
    }
    return true;
  } catch (error) {
    metrics.error('unexpected');
    logger.error('sync request failed: it will be retried', { subscriberId, ...describeError(error) });
    return false;
  }
}
