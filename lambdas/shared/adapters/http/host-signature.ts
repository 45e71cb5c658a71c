import { randomBytes } from 'node:crypto';
import { Refusal } from '../../errors.ts';
import {
  type SignatureProblem,
  type SignedParts,
  type SignedRequest,
  signHostRequest,
  type VerifiedSignature,
  verifySignedRequest,
} from '../../host-signature.ts';
import type { HostKeyRing } from '../../ports/host-keys.ts';
import { httpRefusalFor, type RefusalAnswers } from './refusal.ts';

/**
 * Host-signed requests over HTTP (the protocol: ../../host-signature.ts): the signature headers as the host
 * sends them, and the answers to a request whose signature or nonce is refused.
 */

/** The signature headers for a request, as the host sends them. */
export function hostSignatureHeaders(
  keyId: string,
  key: Buffer,
  parts: Omit<SignedParts, 'timestamp' | 'nonce'> & { timestamp?: string; nonce?: string },
): Record<string, string> {
  const timestamp = parts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = parts.nonce ?? randomBytes(24).toString('base64url');
  return {
    'X-Signature-Key-Id': keyId,
    'X-Signature-Timestamp': timestamp,
    'X-Signature-Nonce': nonce,
    'X-Signature': signHostRequest(key, { ...parts, timestamp, nonce }),
  };
}

/** The answers to a refused host request (authenticateHostRequest): its signature, or a nonce used before. */
export const HOST_REQUEST_REFUSALS = {
  signature_missing: {
    status: 401,
    message:
      'Sign the request: X-Signature-Key-Id, X-Signature-Timestamp, X-Signature-Nonce and X-Signature are required.',
  },
  signature_malformed: { status: 401, message: 'A signature header is not in the expected format.' },
  unknown_key: { status: 401, message: 'The signature key id is not known.' },
  timestamp_out_of_range: {
    status: 401,
    message: 'The signature timestamp is more than 5 minutes away from the current time.',
  },
  bad_signature: { status: 401, message: 'The signature does not match the request.' },
  keys_unavailable: {
    status: 503,
    message: 'The signature could not be checked right now. Please try again in a minute.',
    headers: { 'Retry-After': '60' },
  },
  replayed_nonce: { status: 409, message: 'This nonce was already used: sign every request anew.' },
} satisfies RefusalAnswers<SignatureProblem | 'replayed_nonce'>;

/** verifySignedRequest for a server that answers by itself: a refused signature is its HttpRefusal. */
export async function verifyHostSignature(
  keys: HostKeyRing,
  request: SignedRequest,
  now: Date,
): Promise<VerifiedSignature> {
  try {
    return await verifySignedRequest(keys, request, now);
  } catch (error) {
    const answer = error instanceof Refusal ? httpRefusalFor(HOST_REQUEST_REFUSALS, error) : undefined;
    throw answer ?? error;
  }
}
