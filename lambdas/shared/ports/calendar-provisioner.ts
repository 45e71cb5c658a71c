import { SafeMessageError } from '../errors.ts';

/** The subscriber's dedicated calendar itself (not its events): create, check, delete. */
export interface NewCalendar {
  summary: string;
  /** IANA zone. */
  timeZone: string;
  description?: string;
}

/**
 * What Google says of a calendar id for this token: `visible`; `gone` (deleted, or another Google account's);
 * `hidden`, there but out of this token's reach: calendar.app.created gives access only to the calendars the
 * same OAuth client created, so after the operator changed the client the old calendar answers 403
 * `insufficientPermissions` (the scopes were checked before, so the scope is not what is missing).
 */
export type CalendarVisibility = 'visible' | 'gone' | 'hidden';

export interface CalendarProvisioner {
  /** Returns the new calendar's id. */
  create(accessToken: string, calendar: NewCalendar): Promise<string>;
  /** False when Google says the calendar does not exist (or is not this user's or this client's to see). */
  exists(accessToken: string, calendarId: string): Promise<boolean>;
  /** Whether this token reaches the calendar, and if not, why (see CalendarVisibility). */
  visibility(accessToken: string, calendarId: string): Promise<CalendarVisibility>;
  /** Returns false when it was already gone. */
  delete(accessToken: string, calendarId: string): Promise<boolean>;
}

/** Google could not be reached or refused the calendar call for a reason other than "not found". */
export class CalendarProvisioningError extends SafeMessageError {
  override readonly name = 'CalendarProvisioningError';
  constructor(
    readonly status: number | undefined,
    readonly reason: string | undefined,
  ) {
    super(
      `Google Calendar refused the calendar call (${status ?? 'no answer'}${reason ? `, ${reason}` : ''})`,
    );
  }

  /** 429 and 5xx pass; a 403 usage limit lasts hours; 401 means the access token is no longer valid. */
  get retryable(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}
