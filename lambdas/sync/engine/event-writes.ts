import type { EventDateTime } from '../../shared/domain/google-event.ts';
import type { Horizon } from '../../shared/domain/ics/index.ts';
import {
  type OwnedFields,
  ownedFields,
  showsOwnedFields,
  withOwnedFields,
} from '../../shared/domain/reconcile/owned-fields.ts';
import type { InsertEvent } from '../../shared/domain/reconcile/plan.ts';
import { plainInstanceOf } from '../../shared/domain/reconcile/plan.ts';
import { basicOf, timeKey } from '../../shared/domain/reconcile/times.ts';
import type { CalendarGateway, FetchedEvent } from '../../shared/ports/calendar-gateway.ts';
import { classifyGoogleError } from './google-error.ts';
import { InstanceFinder, type InstanceWrite, originalStartOf } from './instance-finder.ts';
import type { QuotaPacedCaller } from './quota-paced-caller.ts';

/** Fresh ids tried per write before its error stands (each is a new event id Google had never seen). */
const MAX_FRESH_IDS = 3;

/**
 * Where a series or single event was written: under `googleId`, over an event that was there (`restored`), and
 * whether that is a fresh id (see freshEventId) rather than the one the write was asked for.
 */
export interface EventWritten {
  googleId: string;
  restored: boolean;
  fresh?: true;
}

/** Fresh ids for one write: `next` stores the intent row of the id before handing it out. */
export interface FreshIds {
  next(): Promise<string>;
  /** How many this write used. */
  used: number;
}

/**
 * The Google call sequences behind each kind of write, the cheapest in quota units that keeps what a user set on
 * an event (see QUOTA_UNITS):
 * - new series or single event: `insert` (1 unit); answered 409 (the id is there, maybe cancelled): `get` +
 *   `update`, which restores it (2 more);
 * - changed series or single event: `get` + `update` (2; a patch would cost 3); not found: as new;
 * - an id that can no longer hold the event (409 then 404: a purged tombstone; or a cancelled event whose update
 *   Google refuses): the event is inserted under a fresh id, the cancelled one stays cancelled;
 * - every update carries the ETag it read (`If-Match`): answered 412 (a user edited the event in between), the
 *   event is read again and the update made once more over what the user did;
 * - deletion: `delete` (1); 404 and 410 mean it is gone already;
 * - exceptions and reverts: written over the instance the InstanceFinder finds; a cancelled one is deleted.
 *
 * A 404 means "no such event" or "no such calendar": one probe per run (`events.list`, one item) tells which. A
 * missing calendar is reported once through `onCalendarMissing` (the run stops) and the 404 is passed on.
 */
export class EventWrites {
  private readonly finder: InstanceFinder;
  private calendarProbe: Promise<boolean> | undefined;

  constructor(
    private readonly calendarId: string,
    private readonly gateway: CalendarGateway,
    private readonly caller: QuotaPacedCaller,
    /** The plan's exceptions and reverts: their instances are found, and a restored series leaves them be. */
    private readonly instanceWrites: readonly InstanceWrite[],
    private readonly onCalendarMissing: () => void,
  ) {
    this.finder = new InstanceFinder(calendarId, gateway, caller, this, instanceWrites);
  }

  /**
   * Whether the calendar is gone (the run has been told), after a 404. Rejects if the probe fails; the probe is
   * made once per run.
   */
  async isCalendarMissing(): Promise<boolean> {
    this.calendarProbe ??= this.caller.call('list', () => this.gateway.calendarExists(this.calendarId));
    if (await this.calendarProbe) return false;
    this.onCalendarMissing();
    return true;
  }

  /** A 404 that means "no such event" (true) rather than "no such calendar" (false, and the run is told). */
  async isEventNotFound(error: unknown): Promise<boolean> {
    return classifyGoogleError(error) === 'not_found' && !(await this.isCalendarMissing());
  }

  get(googleId: string): Promise<FetchedEvent> {
    return this.caller.call('get', () => this.gateway.get(this.calendarId, googleId));
  }

  /**
   * Insert is not an upsert: 409 means the event is there already (maybe cancelled), so it is overwritten
   * (`restored`). When the id cannot hold the event any more, it is written under a fresh id from `freshIds`
   * (see writeFresh). Says under which id the event now is.
   */
  async insertOrRestore(googleId: string, fields: OwnedFields, freshIds?: FreshIds): Promise<EventWritten> {
    try {
      await this.caller.call('insert', () => this.gateway.insert(this.calendarId, googleId, fields));
      return { googleId, restored: false };
    } catch (error) {
      if (classifyGoogleError(error) !== 'conflict') throw error;
    }
    let current: FetchedEvent;
    try {
      current = await this.get(googleId);
    } catch (error) {
      // 409 then 404: Google purged the deleted event's tombstone while its id stays taken. Nothing can be
      // written under that id again.
      if (freshIds && (await this.isEventNotFound(error))) return this.writeFresh(fields, freshIds, error);
      throw error;
    }
    return this.restore(current, fields, freshIds);
  }

