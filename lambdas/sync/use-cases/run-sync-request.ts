import { feedUrlFor } from '../../shared/domain/feed-url.ts';
import type { SyncResult } from '../../shared/domain/sync-result.ts';
import { recentlySynced } from '../../shared/domain/sync-schedule.ts';
import type { Connection } from '../../shared/ports/connection-store.ts';
import type { FeedSource } from '../../shared/ports/feed-source.ts';
import { NeedsReauthError } from '../../shared/ports/oauth-client.ts';
import type { SkipReason } from '../../shared/ports/sync-metrics.ts';
import type { SyncRequest } from '../../shared/ports/sync-queue.ts';
import { systemClock } from '../clock.ts';
import type { SyncWorkerDependencies } from '../dependencies.ts';
import { syncSubscriber } from '../sync-subscriber.ts';

/**
 * Times one request may be put back (continuations and busy retries together). A first sync of 10,000 events
 * needs 2 or 3 continuations with 15-minute invocations; a busy subscriber is retried every minute while a long
 * sync runs. Beyond this something loops: the request is dropped and the schedule takes over.
 */
export const MAX_REQUEUES = 48;
/** A sync given less time than this would hardly start before its budget ends: the request goes back instead. */
export const MIN_TIME_BUDGET_MS = 10_000;

export type RequestOutcome =
  | { kind: 'skipped'; reason: SkipReason }
  /** Ran; `followUp` says which request was put back on the queue for it, if one was. */
  | { kind: 'ran'; result: SyncResult; followUp?: 'continuation' | 'busy_retry' | 'requeue_limit' }
  /** Not run: too little time left in this invocation; put back as it was. */
  | { kind: 'deferred' };

/**
 * One sync request, as the worker reads it off the queue: checks that the subscriber should be synced now, runs
 * the engine with a time budget, and puts back what must continue (a sync the budget cut short, a subscriber
 * whose sync was already running). Throws on anything unexpected: the handler reports the message as failed,
 * SQS delivers it again, and after a few tries moves it to the dead-letter queue.
 */
export async function runSyncRequest(
  deps: SyncWorkerDependencies,
  request: SyncRequest,
  invocation: { remainingMs: number },
): Promise<RequestOutcome> {
  const { subscriberId } = request;
  const { settings } = deps;
  const connection = await deps.connections.get(subscriberId);
  const skip = await skipReason(deps, request, connection);
  if (skip || !connection) return { kind: 'skipped', reason: skip ?? 'not_connected' };

  const timeBudgetMs = invocation.remainingMs - settings.timeMarginMs;
  if (timeBudgetMs < MIN_TIME_BUDGET_MS) {
    // Not a requeue: nothing was tried, so it does not count towards MAX_REQUEUES.
    await deps.syncQueue.enqueue([request]);
    return { kind: 'deferred' };
  }

  try {
    // Asked first so that a refused grant costs no feed download; later requests hit the warm cache.
    await deps.accessTokens.accessTokenFor(subscriberId, connection);
  } catch (error) {
    if (error instanceof NeedsReauthError) return { kind: 'skipped', reason: 'needs_reauth' };
    throw error;
  }
  const feedToken = await deps.cipher.decrypt(connection.feedTokenCiphertext, {
    subscriberId,
    purpose: 'feed_token',
  });
  const feeds = new MeasuredFeedSource(deps.feeds);
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const result = await syncSubscriber(
    {
      subscriberId,
      calendarId: connection.calendarId,
      feedLocation: feedUrlFor(settings.feedUrlTemplate, feedToken),
      eventIdSalt: connection.eventIdSalt,
    },
    {
      feeds,
      gateway: deps.calendarFor(() => deps.accessTokens.accessTokenFor(subscriberId, connection)),
      eventMap: deps.eventMap,
      syncState: deps.syncState,
      lease: deps.syncState,
      clock,
    },
    { defaultTimeZone: settings.defaultTimeZone, ...settings.engine, timeBudgetMs },
  );
  deps.metrics.runFinished(result, {
    durationMs: clock.now() - started,
    ...(feeds.bytes !== undefined ? { feedBytes: feeds.bytes } : {}),
  });
  if (result.outcome === 'cooling_down' && result.coolDownUntil) {
    await deps.schedule.pause(subscriberId, new Date(result.coolDownUntil));
  }
  const followUp = await putBack(deps, request, result);
  return followUp ? { kind: 'ran', result, followUp } : { kind: 'ran', result };
}

/** Why the request should not run now, if it should not. */
async function skipReason(
  deps: SyncWorkerDependencies,
  request: SyncRequest,
  connection: Connection | undefined,
): Promise<SkipReason | undefined> {
  if (!connection) return 'not_connected';
  if (connection.status !== 'connected' || !connection.refreshTokenCiphertext) return 'needs_reauth';
  if (request.reason !== 'scheduled') return undefined;
  // Only the schedule's own requests are held back: a connect, a "sync now" or a continuation runs anyway.
  if (!connection.scheduled) return 'not_scheduled';
  const now = deps.now();
  if (connection.syncPausedUntil && Date.parse(connection.syncPausedUntil) > now.getTime()) return 'paused';
  const state = await deps.syncState.get(request.subscriberId);
  // Any stored run counts, not only successful ones: a repeat seconds later would fail the same way and cost
  // the same feed download and Google calls.
  if (recentlySynced(state?.lastResult?.startedAt, now, deps.settings.intervalSeconds))
    return 'recently_synced';
  return undefined;
}

/**
 * A sync its time budget cut short continues soon, where it stopped (the event map and state hold its place);
 * a subscriber whose sync was running is tried again after a pause, never in parallel.
 */
async function putBack(
  deps: SyncWorkerDependencies,
  request: SyncRequest,
  result: SyncResult,
): Promise<'continuation' | 'busy_retry' | 'requeue_limit' | undefined> {
  const { settings } = deps;
  const madeProgress = result.created + result.updated + result.deleted > 0;
  let next: SyncRequest | undefined;
  let followUp: 'continuation' | 'busy_retry' | undefined;
  if (result.outcome === 'busy') {
    next = { ...request, delaySeconds: settings.busyRetryDelaySeconds };
    followUp = 'busy_retry';
  } else if (result.outcome === 'partial' && (result.deferred ?? 0) > 0 && madeProgress) {
    // Without progress (every call failing until the budget ran out) the next scheduled sync retries instead.
    next = {
      subscriberId: request.subscriberId,
      reason: 'continuation',
      requestedAt: deps.now().toISOString(),
      delaySeconds: settings.continueDelaySeconds,
    };
    followUp = 'continuation';
  }
  if (!next || !followUp) return undefined;
  const requeued = (request.requeued ?? 0) + 1;
  if (requeued > MAX_REQUEUES) {
    deps.logger.error('sync request put back too often: dropped', {
      subscriberId: request.subscriberId,
      followUp,
    });
    return 'requeue_limit';
  }
  await deps.syncQueue.enqueue([{ ...next, requeued }]);
  return followUp;
}

/** The feed source, remembering the size of the body it fetched (for the metrics). */
class MeasuredFeedSource implements FeedSource {
  bytes: number | undefined;

  constructor(private readonly inner: FeedSource) {}

  async fetch(...args: Parameters<FeedSource['fetch']>): ReturnType<FeedSource['fetch']> {
    const fetched = await this.inner.fetch(...args);
    this.bytes = fetched.kind === 'fetched' ? fetched.bytes : 0;
    return fetched;
  }
}
