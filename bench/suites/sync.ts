/**
 * The reconciliation engine against the Google emulator (20 ms per call), dynalite and a feed served over HTTP.
 *
 * Google's per-user quota (600 requests per sliding minute) makes a first sync slow by design. To keep the
 * benchmark short, the emulator's quota window and the engine's pacing window are both divided by
 * SYNC_BENCH_TIME_SCALE (default 20): the counts stay Google's, only the minute is shorter. Every figure says
 * `time_scale`; `calls_per_minute_per_user` and `units_per_minute_per_user` are per scaled minute, and
 * `real_time_minutes` is what the run would take at Google's real minute. Quota units are Google's (the
 * emulator charges a patch 3, as Google's reference says). SYNC_BENCH_TIME_SCALE=1 runs in real time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GoogleEmulator, SCOPES, startGoogleEmulator } from '../../emulator/google/index.ts';
import { DynamoEventMapStore } from '../../lambdas/shared/adapters/dynamodb/event-map-store.ts';
import { DynamoSyncStateStore } from '../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import { HttpFeedSource } from '../../lambdas/shared/adapters/feed/http-feed-source.ts';
import { GoogleCalendarGateway } from '../../lambdas/shared/adapters/google/calendar-gateway.ts';
import { defaultHorizon, mapFeed } from '../../lambdas/shared/domain/ics/index.ts';
import type { OwnedFields } from '../../lambdas/shared/domain/reconcile/owned-fields.ts';
import type { SyncResult } from '../../lambdas/shared/domain/sync-result.ts';
import {
  CalendarApiError,
  type CalendarGateway,
  type EventsListQuery,
  type InstancesQuery,
} from '../../lambdas/shared/ports/calendar-gateway.ts';
import { DEFAULT_PACING } from '../../lambdas/sync/engine/pacer.ts';
import { DEFAULT_RETRY } from '../../lambdas/sync/engine/retry.ts';
import { type SyncSettings, syncSubscriber } from '../../lambdas/sync/engine/sync-subscriber.ts';
import { startDynamo, type TestDynamo } from '../../test/support/dynalite.ts';
import { GENERATED_FEED_NOW, generateFeed } from '../../test/support/generate-feed.ts';
import { type Benchmark, medianSeconds } from '../benchmark.ts';

const TIME_SCALE = Number(process.env.SYNC_BENCH_TIME_SCALE ?? 20);
const MINUTE_MS = 60_000;
const LATENCY_MS = 20;
const SALT = 'bench-salt';

/** Counts the rate-limit answers the engine absorbed (retried) on its way. */
class CountingGateway implements CalendarGateway {
  rateLimited = 0;
  constructor(private readonly inner: CalendarGateway) {}
  private async counted<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof CalendarApiError && error.isRateLimit) this.rateLimited++;
      throw error;
    }
  }
  insert(calendarId: string, eventId: string, fields: OwnedFields) {
    return this.counted(() => this.inner.insert(calendarId, eventId, fields));
  }
  get(calendarId: string, eventId: string) {
    return this.counted(() => this.inner.get(calendarId, eventId));
  }
  update(calendarId: string, eventId: string, resource: Record<string, unknown>, etag: string) {
    return this.counted(() => this.inner.update(calendarId, eventId, resource, etag));
  }
  instances(calendarId: string, seriesId: string, query: InstancesQuery) {
    return this.counted(() => this.inner.instances(calendarId, seriesId, query));
  }
  delete(calendarId: string, eventId: string) {
    return this.counted(() => this.inner.delete(calendarId, eventId));
  }
  calendarExists(calendarId: string) {
    return this.counted(() => this.inner.calendarExists(calendarId));
  }
  listEvents(calendarId: string, query: EventsListQuery) {
    return this.counted(() => this.inner.listEvents(calendarId, query));
  }
}

