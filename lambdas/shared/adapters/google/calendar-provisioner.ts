import type { calendar_v3 } from '@googleapis/calendar';
import {
  type CalendarProvisioner,
  CalendarProvisioningError,
  type CalendarVisibility,
  type NewCalendar,
} from '../../ports/calendar-provisioner.ts';
import { calendarApi, googleFailureOf, withAccessToken } from './requests.ts';

export interface GoogleCalendarProvisionerOptions {
  /** `rootUrl` of the Calendar client: Google's, or the emulator's. */
  rootUrl: string;
  timeoutMs?: number;
}

/**
 * The dedicated calendar through `@googleapis/calendar` (calendars.insert/get/delete: all allowed under the
 * calendar.app.created scope), authorised with the access token it is given. Failures become
 * CalendarProvisioningError with only a status and Google's reason.
 */
export class GoogleCalendarProvisioner implements CalendarProvisioner {
  private readonly api: calendar_v3.Calendar;

  constructor(options: GoogleCalendarProvisionerOptions) {
    this.api = calendarApi({ rootUrl: options.rootUrl, timeoutMs: options.timeoutMs ?? 10_000 });
  }

  async create(accessToken: string, { summary, timeZone, description }: NewCalendar): Promise<string> {
    const { data } = await translated(() =>
      this.api.calendars.insert(
        { requestBody: { summary, timeZone, ...(description !== undefined && { description }) } },
        withAccessToken(accessToken),
      ),
    );
    if (!data.id) throw new CalendarProvisioningError(200, 'no calendar id in the answer');
    return data.id;
  }

  async exists(accessToken: string, calendarId: string): Promise<boolean> {
    return (await this.visibility(accessToken, calendarId)) === 'visible';
  }

  async visibility(accessToken: string, calendarId: string): Promise<CalendarVisibility> {
    try {
      await translated(() => this.api.calendars.get({ calendarId }, withAccessToken(accessToken)));
      return 'visible';
    } catch (error) {
      if (isGone(error)) return 'gone';
      if (isOtherClients(error)) return 'hidden';
      throw error;
    }
  }

  async delete(accessToken: string, calendarId: string): Promise<boolean> {
    try {
      await translated(() => this.api.calendars.delete({ calendarId }, withAccessToken(accessToken)));
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }
}

/** 404, and 410 for a deleted calendar; 403 "forbidden" when the id belongs to another Google account. */
function isGone(error: unknown): boolean {
  if (!(error instanceof CalendarProvisioningError)) return false;
  return (
    error.status === 404 || error.status === 410 || (error.status === 403 && error.reason === 'forbidden')
  );
}

/**
 * 403 `insufficientPermissions` on a calendar of the user: calendar.app.created reaches only "secondary
 * calendars created by this app" (Google's scope list), and Google counts the OAuth client as the app, so a
 * calendar another client of the service made is out of reach (the emulator models this stricter reading).
 */
function isOtherClients(error: unknown): boolean {
  return (
    error instanceof CalendarProvisioningError &&
    error.status === 403 &&
    error.reason === 'insufficientPermissions'
  );
}

/** Only a reason of a known shape is kept. */
const REASON = /^[A-Za-z_]{1,64}$/;

async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const { status, reason } = googleFailureOf(error);
    throw new CalendarProvisioningError(status, reason && REASON.test(reason) ? reason : undefined);
  }
}
