import { createHash } from 'node:crypto';

/** When deletions are "mass" deletions, held back until a later sync sees the same shrunken feed. */
export interface BreakerPolicy {
  /** Trips only when the deletions are more than this share of the events in the calendar... */
  maxShare: number;
  /** ...and more than this many. */
  minDeletions: number;
  /** Syncs that must see the same deletions, the first included, before they are applied. */
  sightings: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { maxShare: 0.5, minDeletions: 20, sightings: 2 };

export interface HeldDeletion {
  /** Identifies the exact set of keys held, so a differently shrunken feed starts over. */
  keysHash: string;
  /** Syncs that have seen this set so far. */
  count: number;
  firstSeenAt: string;
}

export interface BreakerDecision {
  /** True: apply no deletion on this sync. */
  hold: boolean;
  /** What the sync state keeps for the next sync (undefined: nothing held). */
  held: HeldDeletion | undefined;
}

export function keysHash(keys: readonly string[]): string {
  const hash = createHash('sha256');
  for (const key of [...keys].sort()) hash.update(key).update('\n');
  return hash.digest('hex');
}

export function decideBreaker(
  deletionKeys: readonly string[],
  eventsInCalendar: number,
  previouslyHeld: HeldDeletion | undefined,
  now: Date,
  policy: BreakerPolicy = DEFAULT_BREAKER_POLICY,
): BreakerDecision {
  const count = deletionKeys.length;
  const trips = count > policy.minDeletions && count > eventsInCalendar * policy.maxShare;
  if (!trips) return { hold: false, held: undefined };
  const hash = keysHash(deletionKeys);
  const seen = previouslyHeld?.keysHash === hash ? previouslyHeld : undefined;
  const sightings = (seen?.count ?? 0) + 1;
  if (sightings >= policy.sightings) return { hold: false, held: undefined };
  return {
    hold: true,
    held: { keysHash: hash, count: sightings, firstSeenAt: seen?.firstSeenAt ?? now.toISOString() },
  };
}
