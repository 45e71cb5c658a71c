import { randomUUID } from 'node:crypto';
import {
  costlyFeedHash,
  dayOf,
  fingerprint,
  isAuditDue,
  isRefusalRetryDue,
  validatorsApply,
} from '../../shared/domain/feed-check.ts';
import { FeedError } from '../../shared/domain/feed-error.ts';
import { nextDailyQuotaReset } from '../../shared/domain/google-quota.ts';
import { defaultHorizon, type Horizon, mapFeed } from '../../shared/domain/ics/index.ts';
import { type AuditFindings, auditCalendar } from '../../shared/domain/reconcile/audit.ts';
import {
  type BreakerPolicy,
  DEFAULT_BREAKER_POLICY,
  decideBreaker,
} from '../../shared/domain/reconcile/breaker.ts';
import { type Plan, planSync } from '../../shared/domain/reconcile/plan.ts';
import type { SyncOutcome, SyncResult } from '../../shared/domain/sync-result.ts';
import { FeedTooCostly } from '../../shared/domain/work-budget.ts';
import type { CalendarGateway } from '../../shared/ports/calendar-gateway.ts';
import type { FeedSource } from '../../shared/ports/feed-source.ts';
import type { ProjectQuotaBudget } from '../../shared/ports/project-quota-budget.ts';
import type {
  EventMapRow,
  EventMapStore,
  SyncLeaseStore,
  SyncState,
  SyncStateStore,
} from '../../shared/ports/sync-stores.ts';
import { type Clock, systemClock } from '../../shared/wiring/clock.ts';
import { type ApplyReport, applyPlan } from './apply-plan.ts';
import { type CalendarListing, listCalendar } from './calendar-listing.ts';
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

const DEFAULT_SYNC_SETTINGS: SyncSettings = {
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
  lease?: SyncLeaseStore | undefined;
  /** The project's Google quota, shared with every other run (none: only this run's pace limits it). */
  projectBudget?: ProjectQuotaBudget | undefined;
  clock?: Clock;
  random?: () => number;
}

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
  return new SyncRun(target, deps, settings, clock, startedAt, state).run();
}

/** A step's early end: the run stops with this. */
interface Ended {
  end: RunEnd;
}

/** A feed body that changed since the last fully applied one (or must be planned again all the same). */
interface ChangedFeed {
  text: string;
  feedHash: string;
  bodyHash: string;
  validators: Pick<SyncState, 'feedEtag' | 'feedLastModified' | 'feedValidatedFor'>;
}

/** What the run planned and applied: everything its report and next state are made from. */
interface Applied {
  mapped: ReturnType<typeof mapFeed>;
  plan: Plan;
  breaker: ReturnType<typeof decideBreaker>;
  audit: AuditRun | undefined;
  caller: QuotaPacedCaller;
  applied: ApplyReport;
}

/** When the next runs may call Google again, after this run's stop (none: at once). */
interface Waits {
  dailyQuotaReset: string | undefined;
  coolDownUntil: string | undefined;
}

/**
 * One run, step by step: held back (cool-down, missing calendar, spent budget) → the feed fetched, unless
 * unchanged → mapped → planned against the event map (and an audit of the calendar when due) → applied → its
 * report and the sync state to store. Each step hands the next what it needs, or ends the run.
 */
class SyncRun {
  private readonly target: SyncTarget;
  private readonly deps: SyncDependencies;
  private readonly settings: SyncSettings;
  private readonly clock: Clock;
  private readonly startedAt: Date;
  private readonly state: SyncState;
  private readonly today: string;
  private readonly unitsToday: number;
  private readonly unitsLeft: number | undefined;
  /**
   * An event Google refused is due again: the feed is planned even if it did not change (until then, an
   * unchanged feed costs nothing more for it).
   */
  private readonly refusalDue: boolean;
  /** An audit compares the calendar with the feed's events: it needs the body even when unchanged. */
  private readonly auditDue: boolean;
  /** No new Google write starts after this (epoch ms). */
  private readonly deadline: number | undefined;

