import { calendarNameOf } from '../../shared/domain/calendar-name.ts';
import { FeedError, type FeedErrorReason } from '../../shared/domain/feed-error.ts';
import type { FeedSource } from '../../shared/ports/feed-source.ts';

/**
 * Whether a feed URL answers with a calendar: `invalid` when the feed service refuses it or answers something
 * that is not a calendar (unknown or revoked token), `unavailable` when it could not be asked.
 */
export type FeedVerdict = 'valid' | 'invalid' | 'unavailable';

/** The verdict, and for a valid feed its X-WR-CALNAME when it has one (the confirmation page names it). */
export interface FeedCheckResult {
  verdict: FeedVerdict;
  calendarName?: string;
}

/**
 * A feed token is valid when its URL answers with a calendar. The service refusing it (4xx) or answering
 * something else means an unknown or revoked token; no or a broken answer means "try later". A feed over the
 * size cap still proves the token (the sync reports the size). The calendar's name is read from the same
 * download, for the connect confirmation page.
 */
export async function checkFeed(feeds: FeedSource, feedUrl: string): Promise<FeedCheckResult> {
  try {
    const fetched = await feeds.fetch(feedUrl);
    const calendarName = fetched.kind === 'fetched' ? calendarNameOf(fetched.text) : undefined;
    return { verdict: 'valid', ...(calendarName === undefined ? {} : { calendarName }) };
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    return { verdict: FEED_VERDICTS[error.reason](error.httpStatus) };
  }
}

const transientStatus = (status: number | undefined) =>
  status === undefined || status === 408 || status === 429 || status >= 500;

const FEED_VERDICTS: Record<FeedErrorReason, (status: number | undefined) => FeedVerdict> = {
  http_status: (status) => (transientStatus(status) ? 'unavailable' : 'invalid'),
  not_a_calendar: () => 'invalid',
  empty: () => 'invalid',
  bad_location: () => 'invalid',
  unreadable_file: () => 'invalid',
  too_large: () => 'valid',
  partial_content: () => 'unavailable',
  truncated: () => 'unavailable',
  timeout: () => 'unavailable',
  network: () => 'unavailable',
  too_many_redirects: () => 'unavailable',
};
