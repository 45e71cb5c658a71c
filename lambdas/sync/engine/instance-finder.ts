import type { EventDateTime } from '../../shared/domain/google-event.ts';
import type { RevertInstance, WriteException } from '../../shared/domain/reconcile/plan.ts';
import { timeKey } from '../../shared/domain/reconcile/times.ts';
import { DAY_MS } from '../../shared/domain/time/civil.ts';
import { formatInstant, instantOf, parseGoogleDateTime } from '../../shared/domain/time/event-time.ts';
import type { CalendarGateway, FetchedEvent } from '../../shared/ports/calendar-gateway.ts';
import { classifyGoogleError } from './google-error.ts';
import type { QuotaPacedCaller } from './quota-paced-caller.ts';

/** What the finder needs of the EventWrites: reading an event, and telling a 404 about it from one about the calendar. */
export interface EventLookup {
  get(googleId: string): Promise<FetchedEvent>;
  /** Whether the error is a 404 about the event, the calendar being there (see EventWrites). */
  isEventNotFound(error: unknown): Promise<boolean>;
}

export type InstanceWrite = WriteException | RevertInstance;

/** When a series has at least this many instances to find, one listing of its instances is cheaper than lookups. */
const LIST_FROM = 2;

/**
 * Finds the instances that exceptions and reverts are written over. Instance ids are Google's and opaque (Google:
 * "treat event ids as opaque"; from Q3 2026 new series get instance ids in a new format), so an instance is found
 * through Google, never computed:
 * - by the id its row holds, when it has one (`get`); an id that answers 404 is looked up again, once, by its
 *   original start;
 * - by its original start: `events.instances` with `originalStart` (timed), or a listing of the day (all-day);
 * - when a series has several instances to find, one paged `events.instances` listing over the span they lie in
 *   finds them all (about one unit per 2,500 instances instead of one per instance); those it misses (an instance
 *   moved far from its original start) are looked up one by one.
 * Nothing found means the series has no such occurrence in Google.
 */
export class InstanceFinder {
  private readonly groups = new Map<string, InstanceWrite[]>();
  private readonly listings = new Map<string, Promise<Map<string, FetchedEvent>>>();

  constructor(
    private readonly calendarId: string,
    private readonly gateway: CalendarGateway,
    private readonly caller: QuotaPacedCaller,
    private readonly events: EventLookup,
    operations: readonly InstanceWrite[],
  ) {
    // By series key: the Google id a series lives under may change within the run (a fresh id).
    for (const op of operations) {
      const group = this.groups.get(op.seriesKey) ?? [];
      group.push(op);
      this.groups.set(op.seriesKey, group);
    }
  }

  async find(op: InstanceWrite): Promise<FetchedEvent | undefined> {
    // The id the series lives under (its row's; not always the one computed from its key: see rowGoogleIdFor).
    const seriesId = op.seriesGoogleId;
    const originalStart = op.event.originalStartTime as EventDateTime;
    const wanted = timeKey(originalStart);
    const group = this.groups.get(op.seriesKey) ?? [];
    if (group.length >= LIST_FROM) {
      const listed = await this.listing(seriesId, group);
      const found = (op.googleId && listed.get(`id:${op.googleId}`)) || listed.get(wanted);
      if (found) return found;
    }
    if (op.googleId) {
      try {
        const stored = await this.events.get(op.googleId);
        // An instance of another event (the series' old id, before it was written under a fresh one) is not
        // this series' occurrence: look it up under the series' id instead.
        if (stored.resource.recurringEventId === seriesId) return stored;
      } catch (error) {
        // 404: the id is stale (the series was written anew, or Google changed its id format): look it up again.
        if (classifyGoogleError(error) !== 'gone' && !(await this.events.isEventNotFound(error))) throw error;
      }
    }
    return this.lookUp(seriesId, originalStart, wanted);
  }

