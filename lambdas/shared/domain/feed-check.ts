/**
 * Whether a subscriber's feed changed, and what a sync would have to do about it: the rules the sync engine and
 * the sweep's cheap check share. The check decides before fetching (nothing to do, a write job at once, or one
 * conditional GET) and after (unchanged, unchanged with new validators, or a write job), and says "unchanged"
 * only where the engine's run would have ended `unchanged` without a single Google call. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import type { Connection } from './entities/connection.ts';
import type { SyncState } from './entities/sync-state.ts';
import { type Horizon, MAPPING_VERSION } from './ics/index.ts';
import { TOKEN_CHECK_INTERVAL_MS, tokenCheckDue } from './token-health.ts';
import { DEFAULT_FEED_LIMITS } from './work-budget.ts';

/** The UTC day of a time (YYYY-MM-DD). */
export const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** Identifies what a sync of this text would write: the text and everything else the mapping depends on. */
export function fingerprint(text: string, salt: string, defaultTimeZone: string, horizon: Horizon): string {
  // The horizon at day precision: events that slide into it are picked up within a day even if the feed stays put.
  return createHash('sha256')
    .update(`${MAPPING_VERSION}\n${salt}\n${defaultTimeZone}\n${dayOf(horizon.from)}\n${dayOf(horizon.to)}\n`)
    .update(text)
    .digest('hex');
}

/**
 * Identifies a body the mapping failed on: the text and what decides how the mapping reads it, but not the
 * horizon's day, so a costly feed is skipped until it changes (or a new mapping version may read it).
 */
export function costlyFeedHash(text: string, defaultTimeZone: string): string {
  // The limits too: a deploy that raises a cap reads the feed again.
  return createHash('sha256')
    .update(`${MAPPING_VERSION}\n${defaultTimeZone}\n${JSON.stringify(DEFAULT_FEED_LIMITS)}\n`)
    .update(text)
    .digest('hex');
}

/**
 * Whether the calendar is to be audited in this run: when asked, or once the interval has passed since the last
 * audit. A subscriber never audited starts the interval (its calendar is what the service just wrote).
 */
export function isAuditDue(
  state: Pick<SyncState, 'lastAuditAt'>,
  auditIntervalMs: number | undefined,
  now: Date,
  auditNow = false,
): boolean {
  if (auditNow) return true;
  if (auditIntervalMs === undefined || state.lastAuditAt === undefined) return false;
  return now.getTime() - Date.parse(state.lastAuditAt) >= auditIntervalMs;
}

/** An event Google refused is due again: the feed is planned even if it did not change. */
export const isRefusalRetryDue = (state: Pick<SyncState, 'refusalRetryAt'>, now: Date): boolean =>
  state.refusalRetryAt !== undefined && Date.parse(state.refusalRetryAt) <= now.getTime();

/**
 * Whether the stored validators may be sent. They are only kept for a body fully applied over today's horizon, so
 * a 304 always means "nothing to do"; not while a refused event is due again or an audit needs the body.
 */
export const validatorsApply = (
  state: Pick<SyncState, 'feedValidatedFor'>,
  horizon: Horizon,
  options: { refusalDue: boolean; auditDue: boolean },
): boolean => !options.refusalDue && !options.auditDue && state.feedValidatedFor === dayOf(horizon.from);

/** Units the subscriber's runs spent today (UTC). */
const unitsSpentToday = (state: Pick<SyncState, 'dailyUnits'> | undefined, now: Date): number =>
  state?.dailyUnits?.day === dayOf(now) ? state.dailyUnits.units : 0;

/** Why a check does nothing at all for the subscriber (no fetch, no write job). */
export type CheckIdleReason =
  | 'not_connected' // disconnected (or purged) since the index was read
  | 'needs_reauth'
  | 'feed_gone'
  | 'calendar_missing' // the connection's status, or the sync state found the calendar gone
  | 'operator_paused'
  | 'not_scheduled'
  | 'paused' // the schedule's pause after Google's calendar usage limits
  | 'cooling_down' // the sync state's cool-down
  | 'daily_quota' // Google's daily quota of the project is used up
  | 'daily_budget' // the subscriber's own daily budget of Google quota units is spent
  | 'running'; // a sync run holds the lease: what it writes is what the next sweep checks

