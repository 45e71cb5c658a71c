import pLimit from 'p-limit';
import type { Connection } from '../../shared/domain/entities/connection.ts';
import type { SyncState } from '../../shared/domain/entities/sync-state.ts';
import {
  type CheckFetchResult,
  type CheckWriteReason,
  decideAfterFetch,
  decideBeforeFetch,
} from '../../shared/domain/feed-check.ts';
import { FeedError } from '../../shared/domain/feed-error.ts';
import { feedUrlFor } from '../../shared/domain/feed-url.ts';
import type { Horizon } from '../../shared/domain/ics/horizon.ts';
import { describeError } from '../../shared/errors.ts';
import type { SweepSummary } from '../../shared/ports/check-metrics.ts';
import type { SweepRequest } from '../../shared/ports/sweep-queue.ts';
import type { SyncRequest } from '../../shared/ports/sync-queue.ts';
import type { CheckDependencies } from '../dependencies.ts';

/** What a sweep uses of the check's dependencies (the handler flushes the metrics). */
export type SweepDependencies = Omit<CheckDependencies, 'metrics'>;

/** One subscriber's check: what it came to. */
type Verdict =
  | { kind: 'idle'; reason: keyof SweepSummary['idle'] }
  /** `fetched`: after a fetch; `error`: the check failed on something else than the feed. */
  | { kind: 'write'; reason: CheckWriteReason; fetched?: true; error?: true }
  | { kind: 'unchanged'; fetched: boolean; validatorsRefreshed: boolean }
  /** Not checked: the invocation's time ran short before it started. */
  | { kind: 'not_reached' };

/**
 * One sweep of a shard of the schedule: page by page through the shard, each subscriber checked (see
 * lambdas/shared/domain/feed-check.ts) with at most `concurrency` feeds fetched at once, and only what has
 * something to write becomes a sync request (reason `checked`). No lease, no Google token, no Google quota; a
 * check writes nothing but the validators of an unchanged feed. When the invocation's time runs short (`timeLeftMs`
 * under the margin) no new fetch starts, and the rest of the shard goes on in a continuation sweep after the last
 * subscriber done. A sweep that went through the whole shard records when (the status view's `lastCheckedAt`).
 */
export async function sweepShard(
  deps: SweepDependencies,
  request: SweepRequest,
  invocation: { timeLeftMs: () => number },
): Promise<SweepSummary> {
  const { settings } = deps;
  const startedAt = deps.now();
  const horizon = settings.horizon(startedAt);
  const previousHorizon = settings.horizon(new Date(startedAt.getTime() - 86_400_000));
  const projectQuotaBackAt = await deps.source.dailyLimitUntil();
  const limit = pLimit(settings.concurrency);
  const summary: SweepSummary = {
    shard: request.shard,
    subscribers: 0,
    fetched: 0,
    unchanged: 0,
    validatorsRefreshed: 0,
    writeJobs: {},
    idle: {},
    errors: 0,
    durationMs: 0,
  };
  const timeShort = () => invocation.timeLeftMs() < settings.timeMarginMs;
  let after = request.after;
  /** Set when the time ran short: the rest of the shard goes on after `after` (from its start without one). */
  let continuation: { after: string | undefined } | undefined;
  // The next page is read while the current one is checked. Its failure is handled where it is awaited; the
  // handler attached at once keeps it from counting as unhandled meanwhile (which would end the process).
  const readPage = (from: string | undefined) => {
    const reading = deps.source.page(request.shard, startedAt, from);
    reading.catch(() => undefined);
    return reading;
  };
  let nextPage = readPage(after);
  for (;;) {
    if (timeShort()) {
      continuation = { after };
      break;
    }
    const page = await nextPage;
    if (page.next) nextPage = readPage(page.next);
    const { jobs, lastDone, reachedAll } = await checkPage(deps, page.subscriberIds, after, summary, {
      now: startedAt,
      horizon,
      previousHorizon,
      projectQuotaBackAt,
      limit,
      timeShort,
    });
    if (jobs.length > 0) await deps.syncQueue.enqueue(jobs);
    if (!reachedAll) {
      continuation = { after: lastDone };
      break;
    }
    if (!page.next) break;
    after = page.next;
  }
  if (continuation) {
    const { after: from } = continuation;
    summary.continuedAfter = from ?? '';
    await deps.sweepQueue.enqueue([
      { shard: request.shard, requestedAt: request.requestedAt, ...(from ? { after: from } : {}) },
    ]);
  } else {
    // Every subscriber of the shard was checked no earlier than this: the start of a sweep run in one go, or
    // the tick's time for one that took continuations (its first part ran earlier than this invocation).
    const sweptAt = request.after === undefined ? startedAt : new Date(request.requestedAt);
    await deps.stateWriter.recordSweep(request.shard, sweptAt);
  }
  summary.durationMs = deps.now().getTime() - startedAt.getTime();
  return summary;
}

