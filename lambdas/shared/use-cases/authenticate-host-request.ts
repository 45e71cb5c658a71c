import {
  MAX_CLOCK_SKEW_SECONDS,
  type SignedRequest,
  type VerifiedSignature,
  verifyHostSignature,
} from '../adapters/http/host-signature.ts';
import { HttpRefusal } from '../adapters/http/refusal.ts';
import type { HostKeyRing } from '../ports/host-keys.ts';
import type { NonceStore } from '../ports/nonce-store.ts';

export interface HostRequestDependencies {
  hostKeys: HostKeyRing;
  nonces: NonceStore;
  now: () => Date;
}

/**
 * A request of the ICS service, proven: a valid signature (see host-signature.ts), then its nonce recorded for
 * as long as its timestamp could be accepted, so the same signed request is accepted once (a replay: 409).
 * For every endpoint the host calls (change notifications now, connect intents later).
 */
export async function authenticateHostRequest(
  deps: HostRequestDependencies,
  request: SignedRequest,
): Promise<VerifiedSignature> {
  const verified = await verifyHostSignature(deps.hostKeys, request, deps.now());
  const expiresAt = verified.timestamp + MAX_CLOCK_SKEW_SECONDS + 60;
  if (!(await deps.nonces.claim(verified.nonce, expiresAt))) {
    throw new HttpRefusal(409, 'replayed_nonce', 'This nonce was already used: sign every request anew.');
  }
  return verified;
}
