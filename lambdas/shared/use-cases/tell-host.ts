import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { describeError } from '../errors.ts';
import type { Cipher } from '../ports/cipher.ts';
import type { HostEvent, HostEventKind, HostEvents } from '../ports/host-events.ts';

export interface TellHostDependencies {
  hostEvents?: HostEvents;
  cipher: Pick<Cipher, 'decrypt'>;
  logger: Pick<Logger, 'warn'>;
  now: () => Date;
}

/**
 * Tells the host (when configured) what happened to a subscriber's connection, naming the subscriber by the
 * SHA-256 of the feed token (given plain, or as the connection's ciphertext). Never throws: the user's request
 * or the sync goes on whatever the host or the key service answers.
 */
export async function tellHost(
  deps: TellHostDependencies,
  event: HostEventKind,
  feed: { feedToken: string } | { subscriberId: string; feedTokenCiphertext: string },
  extra: Pick<HostEvent, 'googleAccountChanged'> = {},
): Promise<void> {
  const { hostEvents } = deps;
  if (!hostEvents) return;
  try {
    const feedToken =
      'feedToken' in feed
        ? feed.feedToken
        : await deps.cipher.decrypt(feed.feedTokenCiphertext, {
            subscriberId: feed.subscriberId,
            purpose: 'feed_token',
          });
    await hostEvents.notify({ event, feed: feedDigest(feedToken), at: deps.now().toISOString(), ...extra });
  } catch (error) {
    deps.logger.warn('host not told of a connection event', { event, ...describeError(error) });
  }
}

/** The feed's name in host events: what the host already knows, never the token. */
const feedDigest = (feedToken: string): string =>
  createHash('sha256').update(feedToken, 'utf8').digest('hex');
