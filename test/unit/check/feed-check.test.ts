import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../lambdas/shared/domain/entities/connection.ts';
import type { SyncState } from '../../../lambdas/shared/domain/entities/sync-state.ts';
import {
  type CheckFetchResult,
  costlyFeedHash,
  dayOf,
  decideAfterFetch,
  decideBeforeFetch,
  fingerprint,
  isAuditDue,
} from '../../../lambdas/shared/domain/feed-check.ts';
import { defaultHorizon } from '../../../lambdas/shared/domain/ics/horizon.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const HOUR = 3_600_000;
const horizon = defaultHorizon(NOW);
const policy = { auditIntervalMs: 24 * HOUR, maxUnitsPerDay: 20_000 };
const TEXT = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
const SALT = 'salt';
const ZONE = 'UTC';
const HASH = fingerprint(TEXT, SALT, ZONE, horizon);

const connection: Connection = {
  subscriberId: 'sub',
  status: 'connected',
  calendarId: 'cal',
  refreshTokenCiphertext: 'rt',
  feedTokenCiphertext: 'ft',
  eventIdSalt: SALT,
  grantedScopes: 'calendar.app.created',
  connectedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  scheduled: true,
  version: 1,
};

/** A subscriber fully synced an hour ago: audited, token checked, validators of today's horizon. */
const settled: SyncState = {
  subscriberId: 'sub',
  feedHash: HASH,
  feedEtag: '"v1"',
  feedLastModified: 'Mon, 09 Mar 2026 10:00:00 GMT',
  feedValidatedFor: dayOf(horizon.from),
  lastAuditAt: new Date(NOW.getTime() - HOUR).toISOString(),
  tokenCheckedAt: new Date(NOW.getTime() - HOUR).toISOString(),
  dailyUnits: { day: dayOf(NOW), units: 10 },
};

