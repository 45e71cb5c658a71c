import type { ConnectionStore } from '../ports/connection-store.ts';
import type { EventMapStore, SyncStateStore } from '../ports/sync-stores.ts';

export interface ScrubDependencies {
  eventMap: Pick<EventMapStore, 'removeAll'>;
  syncState: Pick<SyncStateStore, 'remove'>;
  connections: Pick<ConnectionStore, 'remove'>;
  /** The warm access-token cache, in functions that keep one (the OAuth routes). */
  accessTokens?: { forget(subscriberId: string): void };
}

/**
 * Removes everything the service keeps about a subscriber: event map, sync state, and the connection last (with
 * its ciphertexts), so an interrupted scrub is finished by running it again. Idempotent. Used by disconnect and
 * by the retention purge.
 */
export async function scrubSubscriber(deps: ScrubDependencies, subscriberId: string): Promise<void> {
  deps.accessTokens?.forget(subscriberId);
  await deps.eventMap.removeAll(subscriberId);
  await deps.syncState.remove(subscriberId);
  await deps.connections.remove(subscriberId);
}
