import type { EventMapRow, EventRefusal } from '../entities/event-map-row.ts';
import { DAY_MS, HOUR_MS } from '../time/civil.ts';

/** The first wait after Google refused writing an event; it doubles with each refusal in a row. */
const FIRST_REFUSAL_WAIT_MS = HOUR_MS;
/** The longest wait: a refused event is tried at least weekly, in case Google takes it again. */
const MAX_REFUSAL_WAIT_MS = 7 * DAY_MS;
/** The hash a refused deletion is recorded under (a deletion has no content). */
export const DELETION_HASH = 'delete';

/** How long to wait before trying again a write Google refused `count` times in a row: 1 h, 2 h, 4 h... 7 days. */
export function refusalWaitMs(count: number): number {
  return Math.min(FIRST_REFUSAL_WAIT_MS * 2 ** Math.max(0, count - 1), MAX_REFUSAL_WAIT_MS);
}

/** The refusal a write of `count` refusals in a row, refused again at `now`, is kept with. */
export function nextRefusal(previousCount: number, hash: string, now: number): EventRefusal {
  const count = previousCount + 1;
  return { count, hash, retryAfter: new Date(now + refusalWaitMs(count)).toISOString() };
}

/**
 * The refusal that keeps the row's write waiting at `now`, if one does: Google refused this very content
 * (`wantedHash`) and the wait is not over. Content the feed changed since is tried at once.
 */
export function waitingRefusal(
  row: EventMapRow | undefined,
  wantedHash: string,
  now: Date | undefined,
): EventRefusal | undefined {
  const refusal = row?.refusal;
  if (!refusal || now === undefined || refusal.hash !== wantedHash) return undefined;
  return Date.parse(refusal.retryAfter) > now.getTime() ? refusal : undefined;
}