const decideBefore = (
  c: Connection | undefined,
  s: SyncState | undefined,
  extra: { projectQuotaBackAt?: string; settings?: typeof policy } = {},
) => decideBeforeFetch(c, s, { now: NOW, horizon, settings: policy, ...extra });
/** Audits every three days: the grant then needs a daily job of its own. */
const rareAudits = { settings: { ...policy, auditIntervalMs: 72 * HOUR } };
const later = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const earlier = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe('before fetching', () => {
  it.each<[string, SyncState, ReturnType<typeof decideBefore>]>([
    [
      'token check due',
      { ...settled, tokenCheckedAt: earlier(24 * HOUR) },
      { kind: 'write', reason: 'token_check_due' },
    ],
    [
      'token never checked',
      { ...settled, tokenCheckedAt: undefined },
      { kind: 'write', reason: 'token_check_due' },
    ],
  ])('with audits rarer than daily: %s', (_name, state, expected) => {
    expect(decideBefore(connection, state, rareAudits)).toEqual(expected);
  });

  it('a run holding the lease: nothing now (the next sweep checks what it stored); a lease long past: as usual', () => {
    const context = { now: NOW, horizon, settings: policy };
    const lastAuditAt = undefined; // what the state of a first sync in progress looks like: the lease alone
    expect(
      decideBeforeFetch(
        connection,
        { subscriberId: 'sub', lastAuditAt },
        { ...context, runUntil: later(HOUR) },
      ),
    ).toEqual({
      kind: 'nothing',
      reason: 'running',
    });
    expect(decideBeforeFetch(connection, undefined, { ...context, runUntil: later(1) }).kind).toBe('nothing');
    expect(decideBeforeFetch(connection, settled, { ...context, runUntil: earlier(1) }).kind).toBe('fetch');
  });

  it('with daily audits the audit checks the grant: a day-old token check alone is no job', () => {
    const state = { ...settled, tokenCheckedAt: earlier(24 * HOUR) };
    expect(decideBefore(connection, state).kind).toBe('fetch');
    // ...and the audit, once due, is the job.
    expect(decideBefore(connection, { ...state, lastAuditAt: earlier(24 * HOUR) })).toEqual({
      kind: 'write',
      reason: 'audit_due',
    });
  });

  it("a body applied over yesterday's horizon stands (validators sent); older is a horizon roll", () => {
    const previousHorizon = defaultHorizon(new Date(NOW.getTime() - 24 * HOUR));
    const context = { now: NOW, horizon, previousHorizon, settings: policy };
    const yesterday = { ...settled, feedValidatedFor: dayOf(previousHorizon.from) };
    expect(decideBeforeFetch(connection, yesterday, context)).toEqual({
      kind: 'fetch',
      validators: { etag: settled.feedEtag, lastModified: settled.feedLastModified },
    });
    const twoDaysAgo = {
      ...settled,
      feedValidatedFor: dayOf(new Date(previousHorizon.from.getTime() - 24 * HOUR)),
    };
    expect(decideBeforeFetch(connection, twoDaysAgo, context)).toEqual({
      kind: 'write',
      reason: 'horizon_roll',
    });
  });

  it.each<[string, Connection | undefined, SyncState | undefined, ReturnType<typeof decideBefore>]>([
    ['no connection', undefined, settled, { kind: 'nothing', reason: 'not_connected' }],
    ['feed gone', { ...connection, status: 'feed_gone' }, settled, { kind: 'nothing', reason: 'feed_gone' }],
    [
      'calendar missing (status)',
      { ...connection, status: 'calendar_missing' },
      settled,
      { kind: 'nothing', reason: 'calendar_missing' },
    ],
    [
      'needs re-authorisation',
      { ...connection, status: 'needs_reauth' },
      settled,
      { kind: 'nothing', reason: 'needs_reauth' },
    ],
    [
      'connected without a refresh token',
      { ...connection, refreshTokenCiphertext: undefined } as unknown as Connection,
      settled,
      { kind: 'nothing', reason: 'needs_reauth' },
    ],
    [
      'paused by the operator',
      { ...connection, operatorPausedAt: earlier(HOUR) },
      settled,
      { kind: 'nothing', reason: 'operator_paused' },
    ],
    [
      'not scheduled',
      { ...connection, scheduled: false },
      settled,
      { kind: 'nothing', reason: 'not_scheduled' },
    ],
    [
      'paused by the schedule',
      { ...connection, syncPausedUntil: later(HOUR) },
      settled,
      { kind: 'nothing', reason: 'paused' },
    ],
    [
      'daily budget spent',
      connection,
      { ...settled, dailyUnits: { day: dayOf(NOW), units: 20_000 } },
      { kind: 'nothing', reason: 'daily_budget' },
    ],
    [
      'cooling down',
      connection,
      { ...settled, coolDownUntil: later(HOUR) },
      { kind: 'nothing', reason: 'cooling_down' },
    ],
    [
      'calendar missing (state)',
      connection,
      { ...settled, missingCalendarId: 'cal' },
      { kind: 'nothing', reason: 'calendar_missing' },
    ],
    ['no sync state yet', connection, undefined, { kind: 'write', reason: 'first_sync' }],
    [
      'refusal retry due',
      connection,
      { ...settled, refusalRetryAt: earlier(1) },
      { kind: 'write', reason: 'refusal_retry_due' },
    ],
    [
      'audit due',
      connection,
      { ...settled, lastAuditAt: earlier(24 * HOUR) },
      { kind: 'write', reason: 'audit_due' },
    ],
    [
      'never audited',
      connection,
      { ...settled, lastAuditAt: undefined },
      { kind: 'write', reason: 'audit_unstarted' },
    ],
    [
      'settled: a conditional GET with both validators',
      connection,
      settled,
      { kind: 'fetch', validators: { etag: '"v1"', lastModified: 'Mon, 09 Mar 2026 10:00:00 GMT' } },
    ],
    [
      'validators of yesterday’s horizon: a plain GET',
      connection,
      { ...settled, feedValidatedFor: dayOf(new Date(horizon.from.getTime() - 24 * HOUR)) },
      { kind: 'fetch', validators: {} },
    ],
    [
      'a pause and a cool-down that ended, a refusal retry still ahead, yesterday’s units: fetch',
      { ...connection, syncPausedUntil: earlier(1) },
      {
        ...settled,
        coolDownUntil: earlier(1),
        refusalRetryAt: later(HOUR),
        dailyUnits: { day: '2026-03-09', units: 99_999 },
        missingCalendarId: 'an older calendar',
      },
      { kind: 'fetch', validators: { etag: '"v1"', lastModified: 'Mon, 09 Mar 2026 10:00:00 GMT' } },
    ],
  ])('%s', (_name, c, s, expected) => {
    expect(decideBefore(c, s)).toEqual(expected);
  });

  it("Google's daily quota of the project used up: nothing, for everyone", () => {
    expect(decideBefore(connection, settled, { projectQuotaBackAt: later(HOUR) })).toEqual({
      kind: 'nothing',
      reason: 'daily_quota',
    });
    expect(decideBefore(connection, settled, { projectQuotaBackAt: earlier(1) }).kind).toBe('fetch');
  });

  it('no budget configured: spent units hold nothing back', () => {
    const spent = { ...settled, dailyUnits: { day: dayOf(NOW), units: 1e9 } };
    const decision = decideBeforeFetch(connection, spent, {
      now: NOW,
      horizon,
      settings: { auditIntervalMs: policy.auditIntervalMs },
    });
    expect(decision.kind).toBe('fetch');
  });
});