  /** The map knew the event; should Google not, it is written again under the same id (or a fresh one). */
  async updateOrInsert(googleId: string, fields: OwnedFields, freshIds?: FreshIds): Promise<EventWritten> {
    let current: FetchedEvent;
    try {
      current = await this.get(googleId);
    } catch (error) {
      if (!(await this.isEventNotFound(error))) throw error;
      return this.insertOrRestore(googleId, fields, freshIds);
    }
    return this.restore(current, fields, freshIds);
  }

  /**
   * Overwrites an event read back. Google was reported to refuse (403 `forbidden`) updating an event the user
   * deleted in the Calendar UI (google-api-ruby-client #1811): a cancelled event whose update is refused stays
   * cancelled, and the event is written under a fresh id.
   */
  private async restore(
    current: FetchedEvent,
    fields: OwnedFields,
    freshIds?: FreshIds,
  ): Promise<EventWritten> {
    try {
      await this.overwrite(current, fields);
      return { googleId: current.id, restored: true };
    } catch (error) {
      const cancelled = current.resource.status === 'cancelled';
      if (freshIds && cancelled && classifyGoogleError(error) === 'event_refused')
        return this.writeFresh(fields, freshIds, error);
      throw error;
    }
  }

  /**
   * Writes the event under the next fresh id (whose intent row `freshIds.next` stores first), at most
   * MAX_FRESH_IDS times per write; past that, the error that asked for it stands.
   */
  private async writeFresh(fields: OwnedFields, freshIds: FreshIds, cause: unknown): Promise<EventWritten> {
    if (freshIds.used >= MAX_FRESH_IDS) throw cause;
    freshIds.used++;
    const written = await this.insertOrRestore(await freshIds.next(), fields, freshIds);
    return { ...written, fresh: true };
  }

  /** Writes the owned fields over an event as read, under its ETag; read again once if it changed since. */
  async overwrite(current: FetchedEvent, fields: OwnedFields): Promise<void> {
    const update = (event: FetchedEvent) =>
      this.caller.call('update', () =>
        this.gateway.update(this.calendarId, event.id, withOwnedFields(event.resource, fields), event.etag),
      );
    try {
      await update(current);
    } catch (error) {
      if (classifyGoogleError(error) !== 'precondition_failed') throw error;
      await update(await this.get(current.id));
    }
  }

  /** Already deleted (410) or never there (404): the calendar is as wanted. Deleting an instance cancels it. */
  async delete(googleId: string): Promise<void> {
    try {
      await this.caller.call('delete', () => this.gateway.delete(this.calendarId, googleId));
    } catch (error) {
      if (classifyGoogleError(error) === 'gone') return;
      if (!(await this.isEventNotFound(error))) throw error;
    }
  }

  /**
   * An exception or revert written over its instance. Returns the instance's id, or undefined when the series has
   * no such instance in Google (none found, or it answers 410: deleted with its series there, say).
   */
  async writeOverInstance(op: InstanceWrite, fields: OwnedFields): Promise<string | undefined> {
    const instance = await this.finder.find(op);
    if (!instance) return undefined;
    if (op.kind === 'revert_instance' && fields.status === 'cancelled') {
      // No occurrence of the series any more: deleting the instance cancels it (Google's recurring events
      // guide), and, unlike an update, asks for no times, which need not fit the series' kind any more.
      if (instance.resource.status !== 'cancelled') await this.delete(instance.id);
      return instance.id;
    }
    try {
      await this.overwrite(instance, fields);
      return instance.id;
    } catch (error) {
      if (classifyGoogleError(error) !== 'gone') throw error;
      return undefined;
    }
  }

  /**
   * A series whose insert answered 409 was in Google already: a crash or a lost answer, the user deleting it, or
   * a UID that came back after its deletion. Google may then hold overrides of it that no row knows (cancelled
   * with the series, moved): every instance over the horizon that the plan does not write is made to show as the
   * series would. One listing per 2,500 instances; a call only for an instance that differs, each told to
   * `onInstanceWritten` once made.
   */
  async restoreInstances(
    series: InsertEvent,
    seriesGoogleId: string,
    horizon: Horizon,
    onInstanceWritten: () => void,
  ): Promise<void> {
    if (!series.event.recurrence?.length) return;
    const written = new Set(
      this.instanceWrites
        .filter((write) => write.seriesKey === series.key)
        .map((write) => timeKey(write.event.originalStartTime as EventDateTime)),
    );
    const span = { timeMin: horizon.from.toISOString(), timeMax: horizon.to.toISOString() };
    let pageToken: string | undefined;
    do {
      const query = { ...span, ...(pageToken ? { pageToken } : {}) };
      const page = await this.caller.call('instances', () =>
        this.gateway.instances(this.calendarId, seriesGoogleId, query),
      );
      for (const item of page.items) {
        const original = originalStartOf(item);
        if (!original || written.has(timeKey(original))) continue;
        const plain = ownedFields(plainInstanceOf(series.event, original, basicOf(original)));
        if (showsOwnedFields(item.resource, plain)) continue;
        if (plain.status === 'cancelled') await this.delete(item.id);
        else await this.overwrite(item, plain);
        onInstanceWritten();
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
  }
}
