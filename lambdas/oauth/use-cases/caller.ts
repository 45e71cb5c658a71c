import { Refusal } from '../../shared/errors.ts';
import type { SignedRequest } from '../../shared/host-signature.ts';
import { authenticateHostRequest } from '../../shared/use-cases/authenticate-host-request.ts';
import type { RateLimitedRoute } from '../config.ts';
import type { OAuthDependencies } from '../dependencies.ts';
import type { RefusalCode } from '../rules/refusals.ts';

/**
 * Who sends a request: the host's server, proven by its signature (docs/operating.md, "Signed requests from the host"), or
 * a client known only by its IP (a browser, or a host that does not sign).
 */
export type Caller = { kind: 'host'; keyId: string } | { kind: 'client'; ip: string };

export interface CallerInput {
  ip: string;
  /** The request as the host signs it; absent when it carries no signature header. */
  signed?: SignedRequest | undefined;
}

export type CallerDependencies = Pick<OAuthDependencies, 'rateLimiter' | 'intents' | 'now' | 'logger'>;

/**
 * A signed request is the host's once its signature and single-use nonce check out, and counts against its key
 * (never its IP); a bad one counts as a failure of the IP and is refused. Without the host's keys
 * (CONNECT_INTENTS=token_only) signature headers are ignored. An unsigned request is refused at once if its IP
 * failed too often; otherwise it goes on, and only its failures count (countingFailures).
 */
export async function identifyCaller(
  deps: CallerDependencies,
  route: RateLimitedRoute,
  input: CallerInput,
): Promise<Caller> {
  if (input.signed && deps.intents) {
    let keyId: string;
    try {
      ({ keyId } = await authenticateHostRequest(
        { hostKeys: deps.intents.hostKeys, nonces: deps.intents.nonces, now: deps.now },
        input.signed,
      ));
    } catch (error) {
      // An unreadable key ring is the service's failure, not the caller's.
      if (error instanceof Refusal && error.code !== 'keys_unavailable') {
        deps.logger.info('host signature refused', { reason: error.code });
        await deps.rateLimiter.countIpFailure(route, input.ip);
      }
      throw error;
    }
    deps.logger.appendKeys({ hostKeyId: keyId });
    await deps.rateLimiter.checkHostKey(route, keyId);
    return { kind: 'host', keyId };
  }
  await deps.rateLimiter.refuseExhaustedIp(route, input.ip);
  return { kind: 'client', ip: input.ip };
}

/** Refusals that say the caller did not prove what it claims (not a passing failure of the service). */
const AUTHENTICATION_FAILURES: ReadonlySet<RefusalCode> = new Set<RefusalCode>([
  'missing_token',
  'invalid_token',
  'intent_required',
  'intent_malformed',
  'intent_unknown_key',
  'intent_bad_signature',
  'intent_wrong_action',
  'intent_wrong_feed',
  'intent_wrong_return_to',
  'intent_expired',
  'intent_too_long',
  'intent_used',
  'state_missing',
  'state_invalid',
  'state_expired',
  'browser_mismatch',
]);

/** Runs a proof; when it fails for a client, the failure counts against the client's IP. */
export async function countingFailures<T>(
  deps: Pick<OAuthDependencies, 'rateLimiter'>,
  route: RateLimitedRoute,
  caller: Caller,
  prove: () => Promise<T>,
): Promise<T> {
  try {
    return await prove();
  } catch (error) {
    if (
      caller.kind === 'client' &&
      error instanceof Refusal &&
      AUTHENTICATION_FAILURES.has(error.code as RefusalCode)
    ) {
      await deps.rateLimiter.countIpFailure(route, caller.ip);
    }
    throw error;
  }
}

/** A proven request against the subscriber's budget: the host's own one when the host signed it. */
export function countForSubscriber(
  deps: Pick<OAuthDependencies, 'rateLimiter'>,
  route: RateLimitedRoute,
  caller: Caller,
  subscriberId: string,
): Promise<void> {
  return caller.kind === 'host'
    ? deps.rateLimiter.checkHostSubscriber(route, subscriberId)
    : deps.rateLimiter.checkSubscriber(route, subscriberId);
}
