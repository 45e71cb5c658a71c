import type { SyncResult } from '../../shared/domain/sync-result.ts';
import type { StopReason, SyncProblem, SyncReport, SyncWarning } from './sync-report.ts';

/** Reasons kept in a result; more are summarised (a result is stored and shown, not a log). */
const MAX_REASONS = 20;
/**
 * Characters kept of each reason: a warning quotes a feed's UID, which may be any length, and the stored state
 * must stay far below DynamoDB's 400 KB item limit (2 x 21 reasons of this length: about 21 KB at most).
 */
const MAX_REASON_CHARS = 500;
/** Longest event key quoted in a reason (keys are UIDs of the subscriber's own feed, never tokens or URLs). */
const KEY_CHARS = 80;

const CALENDAR_MISSING = 'the dedicated calendar no longer exists in Google: connect again to get a new one';

/**
 * The result of a sync as it is stored and shown on the status endpoint: the report with its problems and
 * warnings in words (no tokens, no feed URLs), at most MAX_REASONS of each, each cut to MAX_REASON_CHARS.
 */
export function describeReport(report: SyncReport): SyncResult {
  const { problems, warnings, ...counts } = report;
  const errors = problems.map(problemText).filter((text) => text !== undefined);
  const result: SyncResult = { ...counts, errors: capped(errors) };
  if (warnings.length) result.warnings = capped(warnings.map(warningText));
  return result;
}

/** A problem in words; none for a stop whose cause is told by a problem of its own. */
export function problemText(problem: SyncProblem): string | undefined {
  switch (problem.kind) {
    case 'busy':
      return 'another sync of this calendar is running';
    case 'stopped':
      return stopText(problem.reason);
    case 'feed_refused':
      return problem.message;
    case 'feed_unmappable':
      return `the feed could not be mapped: ${problem.detail ?? 'unreadable calendar'}`;
    case 'feed_unmappable_unchanged':
      return `the feed could not be mapped: ${problem.detail ?? 'unreadable calendar'} (the same feed as before: not read again until it changes)`;
    case 'daily_budget_used_up':
      return `daily write budget for this calendar used up; continues tomorrow (after ${problem.resumesAfter})`;
    case 'operation_failed':
      return `${problem.operation} ${quote(problem.key)}: ${problem.googleMessage}`;
    case 'operation_crashed':
      return `${problem.operation} ${quote(problem.key)}: ${problem.errorName}`;
    case 'series_not_written':
      return `exception ${quote(problem.key)}: its series was not written`;
    case 'event_map_not_saved':
      return `the event map could not be saved (${problem.errorName}): the next sync finds its events again`;
    case 'daily_quota_used_up':
      return `Google's daily quota for this service is used up; syncing resumes after ${problem.resumesAfter}`;
    case 'time_budget_reached':
      return `time budget reached: ${problem.deferred} changes left for the next sync`;
    case 'deletions_held': {
      const wait = problem.confirmAfterMinutes;
      return problem.feedEmpty
        ? `the feed has no events any more: the ${problem.deletions} deletions are held until a sync at least ${wait} minutes later sees the same`
        : `${problem.deletions} of ${problem.eventsInCalendar} events left the feed: deletions held until a sync at least ${wait} minutes later sees the same`;
    }
  }
}

export function warningText(warning: SyncWarning): string {
  switch (warning.kind) {
    case 'feed_warning':
      return warning.uid ? `${warning.uid}: ${warning.reason}` : warning.reason;
    case 'event_skipped':
      return `${warning.key}: ${warning.reason}`;
    case 'operation_rejected':
      return `${warning.operation} ${quote(warning.key)}: ${warning.googleMessage}`;
    case 'calendar_repaired':
      return `the calendar was changed in Google: ${warning.repaired} events set back as the feed has them, ${warning.removed} duplicates removed`;
    case 'audit_failed':
      return `the calendar could not be compared with the feed (tried again next sync): ${warning.googleMessage}`;
    case 'no_such_occurrence':
      return `exception ${quote(warning.key)} matches no occurrence of its series in Google`;
    case 'operation_refused':
      return `${warning.operation} ${quote(warning.key)} refused by Google (the other changes were made), tried again after ${warning.retryAfter}: ${warning.googleMessage}`;
    case 'uid_renamed': {
      const moved = `${warning.moved} events the feed gave new UIDs (same start, end and title) were kept as the same Google events`;
      return warning.held > 0
        ? `${moved}; ${warning.held} more wait until their old copies can be deleted, so none shows twice`
        : moved;
    }
    case 'write_waiting':
      return `${quote(warning.key)}: Google refused writing it (${warning.count === 1 ? 'once' : `${warning.count} times`}), tried again after ${warning.retryAfter}`;
  }
}

function stopText(reason: StopReason): string | undefined {
  switch (reason) {
    case 'usage_limit':
      return "Google's calendar usage limits were reached: syncing paused";
    case 'daily_limit':
      // Its own problem says until when.
      return undefined;
    case 'calendar_missing':
      return CALENDAR_MISSING;
    case 'needs_reauth':
      return 'the Google connection needs to be authorised again';
    case 'access_refused':
      return 'Google refused access to the calendar (the access token or its permissions)';
    case 'store_failed':
      return 'the sync could not save its progress: the next sync carries on';
    case 'unexpected_error':
      // The operation that met it says what it was.
      return undefined;
  }
}

const quote = (key: string) => JSON.stringify(key.length > KEY_CHARS ? `${key.slice(0, KEY_CHARS)}...` : key);

function capped(list: string[]): string[] {
  return (
    list.length > MAX_REASONS
      ? [...list.slice(0, MAX_REASONS), `... and ${list.length - MAX_REASONS} more`]
      : list
  ).map(shortened);
}

/** The text cut to MAX_REASON_CHARS characters (whole code points), marked as cut. */
function shortened(text: string): string {
  if (text.length <= MAX_REASON_CHARS) return text;
  return `${Array.from(text.slice(0, MAX_REASON_CHARS)).slice(0, -2).join('')}…`;
}
