import pLimit from 'p-limit';
import * as z from 'zod';
import { parseStrictJson } from '../../shared/domain/strict-json.ts';
import { describeError, Refusal } from '../../shared/errors.ts';
import type { SignedRequest, VerifiedSignature } from '../../shared/host-signature.ts';
import { validInput } from '../../shared/input.ts';
import { API_ROUTES } from '../../shared/routes.ts';
import {
  authenticateHostRequest,
  type HostRequestRefusalCode,
} from '../../shared/use-cases/authenticate-host-request.ts';
import { requestImmediateSync } from '../../shared/use-cases/request-sync.ts';
import type { NotifyDependencies } from '../dependencies.ts';

/** The path a host signs its notifications for (the route table's). */
export const NOTIFY_PATH = API_ROUTES.notify.path;
/**
 * Body limit (bytes) and entries per notification; more is refused with 413 before any lookup. 1,000 entries
 * take 67 KB in compact JSON, so the body limit leaves room for them and some whitespace.
 */
const MAX_NOTIFY_BODY_BYTES = 81_920;
export const MAX_NOTIFY_ENTRIES = 1_000;
/** Index lookups in flight at once. */
const LOOKUP_CONCURRENCY = 16;

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const notificationBody = z.strictObject({
  /** SHA-256 (hex) of each changed feed's token. */
  feeds: z.array(z.string().regex(SHA256_HEX)).max(MAX_NOTIFY_ENTRIES),
});

/** Every refusal of a notification; the route answers each (handlers/refusal-answers.ts). */
export type NotifyRefusalCode =
  | 'rate_limited'
  | HostRequestRefusalCode
  | 'body_too_large'
  | 'too_many_feeds'
  | 'unsupported_media_type'
  | 'invalid_json'
  | 'invalid_request'
  | 'sync_unavailable';

const refusal = (code: NotifyRefusalCode) => new Refusal(code);

export interface NotifyInput {
  ip: string;
  contentType: string | undefined;
  header: SignedRequest['header'];
  body: Buffer;
}

/** Counts only: the answer never says which feeds belong to a connected subscriber. */
export interface NotifyOutcome {
  accepted: true;
  /** Entries in the body. */
  received: number;
  /** Distinct entries. */
  distinct: number;
}

/**
 * The ICS service says which feeds changed: each feed that belongs to a connected subscriber gets an immediate
 * sync. The request must be signed by the host (authenticateHostRequest: key id, ±5 minutes, single-use nonce).
 *
 * Feeds are named by the SHA-256 of their token, never by the token (tokens travel no further than they must)
 * and not by subscriber id (the host does not hold the subscriber-id secret). A hash cannot give the subscriber
 * id (an HMAC of the token itself), so the connection stores a lookup key, HMAC(secret, SHA-256 of the token),
 * written at connect and indexed (connections `byFeed`): a leaked table yields neither tokens nor their plain
 * digests. Unknown hashes are ignored silently.
 *
 * Deduplication: a subscriber named twice counts once, and per subscriber and window of NOTIFY_DEDUP_SECONDS
 * (fixed windows in the rate-limit table) the first notification enqueues a sync at once, the second one sync
 * at the end of the window, and any further ones nothing. The trailing sync is what keeps a change notified
 * while the first sync was already running from waiting for the next scheduled run; a burst of notifications
 * costs at most two syncs per window.
 */
export async function notifyChanges(deps: NotifyDependencies, input: NotifyInput): Promise<NotifyOutcome> {
  const { logger } = deps;
  if (input.body.length > MAX_NOTIFY_BODY_BYTES) throw refusal('body_too_large');
  const signature = await authenticatedHost(deps, input);
  logger.appendKeys({ hostKeyId: signature.keyId });
  await deps.rateLimiter.checkHostKey('notify', signature.keyId);
  const feeds = readBody(input);
  const distinct = [...new Set(feeds.map((hash) => hash.toLowerCase()))];

  const limit = pLimit(LOOKUP_CONCURRENCY);
  const found = await Promise.all(
    distinct.map((hash) =>
      limit(async () => deps.subscribers.byFeedLookupKey(await deps.identity.feedLookupKey(hash))),
    ),
  );
  const connected = [
    ...new Set(found.filter((match) => match?.connected).map((match) => match?.subscriberId as string)),
  ];

  const now = deps.now();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const immediate: string[] = [];
  const trailing = new Map<number, string[]>();
  await Promise.all(
    connected.map((subscriberId) =>
      limit(async () => {
        const { count, windowEndsAt } = await deps.notificationCounters.increment(
          `notify#sub#${subscriberId}`,
          deps.config.notify.dedupWindowSeconds,
          now,
        );
        if (count === 1) immediate.push(subscriberId);
        else if (count === 2) {
          const delay = Math.max(1, windowEndsAt - nowSeconds);
          trailing.set(delay, [...(trailing.get(delay) ?? []), subscriberId]);
        }
      }),
    ),
  );
  try {
    await requestImmediateSync(deps, immediate, 'notified');
    for (const [delaySeconds, subscriberIds] of trailing) {
      await requestImmediateSync(deps, subscriberIds, 'notified', { delaySeconds });
    }
  } catch (error) {
    logger.warn('notified syncs not enqueued', describeError(error));
    throw refusal('sync_unavailable');
  }
  const deferred = [...trailing.values()].reduce((sum, ids) => sum + ids.length, 0);
  logger.info('change notification', {
    received: feeds.length,
    distinct: distinct.length,
    connected: connected.length,
    queued: immediate.length,
    deferred,
    deduplicated: connected.length - immediate.length - deferred,
  });
  return { accepted: true, received: feeds.length, distinct: distinct.length };
}

/**
 * The host, proven by its signature. Only a refused signature or nonce counts against the IP (a key ring that
 * cannot be read is the service's failure): unsigned requests from anywhere, even the host's own addresses,
 * never spend the budget of signed ones, which count per host key instead.
 */
async function authenticatedHost(deps: NotifyDependencies, input: NotifyInput): Promise<VerifiedSignature> {
  try {
    return await authenticateHostRequest(deps, {
      method: 'POST',
      path: NOTIFY_PATH,
      header: input.header,
      body: input.body,
    });
  } catch (error) {
    if (error instanceof Refusal && error.code !== 'keys_unavailable') {
      await deps.rateLimiter.countIpFailure('notify', input.ip);
    }
    throw error;
  }
}

function readBody(input: NotifyInput): string[] {
  if (!/^application\/json\s*(;|$)/i.test(input.contentType ?? '')) {
    throw refusal('unsupported_media_type');
  }
  let json: unknown;
  try {
    // Signed JSON is read strictly: `feeds` named twice is refused, not "the last one wins".
    json = parseStrictJson(input.body.toString('utf8'));
  } catch {
    // The parser's message may quote the body: never passed on.
    throw refusal('invalid_json');
  }
  const feeds = (json as { feeds?: unknown } | null)?.feeds;
  if (Array.isArray(feeds) && feeds.length > MAX_NOTIFY_ENTRIES) {
    throw refusal('too_many_feeds');
  }
  return validInput(notificationBody, json).feeds;
}
