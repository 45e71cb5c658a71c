/** Why a feed was refused. A refused feed must never lead to deletions in Google. */
export type FeedErrorReason =
  | 'http_status' // the server answered with an error status (or a 304 nobody asked for)
  | 'partial_content' // HTTP 206: only part of the feed
  | 'not_a_calendar' // an HTML login page, JSON, anything but BEGIN:VCALENDAR
  | 'truncated' // no END:VCALENDAR at the end
  | 'too_large' // over the size cap
  | 'timeout' // no complete answer in time
  | 'too_many_redirects'
  | 'network' // the server could not be reached
  | 'bad_location' // not an http(s) URL or a readable path, or a redirect to one
  | 'unreadable_file'
  | 'empty';

/**
 * A feed that could not be read, with the reason in plain words. Messages never contain the feed's URL or
 * path: feed URLs carry the subscriber's secret token, and these messages end up in logs and status pages.
 */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly reason: FeedErrorReason;
  readonly httpStatus?: number;

  constructor(reason: FeedErrorReason, message: string, httpStatus?: number) {
    super(message);
    this.reason = reason;
    if (httpStatus !== undefined) this.httpStatus = httpStatus;
  }
}
