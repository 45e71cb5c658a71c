import { createHash } from 'node:crypto';

/** When deletions are "mass" deletions, held back until a later sync sees the same shrunken feed. */
export interface BreakerPolicy {
  /** Trips only when the deletions are more than this share of the events in the calendar... */
  maxShare: number;
  /** ...and more than this many. */
  minDeletions: number;
  /** Syncs that must see the same deletions, the first included, before they are applied... */
  sightings: number;
  /**
   * ...the last of them at least this long after the first: a feed that is briefly wrong (an export caught
   * half-way, a server answering an empty calendar) is usually right again within the hour.
   */
  minConfirmDelayMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  maxShare: 0.5,
  minDeletions: 20,
  sightings: 2,
  minConfirmDelayMs: 3_600_000,
};

interface HeldDeletion {
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

function keysHash(keys: readonly string[]): string {
  const hash = createHash('sha256');
  for (const key of [...keys].sort()) hash.update(key).update('\n');
  return hash.digest('hex');
}

export interface BreakerInput {
  deletionKeys: readonly string[];
  /** Series and single events in the calendar according to the map. */
  eventsInCalendar: number;
  /** The feed yielded no event at all: any deletion is held, however few (an empty feed is a broken feed until seen again). */
  feedEmpty: boolean;
  previouslyHeld: HeldDeletion | undefined;
  now: Date;
}

export function decideBreaker(
  input: BreakerInput,
  policy: BreakerPolicy = DEFAULT_BREAKER_POLICY,
): BreakerDecision {
  const { deletionKeys, eventsInCalendar, previouslyHeld, now } = input;
  const count = deletionKeys.length;
  const mass = count > policy.minDeletions && count > eventsInCalendar * policy.maxShare;
  const trips = count > 0 && (mass || input.feedEmpty);
  if (!trips) return { hold: false, held: undefined };
  const hash = keysHash(deletionKeys);
  const seen = previouslyHeld?.keysHash === hash ? previouslyHeld : undefined;
  const sightings = (seen?.count ?? 0) + 1;
  const firstSeenAt = seen?.firstSeenAt ?? now.toISOString();
  const waited = now.getTime() - Date.parse(firstSeenAt) >= policy.minConfirmDelayMs;
  if (sightings >= policy.sightings && waited) return { hold: false, held: undefined };
  return { hold: true, held: { keysHash: hash, count: sightings, firstSeenAt } };
}
