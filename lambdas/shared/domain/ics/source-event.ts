import type { When } from '../time/when.ts';
import type { Component, Property } from './content-lines.ts';
import type { TimeContext } from './when.ts';

/** A VEVENT as read: its times interpreted, the properties still needed kept in `component`. */
export interface SourceEvent {
  component: Component;
  uid: string;
  /** Position in the feed (later components win ties). */
  order: number;
  sequence: number;
  ctx: TimeContext;
  start: When;
  /** The TZID parameter DTSTART was written with (floating RDATE/EXDATE values are read in it). */
  startTzid?: string;
  end: When;
  recurrenceId?: When;
  /**
   * A floating RECURRENCE-ID (a DATE-TIME without TZID or Z), as written: `recurrenceId` holds its reading in
   * the default zone until the master is known; an override of a master whose DTSTART has a TZID reads it in
   * that zone instead (see `inMasterZone` in read-sources.ts).
   */
  floatingRecurrenceId?: Property;
  thisAndFuture: boolean;
  /** Set on a series split off by a RANGE=THISANDFUTURE override: the UID of the series it came from. */
  splitFrom?: string;
}
