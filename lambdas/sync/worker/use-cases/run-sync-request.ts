import type { Logger } from '@aws-lambda-powertools/logger';
import { FeedError } from '../../../shared/domain/feed-error.ts';
import { feedUrlFor } from '../../../shared/domain/feed-url.ts';
import type { SyncResult } from '../../../shared/domain/sync-result.ts';
import { recentlySynced } from '../../../shared/domain/sync-schedule.ts';
import { tokenCheckDue } from '../../../shared/domain/token-health.ts';
import type { Cipher } from '../../../shared/ports/cipher.ts';
import type { Connection } from '../../../shared/ports/connection-store.ts';
import type { FeedSource } from '../../../shared/ports/feed-source.ts';
import { NeedsReauthError } from '../../../shared/ports/oauth-client.ts';
import type { SkipReason, SyncMetrics } from '../../../shared/ports/sync-metrics.ts';
import type { SyncRequest } from '../../../shared/ports/sync-queue.ts';
import type {
  SyncLeaseStore,
  SyncState,
  SyncStateStore,
  TokenCheckRecord,
} from '../../../shared/ports/sync-stores.ts';
import { type ReleaseGrantDependencies, releaseGrant } from '../../../shared/use-cases/release-grant.ts';
import { type TellHostDependencies, tellHost } from '../../../shared/use-cases/tell-host.ts';
import { systemClock } from '../../../shared/wiring/clock.ts';
import type { SyncWorkerDependencies } from '../../dependencies.ts';
import { syncSubscriber } from '../../engine/sync-subscriber.ts';

/**
 * Times one request may be put back (continuations and busy retries together). A first sync of 10,000 events
 * needs 2 or 3 continuations with 15-minute invocations; a busy subscriber is retried every minute while a long
 * sync runs. Beyond this something loops: the request is dropped and the schedule takes over.
 */
const MAX_REQUEUES = 48;
/** A sync given less time than this would hardly start before its budget ends: the request goes back instead. */
export const MIN_TIME_BUDGET_MS = 10_000;

/** What running a request uses of the worker's dependencies (the handler flushes the metrics). */
export interface SyncRequestDependencies
  extends Pick<
    SyncWorkerDependencies,
    | 'connections'
    | 'oauth'
    | 'schedule'
    | 'syncState'
    | 'projectQuota'
    | 'projectBudget'
    | 'eventMap'
    | 'feeds'
    | 'accessTokens'
    | 'calendarFor'
    | 'syncQueue'
    | 'hostEvents'
    | 'now'
    | 'clock'
    | 'settings'
  > {
  cipher: Pick<Cipher, 'decrypt'>;
  metrics: Pick<SyncMetrics, 'runFinished' | 'dailyQuotaUsedUp'>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** What was done with the request. */
export type RequestDisposition =
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
  deps: SyncRequestDependencies,
  request: SyncRequest,
  invocation: { remainingMs: number },
): Promise<RequestDisposition> {
  const { subscriberId } = request;
  const { settings } = deps;
  // Google's daily quota is the whole project's: while it is used up, any request would only be refused.
  const quotaBackAt = await deps.projectQuota?.dailyLimitUntil();
  if (quotaBackAt && Date.parse(quotaBackAt) > deps.now().getTime())
    return { kind: 'skipped', reason: 'daily_quota' };
  const connection = await deps.connections.get(subscriberId);
  // Remembers the state skipReason reads (when it reads one): the up-front token check needs no read of its own.
  const states = new RunSyncStates(deps.syncState);
  const skip = await skipReason({ ...deps, syncState: states }, request, connection);
  if (skip || !connection) return { kind: 'skipped', reason: skip ?? 'not_connected' };

  const timeBudgetMs = invocation.remainingMs - settings.timeMarginMs;
  if (timeBudgetMs < MIN_TIME_BUDGET_MS) {
    // Not a requeue: nothing was tried, so it does not count towards MAX_REQUEUES.
    await deps.syncQueue.enqueue([request]);
    return { kind: 'deferred' };
  }

  const tokens = new RunTokens(deps, connection);
  states.recordTokensOf(tokens);
  try {
    // Asked first only when the grant itself is to be checked: a refused grant then costs no feed download.
    // Otherwise the gateway asks before its first call, so an unchanged feed asks Google for nothing.
    if (await upFrontTokenWanted(request, states, deps.now())) await tokens.accessToken();
  } catch (error) {
    if (error instanceof NeedsReauthError) {
      await tellHostIfNewlyNeedsReauth(deps, connection);
      return { kind: 'skipped', reason: 'needs_reauth' };
    }
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
      gateway: deps.calendarFor(
        () => tokens.accessToken(),
        // A 401: the next request (or run) refreshes; a revoked grant then shows as needs_reauth at once.
        () => tokens.refused(),
      ),
      eventMap: deps.eventMap,
      syncState: states,
      lease: connectionBoundLease(deps, connection),
      projectBudget: deps.projectBudget,
      clock,
    },
    {
      defaultTimeZone: settings.defaultTimeZone,
      ...settings.engine,
      timeBudgetMs,
      // "Sync now": the subscriber expects the calendar to equal the feed, whatever was changed in Google.
      ...(request.reason === 'manual' ? { auditNow: true } : {}),
    },
  );
  deps.metrics.runFinished(result, {
    durationMs: clock.now() - started,
    ...(feeds.bytes !== undefined ? { feedBytes: feeds.bytes } : {}),
  });
  await recordTokenCheck(states, tokens);
  await actOnOutcome(deps, connection, result, feeds);
  const followUp = await putBack(deps, request, result);
  return followUp ? { kind: 'ran', result, followUp } : { kind: 'ran', result };
}

