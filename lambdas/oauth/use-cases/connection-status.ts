import type { SyncResult } from '../../shared/domain/sync-result.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import { authenticateFeedToken, type FeedTokenDependencies, type FeedTokenInput } from './authenticate.ts';

/**
 * The last sync as the settings page shows it: no call count, the cool-down only once (at the top), warnings
 * always listed (if only as none).
 */
type LastSyncView = Omit<SyncResult, 'googleCalls' | 'quotaUnits' | 'coolDownUntil' | 'warnings'> & {
  warnings: string[];
};

/** What the settings page shows. No secret, no feed URL. */
export interface ConnectionStatusView {
  /**
   * `feed_gone`: the calendar link stopped working at the ICS service; syncing stopped, a reconnect restarts it.
   * `calendar_missing`: the dedicated calendar was deleted in Google; syncing stopped, a reconnect makes a new
   * calendar (the service never re-creates it on its own: the subscriber may have deleted it on purpose).
   */
  status: 'connected' | 'needs_reauth' | 'feed_gone' | 'calendar_missing' | 'not_connected';
  connected: boolean;
  needsReauth: boolean;
  calendarId?: string;
  connectedAt?: string;
  needsReauthSince?: string;
  /**
   * Since when the connection uses another Google account than before: a reconnect signed in with a different
   * account (the page says "connected to a different Google account since ..."). Absent if it never changed.
   */
  googleAccountChangedAt?: string;
  /** Since when the feed has answered 401, 403, 404 or 410 (set while connected too, before it counts). */
  feedGoneSince?: string;
  /** When a sync found the dedicated calendar deleted in Google (status calendar_missing). */
  calendarMissingSince?: string;
  /**
   * A previous dedicated calendar the service can no longer reach (made with another OAuth client of the
   * service): a reconnect made a new one; this one stays in the subscriber's Google Calendar until they remove it.
   */
  abandonedCalendarId?: string;
  eventCount?: number;
  coolDownUntil?: string;
  /**
   * When the feed was last checked for changes (scheduled connected connections): the later of the last sweep of
   * the subscriber's shard and the last sync. An unchanged feed is checked without a sync, so the last sync alone
   * would look stale.
   */
  lastCheckedAt?: string;
  lastSync?: LastSyncView;
  /** Deletions the mass-delete breaker is holding back until the shrunken feed is seen again. */
  heldDeletions: number;
}

/**
 * The subscriber's connection as the settings page shows it, for a proven feed token (rate-limited like every
 * feed-token route: per subscriber once proven, per IP for failures). A subscriber never connected is
 * `not_connected`, not an error: the page offers to connect.
 */
export async function connectionStatus(
  deps: FeedTokenDependencies & Pick<OAuthDependencies, 'connections' | 'syncState'>,
  input: FeedTokenInput,
): Promise<ConnectionStatusView> {
  const subscriberId = await authenticateFeedToken(deps, 'status', input);
  const [connection, syncState, lastSweptAt] = await Promise.all([
    deps.connections.get(subscriberId),
    deps.syncState.get(subscriberId),
    deps.syncState.lastSweptFor(subscriberId),
  ]);
  if (!connection) return { status: 'not_connected', connected: false, needsReauth: false, heldDeletions: 0 };
  const view: ConnectionStatusView = {
    status: connection.status,
    connected: connection.status === 'connected',
    needsReauth: connection.status === 'needs_reauth',
    calendarId: connection.calendarId,
    connectedAt: connection.connectedAt,
    heldDeletions: syncState?.lastResult?.heldDeletions ?? 0,
  };
  if (connection.needsReauthSince) view.needsReauthSince = connection.needsReauthSince;
  if (connection.feedGoneSince) view.feedGoneSince = connection.feedGoneSince;
  if (connection.calendarMissingSince) view.calendarMissingSince = connection.calendarMissingSince;
  if (connection.abandonedCalendarId) view.abandonedCalendarId = connection.abandonedCalendarId;
  if (connection.googleAccountChangedAt) view.googleAccountChangedAt = connection.googleAccountChangedAt;
  if (syncState?.eventCount !== undefined) view.eventCount = syncState.eventCount;
  if (syncState?.coolDownUntil) view.coolDownUntil = syncState.coolDownUntil;
  const last = syncState?.lastResult;
  if (connection.status === 'connected' && connection.scheduled) {
    // ISO 8601 UTC times sort as text.
    const checked = [lastSweptAt, last?.startedAt].filter((at): at is string => at !== undefined).sort();
    if (checked.length > 0) view.lastCheckedAt = checked[checked.length - 1] as string;
  }
  if (last) {
    view.lastSync = {
      outcome: last.outcome,
      startedAt: last.startedAt,
      finishedAt: last.finishedAt,
      created: last.created,
      updated: last.updated,
      deleted: last.deleted,
      unchanged: last.unchanged,
      heldDeletions: last.heldDeletions,
      errors: last.errors,
      warnings: last.warnings ?? [],
    };
  }
  return view;
}
