import { randomUUID } from 'node:crypto';
import type { ConnectionStore } from '../ports/connection-store.ts';
import type { EventMapStore, SyncLeaseStore, SyncStateStore } from '../ports/sync-stores.ts';

export interface ScrubDependencies {
  eventMap: Pick<EventMapStore, 'removeAll'>;
  syncState: Pick<SyncStateStore, 'remove'> & SyncLeaseStore;
  connections: Pick<ConnectionStore, 'remove' | 'removeVersion'>;
  /** The warm access-token cache, in functions that keep one (the OAuth routes). */
  accessTokens?: { forget(subscriberId: string): void };
  now: () => Date;
}

export interface ScrubOptions {
  /**
   * Remove the connection only while it is still this version (undefined: only while there is none): a reconnect
   * that stored a new connection meanwhile makes the scrub throw ConnectionConflictError and keeps what it stored.
   * Omitted: whatever is stored goes.
   */
  expectedVersion?: number | undefined;
  /** How long to wait for a running sync to finish before giving up (default: not at all). */
  waitMs?: number;
}

/** A sync of the subscriber is running (it holds the lease): scrubbing now would let it write its data back. */
export class SyncRunningError extends Error {
  override readonly name = 'SyncRunningError';
  constructor(readonly subscriberId: string) {
    super('a sync of this subscriber is running');
  }
}

/** Long enough for the few deletes a scrub makes; a crashed scrub frees the subscriber after it. */
const SCRUB_LEASE_MS = 60_000;
const POLL_MS = 250;

/**
 * Removes everything the service keeps about a subscriber: event map, connection, then the sync state. Used by
 * disconnect and by the retention purge.
 *
 * It holds the sync lease throughout, so it never overlaps a sync: a sync that read the connection before the
 * scrub and went on writing afterwards would put event-map rows and the sync-state item back, in tables without
 * expiry, for ever. A running sync makes it wait (up to `waitMs`), then throw SyncRunningError. A sync that read
 * the connection before the scrub and takes the lease after it finds the connection gone and writes nothing (see
 * the worker's connection-bound lease). The connection goes before the sync state because the state item holds
 * the lease: removed earlier, a sync could take the lease while the connection still existed. Removing the state
 * item ends the lease with it. An interrupted scrub is finished by running it again (after the lease expires).
 */
export async function scrubSubscriber(
  deps: ScrubDependencies,
  subscriberId: string,
  options: ScrubOptions = {},
): Promise<void> {
  deps.accessTokens?.forget(subscriberId);
  const owner = `scrub:${randomUUID()}`;
  const deadline = deps.now().getTime() + (options.waitMs ?? 0);
  for (;;) {
    const now = deps.now();
    if (await deps.syncState.acquireLease(subscriberId, owner, now, new Date(now.getTime() + SCRUB_LEASE_MS)))
      break;
    if (now.getTime() >= deadline) throw new SyncRunningError(subscriberId);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    await deps.eventMap.removeAll(subscriberId);
    if ('expectedVersion' in options)
      await deps.connections.removeVersion(subscriberId, options.expectedVersion);
    else await deps.connections.remove(subscriberId);
  } catch (error) {
    await deps.syncState.releaseLease(subscriberId, owner);
    throw error;
  }
  await deps.syncState.remove(subscriberId);
}