/**
 * Whether the run asks for the access token before the feed: for a connect and a "sync now" (both write or
 * audit), and when the grant is due its daily check (a check of an unchanged feed asks Google for nothing, so a
 * revoked grant is found here, within a day). The state is the one skipReason read; read here only for a
 * sweep's or the schedule's request that skipReason let through without reading it.
 */
async function upFrontTokenWanted(request: SyncRequest, states: RunSyncStates, now: Date): Promise<boolean> {
  if (request.reason === 'connected' || request.reason === 'manual') return true;
  if (request.reason !== 'checked' && request.reason !== 'scheduled') return false;
  const state = states.read ? states.lastRead : await states.get(request.subscriberId);
  return tokenCheckDue(state?.tokenCheckedAt, now);
}

/** A stored token check younger than this is left as it is: a busy subscriber pays no write per run for it. */
const TOKEN_CHECK_REWRITE_AFTER_MS = 3_600_000;

/**
 * The run obtained an access token, so the grant was good: the engine's state write normally carried that
 * (RunSyncStates); a run that stored no state after it (held back, or busy) records it with a write of its own,
 * unless the stored check is less than an hour old.
 */
async function recordTokenCheck(states: RunSyncStates, tokens: RunTokens): Promise<void> {
  const { obtainedAt } = tokens;
  if (!obtainedAt || states.carriedTokenCheck === obtainedAt) return;
  // Unread on this path only (a "sync now" or a connect held back or busy): a read costs less than a write.
  const state = states.read ? states.lastRead : await states.get(tokens.subscriberId);
  // No state item yet (a first sync that did not run): the update could not write one, and the first run's
  // state will carry the check.
  if (!state) return;
  const stored = state.tokenCheckedAt;
  if (stored && obtainedAt.getTime() - Date.parse(stored) < TOKEN_CHECK_REWRITE_AFTER_MS) return;
  await states.noteTokenChecked(tokens.subscriberId, obtainedAt);
}

/**
 * A subscriber's access tokens as one run asks for them (the container's cache behind), remembering when one was
 * given: Google had accepted the grant then (a cached token is one Google gave within its hour of life). A token
 * Google then answers 401 to is dropped, and no longer counts as a check.
 */
class RunTokens {
  obtainedAt: Date | undefined;
  readonly subscriberId: string;

  constructor(
    private readonly deps: Pick<SyncRequestDependencies, 'accessTokens' | 'now'>,
    private readonly connection: Connection,
  ) {
    this.subscriberId = connection.subscriberId;
  }

  async accessToken(): Promise<string> {
    const token = await this.deps.accessTokens.accessTokenFor(this.subscriberId, this.connection);
    this.obtainedAt ??= this.deps.now();
    return token;
  }

  refused(): void {
    this.deps.accessTokens.forget(this.subscriberId);
    this.obtainedAt = undefined;
  }
}