/** Why a check asks for a write job. */
export type CheckWriteReason =
  | 'first_sync' // no sync state yet
  | 'audit_due'
  | 'audit_unstarted' // a state without an audit time: the engine starts the interval on its next run
  | 'refusal_retry_due'
  | 'token_check_due'
  | 'feed_changed'
  | 'feed_error' // the worker records it (and counts a gone feed towards feed_gone)
  | 'feed_back' // the feed answered again after gone answers: the worker ends the run of them
  | 'horizon_roll'; // the body was applied over a horizon older than yesterday's: events may enter or leave it

/**
 * The horizon the stored body was applied over: today's, or yesterday's when the caller gives it. The check lets
 * a body applied yesterday stand for a day: the horizon slides at midnight UTC for every subscriber at once, and
 * rolling it on the first tick after would make every feed a write job in the same 15 minutes. The subscriber's
 * daily job (the audit, the grant check) rolls it instead, and an event reaching the horizon's far end two years
 * ahead shows a few hours later. Older than yesterday: a roll is due (horizon_roll).
 */
function appliedHorizon(
  state: Pick<SyncState, 'feedValidatedFor'>,
  horizons: { horizon: Horizon; previousHorizon?: Horizon | undefined },
): Horizon | undefined {
  const { horizon, previousHorizon } = horizons;
  if (state.feedValidatedFor === dayOf(horizon.from)) return horizon;
  if (previousHorizon && state.feedValidatedFor === dayOf(previousHorizon.from)) return previousHorizon;
  return undefined;
}

/** What to do before fetching. */
export type PreFetchDecision =
  | { kind: 'nothing'; reason: CheckIdleReason }
  | { kind: 'write'; reason: CheckWriteReason }
  /** One conditional GET, with these validators (none when they do not apply). */
  | { kind: 'fetch'; validators: { etag?: string; lastModified?: string } };

export interface CheckPolicy {
  /** How often the calendar is audited (undefined: never on its own). */
  auditIntervalMs?: number;
  /** Google quota units one subscriber's runs may spend per UTC day (undefined: no budget). */
  maxUnitsPerDay?: number;
}

/**
 * Before fetching: what the worker's skipReason holds back for a `checked` request (everything a `scheduled` one
 * is held back for except `recently_synced`) and what the engine's heldBack stops, give nothing to do; what
 * needs a run whatever the feed says (no state yet, an audit, a refusal retry or a token check due) is a write job
 * without fetching; otherwise one conditional GET.
 */
export function decideBeforeFetch(
  connection: Connection | undefined,
  state: SyncState | undefined,
  context: {
    now: Date;
    horizon: Horizon;
    /** Yesterday's horizon: given, a body applied over it still counts (see appliedHorizon). */
    previousHorizon?: Horizon | undefined;
    settings: CheckPolicy;
    projectQuotaBackAt?: string | undefined;
    /** Until when a sync run holds the subscriber's lease, if one does or did. */
    runUntil?: string | undefined;
  },
): PreFetchDecision {
  const { now, settings } = context;
  const idle = (reason: CheckIdleReason): PreFetchDecision => ({ kind: 'nothing', reason });
  const write = (reason: CheckWriteReason): PreFetchDecision => ({ kind: 'write', reason });
  // The worker's skipReason, in its order.
  if (context.projectQuotaBackAt && Date.parse(context.projectQuotaBackAt) > now.getTime())
    return idle('daily_quota');
  if (!connection) return idle('not_connected');
  if (connection.status === 'feed_gone') return idle('feed_gone');
  if (connection.status === 'calendar_missing') return idle('calendar_missing');
  if (connection.status !== 'connected' || !connection.refreshTokenCiphertext) return idle('needs_reauth');
  if (connection.operatorPausedAt) return idle('operator_paused');
  if (!connection.scheduled) return idle('not_scheduled');
  if (connection.syncPausedUntil && Date.parse(connection.syncPausedUntil) > now.getTime())
    return idle('paused');
  if (settings.maxUnitsPerDay !== undefined && unitsSpentToday(state, now) >= settings.maxUnitsPerDay)
    return idle('daily_budget');
  // A run in progress (a connect's first sync, a notified change): a job now would only wait for its lease and
  // find the feed applied; the next sweep sees what the run stored.
  if (context.runUntil && Date.parse(context.runUntil) > now.getTime()) return idle('running');
  if (!state) return write('first_sync');
  // The engine's heldBack: a run would stop before the feed.
  if (state.coolDownUntil && Date.parse(state.coolDownUntil) > now.getTime()) return idle('cooling_down');
  if (state.missingCalendarId === connection.calendarId) return idle('calendar_missing');
  // A run is due whatever the feed says.
  const refusalDue = isRefusalRetryDue(state, now);
  if (refusalDue) return write('refusal_retry_due');
  const auditDue = isAuditDue(state, settings.auditIntervalMs, now);
  if (auditDue) return write('audit_due');
  if (settings.auditIntervalMs !== undefined && state.lastAuditAt === undefined)
    return write('audit_unstarted');
  // An audit asks Google for a token too: with audits at least daily, the grant needs no job of its own, so a
  // subscriber's grant check, audit and horizon roll come as one job a day instead of three.
  const auditsCheckTheGrant =
    settings.auditIntervalMs !== undefined && settings.auditIntervalMs <= TOKEN_CHECK_INTERVAL_MS;
  if (!auditsCheckTheGrant && tokenCheckDue(state.tokenCheckedAt, now)) return write('token_check_due');
  const applied = appliedHorizon(state, context);
  if (context.previousHorizon && state.feedValidatedFor !== undefined && !applied)
    return write('horizon_roll');
  const apply = applied !== undefined && validatorsApply(state, applied, { refusalDue, auditDue });
  return {
    kind: 'fetch',
    validators: {
      ...(apply && state.feedEtag ? { etag: state.feedEtag } : {}),
      ...(apply && state.feedLastModified ? { lastModified: state.feedLastModified } : {}),
    },
  };
}

