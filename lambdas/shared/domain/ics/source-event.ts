import type { Component } from './content-lines.ts';
import type { TimeContext, When } from './when.ts';

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
  thisAndFuture: boolean;
  /** Set on a series split off by a RANGE=THISANDFUTURE override: the UID of the series it came from. */
  splitFrom?: string;
}
