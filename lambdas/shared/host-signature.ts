import { createHash, createHmac } from 'node:crypto';
import { macMatches } from './domain/canonical-mac.ts';
import { HostKeysError } from './domain/host-keys.ts';
import { Refusal } from './errors.ts';
import type { HostKeyRing } from './ports/host-keys.ts';

/**
 * Requests the ICS service (the host) signs with a key it shares with this service (docs/operating.md, "Signed requests
 * from the host"):
 *
 *   X-Signature-Key-Id:    the key's id (1-64 of A-Z a-z 0-9 . _ -)
 *   X-Signature-Timestamp: Unix time in seconds (decimal), within ±5 minutes of the service's clock
 *   X-Signature-Nonce:     16-128 of A-Z a-z 0-9 _ - , never used before (random: 128 bits or more)
 *   X-Signature:           base64url, unpadded, of HMAC-SHA256(key, canonical request)
 *
 * canonical request = timestamp "\n" nonce "\n" METHOD "\n" path "\n" lower-case hex SHA-256 of the body bytes
 *
 * `path` is the route's own path (`/api/google-sync/notify`), not the URL the host called (stages, custom
 * domains and proxies change that), so a signature is only good for the endpoint it was made for. The digest
 * of an empty body is the SHA-256 of zero bytes. The signature is compared in constant time. The headers as the
 * host sends them, and the HTTP answers to a bad signature: adapters/http/host-signature.ts.
 */
export const SIGNATURE_HEADERS = {
  keyId: 'x-signature-key-id',
  timestamp: 'x-signature-timestamp',
  nonce: 'x-signature-nonce',
  signature: 'x-signature',
} as const;

export const MAX_CLOCK_SKEW_SECONDS = 300;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;
/** 32 bytes of HMAC-SHA256 in unpadded base64url. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SignedParts {
  timestamp: string;
  nonce: string;
  method: string;
  path: string;
  body: Buffer | string;
}

export function canonicalRequest({ timestamp, nonce, method, path, body }: SignedParts): string {
  const bodyDigest = createHash('sha256').update(body).digest('hex');
  return `${timestamp}\n${nonce}\n${method.toUpperCase()}\n${path}\n${bodyDigest}`;
}

/** What the host computes (also used by the tests and the benchmarks). */
export function signHostRequest(key: Buffer, parts: SignedParts): string {
  return createHmac('sha256', key).update(canonicalRequest(parts), 'utf8').digest('base64url');
}

export interface SignedRequest {
  method: string;
  /** The route's own path (see above). */
  path: string;
  /** A header by lower-case name. */
  header: (name: string) => string | undefined;
  body: Buffer;
}

export interface VerifiedSignature {
  keyId: string;
  nonce: string;
  /** Epoch seconds, as signed. */
  timestamp: number;
}

/** Why a signature is refused (`keys_unavailable`: the key ring could not be read, try later). */
export type SignatureProblem =
  | 'signature_missing'
  | 'signature_malformed'
  | 'unknown_key'
  | 'timestamp_out_of_range'
  | 'bad_signature'
  | 'keys_unavailable';

const refused = (problem: SignatureProblem) => new Refusal(problem);

/**
 * Checks the signature of a host request: headers present and well formed, a known key, a timestamp within
 * ±5 minutes of `now`, and an HMAC equal (in constant time) to the one computed over the request. Throws a
 * Refusal naming what is wrong (a SignatureProblem); the nonce is left to the caller (it must be stored: see
 * authenticateHostRequest).
 */
export async function verifySignedRequest(
  keys: HostKeyRing,
  request: SignedRequest,
  now: Date,
): Promise<VerifiedSignature> {
  const keyId = request.header(SIGNATURE_HEADERS.keyId)?.trim();
  const timestamp = request.header(SIGNATURE_HEADERS.timestamp)?.trim();
  const nonce = request.header(SIGNATURE_HEADERS.nonce)?.trim();
  const signature = request.header(SIGNATURE_HEADERS.signature)?.trim();
  if (!keyId || !timestamp || !nonce || !signature) throw refused('signature_missing');
  if (
    !KEY_ID_PATTERN.test(keyId) ||
    !TIMESTAMP_PATTERN.test(timestamp) ||
    !NONCE_PATTERN.test(nonce) ||
    !SIGNATURE_PATTERN.test(signature)
  ) {
    throw refused('signature_malformed');
  }
  let key: Buffer | undefined;
  try {
    key = await keys.keyFor(keyId);
  } catch (error) {
    if (error instanceof HostKeysError) throw refused('keys_unavailable');
    throw error;
  }
  if (!key) throw refused('unknown_key');
  const signedAt = Number(timestamp);
  if (Math.abs(Math.floor(now.getTime() / 1000) - signedAt) > MAX_CLOCK_SKEW_SECONDS) {
    throw refused('timestamp_out_of_range');
  }
  const expected = createHmac('sha256', key)
    .update(
      canonicalRequest({ timestamp, nonce, method: request.method, path: request.path, body: request.body }),
      'utf8',
    )
    .digest();
  // The canonical text only: the last character's 2 unused bits must be zero.
  if (!macMatches(signature, expected)) throw refused('bad_signature');
  return { keyId, nonce, timestamp: signedAt };
}
