import type { FeedErrorReason } from '../../shared/domain/feed-error.ts';
import type { SyncResult } from '../../shared/domain/sync-result.ts';

/** Why a run stopped before the end; every one of them makes further calls pointless. */
export type StopReason =
  | 'usage_limit'
  | 'daily_limit'
  | 'calendar_missing'
  | 'needs_reauth'
  | 'access_refused'
  | 'store_failed'
  | 'unexpected_error';

/** An operation of the plan, as a problem or a warning names it: series and single events, then instances. */
export type OperationKind = 'insert' | 'update' | 'delete' | 'exception' | 'revert';

/** What kept a run from making the calendar equal to the feed. */
export type SyncProblem =
  /** Another run of the subscriber holds the lease. */
  | { kind: 'busy' }
  | { kind: 'stopped'; reason: StopReason }
  /** The feed source refused the feed; `message` is its plain-words reason (never the feed's location). */
  | { kind: 'feed_refused'; reason: FeedErrorReason; message: string }
  /** The mapping threw; `detail` is the error's message, if it had one. */
  | { kind: 'feed_unmappable'; detail?: string }
  /**
   * The body is the one the mapping failed on before (see SyncState.costlyFeed): not parsed again; `detail` is
   * what that failure said.
   */
  | { kind: 'feed_unmappable_unchanged'; detail?: string }
  /** The subscriber's daily budget of Google quota units is spent: the run stopped, the next UTC day resumes. */
  | { kind: 'daily_budget_used_up'; resumesAfter: string }
  /** Google refused an operation (the next sync retries it); `googleMessage` is the CalendarApiError's message. */
  | { kind: 'operation_failed'; operation: OperationKind; key: string; googleMessage: string }
  /** An operation failed with something else than Google's answer (the run stopped); named, never printed. */
  | { kind: 'operation_crashed'; operation: OperationKind; key: string; errorName: string }
  /** An exception or revert was not tried because its series' write failed. */
  | { kind: 'series_not_written'; key: string }
  /** The event map store failed; what was written is found again by the next sync. */
  | { kind: 'event_map_not_saved'; errorName: string }
  /** Google's daily quota of the whole project is used up (403 dailyLimitExceeded): every sync waits. */
  | { kind: 'daily_quota_used_up'; resumesAfter: string }
  /** The time budget ran out with `deferred` operations not started. */
  | { kind: 'time_budget_reached'; deferred: number }
  /** The mass-delete breaker held the plan's deletions. */
  | {
      kind: 'deletions_held';
      deletions: number;
      eventsInCalendar: number;
      feedEmpty: boolean;
      /** Minutes before a sync may confirm them. */
      confirmAfterMinutes: number;
    };

/** Something done as well as it could be that the subscriber may want to know. */
export type SyncWarning =
  /** The mapping's own warning about the feed (`reason` is the mapping's words). */
  | { kind: 'feed_warning'; uid?: string; reason: string }
  /** The planner left an event out (`reason` is the planner's words). */
  | { kind: 'event_skipped'; key: string; reason: string }
  /** Google refused an operation as invalid (400): remembered, tried again when the feed changes it. */
  | { kind: 'operation_rejected'; operation: OperationKind; key: string; googleMessage: string }
  /**
   * The audit found the calendar unlike what the service wrote: `repaired` events changed in Google were
   * written back as the feed has them, `removed` copies the service had lost track of were deleted.
   */
  | { kind: 'calendar_repaired'; repaired: number; removed: number }
  /** The audit's listing of the calendar failed: tried again on the next sync. */
  | { kind: 'audit_failed'; googleMessage: string }
  /** An exception whose series has no occurrence at its original start in Google. */
  | { kind: 'no_such_occurrence'; key: string }
  /**
   * Google refused writing this one event (a 403 about it alone): the other writes went on; this one waits
   * until `retryAfter` (or a change of the event in the feed).
   */
  | {
      kind: 'operation_refused';
      operation: OperationKind;
      key: string;
      googleMessage: string;
      retryAfter: string;
    }
  /**
   * The feed renamed events (new UIDs for the same start, end and summary, as some generators do on every
   * download): `moved` were moved onto their Google event under the new UID instead of copied; `held` new ones
   * wait with their old event's deletion (held by the mass-delete breaker, or refused), so no copy appears.
   */
  | { kind: 'uid_renamed'; moved: number; held: number }
  /** A write Google refused `count` times in a row, not tried in this run: its wait lasts until `retryAfter`. */
  | { kind: 'write_waiting'; key: string; count: number; retryAfter: string };

/**
 * What one sync did, typed: the engine's answer, before anything is put in words. `describeReport` makes the
 * SyncResult that is stored and shown of it.
 */
export interface SyncReport extends Omit<SyncResult, 'errors' | 'warnings'> {
  problems: SyncProblem[];
  warnings: SyncWarning[];
}