  /** The instance of a series at one original start. */
  private async lookUp(
    seriesId: string,
    originalStart: EventDateTime,
    wanted: string,
  ): Promise<FetchedEvent | undefined> {
    const query =
      'date' in originalStart
        ? dayAround(originalStart.date)
        : { originalStart: originalStartParameter(originalStart) };
    try {
      // Google may answer a short or even empty page with a token for more (events.list reference): follow it.
      let pageToken: string | undefined;
      do {
        const paged = { ...query, ...(pageToken ? { pageToken } : {}) };
        const page = await this.caller.call('instances', () =>
          this.gateway.instances(this.calendarId, seriesId, paged),
        );
        const found = page.items.find((item) => startKeyOf(item) === wanted);
        if (found) return found;
        pageToken = page.nextPageToken;
      } while (pageToken);
      return undefined;
    } catch (error) {
      // 410: the series is deleted in Google, so is every instance of it.
      if (classifyGoogleError(error) === 'gone' || (await this.events.isEventNotFound(error)))
        return undefined;
      throw error;
    }
  }

  /** Every instance of the series over the span its writes lie in, by id and by original start. */
  private listing(seriesId: string, group: InstanceWrite[]): Promise<Map<string, FetchedEvent>> {
    let listing = this.listings.get(seriesId);
    if (!listing) {
      listing = this.list(seriesId, group);
      // A listing that failed is not the end: each write then looks its instance up on its own.
      listing = listing.catch(() => new Map());
      this.listings.set(seriesId, listing);
    }
    return listing;
  }

  private async list(seriesId: string, group: InstanceWrite[]): Promise<Map<string, FetchedEvent>> {
    const instants = group.flatMap((op) => [
      instantOf(op.event.originalStartTime as EventDateTime),
      instantOf(op.event.start),
      instantOf(op.event.end),
    ]);
    // A day either side: all-day instances sit at midnight in the calendar's zone, whatever that is.
    const timeMin = new Date(Math.min(...instants) - DAY_MS).toISOString();
    const timeMax = new Date(Math.max(...instants) + DAY_MS).toISOString();
    const found = new Map<string, FetchedEvent>();
    let pageToken: string | undefined;
    do {
      const query = { timeMin, timeMax, ...(pageToken ? { pageToken } : {}) };
      const page = await this.caller.call('instances', () =>
        this.gateway.instances(this.calendarId, seriesId, query),
      );
      for (const item of page.items) {
        found.set(`id:${item.id}`, item);
        const key = startKeyOf(item);
        if (key) found.set(key, item);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return found;
  }
}

/**
 * The `originalStart` of `events.instances` for a timed instance. Google documents the parameter only as "the
 * original start time of the instance in the result" (a string); the one time form this API itself uses is
 * RFC 3339, as in `originalStartTime.dateTime`. So it is sent exactly as Google answers that field for the
 * instance: to the second, with the offset the series' zone has at that instant (`Z` where it is zero), e.g.
 * `2027-01-05T09:00:00-05:00`, rather than as UTC with milliseconds: a form copied from Google's own answers is
 * the one least likely to be read differently (the live suite checks it against Google).
 */
export function originalStartParameter(originalStart: { dateTime: string; timeZone?: string }): string {
  const { utcMs, zone } = parseGoogleDateTime(originalStart.dateTime, originalStart.timeZone);
  return formatInstant(utcMs, zone);
}

/** An all-day instance is looked up in a listing of the days around it (an RFC 3339 `originalStart` is timed). */
function dayAround(date: string): { timeMin: string; timeMax: string } {
  const midnight = instantOf({ date });
  return {
    timeMin: new Date(midnight - DAY_MS).toISOString(),
    timeMax: new Date(midnight + 2 * DAY_MS).toISOString(),
  };
}

/** The original start of an instance as Google answered it, if it is one. */
export function originalStartOf(item: FetchedEvent): EventDateTime | undefined {
  const original = item.resource.originalStartTime as Record<string, unknown> | undefined;
  if (!original || typeof original !== 'object') return undefined;
  if (typeof original.date === 'string') return { date: original.date };
  if (typeof original.dateTime !== 'string') return undefined;
  return typeof original.timeZone === 'string'
    ? { dateTime: original.dateTime, timeZone: original.timeZone }
    : { dateTime: original.dateTime };
}

function startKeyOf(item: FetchedEvent): string | undefined {
  const original = originalStartOf(item);
  return original && timeKey(original);
}