  constructor(
    target: SyncTarget,
    deps: SyncDependencies,
    settings: SyncSettings,
    clock: Clock,
    startedAt: Date,
    state: SyncState,
  ) {
    this.target = target;
    this.deps = deps;
    this.settings = settings;
    this.clock = clock;
    this.startedAt = startedAt;
    this.state = state;
    this.today = dayOf(startedAt);
    this.unitsToday = state.dailyUnits?.day === this.today ? state.dailyUnits.units : 0;
    this.unitsLeft =
      settings.maxUnitsPerDay === undefined ? undefined : settings.maxUnitsPerDay - this.unitsToday;
    this.refusalDue = isRefusalRetryDue(state, startedAt);
    this.auditDue = isAuditDue(state, settings.auditIntervalMs, startedAt, settings.auditNow);
    this.deadline =
      settings.timeBudgetMs === undefined ? undefined : startedAt.getTime() + settings.timeBudgetMs;
  }

  async run(): Promise<RunEnd> {
    const held = this.heldBack();
    if (held) return { report: held };
    const horizon = this.settings.horizon(this.startedAt);
    const feed = await this.fetchChangedFeed(horizon);
    if ('end' in feed) return feed.end;
    const mapped = this.mapChangedFeed(feed, horizon);
    if ('end' in mapped) return mapped.end;
    const caller = new QuotaPacedCaller(
      new Pacer(this.settings.pacing, this.clock),
      this.clock,
      this.settings.retry,
      this.deps.random,
      this.deadline,
      this.deps.projectBudget,
    );
    const applied = await this.planAndApply(mapped, horizon, caller);
    if ('end' in applied) return applied.end;
    const waits = this.waitsAfter(applied.applied);
    return { report: this.runReport(applied, waits), state: this.nextState(applied, feed, waits) };
  }

  private report(outcome: SyncOutcome, fields: ReportFields = {}): SyncReport {
    return report(this.startedAt, this.clock, outcome, fields);
  }

  /** Why this run makes no call at all (none of these is stored: the stored result still says the same). */
  private heldBack(): SyncReport | undefined {
    const { state } = this;
    if (state.coolDownUntil && Date.parse(state.coolDownUntil) > this.startedAt.getTime()) {
      // Not stored: the stored result is still the one that started the cool-down.
      return this.report('cooling_down', { coolDownUntil: state.coolDownUntil });
    }
    if (state.missingCalendarId === this.target.calendarId) {
      // Not stored either: calling Google again cannot bring the calendar back; reconnecting does.
      return this.report('calendar_missing', { problems: [{ kind: 'stopped', reason: 'calendar_missing' }] });
    }
    if (this.unitsLeft !== undefined && this.unitsLeft <= 0) {
      // Not stored: the stored result is the run that spent the budget, and says the same. No feed download.
      const problems: SyncProblem[] = [
        { kind: 'daily_budget_used_up', resumesAfter: nextUtcDay(this.startedAt) },
      ];
      return this.report('partial', { problems });
    }
    return undefined;
  }

  /** The feed's body, unless it is the one last applied (or one the mapping already failed on). */
  private async fetchChangedFeed(horizon: Horizon): Promise<ChangedFeed | Ended> {
    const { state, settings, auditDue, refusalDue } = this;
    // Validators are only kept for a body that was fully applied over today's horizon, so a 304 always
    // means "nothing to do".
    const apply = validatorsApply(state, horizon, { refusalDue, auditDue });
    let fetched: Awaited<ReturnType<FeedSource['fetch']>>;
    try {
      fetched = await this.deps.feeds.fetch(this.target.feedLocation, {
        ...(apply && state.feedEtag ? { etag: state.feedEtag } : {}),
        ...(apply && state.feedLastModified ? { lastModified: state.feedLastModified } : {}),
      });
    } catch (error) {
      if (!(error instanceof FeedError)) throw error;
      const problems: SyncProblem[] = [
        { kind: 'feed_refused', reason: error.reason, message: error.message },
      ];
      return { end: { report: this.report('feed_error', { problems }), state } };
    }
    const unchanged = () =>
      this.report('unchanged', { unchanged: state.eventCount ?? state.lastResult?.unchanged ?? 0 });
    if (fetched.kind === 'not_modified') return { end: { report: unchanged(), state } };

    const feedHash = fingerprint(fetched.text, this.target.eventIdSalt, settings.defaultTimeZone, horizon);
    const validators = {
      feedEtag: fetched.etag,
      feedLastModified: fetched.lastModified,
      feedValidatedFor: dayOf(horizon.from),
    };
    if (!refusalDue && !auditDue && state.feedHash === feedHash)
      return { end: { report: unchanged(), state: { ...state, ...validators } } };
    // A body the mapping already failed on (a hostile one costs the worker's time on every parse): the same
    // feed_error, without the work, until the body changes.
    const bodyHash = costlyFeedHash(fetched.text, settings.defaultTimeZone);
    if (state.costlyFeed?.hash === bodyHash) {
      const { detail } = state.costlyFeed;
      const problems: SyncProblem[] = [{ kind: 'feed_unmappable_unchanged', ...(detail ? { detail } : {}) }];
      return { end: { report: this.report('feed_error', { problems }), state } };
    }
    return { text: fetched.text, feedHash, bodyHash, validators };
  }

