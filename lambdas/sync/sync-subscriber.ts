import { createHash, randomUUID } from 'node:crypto';
import { FeedError } from '../shared/domain/feed-error.ts';
import { nextDailyQuotaReset } from '../shared/domain/google-quota.ts';
import { defaultHorizon, type Horizon, mapFeed } from '../shared/domain/ics/index.ts';
import { type AuditFindings, auditCalendar } from '../shared/domain/reconcile/audit.ts';
import {
  type BreakerPolicy,
  DEFAULT_BREAKER_POLICY,
  decideBreaker,
} from '../shared/domain/reconcile/breaker.ts';
import { type Plan, planSync } from '../shared/domain/reconcile/plan.ts';
import type { SyncOutcome, SyncResult } from '../shared/domain/sync-result.ts';
import { DEFAULT_FEED_LIMITS, FeedTooCostly } from '../shared/domain/work-budget.ts';
import type { CalendarGateway } from '../shared/ports/calendar-gateway.ts';
import type { FeedSource } from '../shared/ports/feed-source.ts';
import type {
  EventMapRow,
  EventMapStore,
  SyncLeaseStore,
  SyncState,
  SyncStateStore,
} from '../shared/ports/sync-stores.ts';
import { type ApplyReport, applyPlan } from './apply-plan.ts';
import { type CalendarListing, listCalendar } from './calendar-listing.ts';
import { type Clock, systemClock } from './clock.ts';
import { describeReport } from './describe-report.ts';
import { EventMapJournal } from './event-map-journal.ts';
import { classifyGoogleError } from './google-error.ts';
import { DEFAULT_PACING, Pacer, type PacingPolicy } from './pacer.ts';
import { QuotaPacedCaller } from './quota-paced-caller.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
import type { SyncProblem, SyncReport, SyncWarning } from './sync-report.ts';

/** Which subscriber to sync, and where. Resolved by the caller from the connection. */
export interface SyncTarget {
  subscriberId: string;
  calendarId: string;
  /** The feed's URL (it holds the subscriber's token: never logged, never in a result). */
  feedLocation: string;
  /** Per-subscriber salt of the deterministic event ids. */
  eventIdSalt: string;
}

export interface SyncSettings {
  /** Google calls in flight at once. */
  concurrency: number;
  pacing: PacingPolicy;
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  /** Pause after Google's calendar usage limits (403 quotaExceeded). */
  coolDownMs: number;
  /** How long a run holds the subscriber's lease (longer than the function's time limit). */
  leaseMs: number;
  /** No new Google write starts after this much time; the next sync continues where this one stopped. */
  timeBudgetMs?: number;
  /** For floating times in feeds without X-WR-TIMEZONE. */
  defaultTimeZone: string;
  horizon: (now: Date) => Horizon;
  /**
   * How often the calendar is audited: compared with what the service wrote, and set back to the feed where the
   * user (or another app) changed it. Undefined: only when asked (`auditNow`).
   */
  auditIntervalMs?: number;
  /** Audit in this run, due or not ("Sync now": the subscriber expects the calendar to equal the feed). */
  auditNow?: boolean;
  /**
   * Google quota units the subscriber's runs may spend per UTC day, so a few huge feeds that change on every
   * fetch cannot take the project's quota. Undefined: no budget.
   */
  maxUnitsPerDay?: number;
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  concurrency: 6,
  pacing: DEFAULT_PACING,
  retry: DEFAULT_RETRY,
  breaker: DEFAULT_BREAKER_POLICY,
  coolDownMs: 6 * 3_600_000,
  leaseMs: 16 * 60_000,
  defaultTimeZone: 'UTC',
  horizon: defaultHorizon,
  auditIntervalMs: 24 * 3_600_000,
};

export interface SyncDependencies {
  feeds: FeedSource;
  /** The subscriber's calendar events (built with the subscriber's access token source). */
  gateway: CalendarGateway;
  eventMap: Pick<EventMapStore, 'list' | 'put' | 'remove'>;
  syncState: Pick<SyncStateStore, 'get' | 'put'>;
  /** Without one, overlapping runs are still safe (writes are idempotent), only wasteful. */
  lease?: SyncLeaseStore;
  clock?: Clock;
  random?: () => number;
}