describe('after fetching', () => {
  const decideAfter = (fetched: CheckFetchResult, state: SyncState = settled, c: Connection = connection) =>
    decideAfterFetch(c, state, fetched, { horizon, defaultTimeZone: ZONE });
  const body = (text: string, etag?: string, lastModified?: string): CheckFetchResult => ({
    kind: 'fetched',
    text,
    etag,
    lastModified,
  });

  it.each<[string, CheckFetchResult, SyncState, ReturnType<typeof decideAfter>]>([
    ['304', { kind: 'not_modified' }, settled, { kind: 'unchanged' }],
    ['feed error', { kind: 'failed' }, settled, { kind: 'write', reason: 'feed_error' }],
    [
      'same body, same validators',
      body(TEXT, '"v1"', 'Mon, 09 Mar 2026 10:00:00 GMT'),
      settled,
      { kind: 'unchanged' },
    ],
    [
      'same body, new validators',
      body(TEXT, '"v2"', 'Mon, 09 Mar 2026 10:00:00 GMT'),
      settled,
      {
        kind: 'unchanged_new_validators',
        feedHash: HASH,
        validators: {
          feedEtag: '"v2"',
          feedLastModified: 'Mon, 09 Mar 2026 10:00:00 GMT',
          feedValidatedFor: dayOf(horizon.from),
        },
      },
    ],
    [
      'same body, validators gone: stored as gone',
      body(TEXT),
      settled,
      {
        kind: 'unchanged_new_validators',
        feedHash: HASH,
        validators: {
          feedEtag: undefined,
          feedLastModified: undefined,
          feedValidatedFor: dayOf(horizon.from),
        },
      },
    ],
    ['changed body', body(`${TEXT} `), settled, { kind: 'write', reason: 'feed_changed' }],
    [
      'a body the mapping failed on, again',
      body('hostile'),
      { ...settled, feedHash: undefined, costlyFeed: { hash: costlyFeedHash('hostile', ZONE) } },
      { kind: 'unchanged' },
    ],
    [
      'the failed body changed',
      body('hostile 2'),
      { ...settled, feedHash: undefined, costlyFeed: { hash: costlyFeedHash('hostile', ZONE) } },
      { kind: 'write', reason: 'feed_changed' },
    ],
    [
      'a run that stopped mid-writes (no feed hash)',
      body(TEXT),
      { ...settled, feedHash: undefined },
      { kind: 'write', reason: 'feed_changed' },
    ],
  ])('%s', (_name, fetched, state, expected) => {
    expect(decideAfter(fetched, state)).toEqual(expected);
  });

  it('the fingerprint binds the salt and the horizon: the same text for another calendar or day is a change', () => {
    expect(decideAfter(body(TEXT), settled, { ...connection, eventIdSalt: 'other' })).toEqual({
      kind: 'write',
      reason: 'feed_changed',
    });
    const tomorrow = defaultHorizon(new Date(NOW.getTime() + 24 * HOUR));
    expect(
      decideAfterFetch(connection, settled, body(TEXT), { horizon: tomorrow, defaultTimeZone: ZONE }),
    ).toEqual({ kind: 'write', reason: 'feed_changed' });
  });

  it("the same body applied over yesterday's horizon is unchanged, and keeps that horizon's day", () => {
    const previousHorizon = defaultHorizon(new Date(NOW.getTime() - 24 * HOUR));
    const yesterday: SyncState = {
      ...settled,
      feedHash: fingerprint(TEXT, SALT, ZONE, previousHorizon),
      feedValidatedFor: dayOf(previousHorizon.from),
    };
    const context = { horizon, previousHorizon, defaultTimeZone: ZONE };
    expect(decideAfterFetch(connection, yesterday, body(TEXT, '"v2"'), context)).toEqual({
      kind: 'unchanged_new_validators',
      feedHash: yesterday.feedHash,
      validators: {
        feedEtag: '"v2"',
        feedLastModified: undefined,
        feedValidatedFor: yesterday.feedValidatedFor,
      },
    });
    // Without yesterday's horizon given, the same state is a change (the engine's own rule).
    expect(decideAfterFetch(connection, yesterday, body(TEXT), { horizon, defaultTimeZone: ZONE }).kind).toBe(
      'write',
    );
  });

  it('a feed answering again after gone answers is a write job, so the worker ends their run', () => {
    const gone = { ...connection, feedGoneSince: earlier(HOUR) };
    expect(decideAfter({ kind: 'not_modified' }, settled, gone)).toEqual({
      kind: 'write',
      reason: 'feed_back',
    });
    expect(decideAfter(body(TEXT, '"v1"', 'Mon, 09 Mar 2026 10:00:00 GMT'), settled, gone)).toEqual({
      kind: 'write',
      reason: 'feed_back',
    });
  });
});

describe('the audit rule the engine and the check share', () => {
  it('due once the interval passed since the last audit; never before one; always when asked', () => {
    expect(isAuditDue({ lastAuditAt: earlier(24 * HOUR) }, 24 * HOUR, NOW)).toBe(true);
    expect(isAuditDue({ lastAuditAt: earlier(24 * HOUR - 1) }, 24 * HOUR, NOW)).toBe(false);
    expect(isAuditDue({}, 24 * HOUR, NOW)).toBe(false);
    expect(isAuditDue({ lastAuditAt: earlier(1) }, undefined, NOW, true)).toBe(true);
  });
});
