/**
 * Bump when the mapping or the event keys change what a sync makes of the same text: every feed is then mapped
 * and planned again once (the sync's fingerprint of a feed includes it). The golden test of the mapping
 * (test/unit/ics/mapping-golden.test.ts) fails when the output changes without a bump.
 * 2: standalone overrides and split series got keys of their own. 3: zero-length timed events last a minute;
 * floating EXDATE, RDATE and RECURRENCE-ID values of a zoned series are read in its zone; an override of an
 * occurrence the newer master excludes is left out. 4: zone names Google takes (Europe/Kiev for Europe/Kyiv, a
 * real zone or UTC for a fixed offset). 5: an override carrying the only RRULE of its series is that series; a
 * component whose END is missing or misspelled closes at the next sibling BEGIN. 6: a series in a zone Google has
 * no name for lands at the feed's instants (an agreeing IANA zone, stretches of constant offset, or its
 * occurrences as dates).
 */
export const MAPPING_VERSION = '6';
