/** ICS feed -> Google Calendar Event resources. */

export {
  DEFAULT_FEED_LIMITS,
  type FeedBudgetOptions,
  FeedTooCostly,
} from '../work-budget.ts';
export { defaultHorizon, type Horizon } from './horizon.ts';
export { type MappedFeed, type MappingOptions, mapFeed } from './map-feed.ts';
export { MAPPING_VERSION } from './mapping-version.ts';
export { byNameOnlyZone as resolveTimeZoneName } from './time-zones.ts';
