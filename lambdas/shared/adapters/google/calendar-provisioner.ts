import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import {
  type CalendarProvisioner,
  CalendarProvisioningError,
  type NewCalendar,
} from '../../ports/calendar-provisioner.ts';

export interface GoogleCalendarProvisionerOptions {
  /** `rootUrl` of the Calendar client: Google's, or the emulator's. */
  rootUrl: string;
  timeoutMs?: number;
}

/**
 * The dedicated calendar through `@googleapis/calendar` (calendars.insert/get/delete: all allowed under the
 * calendar.app.created scope). Failures become CalendarProvisioningError with only a status and Google's reason.
 */
export class GoogleCalendarProvisioner implements CalendarProvisioner {
  private readonly api: calendar_v3.Calendar;

  constructor(options: GoogleCalendarProvisionerOptions) {
    this.api = calendar({ version: 'v3', rootUrl: options.rootUrl, timeout: options.timeoutMs ?? 10_000 });
  }

  async create(accessToken: string, { summary, timeZone, description }: NewCalendar): Promise<string> {
    const { data } = await translated(() =>
      this.api.calendars.insert({
        auth: bearer(accessToken),
        requestBody: { summary, timeZone, description },
      }),
    );
    if (!data.id) throw new CalendarProvisioningError(200, 'no calendar id in the answer');
    return data.id;
  }

  async exists(accessToken: string, calendarId: string): Promise<boolean> {
    try {
      await translated(() => this.api.calendars.get({ auth: bearer(accessToken), calendarId }));
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }

  async delete(accessToken: string, calendarId: string): Promise<boolean> {
    try {
      await translated(() => this.api.calendars.delete({ auth: bearer(accessToken), calendarId }));
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }
}

/** An auth client that only presents the access token it was given (refreshing is the token provider's job). */
function bearer(accessToken: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: accessToken });
  return client;
}

/** 404, and 410 for a deleted calendar; 403 "forbidden" when the id belongs to another Google account. */
function isGone(error: unknown): boolean {
  if (!(error instanceof CalendarProvisioningError)) return false;
  return (
    error.status === 404 || error.status === 410 || (error.status === 403 && error.reason === 'forbidden')
  );
}

interface HttpFailure {
  status?: number;
  response?: { status?: number; data?: { error?: { errors?: { reason?: unknown }[] } } };
}

async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const failure = error as HttpFailure;
    const status = failure?.response?.status ?? failure?.status;
    const reason = failure?.response?.data?.error?.errors?.[0]?.reason;
    throw new CalendarProvisioningError(
      typeof status === 'number' ? status : undefined,
      typeof reason === 'string' && /^[A-Za-z_]{1,64}$/.test(reason) ? reason : undefined,
    );
  }
}