/** The validators a sync stores after an unchanged body (the engine's `unchanged` end). */
export type StoredValidators = Pick<SyncState, 'feedEtag' | 'feedLastModified' | 'feedValidatedFor'>;

/** What the fetch gave: a 304, a body, or a feed error (the check does not look into it: the worker records it). */
export type CheckFetchResult =
  | { kind: 'not_modified' }
  | { kind: 'fetched'; text: string; etag?: string | undefined; lastModified?: string | undefined }
  | { kind: 'failed' };

/** What to do after fetching. */
export type PostFetchDecision =
  | { kind: 'unchanged' }
  /** Unchanged, but the engine would store these validators (and only while the state's feedHash is `feedHash`). */
  | { kind: 'unchanged_new_validators'; validators: StoredValidators; feedHash: string }
  | { kind: 'write'; reason: CheckWriteReason };

/**
 * After the GET of a `fetch` decision: the engine's fetchChangedFeed with neither refusal nor audit due (those
 * were write jobs before fetching). A 304, the same fingerprint or a body the mapping already failed on are
 * unchanged; a changed body or a feed error is a write job. A feed that answers after gone answers is one too,
 * so the worker ends the run of them (the check writes no connection).
 */
export function decideAfterFetch(
  connection: Pick<Connection, 'eventIdSalt' | 'feedGoneSince'>,
  state: SyncState,
  fetched: CheckFetchResult,
  context: { horizon: Horizon; previousHorizon?: Horizon | undefined; defaultTimeZone: string },
): PostFetchDecision {
  if (fetched.kind === 'failed') return { kind: 'write', reason: 'feed_error' };
  if (connection.feedGoneSince) return { kind: 'write', reason: 'feed_back' };
  if (fetched.kind === 'not_modified') return { kind: 'unchanged' };
  const { defaultTimeZone } = context;
  // Compared over the horizon the stored body was applied over (its day is kept as it was).
  const horizon = appliedHorizon(state, context) ?? context.horizon;
  const feedHash = fingerprint(fetched.text, connection.eventIdSalt, defaultTimeZone, horizon);
  if (state.feedHash === feedHash) {
    const validators: StoredValidators = {
      feedEtag: fetched.etag,
      feedLastModified: fetched.lastModified,
      feedValidatedFor: dayOf(horizon.from),
    };
    const same =
      state.feedEtag === validators.feedEtag &&
      state.feedLastModified === validators.feedLastModified &&
      state.feedValidatedFor === validators.feedValidatedFor;
    return same ? { kind: 'unchanged' } : { kind: 'unchanged_new_validators', validators, feedHash };
  }
  // The engine ends such a run with the same feed_error and the state as it was, without the work.
  if (state.costlyFeed?.hash === costlyFeedHash(fetched.text, defaultTimeZone)) return { kind: 'unchanged' };
  return { kind: 'write', reason: 'feed_changed' };
}
