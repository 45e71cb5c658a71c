/**
 * The sync engine wired to real parts: the Google emulator over HTTP, dynalite, the DynamoDB stores and the
 * Calendar gateway adapter. Each subscriber is its own Google user, so counters and faults are per test.
 */
import { randomUUID } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import { expect } from 'vitest';
import {
  type EmulatorOverrides,
  type GoogleEmulator,
  SCOPES,
  startGoogleEmulator,
} from '../../../emulator/google/index.ts';
import { DynamoEventMapStore } from '../../../lambdas/shared/adapters/dynamodb/event-map-store.ts';
import { DynamoSyncStateStore } from '../../../lambdas/shared/adapters/dynamodb/sync-state-store.ts';
import { GoogleCalendarGateway } from '../../../lambdas/shared/adapters/google/calendar-gateway.ts';
import { expandEvents } from '../../../lambdas/shared/domain/expansion/index.ts';
import type { FeedError } from '../../../lambdas/shared/domain/feed-error.ts';
import {
  type EventDateTime,
  eventKey,
  type GoogleEvent,
} from '../../../lambdas/shared/domain/google-event.ts';
import { defaultHorizon, mapFeed } from '../../../lambdas/shared/domain/ics/index.ts';
import { baseEventIdOf } from '../../../lambdas/shared/domain/reconcile/event-ids.ts';
import type { SyncResult } from '../../../lambdas/shared/domain/sync-result.ts';
import type { FeedFetch, FeedSource, FeedValidators } from '../../../lambdas/shared/ports/feed-source.ts';
import {
  type SyncDependencies,
  type SyncSettings,
  syncSubscriber,
} from '../../../lambdas/sync/engine/sync-subscriber.ts';
import { ManualClock } from '../../support/clock.ts';
import { startDynamo, type TestDynamo } from '../../support/dynalite.ts';
import { calendarApiFor, oauthClientFor } from '../../support/google-emulator.ts';

/** The feeds of these tests live in 2026; a fixed "now" keeps the horizon independent of the real date. */
export const FEED_NOW = new Date('2026-03-01T00:00:00Z');
export const HORIZON = defaultHorizon(FEED_NOW);

/** Engine settings for tests: fast backoff (sleeps are recorded, not waited), small breaker numbers kept default. */
export const TEST_SETTINGS: Partial<SyncSettings> = {
  horizon: () => HORIZON,
  defaultTimeZone: 'Europe/Berlin',
  retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 2_000 },
};

/** An in-memory feed implementing the port: ETags per version, conditional answers, refusals on demand. */
export class MemoryFeed implements FeedSource {
  fetches = 0;
  private text = '';
  private version = 0;
  private refusal: FeedError | undefined;

  set(text: string): void {
    this.text = text;
    this.version++;
    this.refusal = undefined;
  }

  refuse(error: FeedError): void {
    this.refusal = error;
  }

  async fetch(_location: string, validators?: FeedValidators): Promise<FeedFetch> {
    this.fetches++;
    if (this.refusal) throw this.refusal;
    const etag = `"v${this.version}"`;
    if (validators?.etag === etag) return { kind: 'not_modified' };
    return { kind: 'fetched', text: this.text, etag, bytes: Buffer.byteLength(this.text) };
  }
}

export interface Occurrence {
  /**
   * The event's id, or for an instance of a series `<series id>@<original start>`: Google's instance ids are
   * opaque, so an instance is known by what it is an instance of. A fresh id counts as its base id.
   */
  id: string;
  start: string;
  end: string;
  summary: string;
}

export class Subscriber {
  readonly id = `sub-${randomUUID()}`;
  readonly feed = new MemoryFeed();
  /** Where the engine reads the feed; the in-memory feed ignores it, an HTTP feed source needs a real URL. */
  feedLocation = 'memory:feed';
  /** The salt of the subscriber's event ids; changing it is how a test changes the id scheme. */
  eventIdSalt = `salt-${this.id}`;
  readonly clock = new ManualClock();
  readonly eventMap: DynamoEventMapStore;
  readonly syncState: DynamoSyncStateStore;
  readonly gateway: GoogleCalendarGateway;

  constructor(
    readonly world: World,
    readonly email: string,
    readonly calendarId: string,
    readonly accessToken: string,
    private readonly api: calendar_v3.Calendar,
  ) {
    this.eventMap = new DynamoEventMapStore(world.dynamo.client, world.dynamo.tableNames.eventMap);
    this.syncState = new DynamoSyncStateStore(world.dynamo.client, world.dynamo.tableNames.syncState);
    this.gateway = new GoogleCalendarGateway({
      rootUrl: world.google.endpoints.calendarRootUrl,
      accessToken: async () => accessToken,
    });
  }

  get target() {
    return {
      subscriberId: this.id,
      calendarId: this.calendarId,
      feedLocation: this.feedLocation,
      eventIdSalt: this.eventIdSalt,
    };
  }

  sync(settings: Partial<SyncSettings> = {}, deps: Partial<SyncDependencies> = {}): Promise<SyncResult> {
    return syncSubscriber(
      this.target,
      {
        feeds: this.feed,
        gateway: this.gateway,
        eventMap: this.eventMap,
        syncState: this.syncState,
        lease: this.syncState,
        clock: this.clock,
        ...deps,
      },
      { ...TEST_SETTINGS, ...settings },
    );
  }

  /** Requests Google received with this subscriber's token, errors included. */
  calls(): number {
    return this.world.google.control.counters().byUser[this.email]?.total ?? 0;
  }

  /** Every stored event of the calendar (series, instances with overrides, cancelled ones). */
  stored(): Record<string, unknown>[] {
    const calendar = this.world.google.control.state().calendars.find((c) => c.id === this.calendarId);
    return (calendar?.events ?? []) as Record<string, unknown>[];
  }