/**
 * One page of the shard, its subscribers checked at most `limit` at a time. Those not reached before the time ran
 * short are the end of the page: `lastDone` is the last subscriber done in order, where a continuation starts.
 */
async function checkPage(
  deps: SweepDependencies,
  subscriberIds: string[],
  doneBefore: string | undefined,
  summary: SweepSummary,
  context: {
    now: Date;
    horizon: Horizon;
    previousHorizon: Horizon;
    projectQuotaBackAt: string | undefined;
    limit: ReturnType<typeof pLimit>;
    timeShort: () => boolean;
  },
): Promise<{ jobs: SyncRequest[]; lastDone: string | undefined; reachedAll: boolean }> {
  const { limit, timeShort, ...checkContext } = context;
  const subscribers = await deps.source.read(subscriberIds);
  const verdicts = await Promise.all(
    subscriberIds.map((subscriberId) =>
      limit(() => {
        // Checked as each starts, in order: those not reached are the end of the page.
        if (timeShort()) return { kind: 'not_reached' } as const;
        const { connection, state, runUntil } = subscribers.get(subscriberId) ?? {};
        return checkOne(deps, subscriberId, connection, state, { ...checkContext, runUntil });
      }),
    ),
  );
  const jobs: SyncRequest[] = [];
  let lastDone = doneBefore;
  let reachedAll = true;
  verdicts.forEach((verdict, index) => {
    const subscriberId = subscriberIds[index] as string;
    if (verdict.kind === 'not_reached') {
      reachedAll = false;
      return;
    }
    if (reachedAll) lastDone = subscriberId;
    tally(summary, verdict);
    if (verdict.kind === 'write')
      jobs.push({ subscriberId, reason: 'checked', requestedAt: checkContext.now.toISOString() });
  });
  return { jobs, lastDone, reachedAll };
}

function tally(summary: SweepSummary, verdict: Exclude<Verdict, { kind: 'not_reached' }>): void {
  summary.subscribers++;
  if (verdict.kind === 'idle') summary.idle[verdict.reason] = (summary.idle[verdict.reason] ?? 0) + 1;
  else if (verdict.kind === 'write') {
    summary.writeJobs[verdict.reason] = (summary.writeJobs[verdict.reason] ?? 0) + 1;
    if (verdict.error) summary.errors++;
  } else {
    summary.unchanged++;
    if (verdict.validatorsRefreshed) summary.validatorsRefreshed++;
  }
  if (verdict.kind !== 'idle' && verdict.fetched) summary.fetched++;
}

/** One subscriber: decide, fetch when the decision asks to, decide again. */
async function checkOne(
  deps: SweepDependencies,
  subscriberId: string,
  connection: Connection | undefined,
  state: SyncState | undefined,
  context: {
    now: Date;
    horizon: Horizon;
    previousHorizon: Horizon;
    projectQuotaBackAt: string | undefined;
    runUntil: string | undefined;
  },
): Promise<Verdict> {
  const { settings } = deps;
  const before = decideBeforeFetch(connection, state, {
    ...context,
    settings: { auditIntervalMs: settings.auditIntervalMs, maxUnitsPerDay: settings.maxUnitsPerDay },
  });
  if (before.kind === 'nothing') return { kind: 'idle', reason: before.reason };
  if (before.kind === 'write' || !connection || !state) {
    return { kind: 'write', reason: before.kind === 'write' ? before.reason : 'first_sync' };
  }
  let fetched: CheckFetchResult;
  try {
    const feedToken = await deps.cipher.decrypt(connection.feedTokenCiphertext, {
      subscriberId,
      purpose: 'feed_token',
    });
    fetched = await deps.feeds.fetch(feedUrlFor(settings.feedUrlTemplate, feedToken), before.validators);
  } catch (error) {
    if (error instanceof FeedError) return { kind: 'write', reason: 'feed_error', ...FETCHED };
    // Anything else (a ciphertext that does not open, say): the worker meets it too and reports it.
    deps.logger.warn('feed check failed: left to the sync', { subscriberId, ...describeError(error) });
    return { kind: 'write', reason: 'feed_error', error: true };
  }
  const after = decideAfterFetch(connection, state, fetched, {
    horizon: context.horizon,
    previousHorizon: context.previousHorizon,
    defaultTimeZone: settings.defaultTimeZone,
  });
  if (after.kind === 'write') return { kind: 'write', reason: after.reason, ...FETCHED };
  if (after.kind === 'unchanged') return { kind: 'unchanged', fetched: true, validatorsRefreshed: false };
  // Stored only while the state still holds the hash compared: a run meanwhile keeps what it wrote.
  const refreshed = await deps.stateWriter.refreshValidators(subscriberId, after.feedHash, after.validators);
  return { kind: 'unchanged', fetched: true, validatorsRefreshed: refreshed };
}

/** Marks a write verdict whose feed was fetched (the summary counts fetches). */
const FETCHED = { fetched: true } as const;
