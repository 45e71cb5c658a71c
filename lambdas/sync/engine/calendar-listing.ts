import type { CalendarGateway, FetchedEvent } from '../../shared/ports/calendar-gateway.ts';
import type { QuotaPacedCaller } from './quota-paced-caller.ts';

/** What an audit's listing returned: the events, and the token the next audit lists the changes since. */
export interface CalendarListing {
  items: FetchedEvent[];
  /** Absent only if Google gave none (the next audit then lists in full). */
  syncToken?: string;
  /** Whether this was a full listing (no token, or Google no longer took the stored one). */
  full: boolean;
}

/**
 * Lists the calendar for an audit: only what changed since `syncToken` (Google's incremental sync; an unchanged
 * calendar costs one call), or everything when there is no token or Google answers that it no longer takes it
 * (410). Every page goes through the run's caller, so it is paced, retried and counted like any other call.
 */
export async function listCalendar(
  gateway: CalendarGateway,
  caller: QuotaPacedCaller,
  calendarId: string,
  syncToken: string | undefined,
): Promise<CalendarListing> {
  let token = syncToken;
  for (;;) {
    const items: FetchedEvent[] = [];
    let pageToken: string | undefined;
    let nextSyncToken: string | undefined;
    let fullSyncRequired = false;
    do {
      const query = { ...(token ? { syncToken: token } : {}), ...(pageToken ? { pageToken } : {}) };
      const page = await caller.call('list', () => gateway.listEvents(calendarId, query));
      if (page.kind === 'full_sync_required') {
        fullSyncRequired = true;
        break;
      }
      items.push(...page.items);
      pageToken = page.nextPageToken;
      nextSyncToken = page.nextSyncToken;
    } while (pageToken);
    if (!fullSyncRequired || token === undefined) {
      return { items, full: token === undefined, ...(nextSyncToken ? { syncToken: nextSyncToken } : {}) };
    }
    // Google's sync guide: wipe what the token stood for and list everything again.
    token = undefined;
  }
}