  private mapChangedFeed(feed: ChangedFeed, horizon: Horizon): ReturnType<typeof mapFeed> | Ended {
    const { settings, clock, startedAt } = this;
    try {
      return mapFeed(feed.text, {
        salt: this.target.eventIdSalt,
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
      const failure = { report: this.report('feed_error', { problems }) };
      // A time limit depends on the machine's load: the same text is read again next time.
      if (error instanceof FeedTooCostly && error.timedOut) return { end: { ...failure, state: this.state } };
      // Any other failure is the text's (the mapping is deterministic): remembered by the body's hash, not parsed
      // again until the body changes.
      const costlyFeed = {
        hash: feed.bodyHash,
        ...(error instanceof Error ? { detail: error.message } : {}),
      };
      return { end: { ...failure, state: { ...this.state, costlyFeed } } };
    }
  }

  /** Plans the mapped feed against the event map (audited against the calendar when due) and applies it. */
  private async planAndApply(
    mapped: ReturnType<typeof mapFeed>,
    horizon: Horizon,
    caller: QuotaPacedCaller,
  ): Promise<Applied | Ended> {
    const { target, deps, state, startedAt: now } = this;
    const rows = await deps.eventMap.list(target.subscriberId);
    const audit = this.auditDue
      ? await runAudit(target, deps.gateway, caller, rows, mapped, horizon, state.auditSyncToken)
      : undefined;
    if (audit?.kind === 'calendar_missing') {
      // The listing is a call on the calendar itself: its 404 (confirmed by the probe) means the calendar is gone,
      // even when the feed has nothing to write (a run with writes would learn it at its first write).
      const problems: SyncProblem[] = [{ kind: 'stopped', reason: 'calendar_missing' }];
      return {
        end: {
          report: this.report('calendar_missing', {
            problems,
            googleCalls: caller.count,
            quotaUnits: caller.units,
          }),
          state: { ...state, missingCalendarId: target.calendarId },
        },
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
      this.settings.breaker,
    );
    await this.forgetAppliedFeedBeforeWrites(plan);
    const applied = await applyPlan(plan, {
      calendarId: target.calendarId,
      gateway: deps.gateway,
      caller,
      journal: new EventMapJournal(deps.eventMap, target.subscriberId),
      clock: this.clock,
      concurrency: this.settings.concurrency,
      applyDeletions: !breaker.hold,
      horizon,
      rows,
      ...(findings ? { repairs: findings.diverged } : {}),
      ...(this.deadline !== undefined ? { deadline: this.deadline } : {}),
      ...(this.unitsLeft !== undefined ? { maxUnits: this.unitsLeft } : {}),
    });
    return { mapped, plan, breaker, audit, caller, applied };
  }

  /**
   * Writes are about to start: a run that dies among them must not leave the hash of the last fully applied
   * text behind, or a feed that goes back to that text would be taken as unchanged and what this run wrote
   * would never be looked at again. The state of a run that ends is saved as usual.
   */
  private async forgetAppliedFeedBeforeWrites(plan: Plan): Promise<void> {
    if (this.state.feedHash === undefined || !hasWork(plan)) return;
    await this.deps.syncState.put({
      ...this.state,
      feedHash: undefined,
      feedEtag: undefined,
      feedLastModified: undefined,
      feedValidatedFor: undefined,
    });
  }

  /** How long the run's stop makes the next ones wait (read once: the report and the state say the same). */
  private waitsAfter(applied: ApplyReport): Waits {
    // Google resets its daily quota at midnight Pacific Time: the whole project waits until then, not this
    // subscriber.
    const dailyQuotaReset =
      applied.stop === 'daily_limit'
        ? nextDailyQuotaReset(new Date(this.clock.now())).toISOString()
        : undefined;
    const coolDownUntil =
      applied.stop === 'usage_limit'
        ? new Date(this.clock.now() + this.settings.coolDownMs).toISOString()
        : undefined;
    return { dailyQuotaReset, coolDownUntil };
  }

  private problemsOf({ applied, breaker, plan, mapped }: Applied, { dailyQuotaReset }: Waits): SyncProblem[] {
    const problems: SyncProblem[] = [];
    if (applied.stop) problems.push({ kind: 'stopped', reason: applied.stop });
    if (dailyQuotaReset) problems.push({ kind: 'daily_quota_used_up', resumesAfter: dailyQuotaReset });
    problems.push(...applied.problems);
    if (applied.deferred > 0) problems.push({ kind: 'time_budget_reached', deferred: applied.deferred });
    if (applied.overBudget > 0)
      problems.push({ kind: 'daily_budget_used_up', resumesAfter: nextUtcDay(this.startedAt) });
    if (breaker.hold) {
      problems.push({
        kind: 'deletions_held',
        deletions: plan.deletions.length,
        eventsInCalendar: plan.eventsInCalendar,
        feedEmpty: mapped.events.length === 0,
        confirmAfterMinutes: Math.ceil(this.settings.breaker.minConfirmDelayMs / 60_000),
      });
    }
    return problems;
  }

  private warningsOf({ applied, plan, mapped, audit }: Applied): SyncWarning[] {
    const warnings: SyncWarning[] = [
      ...mapped.warnings.map(
        ({ uid, reason }): SyncWarning => ({
          kind: 'feed_warning',
          ...(uid !== undefined && { uid }),
          reason,
        }),
      ),
      ...plan.skipped.map(({ key, reason }): SyncWarning => ({ kind: 'event_skipped', key, reason })),
      ...plan.waiting.map((wait): SyncWarning => ({ kind: 'write_waiting', ...wait })),
      ...applied.warnings,
    ];
    if (applied.renamed.moved > 0 || applied.renamed.held > 0)
      warnings.push({ kind: 'uid_renamed', ...applied.renamed });
    if (audit?.kind === 'failed') warnings.push({ kind: 'audit_failed', googleMessage: audit.message });
    if (applied.repaired > 0 || applied.straysRemoved > 0) {
      warnings.push({
        kind: 'calendar_repaired',
        repaired: applied.repaired,
        removed: applied.straysRemoved,
      });
    }
    return warnings;
  }

  private runReport(run: Applied, waits: Waits): SyncReport {
    const { applied, plan, breaker, caller, audit } = run;
    const { dailyQuotaReset, coolDownUntil } = waits;
    const problems = this.problemsOf(run, waits);
    const warnings = this.warningsOf(run);
    return this.report(outcomeOf(applied, breaker.hold), {
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
      ...(audit?.kind === 'listed'
        ? { auditRepaired: applied.repaired, auditRemoved: applied.straysRemoved }
        : {}),
    });
  }

  private nextState(run: Applied, feed: ChangedFeed, { coolDownUntil }: Waits): SyncState {
    const { applied, plan, breaker, caller, audit } = run;
    const { state, target } = this;
    const fullyApplied = outcomeOf(applied, breaker.hold) === 'synced';
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
    return {
      subscriberId: target.subscriberId,
      // Anything short of fully applied is fetched and planned again in full next time.
      ...(fullyApplied ? { feedHash: feed.feedHash, ...feed.validators } : {}),
      heldDeletion: breaker.held,
      coolDownUntil,
      missingCalendarId: applied.stop === 'calendar_missing' ? target.calendarId : undefined,
      refusalRetryAt: earliest([
        ...plan.waiting.map((wait) => wait.retryAfter),
        ...applied.refused.map((refusal) => refusal.retryAfter),
      ]),
      eventCount: plan.eventsInCalendar + applied.insertedEvents - applied.deleted - applied.forgottenEvents,
      dailyUnits: { day: this.today, units: this.unitsToday + caller.units },
      // The worker's record of the grant's last check: dropped, every write would be followed by a token check.
      tokenCheckedAt: state.tokenCheckedAt,
      ...(audited
        ? { lastAuditAt: this.startedAt.toISOString(), auditSyncToken: audited.syncToken }
        : { lastAuditAt: state.lastAuditAt, auditSyncToken: state.auditSyncToken }),
    };
  }
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
