/** Calendar API v3 over plain HTTP (fetch): the requests as Google documents them, and its answers as they come. */

export interface EventTime {
  dateTime?: string;
  date?: string;
  timeZone?: string;
}

export interface EventJson {
  id: string;
  status?: string;
  etag?: string;
  summary?: string;
  start?: EventTime;
  end?: EventTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventTime;
  [field: string]: unknown;
}

export interface EventsPage {
  items?: EventJson[];
  nextPageToken?: string;
  nextSyncToken?: string;
}

export interface Answer<Body = Record<string, unknown>> {
  status: number;
  body: Body;
  /** `error.errors[0].reason` of a failed call. */
  reason?: string;
}

type Query = Record<string, string>;

export class CalendarHttp {
  constructor(
    private readonly apiUrl: string,
    private readonly accessToken: string,
  ) {}

  async send<Body>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<Body>> {
    const url = new URL(`${this.apiUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.accessToken}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const body = (await response.json().catch(() => ({}))) as Body & {
      error?: { errors?: { reason?: string }[] };
    };
    const reason = response.ok ? undefined : body.error?.errors?.[0]?.reason;
    return { status: response.status, body, ...(reason ? { reason } : {}) };
  }

  createCalendar(summary: string, timeZone: string): Promise<Answer<{ id: string }>> {
    return this.send('POST', '/calendars', { body: { summary, timeZone } });
  }

  deleteCalendar(calendarId: string): Promise<Answer> {
    return this.send('DELETE', `/calendars/${encodeURIComponent(calendarId)}`);
  }

  /** The calls on one calendar's events. */
  events(calendarId: string) {
    const events = `/calendars/${encodeURIComponent(calendarId)}/events`;
    const event = (eventId: string) => `${events}/${encodeURIComponent(eventId)}`;
    return {
      insert: (resource: Record<string, unknown>) => this.send<EventJson>('POST', events, { body: resource }),
      get: (eventId: string) => this.send<EventJson>('GET', event(eventId)),
      update: (eventId: string, resource: Record<string, unknown>, ifMatch?: string) =>
        this.send<EventJson>('PUT', event(eventId), {
          body: resource,
          ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}),
        }),
      delete: (eventId: string) => this.send('DELETE', event(eventId)),
      list: (query: Query = {}) => this.send<EventsPage>('GET', events, { query }),
      instances: (eventId: string, query: Query = {}) =>
        this.send<EventsPage>('GET', `${event(eventId)}/instances`, { query }),
    };
  }
}

/** The body of a successful answer; otherwise fails with the status and reason (never the token). */
export function expectOk<Body>(answer: Answer<Body>, what: string): Body {
  if (answer.status < 200 || answer.status > 299)
    throw new Error(`${what} answered ${answer.status} ${answer.reason ?? ''}`.trim());
  return answer.body;
}

/** One line for the findings: `200, 1 item` or `400 badRequest`. */
export function describeAnswer(answer: Answer<EventsPage>): string {
  if (answer.status >= 200 && answer.status <= 299) {
    const count = answer.body.items?.length ?? 0;
    return `${answer.status}, ${count} item${count === 1 ? '' : 's'}`;
  }
  return `${answer.status} ${answer.reason ?? ''}`.trim();
}
