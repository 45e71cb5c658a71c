/** ICS feed -> Google Calendar Event resources. */

export {
  DEFAULT_FEED_LIMITS,
  type FeedBudgetOptions,
  type FeedLimits,
  FeedTooCostly,
} from '../work-budget.ts';
export {
  DEFAULT_HORIZON_SPAN,
  defaultHorizon,
  type Horizon,
  type HorizonSpan,
  horizonAround,
} from './horizon.ts';
export {
  type MappedFeed,
  type MappingOptions,
  type MappingWarning,
  mapFeed,
} from './map-feed.ts';
export { MAPPING_VERSION } from './mapping-version.ts';
export { byNameOnlyZone as resolveTimeZoneName } from './time-zones.ts';