/**
 * The sync-state store as one run uses it: remembers the last state read (the up-front token check and the
 * hour rule of recordTokenCheck use it), and adds the run's token check to every state the engine writes once a
 * token was obtained, at no write of its own.
 */
class RunSyncStates implements Pick<SyncStateStore, 'get' | 'put'> {
  read = false;
  lastRead: SyncState | undefined;
  /** The token check a state write carried (the `obtainedAt` of the run's tokens then). */
  carriedTokenCheck: Date | undefined;
  private tokens: RunTokens | undefined;

  constructor(private readonly store: SyncRequestDependencies['syncState']) {}

  recordTokensOf(tokens: RunTokens): void {
    this.tokens = tokens;
  }

  async get(subscriberId: string): Promise<SyncState | undefined> {
    const state = await this.store.get(subscriberId);
    this.read = true;
    this.lastRead = state;
    return state;
  }

  async put(state: SyncState): Promise<void> {
    const obtainedAt = this.tokens?.obtainedAt;
    await this.store.put(obtainedAt ? { ...state, tokenCheckedAt: obtainedAt.toISOString() } : state);
    this.carriedTokenCheck = obtainedAt;
  }

  remove = (subscriberId: string) => this.store.remove(subscriberId);
  acquireLease: SyncLeaseStore['acquireLease'] = (...args) => this.store.acquireLease(...args);
  releaseLease: SyncLeaseStore['releaseLease'] = (...args) => this.store.releaseLease(...args);
  noteTokenChecked: TokenCheckRecord['noteTokenChecked'] = (...args) => this.store.noteTokenChecked(...args);
}

/** What a run's outcome asks of the connection, the schedule and the project beyond the run itself. */
async function actOnOutcome(
  deps: SyncRequestDependencies,
  connection: Connection,
  result: SyncResult,
  feeds: MeasuredFeedSource,
): Promise<void> {
  if (result.outcome === 'cooling_down' && result.dailyQuotaUsedUp && result.coolDownUntil) {
    // Recorded once for the project; the subscriber's own schedule is left as it is.
    deps.metrics.dailyQuotaUsedUp();
    await deps.projectQuota?.dailyLimitReached(result.coolDownUntil);
  } else if (result.outcome === 'cooling_down' && result.coolDownUntil) {
    await deps.schedule.pause(connection.subscriberId, new Date(result.coolDownUntil));
  }
  if (result.outcome === 'needs_reauth') await tellHostIfNewlyNeedsReauth(deps, connection);
  if (result.outcome === 'calendar_missing') await calendarMissing(deps, connection);
  if (feeds.gone) await feedGone(deps, connection);
  else if (feeds.bytes !== undefined && connection.feedGoneSince)
    await deps.connections.clearFeedGone(connection.subscriberId);
}

/**
 * The sync lease, kept only if the connection this request read is still the one stored once the lease is held.
 * A disconnect scrubs under the same lease, but this request read the connection before taking it: without the
 * second look, a sync that read it just before a scrub would run just after, writing event-map rows and a
 * sync-state item back for a subscriber who is gone (tables without expiry: for ever). Found gone, the state item
 * the lease itself just created is removed again; found on another calendar (a reconnect), the newer request
 * does the work. Either way the engine sees a busy lease and writes nothing.
 */
function connectionBoundLease(
  deps: Pick<SyncRequestDependencies, 'syncState' | 'connections'>,
  read: Connection,
): SyncLeaseStore {
  return {
    async acquireLease(subscriberId, owner, now, until) {
      if (!(await deps.syncState.acquireLease(subscriberId, owner, now, until))) return false;
      const current = await deps.connections.get(subscriberId);
      if (current && current.calendarId === read.calendarId && current.eventIdSalt === read.eventIdSalt)
        return true;
      if (current) await deps.syncState.releaseLease(subscriberId, owner);
      else await deps.syncState.remove(subscriberId);
      return false;
    },
    releaseLease: (subscriberId, owner) => deps.syncState.releaseLease(subscriberId, owner),
  };
}

