/** Calendars and their events, in memory. Pure data plus bookkeeping (change counters for sync tokens). */
import { randomBase32Hex } from '../ids.ts';
import type { EmulatorUser } from '../types.ts';
import { type InstanceIdScheme, InstanceIds } from './instance-ids.ts';

export type Json = Record<string, unknown>;

export interface StoredEvent {
  /** The resource as stored (dateTimes as written); rendered per request by `renderEvent`. */
  resource: Json & { id: string; status: string };
  /** Creation order: lists are stable across pages. */
  seq: number;
  /** The calendar's change counter at this event's last write (incremental sync). */
  changeSeq: number;
  updatedMs: number;
  /** How the instances of this event, once recurring, are named: decided when the event is created. */
  instanceIdScheme: InstanceIdScheme;
  /** Set while the event is cancelled because the user deleted it in the Calendar UI (`userDeleteEvent`). */
  deletedByUser?: boolean;
}

export interface StoredCalendar {
  id: string;
  ownerId: string;
  primary: boolean;
  createdByClientId?: string;
  /** summary, description, location, timeZone and any other writable field. */
  resource: Json & { summary: string; timeZone: string };
  etag: string;
  events: Map<string, StoredEvent>;
  nextSeq: number;
  changeSeq: number;
  /** Bumped to invalidate every sync token issued so far. */
  syncEpoch: number;
  /** The emulator's instance ids (shared by every calendar; ids are per calendar). */
  instanceIds: InstanceIds;
  /** Ids (and iCalUIDs) of purged tombstones: gone from every answer, still taken (see tombstones.ts). */
  purged: Map<string, string | undefined>;
  /** The highest change counter among purged tombstones: older sync tokens never saw those deletions. */
  purgedThroughSeq: number;
  /** When the oldest tombstone falls due for purging (emulator clock); Infinity when there is none. */
  nextPurgeDueMs: number;
}

export class CalendarStore {
  private readonly calendars = new Map<string, StoredCalendar>();
  private etagCounter = 0;
  /** Instance ids of every calendar; `opaqueFromMs` is set from the emulator's options. */
  readonly instanceIds = new InstanceIds();
  /** How long a deleted event stays before it is purged (`tombstones.purgeAfterMs`). */
  tombstonePurgeAfterMs = Number.POSITIVE_INFINITY;

  nextEtag(): string {
    this.etagCounter += 1;
    return `"${Date.now() * 1000 + (this.etagCounter % 1000)}${this.etagCounter}"`;
  }

  createPrimary(user: EmulatorUser): StoredCalendar {
    return this.add({
      id: user.email,
      ownerId: user.id,
      primary: true,
      resource: { summary: user.email, timeZone: user.timeZone },
    });
  }

  create(input: {
    owner: EmulatorUser;
    resource: StoredCalendar['resource'];
    clientId?: string;
  }): StoredCalendar {
    return this.add({
      id: `${randomBase32Hex(52)}@group.calendar.google.com`,
      ownerId: input.owner.id,
      primary: false,
      resource: input.resource,
      ...(input.clientId ? { createdByClientId: input.clientId } : {}),
    });
  }

  get(id: string): StoredCalendar | undefined {
    return this.calendars.get(id);
  }

  remove(id: string): boolean {
    return this.calendars.delete(id);
  }

  all(): StoredCalendar[] {
    return [...this.calendars.values()];
  }

  primaryOf(userId: string): StoredCalendar | undefined {
    return this.all().find((calendar) => calendar.primary && calendar.ownerId === userId);
  }

  /** Records a write to an event: new etag, `updated`, change counter. */
  touch(calendar: StoredCalendar, event: StoredEvent, nowMs: number): void {
    calendar.changeSeq += 1;
    event.changeSeq = calendar.changeSeq;
    event.updatedMs = nowMs;
    event.resource.updated = new Date(nowMs).toISOString();
    event.resource.etag = this.nextEtag();
    if (event.resource.status === 'cancelled')
      calendar.nextPurgeDueMs = Math.min(calendar.nextPurgeDueMs, nowMs + this.tombstonePurgeAfterMs);
  }

  private add(
    input: Omit<
      StoredCalendar,
      | 'etag'
      | 'events'
      | 'nextSeq'
      | 'changeSeq'
      | 'syncEpoch'
      | 'instanceIds'
      | 'purged'
      | 'purgedThroughSeq'
      | 'nextPurgeDueMs'
    >,
  ) {
    const calendar: StoredCalendar = {
      ...input,
      etag: this.nextEtag(),
      events: new Map(),
      nextSeq: 0,
      changeSeq: 0,
      syncEpoch: 0,
      instanceIds: this.instanceIds,
      purged: new Map(),
      purgedThroughSeq: 0,
      nextPurgeDueMs: Number.POSITIVE_INFINITY,
    };
    this.calendars.set(calendar.id, calendar);
    return calendar;
  }
}
