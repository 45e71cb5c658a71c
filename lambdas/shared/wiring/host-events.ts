import type { Logger } from '@aws-lambda-powertools/logger';
import { SignedHostEvents } from '../adapters/http/host-events.ts';
import type { HostEvents } from '../ports/host-events.ts';
import type { HostEventsConfig } from './config-parts.ts';
import type { WiringOverrides } from './overrides.ts';
import { hostKeyRing } from './secrets.ts';

/** The host's notifications, when configured (HOST_EVENTS_URL). */
export function hostEvents(
  config: HostEventsConfig | undefined,
  logger: Logger,
  overrides: WiringOverrides,
): { hostEvents?: HostEvents } {
  if (!config) return {};
  const keys = hostKeyRing(config.hostKeys, overrides);
  return { hostEvents: new SignedHostEvents({ url: config.url, keyId: config.keyId, keys, logger }) };
}