/** Why the request should not run now, if it should not. */
async function skipReason(
  deps: Pick<SyncRequestDependencies, 'syncState' | 'now' | 'settings'>,
  request: SyncRequest,
  connection: Connection | undefined,
): Promise<SkipReason | undefined> {
  if (!connection) return 'not_connected';
  if (connection.status === 'feed_gone') return 'feed_gone';
  // Before any token refresh or key-service call: only a reconnect (a new calendar) brings it back.
  if (connection.status === 'calendar_missing') return 'calendar_missing';
  if (connection.status !== 'connected' || !connection.refreshTokenCiphertext) return 'needs_reauth';
  // The operator's pause holds every request (a "sync now" or a notification too) until the operator resumes.
  if (connection.operatorPausedAt) return 'operator_paused';
  if (request.reason !== 'scheduled' && request.reason !== 'checked') return undefined;
  // Only the schedule's own requests (and a sweep's write jobs) are held back: a connect, a "sync now" or a
  // continuation runs anyway.
  if (!connection.scheduled) return 'not_scheduled';
  const now = deps.now();
  if (connection.syncPausedUntil && Date.parse(connection.syncPausedUntil) > now.getTime()) return 'paused';
  const state = await deps.syncState.get(request.subscriberId);
  // The subscriber's daily budget is spent: a run would stop at once (before the feed download), so the
  // schedule's requests skip it without a token refresh or a key-service call until the next UTC day.
  const budget = deps.settings.engine?.maxUnitsPerDay;
  const spentToday = state?.dailyUnits?.day === now.toISOString().slice(0, 10) ? state.dailyUnits.units : 0;
  if (budget !== undefined && spentToday >= budget) return 'daily_budget';
  // Any stored run counts, not only successful ones: a repeat seconds later would fail the same way and cost
  // the same feed download and Google calls. Not for a sweep's write job: its check just saw something to write.
  if (
    request.reason === 'scheduled' &&
    recentlySynced(state?.lastResult?.startedAt, now, deps.settings.intervalSeconds)
  )
    return 'recently_synced';
  // A run that started after the check (a connect's first sync, a notified change) fetched the feed since: the
  // job would find it applied. A change it missed by a moment is the next sweep's.
  const lastRunAt = state?.lastResult?.startedAt;
  if (request.reason === 'checked' && lastRunAt && Date.parse(lastRunAt) >= Date.parse(request.requestedAt))
    return 'recently_synced';
  return undefined;
}

/**
 * A sync its time budget cut short continues soon, where it stopped (the event map and state hold its place);
 * a subscriber whose sync was running is tried again after a pause, never in parallel.
 */
async function putBack(
  deps: Pick<SyncRequestDependencies, 'syncQueue' | 'logger' | 'now' | 'settings'>,
  request: SyncRequest,
  result: SyncResult,
): Promise<'continuation' | 'busy_retry' | 'requeue_limit' | undefined> {
  const { settings } = deps;
  const madeProgress = result.created + result.updated + result.deleted > 0;
  const requeued = (request.requeued ?? 0) + 1;
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
      delaySeconds: continuationDelaySeconds(settings.continueDelaySeconds, requeued),
    };
    followUp = 'continuation';
  }
  if (!next || !followUp) return undefined;
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

/** SQS's longest message delay. */
const MAX_DELAY_SECONDS = 900;

/**
 * The delay of a sync's `requeued`-th continuation: the first waits `firstSeconds`, each later one twice as
 * long, up to SQS's 15 minutes. Heavy work goes on at a lower priority: a subscriber whose runs keep continuing
 * (a huge feed that changes on every fetch) leaves the worker slots in between to the scheduled messages of
 * everyone else, instead of taking one for good.
 */
export function continuationDelaySeconds(firstSeconds: number, requeued: number): number {
  return Math.min(MAX_DELAY_SECONDS, firstSeconds * 2 ** Math.min(Math.max(requeued - 1, 0), 10));
}

/** HTTP answers saying the feed itself is gone (the token revoked, expired or unknown), not that it is unwell. */
const GONE_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 410]);
/** How long every sync must find the feed gone before the connection is: a day rides out a host's bad deploy. */
const FEED_GONE_AFTER_MS = 24 * 3_600_000;

/**
 * The feed answered gone again. The first such answer starts a run; once a run has lasted a day (any sync
 * reading the feed in between ends it; other failures, such as 5xx or timeouts, neither count nor end it) the
 * connection becomes feed_gone: the scheduling index drops it, and its refresh token is deleted and the grant
 * revoked unless another connection shares it. Nothing can use the token any more: only a reconnect brings a
 * feed_gone connection back, with a token of its own. Retention then purges it like needs_reauth.
 */
