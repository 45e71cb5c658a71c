/** ICS feed -> Google Calendar Event resources. */
export {
  defaultHorizon,
  type Horizon,
  type MappedFeed,
  type MappingOptions,
  type MappingWarning,
  mapFeed,
} from './map-feed.ts';
export { byNameOnlyZone as resolveTimeZoneName } from './time-zones.ts';
