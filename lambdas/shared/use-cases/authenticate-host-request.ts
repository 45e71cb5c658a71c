import { Refusal } from '../errors.ts';
import {
  MAX_CLOCK_SKEW_SECONDS,
  type SignatureProblem,
  type SignedRequest,
  type VerifiedSignature,
  verifySignedRequest,
} from '../host-signature.ts';
import type { HostKeyRing } from '../ports/host-keys.ts';
import type { NonceStore } from '../ports/nonce-store.ts';

export interface HostRequestDependencies {
  hostKeys: HostKeyRing;
  nonces: NonceStore;
  now: () => Date;
}

/** Why a host request is refused: its signature, or a nonce used before (a replay). */
export type HostRequestRefusalCode = SignatureProblem | 'replayed_nonce';

/**
 * A request of the ICS service, proven: a valid signature (see host-signature.ts), then its nonce recorded for
 * as long as its timestamp could be accepted, so the same signed request is accepted once. Throws a Refusal
 * with a HostRequestRefusalCode. For every endpoint the host's server calls: change notifications (always
 * signed), status, "sync now" and disconnect (signed for the host's own rate limits: oauth/use-cases/caller.ts).
 */
export async function authenticateHostRequest(
  deps: HostRequestDependencies,
  request: SignedRequest,
): Promise<VerifiedSignature> {
  const verified = await verifySignedRequest(deps.hostKeys, request, deps.now());
  const expiresAt = verified.timestamp + MAX_CLOCK_SKEW_SECONDS + 60;
  if (!(await deps.nonces.claim(verified.nonce, expiresAt))) {
    throw new Refusal<HostRequestRefusalCode>('replayed_nonce');
  }
  return verified;
}