/** What stopping a connection for good uses: the connection store, the key to its token, the grant, the host. */
type StopDependencies = Pick<SyncRequestDependencies, 'connections' | 'cipher' | 'logger' | 'now'> &
  ReleaseGrantDependencies &
  TellHostDependencies;

async function feedGone(deps: StopDependencies, connection: Connection): Promise<void> {
  const { subscriberId } = connection;
  const now = deps.now();
  const since = await deps.connections.noteFeedGone(subscriberId, now);
  if (!since || now.getTime() - Date.parse(since) < FEED_GONE_AFTER_MS) return;
  const ciphertext = connection.refreshTokenCiphertext as string;
  if (!(await deps.connections.markFeedGone(subscriberId, since, ciphertext, now))) return;
  deps.logger.warn('feed gone for a day: syncing stopped', { subscriberId, since });
  await releaseStopped(deps, connection, 'feed_gone');
}

/**
 * The sync found the dedicated calendar gone (deleted in Google). The service never re-creates it on its own
 * (the subscriber may have deleted it on purpose), so syncing it again would only refresh a token each tick to
 * learn the same: the connection becomes calendar_missing, which the scheduling index drops and the worker skips
 * before any token or key-service call, even for a "sync now". Like feed_gone, nothing can use the refresh token
 * any more (a reconnect brings a token of its own and makes a new calendar), so it is deleted and its grant
 * released unless shared; the host is told once. Retention purges the connection like needs_reauth.
 */
async function calendarMissing(deps: StopDependencies, connection: Connection): Promise<void> {
  const { subscriberId } = connection;
  const ciphertext = connection.refreshTokenCiphertext as string;
  const marked = await deps.connections.markCalendarMissing(
    subscriberId,
    connection.calendarId,
    ciphertext,
    deps.now(),
  );
  if (!marked) return;
  deps.logger.warn('dedicated calendar gone: syncing stopped until a reconnect', { subscriberId });
  await releaseStopped(deps, connection, 'calendar_missing');
}

/**
 * A connection just stopped for good (its status written, its token removed from it): the token it held
 * releases its grant unless another connection shares it, and the host is told once.
 */
async function releaseStopped(
  deps: StopDependencies,
  connection: Connection,
  status: 'feed_gone' | 'calendar_missing',
): Promise<void> {
  const { subscriberId } = connection;
  const refreshToken = await deps.cipher.decrypt(connection.refreshTokenCiphertext as string, {
    subscriberId,
    purpose: 'google_refresh_token',
  });
  const released = await releaseGrant(deps, refreshToken, connection.googleAccountKey, subscriberId);
  deps.logger.info(`${status.replace('_', '-')} connection released its grant`, {
    subscriberId,
    grant: released,
  });
  await tellHost(deps, status, connection);
}

/**
 * Google refused the refresh token during this request. Told only when this request saw the change happen (the
 * connection was connected when it read it, and needs re-authorisation now), so the host hears it once (twice
 * at worst, when two requests of the subscriber hit the refusal at the same moment).
 */
async function tellHostIfNewlyNeedsReauth(
  deps: Pick<SyncRequestDependencies, 'connections'> & TellHostDependencies,
  read: Connection,
): Promise<void> {
  if (!deps.hostEvents || read.status !== 'connected') return;
  const now = await deps.connections.get(read.subscriberId);
  if (now?.status === 'needs_reauth' && now.feedTokenCiphertext === read.feedTokenCiphertext)
    await tellHost(deps, 'needs_reauth', read);
}

/**
 * The feed source, remembering the size of the body it fetched (for the metrics) and whether the feed answered
 * that it is gone.
 */
class MeasuredFeedSource implements FeedSource {
  bytes: number | undefined;
  gone = false;

  constructor(private readonly inner: FeedSource) {}

  async fetch(...args: Parameters<FeedSource['fetch']>): ReturnType<FeedSource['fetch']> {
    try {
      const fetched = await this.inner.fetch(...args);
      this.bytes = fetched.kind === 'fetched' ? fetched.bytes : 0;
      return fetched;
    } catch (error) {
      this.gone =
        error instanceof FeedError &&
        error.reason === 'http_status' &&
        GONE_STATUSES.has(error.httpStatus ?? 0);
      throw error;
    }
  }
}