/** A feed server with ETags, like most calendar hosts. */
class FeedServer {
  private body = '';
  private version = 0;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FeedServer> {
    const feed: FeedServer = new FeedServer(
      createServer((request, response) => {
        const etag = `"${feed.version}"`;
        if (request.headers['if-none-match'] === etag) response.writeHead(304, { etag }).end();
        else response.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', etag }).end(feed.body);
      }),
    );
    await new Promise<void>((resolve) => feed.server.listen(0, '127.0.0.1', resolve));
    return feed;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/feed.ics`;
  }

  /** A new version (a new ETag), even when the text is the same. */
  serve(text: string): void {
    this.body = text;
    this.version++;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Bench {
  google: GoogleEmulator;
  gateway: CountingGateway;
  feed: FeedServer;
  sync(settings?: Partial<SyncSettings>): Promise<SyncResult>;
  close(): Promise<void>;
}

/** Production pacing and retry, with their windows scaled like the emulator's. */
const SCALED: Partial<SyncSettings> = {
  pacing: { ...DEFAULT_PACING, windowMs: DEFAULT_PACING.windowMs / TIME_SCALE },
  retry: {
    ...DEFAULT_RETRY,
    baseDelayMs: DEFAULT_RETRY.baseDelayMs / TIME_SCALE,
    maxDelayMs: DEFAULT_RETRY.maxDelayMs / TIME_SCALE,
  },
};

/** For setting a calendar up quickly where the quota is not what is measured. */
const UNPACED: Partial<SyncSettings> = {
  pacing: { unitsPerWindow: 1_000_000, windowMs: MINUTE_MS, burst: 1_000 },
  concurrency: 16,
};

/**
 * Google's operational limit on writing one calendar in quick succession has no published number; this one
 * (writes per second per calendar, scaled like the quota) shows what such a limit does to a first sync.
 */
const CALENDAR_WRITES_PER_SECOND = 5;

async function setUp(quota: 'google' | 'unlimited', throttleCalendarWrites = false): Promise<Bench> {
  const [google, dynamo, feed]: [GoogleEmulator, TestDynamo, FeedServer] = await Promise.all([
    startGoogleEmulator({
      latencyMs: LATENCY_MS,
      quotas:
        quota === 'google'
          ? { windowMs: MINUTE_MS / TIME_SCALE }
          : { perUserPerWindow: 1_000_000, perProjectPerWindow: 1_000_000 },
      ...(throttleCalendarWrites
        ? { calendarWrites: { perSecond: CALENDAR_WRITES_PER_SECOND, windowMs: 1_000 / TIME_SCALE } }
        : {}),
    }),
    startDynamo(),
    FeedServer.start(),
  ]);
  const client = google.control.registerClient({ redirectUris: ['http://127.0.0.1:8788/callback'] });
  const user = google.control.createUser({ email: 'bench@example.com' });
  const { access_token: token } = google.control.mintTokens({
    user: user.email,
    clientId: client.clientId,
    scopes: [SCOPES.appCreated],
  });
  const calendarId = google.control.seedCalendar({
    user: user.email,
    summary: 'ICS',
    clientId: client.clientId,
  }).id;
  const gateway = new CountingGateway(
    new GoogleCalendarGateway({ rootUrl: google.endpoints.calendarRootUrl, accessToken: async () => token }),
  );
  const syncState = new DynamoSyncStateStore(dynamo.client, dynamo.tableNames.syncState);
  const deps = {
    feeds: new HttpFeedSource(),
    gateway,
    eventMap: new DynamoEventMapStore(dynamo.client, dynamo.tableNames.eventMap),
    syncState,
    lease: syncState,
  };
  const target = { subscriberId: 'bench-subscriber', calendarId, feedLocation: feed.url, eventIdSalt: SALT };
  const horizon = defaultHorizon(GENERATED_FEED_NOW);
  return {
    google,
    gateway,
    feed,
    sync: (settings = {}) =>
      syncSubscriber(target, deps, {
        horizon: () => horizon,
        defaultTimeZone: 'Europe/Berlin',
        // No timeBudgetMs: a bench run goes to the end.
        ...SCALED,
        ...settings,
      }),
    async close() {
      await Promise.all([google.close(), dynamo.close(), feed.close()]);
    },
  };
}

/** Runs `work` on a fresh bench and closes it whatever happens. */
async function withBench<T>(
  quota: 'google' | 'unlimited',
  work: (bench: Bench) => Promise<T>,
  throttleCalendarWrites = false,
): Promise<T> {
  const bench = await setUp(quota, throttleCalendarWrites);
  try {
    return await work(bench);
  } finally {
    await bench.close();
  }
}

/** A calendar already synced (unpaced) with a generated feed of `events` events: what a resync starts from. */
function withSyncedCalendar<T>(events: number, work: (bench: Bench, text: string) => Promise<T>): Promise<T> {
  return withBench('unlimited', async (bench) => {
    const text = generateFeed({ events });
    bench.feed.serve(text);
    expectOutcome(await bench.sync(UNPACED), 'synced');
    return work(bench, text);
  });
}

function expectOutcome(result: SyncResult, outcome: SyncResult['outcome']): void {
  if (result.outcome !== outcome) {
    throw new Error(`expected ${outcome}, got ${result.outcome}: ${result.errors.slice(0, 3).join('; ')}`);
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A first sync into an empty calendar under Google's quotas (scaled). */
interface FirstSyncFigures {
  events_written: number;
  google_calls: number;
  /** Quota units Google charged (its counters; a patch costs 3, the engine makes none). */
  quota_units: number;
  /** Of the calls, `events.instances` lookups: the price of opaque instance ids. */
  instance_lookups: number;
  seconds: number;
  /**
   * The scaled run's duration times the scale: how long the sync takes at Google's real minute when this machine
   * serves the scaled rate (at high scales the emulator, not the pacer, sets the pace and this overstates).
   */
  real_time_minutes: number;
  /** The floor the engine's pacing sets: quota units over its units per minute. */
  paced_minutes: number;
  quota_errors_surfaced: number;
  errors_surfaced: number;
  rate_limit_answers_absorbed: number;
  calls_per_minute_per_user: number;
  units_per_minute_per_user: number;
  time_scale: number;
}

function firstSync(events: number, throttleCalendarWrites = false): Promise<FirstSyncFigures> {
  return withBench(
    'google',
    async (bench) => {
      bench.feed.serve(generateFeed({ events }));
      const { value: result, seconds } = await timed(() => bench.sync());
      // Not thrown on: a failed write is reported through the figures (quota errors are what quota_10k is about).
      const quotaErrors = result.errors.filter((e) => /rateLimitExceeded|\b429\b/.test(e)).length;
      const scaledMinutes = (seconds * TIME_SCALE) / 60;
      const counters = bench.google.control.counters();
      return {
        events_written: result.created,
        google_calls: result.googleCalls,
        quota_units: counters.units,
        instance_lookups: counters.byMethod['events.instances'] ?? 0,
        seconds: round(seconds),
        real_time_minutes: round(scaledMinutes, 1),
        paced_minutes: round(counters.units / DEFAULT_PACING.unitsPerWindow, 1),
        quota_errors_surfaced: quotaErrors,
        errors_surfaced: result.errors.length,
        rate_limit_answers_absorbed: bench.gateway.rateLimited,
        calls_per_minute_per_user: Math.round(result.googleCalls / scaledMinutes),
        units_per_minute_per_user: Math.round(counters.units / scaledMinutes),
        time_scale: TIME_SCALE,
      };
    },
    throttleCalendarWrites,
  );
}

/** The figures a benchmark reports, in the order its table shows them. */
function pickFigures(figures: FirstSyncFigures, names: (keyof FirstSyncFigures)[]): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, figures[name]]));
}

/** Ten summaries edited, five events added, five removed, all among single events the mapping keeps. */
function changeFeed(text: string): string {
  const { events } = mapFeed(text, {
    salt: SALT,
    horizon: defaultHorizon(GENERATED_FEED_NOW),
    defaultTimeZone: 'Europe/Berlin',
  });
  const singles = events
    .filter((e) => !e.recurrence && !e.recurringEventId)
    .map((e) => e.extendedProperties.private.icsUid);
  const edited = new Set(singles.slice(0, 10));
  const removed = new Set(singles.slice(10, 15));
  const blocks = text.match(/BEGIN:VEVENT\r\n[\s\S]*?END:VEVENT\r\n/g) ?? [];
  const uidOf = (block: string) => /\r\nUID:([^\r\n]*)/.exec(block)?.[1] ?? '';
  const added: string[] = [];
  let changed = text;
  for (const block of blocks) {
    const uid = uidOf(block);
    if (removed.has(uid)) changed = changed.replace(block, '');
    if (edited.has(uid))
      changed = changed.replace(block, block.replace(/\r\nSUMMARY:([^\r\n]*)/, '\r\nSUMMARY:$1 (edited)'));
    if (edited.has(uid) && added.length < 5)
      added.push(block.replace(`UID:${uid}`, `UID:added-${added.length}-${uid}`));
  }
  return changed.replace('END:VCALENDAR', `${added.join('')}END:VCALENDAR`);
}

const benchmarks: Benchmark[] = [
  {
    name: 'first_sync_2k',
    run: async () =>
      pickFigures(await firstSync(2_000), [
        'google_calls',
        'quota_units',
        'instance_lookups',
        'seconds',
        'real_time_minutes',
        'paced_minutes',
        'events_written',
        'errors_surfaced',
        'calls_per_minute_per_user',
        'units_per_minute_per_user',
        'time_scale',
      ]),
  },
  {
    // The same first sync with the calendar's writes throttled (an operational limit Google does not publish).
    name: 'first_sync_2k_calendar_throttled',
    run: async () =>
      pickFigures(await firstSync(2_000, true), [
        'google_calls',
        'quota_units',
        'seconds',
        'real_time_minutes',
        'events_written',
        'errors_surfaced',
        'rate_limit_answers_absorbed',
        'units_per_minute_per_user',
        'time_scale',
      ]),
  },
  {
    name: 'resync_unchanged',
    run: () =>
      withSyncedCalendar(2_000, async (bench, text) => {
        let googleCalls = 0;
        const resync = async () => {
          const result = await bench.sync();
          expectOutcome(result, 'unchanged');
          googleCalls += result.googleCalls;
        };
        // The host answers 304 to the stored ETag: nothing read, nothing parsed.
        const secondsNotModified = await medianSeconds(5, resync);
        // The host serves the same bytes again (no ETag support): hashed, not parsed.
        const secondsSameBody = await medianSeconds(5, async () => {
          bench.feed.serve(text);
          await resync();
        });
        return {
          google_calls: googleCalls,
          seconds: secondsSameBody,
          seconds_not_modified: secondsNotModified,
        };
      }),
  },
  {
    name: 'resync_changed',
    run: () =>
      withSyncedCalendar(2_000, async (bench, text) => {
        bench.feed.serve(changeFeed(text));
        const { value: result, seconds } = await timed(() => bench.sync());
        expectOutcome(result, 'synced');
        return {
          google_calls: result.googleCalls,
          quota_units: result.quotaUnits ?? 0,
          seconds: round(seconds),
          created: result.created,
          updated: result.updated,
          deleted: result.deleted,
        };
      }),
  },
  {
    // An audit of an unchanged calendar: the incremental listing shows nothing (or only the service's own writes).
    name: 'audit_unchanged_2k',
    run: () =>
      withSyncedCalendar(2_000, async (bench) => {
        // The first audit has no sync token yet: a full listing.
        const full = await bench.sync({ auditNow: true });
        expectOutcome(full, 'synced');
        const { value: result, seconds } = await timed(() => bench.sync({ auditNow: true }));
        expectOutcome(result, 'synced');
        return {
          quota_units: result.quotaUnits ?? 0,
          google_calls: result.googleCalls,
          seconds: round(seconds),
          full_listing_quota_units: full.quotaUnits ?? 0,
          repaired: result.auditRepaired ?? 0,
        };
      }),
  },
  {
    // The user retitles five single events and deletes five in Google's UI; the next audit puts them back.
    name: 'audit_10_edits',
    run: () =>
      withSyncedCalendar(2_000, async (bench) => {
        expectOutcome(await bench.sync({ auditNow: true }), 'synced');
        const { control } = bench.google;
        const calendar = control.state().calendars.find((c) => !c.primary);
        if (!calendar) throw new Error('no dedicated calendar');
        const singles = calendar.events
          .filter((e) => e.status !== 'cancelled' && !e.recurrence && e.recurringEventId === undefined)
          .slice(0, 10);
        for (const [i, event] of singles.entries()) {
          if (i < 5)
            control.userPatchEvent({ calendarId: calendar.id, eventId: event.id, patch: { summary: 'x' } });
          else control.userDeleteEvent({ calendarId: calendar.id, eventId: event.id });
        }
        const { value: result, seconds } = await timed(() => bench.sync({ auditNow: true }));
        expectOutcome(result, 'synced');
        return {
          quota_units: result.quotaUnits ?? 0,
          google_calls: result.googleCalls,
          seconds: round(seconds),
          repaired: result.auditRepaired ?? 0,
        };
      }),
  },
  {
    name: 'quota_10k',
    run: async () =>
      pickFigures(await firstSync(10_000), [
        'quota_errors_surfaced',
        'errors_surfaced',
        'units_per_minute_per_user',
        'calls_per_minute_per_user',
        'rate_limit_answers_absorbed',
        'google_calls',
        'quota_units',
        'instance_lookups',
        'seconds',
        'real_time_minutes',
        'paced_minutes',
        'time_scale',
      ]),
  },
];
export default benchmarks;