  /** What the user sees in Google: `events.list` with singleEvents over the horizon (not counted as sync calls). */
  async occurrencesInGoogle(): Promise<Occurrence[]> {
    const found: Occurrence[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await this.api.events.list({
        calendarId: this.calendarId,
        singleEvents: true,
        timeMin: HORIZON.from.toISOString(),
        timeMax: HORIZON.to.toISOString(),
        maxResults: 2500,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const item of data.items ?? []) {
        // An event written under a fresh id (its computed one could no longer hold it) is the same event.
        found.push({
          id: item.recurringEventId
            ? `${baseEventIdOf(item.recurringEventId)}@${instant(item.originalStartTime as EventDateTime)}`
            : baseEventIdOf(item.id as string),
          start: instant(item.start as EventDateTime),
          end: instant(item.end as EventDateTime),
          summary: item.summary ?? '',
        });
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return found.sort(byStartThenId);
  }

  /**
   * `events.list` with singleEvents over `window` (default the tests' horizon), every field as Google answers
   * it (not counted as sync calls).
   */
  async listInGoogle(window: { from: Date; to: Date } = HORIZON): Promise<calendar_v3.Schema$Event[]> {
    const found: calendar_v3.Schema$Event[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await this.api.events.list({
        calendarId: this.calendarId,
        singleEvents: true,
        timeMin: window.from.toISOString(),
        timeMax: window.to.toISOString(),
        maxResults: 2500,
        ...(pageToken ? { pageToken } : {}),
      });
      found.push(...(data.items ?? []));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return found;
  }

  /** Whether a stored series or single event shows an occurrence (moved exceptions included) ending after `from`. */
  async hasOccurrenceAfter(eventId: string, from: Date): Promise<boolean> {
    const { data } = await this.api.events.instances({
      calendarId: this.calendarId,
      eventId,
      timeMin: from.toISOString(),
      maxResults: 1,
    });
    return (data.items ?? []).length > 0;
  }

  /** What the feed says the user should see: the mapping expanded the way Google expands. */
  expectedOccurrences(text: string): Occurrence[] {
    const { events } = mapFeed(text, {
      salt: this.target.eventIdSalt,
      horizon: HORIZON,
      defaultTimeZone: 'Europe/Berlin',
    });
    return expandEvents(events, { timeMin: HORIZON.from, timeMax: HORIZON.to })
      .map((o) => ({
        id: o.recurringEventId
          ? `${o.recurringEventId}@${instant(o.originalStartTime as EventDateTime)}`
          : o.id,
        start: instant(o.start),
        end: instant(o.end),
        summary: o.event.summary ?? '',
      }))
      .sort(byStartThenId);
  }

  /** Asserts nothing: returns both sides so the test's expect shows a readable diff. */
  async convergence(text: string): Promise<{ google: Occurrence[]; feed: Occurrence[] }> {
    return { google: await this.occurrencesInGoogle(), feed: this.expectedOccurrences(text) };
  }

  /** Google shows exactly what the feed says, and no source event has a second live copy. */
  async expectConverged(text: string): Promise<void> {
    const { google, feed } = await this.convergence(text);
    expect(google).toEqual(feed);
    for (const [key, copies] of this.liveCopiesByKey()) expect(copies, key).toBe(1);
  }

  /** Live (not cancelled) stored events per source key; a duplicate shows as a count above 1. */
  liveCopiesByKey(): Map<string, number> {
    const copies = new Map<string, number>();
    for (const event of this.stored()) {
      if (event.status === 'cancelled') continue;
      const props =
        (event.extendedProperties as { private?: Record<string, string> } | undefined)?.private ?? {};
      if (!props.icsUid) continue;
      const key = eventKey(event as unknown as GoogleEvent);
      copies.set(key, (copies.get(key) ?? 0) + 1);
    }
    return copies;
  }
}

const instant = (value: EventDateTime): string =>
  'date' in value ? value.date : new Date(Date.parse(value.dateTime)).toISOString();
const byStartThenId = (a: Occurrence, b: Occurrence) =>
  a.start.localeCompare(b.start) || a.id.localeCompare(b.id);

export class World {
  private constructor(
    readonly google: GoogleEmulator,
    readonly dynamo: TestDynamo,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {}

  static async start(overrides: EmulatorOverrides = {}): Promise<World> {
    const [google, dynamo] = await Promise.all([startGoogleEmulator(overrides), startDynamo()]);
    const client = google.control.registerClient({ redirectUris: ['http://127.0.0.1:8788/callback'] });
    return new World(google, dynamo, client.clientId, client.clientSecret);
  }

  /** A Google user with tokens for the app and a dedicated calendar the app created. */
  subscriber(): Subscriber {
    const { control } = this.google;
    const user = control.createUser({ email: `${randomUUID().slice(0, 8)}@example.com` });
    const tokens = control.mintTokens({
      user: user.email,
      clientId: this.clientId,
      scopes: [SCOPES.appCreated],
    });
    const calendarId = control.seedCalendar({
      user: user.email,
      summary: 'ICS feed',
      clientId: this.clientId,
    }).id;
    const auth = oauthClientFor(this.google, {
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      redirectUris: ['http://127.0.0.1:8788/callback'],
      requirePkce: false,
      projectId: 'test',
    });
    auth.setCredentials({ access_token: tokens.access_token, expiry_date: Date.now() + 3_600_000 });
    return new Subscriber(
      this,
      user.email,
      calendarId,
      tokens.access_token,
      calendarApiFor(this.google, auth),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.google.close(), this.dynamo.close()]);
  }
}