/**
 * Bump when the mapping or the event keys change what a sync makes of the same text: every feed is then mapped
 * and planned again once. 2: standalone overrides and split series got keys of their own. 3: zero-length timed
 * events last a minute; floating EXDATE, RDATE and RECURRENCE-ID values of a zoned series are read in its zone;
 * an override of an occurrence the newer master excludes is left out. 4: zone names Google takes (Europe/Kiev
 * for Europe/Kyiv, a real zone or UTC for a fixed offset). 5: an override carrying the only RRULE of its series is
 * that series; a component whose END is missing or misspelled closes at the next sibling BEGIN. 6: a series in a
 * zone Google has no name for lands at the feed's instants (an agreeing IANA zone, stretches of constant offset,
 * or its occurrences as dates).
 */
const MAPPING_VERSION = '6';

/**
 * How long one feed's mapping may run (FeedTooCostly past it, a feed error naming the cause). Real feeds
 * map in well under a second (10,000 events: about 0.2 s); the worker's timeout is 5 minutes.
 */
const MAPPING_TIME_LIMIT_MS = 60_000;

/**
 * Makes the subscriber's dedicated calendar equal to their feed, with as few Google calls as possible:
 * an unchanged feed costs no parse and no call, an unchanged event no call. Never destructive: a feed that cannot
 * be read or parsed deletes nothing, and mass deletions wait for a second sighting. The result, in words, is
 * stored with the sync state (the status endpoint shows it) and returned.
 */
export async function syncSubscriber(
  target: SyncTarget,
  deps: SyncDependencies,
  overrides: Partial<SyncSettings> = {},
): Promise<SyncResult> {
  const settings = { ...DEFAULT_SYNC_SETTINGS, ...overrides };
  const clock = deps.clock ?? systemClock;
  const startedAt = new Date(clock.now());
  const leaseOwner = randomUUID();
  if (deps.lease) {
    const leaseUntil = new Date(startedAt.getTime() + settings.leaseMs);
    if (!(await deps.lease.acquireLease(target.subscriberId, leaseOwner, startedAt, leaseUntil))) {
      return describeReport(report(startedAt, clock, 'busy', { problems: [{ kind: 'busy' }] }));
    }
  }
  try {
    const run = await runSync(target, deps, settings, clock, startedAt);
    const result = describeReport(run.report);
    if (run.state) {
      // A subscriber never audited starts the audit interval now (see isAuditDue).
      const lastAuditAt = run.state.lastAuditAt ?? startedAt.toISOString();
      await deps.syncState.put({ ...run.state, lastAuditAt, lastResult: result });
    }
    return result;
  } finally {
    await deps.lease?.releaseLease(target.subscriberId, leaseOwner);
  }
}

/** How a run ended: its report, and the sync state to store with it (none: nothing is stored). */
interface RunEnd {
  report: SyncReport;
  state?: SyncState;
}

