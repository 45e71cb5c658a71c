import type { OAuthDependencies } from '../dependencies.ts';

/**
 * Removes everything the service keeps about a subscriber: event map, sync state, and the connection last (with
 * its ciphertexts), so an interrupted scrub is finished by running it again. Idempotent.
 */
export async function scrubSubscriber(
  deps: Pick<OAuthDependencies, 'eventMap' | 'syncState' | 'connections' | 'accessTokens'>,
  subscriberId: string,
): Promise<void> {
  deps.accessTokens.forget(subscriberId);
  await deps.eventMap.removeAll(subscriberId);
  await deps.syncState.remove(subscriberId);
  await deps.connections.remove(subscriberId);
}