async function runSync(
  target: SyncTarget,
  deps: SyncDependencies,
  settings: SyncSettings,
  clock: Clock,
  startedAt: Date,
): Promise<RunEnd> {
  const { subscriberId } = target;
  const state: SyncState = (await deps.syncState.get(subscriberId)) ?? { subscriberId };

  if (state.coolDownUntil && Date.parse(state.coolDownUntil) > startedAt.getTime()) {
    // Not stored: the stored result is still the one that started the cool-down.
    return { report: report(startedAt, clock, 'cooling_down', { coolDownUntil: state.coolDownUntil }) };
  }

  if (state.missingCalendarId === target.calendarId) {
    // Not stored either: calling Google again cannot bring the calendar back; reconnecting does.
    const problems: SyncProblem[] = [{ kind: 'stopped', reason: 'calendar_missing' }];
    return { report: report(startedAt, clock, 'calendar_missing', { problems }) };
  }

  const today = dayOf(startedAt);
  const unitsToday = state.dailyUnits?.day === today ? state.dailyUnits.units : 0;
  const unitsLeft = settings.maxUnitsPerDay === undefined ? undefined : settings.maxUnitsPerDay - unitsToday;
  if (unitsLeft !== undefined && unitsLeft <= 0) {
    // Not stored: the stored result is the run that spent the budget, and says the same. No feed download.
    const problems: SyncProblem[] = [{ kind: 'daily_budget_used_up', resumesAfter: nextUtcDay(startedAt) }];
    return { report: report(startedAt, clock, 'partial', { problems }) };
  }

  const now = startedAt;
  const horizon = settings.horizon(now);
  // An event Google refused is due again: the feed is planned even if it did not change (until then, an
  // unchanged feed costs nothing more for it).
  const refusalDue = state.refusalRetryAt !== undefined && Date.parse(state.refusalRetryAt) <= now.getTime();
  // Validators are only kept for a body that was fully applied over today's horizon, so a 304 always
  // means "nothing to do".
  const validatorsApply = !refusalDue && state.feedValidatedFor === dayOf(horizon.from);
  // An audit compares the calendar with the feed's events: it needs the body even when unchanged.
  const auditDue = isAuditDue(state, settings, now);
  let fetched: Awaited<ReturnType<FeedSource['fetch']>>;
  try {
    fetched = await deps.feeds.fetch(target.feedLocation, {
      ...(validatorsApply && !auditDue && state.feedEtag ? { etag: state.feedEtag } : {}),
      ...(validatorsApply && !auditDue && state.feedLastModified
        ? { lastModified: state.feedLastModified }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    const problems: SyncProblem[] = [{ kind: 'feed_refused', reason: error.reason, message: error.message }];
    return { report: report(startedAt, clock, 'feed_error', { problems }), state };
  }
  const unchanged = () =>
    report(startedAt, clock, 'unchanged', {
      unchanged: state.eventCount ?? state.lastResult?.unchanged ?? 0,
    });
  if (fetched.kind === 'not_modified') return { report: unchanged(), state };

  const feedHash = fingerprint(fetched.text, target.eventIdSalt, settings.defaultTimeZone, horizon);
  const validators = {
    feedEtag: fetched.etag,
    feedLastModified: fetched.lastModified,
    feedValidatedFor: dayOf(horizon.from),
  };
  if (!refusalDue && !auditDue && state.feedHash === feedHash)
    return { report: unchanged(), state: { ...state, ...validators } };
  // A body the mapping already failed on (a hostile one costs the worker's time on every parse): the same
  // feed_error, without the work, until the body changes.
  const bodyHash = costlyFeedHash(fetched.text, settings.defaultTimeZone);
  if (state.costlyFeed?.hash === bodyHash) {
    const { detail } = state.costlyFeed;
    const problems: SyncProblem[] = [{ kind: 'feed_unmappable_unchanged', ...(detail ? { detail } : {}) }];
    return { report: report(startedAt, clock, 'feed_error', { problems }), state };
  }

  let mapped: ReturnType<typeof mapFeed>;
  try {
    mapped = mapFeed(fetched.text, {
      salt: target.eventIdSalt,
      horizon,
      defaultTimeZone: settings.defaultTimeZone,
      // Work caps and units apply by default; the clock adds a time limit well inside the worker's timeout.
      // Within the run's own slice too: a costly feed must not eat the time of the batch's later messages.
      budget: {
        now: () => clock.now(),
        // What is left of the run's slice after the feed's download, not the whole slice again.
        timeMs: Math.min(
          MAPPING_TIME_LIMIT_MS,
          settings.timeBudgetMs === undefined
            ? MAPPING_TIME_LIMIT_MS
            : Math.max(0, startedAt.getTime() + settings.timeBudgetMs - clock.now()),
        ),
      },
    });
  } catch (error) {
    const problems: SyncProblem[] = [
      error instanceof Error
        ? { kind: 'feed_unmappable', detail: error.message }
        : { kind: 'feed_unmappable' },
    ];
    const failure = { report: report(startedAt, clock, 'feed_error', { problems }) };
    // A time limit depends on the machine's load: the same text is read again next time.
    if (error instanceof FeedTooCostly && error.timedOut) return { ...failure, state };
    // Any other failure is the text's (the mapping is deterministic): remembered by the body's hash, not parsed
    // again until the body changes.
    const costlyFeed = { hash: bodyHash, ...(error instanceof Error ? { detail: error.message } : {}) };
    return { ...failure, state: { ...state, costlyFeed } };
  }

  const deadline =
    settings.timeBudgetMs === undefined ? undefined : startedAt.getTime() + settings.timeBudgetMs;
  const caller = new QuotaPacedCaller(
    new Pacer(settings.pacing, clock),
    clock,
    settings.retry,
    deps.random,
    deadline,
  );
  const rows = await deps.eventMap.list(subscriberId);
  const audit = auditDue
    ? await runAudit(target, deps.gateway, caller, rows, mapped, horizon, state.auditSyncToken)
    : undefined;
  if (audit?.kind === 'calendar_missing') {
    // The listing is a call on the calendar itself: its 404 (confirmed by the probe) means the calendar is gone,
    // even when the feed has nothing to write (a run with writes would learn it at its first write).
    const problems: SyncProblem[] = [{ kind: 'stopped', reason: 'calendar_missing' }];
    return {
      report: report(startedAt, clock, 'calendar_missing', {
        problems,
        googleCalls: caller.count,
        quotaUnits: caller.units,
      }),
      state: { ...state, missingCalendarId: target.calendarId },
    };
  }
  const findings = audit?.kind === 'listed' ? audit.findings : undefined;
  const plan = planSync(mapped.events, rows, {
    unreadableUids: mapped.skippedUids ?? [],
    horizonStart: horizon.from,
    now,
    ...(findings ? { diverged: findings.diverged, strays: findings.strays } : {}),
  });
  const breaker = decideBreaker(
    {
      deletionKeys: plan.deletions.map((d) => d.key),
      eventsInCalendar: plan.eventsInCalendar,
      feedEmpty: mapped.events.length === 0,
      previouslyHeld: state.heldDeletion,
      now,
    },
    settings.breaker,
  );

  if (state.feedHash !== undefined && hasWork(plan)) {
    // Writes are about to start: a run that dies among them must not leave the hash of the last fully applied
    // text behind, or a feed that goes back to that text would be taken as unchanged and what this run wrote
    // would never be looked at again. The state of a run that ends is saved as usual.
    await deps.syncState.put({
      ...state,
      feedHash: undefined,
      feedEtag: undefined,
      feedLastModified: undefined,
      feedValidatedFor: undefined,
    });
  }

  const applied = await applyPlan(plan, {
    calendarId: target.calendarId,
    gateway: deps.gateway,
    caller,
    journal: new EventMapJournal(deps.eventMap, subscriberId),
    clock,
    concurrency: settings.concurrency,
    applyDeletions: !breaker.hold,
    horizon,
    rows,
    ...(findings ? { repairs: findings.diverged } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    ...(unitsLeft !== undefined ? { maxUnits: unitsLeft } : {}),
  });

  const outcome = outcomeOf(applied, breaker.hold);
  const problems: SyncProblem[] = [];
  // Google resets its daily quota at midnight Pacific Time: the whole project waits until then, not this subscriber.
  const dailyQuotaReset =
    applied.stop === 'daily_limit' ? nextDailyQuotaReset(new Date(clock.now())).toISOString() : undefined;
  if (applied.stop) problems.push({ kind: 'stopped', reason: applied.stop });
  if (dailyQuotaReset) problems.push({ kind: 'daily_quota_used_up', resumesAfter: dailyQuotaReset });
  problems.push(...applied.problems);
  if (applied.deferred > 0) problems.push({ kind: 'time_budget_reached', deferred: applied.deferred });
  if (applied.overBudget > 0) problems.push({ kind: 'daily_budget_used_up', resumesAfter: nextUtcDay(now) });
  if (breaker.hold) {
    problems.push({
      kind: 'deletions_held',
      deletions: plan.deletions.length,
      eventsInCalendar: plan.eventsInCalendar,
      feedEmpty: mapped.events.length === 0,
      confirmAfterMinutes: Math.ceil(settings.breaker.minConfirmDelayMs / 60_000),
    });
  }
  const warnings: SyncWarning[] = [
    ...mapped.warnings.map(({ uid, reason }): SyncWarning => ({ kind: 'feed_warning', uid, reason })),
    ...plan.skipped.map(({ key, reason }): SyncWarning => ({ kind: 'event_skipped', key, reason })),
    ...plan.waiting.map((wait): SyncWarning => ({ kind: 'write_waiting', ...wait })),
    ...applied.warnings,
  ];
  if (applied.renamed.moved > 0 || applied.renamed.held > 0)
    warnings.push({ kind: 'uid_renamed', ...applied.renamed });
  if (audit?.kind === 'failed') warnings.push({ kind: 'audit_failed', googleMessage: audit.message });
  if (applied.repaired > 0 || applied.straysRemoved > 0) {
    warnings.push({ kind: 'calendar_repaired', repaired: applied.repaired, removed: applied.straysRemoved });
  }
  const coolDownUntil =
    applied.stop === 'usage_limit' ? new Date(clock.now() + settings.coolDownMs).toISOString() : undefined;
  const runReport = report(startedAt, clock, outcome, {
    created: applied.created,
    updated: applied.updated,
    deleted: applied.deleted,
    unchanged: plan.unchanged,
    heldDeletions: breaker.hold ? plan.deletions.length : 0,
    googleCalls: caller.count,
    quotaUnits: caller.units,
    problems,
    warnings,
    ...(applied.deferred > 0 ? { deferred: applied.deferred } : {}),
    ...(coolDownUntil ? { coolDownUntil } : {}),
    ...(dailyQuotaReset ? { coolDownUntil: dailyQuotaReset, dailyQuotaUsedUp: true } : {}),
    ...(findings ? { auditRepaired: applied.repaired, auditRemoved: applied.straysRemoved } : {}),
  });

  const fullyApplied = outcome === 'synced';
  // The next audit lists what changed after this one only once everything it found was settled (put right, or
  // refused by Google for good or for a while): else it lists from the older token again (and is due again), so
  // nothing it found is lost, and nothing Google refuses is asked for on every sync.
  const audited =
    fullyApplied &&
    audit?.kind === 'listed' &&
    repairsPlanned(plan, audit.findings).every((key) => applied.settledKeys.has(key)) &&
    plan.strays.every((stray) => applied.settledKeys.has(stray.key))
      ? audit.listing
      : undefined;
  const next: SyncState = {
    subscriberId,
    // Anything short of fully applied is fetched and planned again in full next time.
    ...(fullyApplied ? { feedHash, ...validators } : {}),
    heldDeletion: breaker.held,
    coolDownUntil,
    missingCalendarId: applied.stop === 'calendar_missing' ? target.calendarId : undefined,
    refusalRetryAt: earliest([
      ...plan.waiting.map((wait) => wait.retryAfter),
      ...applied.refused.map((refusal) => refusal.retryAfter),
    ]),
    eventCount: plan.eventsInCalendar + applied.insertedEvents - applied.deleted - applied.forgottenEvents,
    dailyUnits: { day: today, units: unitsToday + caller.units },
    ...(audited
      ? { lastAuditAt: now.toISOString(), auditSyncToken: audited.syncToken }
      : { lastAuditAt: state.lastAuditAt, auditSyncToken: state.auditSyncToken }),
  };
  return { report: runReport, state: next };
}

/** Whether applying the plan changes anything, in Google or in the event map. */
function hasWork(plan: Plan): boolean {
  return (
    plan.seriesWrites.length > 0 ||
    plan.instanceWrites.length > 0 ||
    plan.deletions.length > 0 ||
    plan.strays.length > 0 ||
    plan.forgets.length > 0 ||
    plan.rowRefreshes.length > 0
  );
}

/**
 * Whether the calendar is to be audited in this run: when asked, or once the interval has passed since the last
 * audit. A subscriber never audited starts the interval (its calendar is what the service just wrote).
 */
function isAuditDue(state: SyncState, settings: SyncSettings, now: Date): boolean {
  if (settings.auditNow) return true;
  if (settings.auditIntervalMs === undefined || state.lastAuditAt === undefined) return false;
  return now.getTime() - Date.parse(state.lastAuditAt) >= settings.auditIntervalMs;
}

type AuditRun =
  | { kind: 'listed'; listing: CalendarListing; findings: AuditFindings }
  | { kind: 'calendar_missing' }
  | { kind: 'failed'; message: string };

/**
 * Lists the calendar (what changed since the last audit) and compares it with the rows and the feed. A listing
 * that fails leaves the audit for the next sync; the run goes on with the feed as usual (a refusal that
 * concerns the whole calendar stops it at its first write).
 */
async function runAudit(
  target: SyncTarget,
  gateway: CalendarGateway,
  caller: QuotaPacedCaller,
  rows: EventMapRow[],
  mapped: ReturnType<typeof mapFeed>,
  horizon: Horizon,
  syncToken: string | undefined,
): Promise<AuditRun> {
  let listing: CalendarListing;
  try {
    listing = await listCalendar(gateway, caller, target.calendarId, syncToken);
  } catch (error) {
    if (classifyGoogleError(error) === 'not_found') {
      const exists = await caller
        .call('list', () => gateway.calendarExists(target.calendarId))
        .catch(() => true);
      if (!exists) return { kind: 'calendar_missing' };
    }
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  const findings = auditCalendar({
    listed: listing.items,
    rows,
    desiredEvents: mapped.events,
    unreadableUids: mapped.skippedUids ?? [],
    horizonStart: horizon.from,
  });
  return { kind: 'listed', listing, findings };
}

/** The keys of the plan's writes that are there because the audit found their event changed in Google. */
function repairsPlanned(plan: Plan, findings: AuditFindings): string[] {
  const writes = [...plan.seriesWrites, ...plan.instanceWrites];
  return writes.filter((op) => findings.diverged.has(op.key)).map((op) => op.key);
}

function outcomeOf(applied: ApplyReport, held: boolean): SyncOutcome {
  if (applied.stop === 'usage_limit' || applied.stop === 'daily_limit') return 'cooling_down';
  if (applied.stop === 'calendar_missing') return 'calendar_missing';
  if (applied.stop === 'needs_reauth') return 'needs_reauth';
  if (applied.stop || applied.problems.length > 0 || applied.deferred > 0 || applied.overBudget > 0)
    return 'partial';
  return held ? 'deletions_held' : 'synced';
}

/** Identifies what a sync of this text would write: the text and everything else the mapping depends on. */
function fingerprint(text: string, salt: string, defaultTimeZone: string, horizon: Horizon): string {
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
function costlyFeedHash(text: string, defaultTimeZone: string): string {
  // The limits too: a deploy that raises a cap reads the feed again.
  return createHash('sha256')
    .update(`${MAPPING_VERSION}\n${defaultTimeZone}\n${JSON.stringify(DEFAULT_FEED_LIMITS)}\n`)
    .update(text)
    .digest('hex');
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** The next midnight UTC after `date` (ISO 8601): when the daily budget starts again. */
const nextUtcDay = (date: Date) => `${dayOf(new Date(date.getTime() + 86_400_000))}T00:00:00.000Z`;

/** The earliest of ISO 8601 UTC times (they sort as text); none of none. */
const earliest = (times: string[]): string | undefined => (times.length ? times.sort()[0] : undefined);

type ReportFields = Partial<Omit<SyncReport, 'outcome' | 'startedAt' | 'finishedAt'>>;

function report(startedAt: Date, clock: Clock, outcome: SyncOutcome, fields: ReportFields = {}): SyncReport {
  return {
    outcome,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(clock.now()).toISOString(),
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    heldDeletions: 0,
    googleCalls: 0,
    problems: [],
    warnings: [],
    ...fields,
  };
}
